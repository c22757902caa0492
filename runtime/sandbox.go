package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	goruntime "runtime"
	"runtime/metrics"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// maxRepBytes caps string.rep: a Go allocation failure would kill the
// process, so an oversized request fails as a Lua error instead.
const maxRepBytes = 64 << 20

// removedGlobals are base functions a sandboxed script must not have:
// dofile/loadfile read arbitrary paths, _printregs dumps VM internals.
var removedGlobals = []string{"dofile", "loadfile", "_printregs", "module"}

// safeOS are the os functions a script keeps: time only, no process,
// environment or file access.
var safeOS = []string{"clock", "date", "difftime", "time"}

func (s *State) openSandbox() {
	L := s.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
		{lua.OsLibName, lua.OpenOs},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, name := range removedGlobals {
		L.SetGlobal(name, L.NewFunction(refuse(name+" is not available in exorun scripts; use require for Lua files in the script's folder")))
	}
	fullOS := L.GetGlobal(lua.OsLibName).(*lua.LTable)
	os := L.NewTable()
	for _, name := range safeOS {
		os.RawSetString(name, fullOS.RawGetString(name))
	}
	L.SetMetatable(os, absentMembers(L, "os", "only os.time, os.date, os.clock and os.difftime are available; params and fs replace the rest"))
	// A script reaching for os.exit wants the global exit, which ends the
	// run without ending the process.
	os.RawSetString("exit", L.NewFunction(refuse("os.exit is not available in exorun scripts: use exit(code [, message]) with code "+allowedExits())))
	L.SetGlobal(lua.OsLibName, os)
	for lib, hint := range map[string]string{
		"io":    "use require(\"fs\") for files in the script's folder or --out, and print for stdout",
		"debug": "it would let a script reach past the sandbox",
	} {
		t := L.NewTable()
		L.SetMetatable(t, absentMembers(L, lib, hint))
		L.SetGlobal(lib, t)
	}

	str := L.GetGlobal(lua.StringLibName).(*lua.LTable)
	// Pattern functions with a step budget that the run's context stops;
	// strings' metatable indexes this table, so s:find(...) uses them too.
	for name, fn := range patternFunctions() {
		str.RawSetString(name, L.NewFunction(fn))
	}
	str.RawSetString("gfind", str.RawGetString("gmatch")) // Lua 5.1's old name
	str.RawSetString("dump", L.NewFunction(refuse("string.dump is not available in exorun scripts: it makes bytecode, which load refuses; pass functions, not their dumps")))
	str.RawSetString("rep", L.NewFunction(s.stringRep))
	tab := L.GetGlobal(lua.TabLibName).(*lua.LTable)
	tab.RawSetString("concat", L.NewFunction(s.tableConcat(tab.RawGetString("concat").(*lua.LFunction).GFunction)))
	L.SetGlobal(concatName, L.NewFunction(s.concat))

	L.SetGlobal("print", L.NewFunction(s.print))
	L.SetGlobal("load", L.NewFunction(load))
	L.SetGlobal("loadstring", L.NewFunction(load))
	L.SetGlobal("require", L.NewFunction(s.require))
	L.SetGlobal("collectgarbage", L.NewFunction(collectGarbage))
	L.SetGlobal("exit", L.NewFunction(s.exit))
	L.SetGlobal("xpcall", L.NewFunction(xpcall))
	pkg := L.NewTable()
	pkg.RawSetString("loaded", s.loaded)
	L.SetGlobal("package", pkg)

	co := L.GetGlobal(lua.CoroutineLibName).(*lua.LTable)
	for _, name := range []string{"create", "wrap"} {
		co.RawSetString(name, L.NewFunction(guardThreads(co.RawGetString(name).(*lua.LFunction).GFunction)))
	}
	s.builtins.track("", L.G.Global)
	for _, lib := range []string{lua.StringLibName, lua.TabLibName, lua.MathLibName, lua.OsLibName} {
		s.builtins.track(lib+".", L.GetGlobal(lib).(*lua.LTable))
	}
}

// guardThreads wraps coroutine.create or wrap so that the new coroutine
// runs under the run's guard: gopher-lua gives a coroutine a context of
// its own, derived from the creator's, which a guard never closes (the VM
// is stopped by a flag, see vmContext), so a busy loop inside a coroutine
// would not stop.
func guardThreads(create lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := create(L)
		ctx, ok := L.Context().(*vmContext)
		if !ok {
			return n
		}

		switch v := L.Get(-1).(type) {
		case *lua.LState:
			v.SetContext(ctx)
		case *lua.LFunction: // wrap: the coroutine is the closure's upvalue
			for _, uv := range v.Upvalues {
				if th, ok := uv.Value().(*lua.LState); ok {
					th.SetContext(ctx)
				}
			}
			L.Pop(1)
			L.Push(L.NewFunction(stopsWithShortTrace(v)))
		}
		return n
	}
}

// identity is an error handler that keeps the error as it is. A PCall
// with a handler does not have gopher-lua build a traceback, which after
// an endless tail call would have a line per call.
func identity(L *lua.LState) int {
	L.Push(L.Get(1))
	return 1
}

// stopsWithShortTrace calls the function coroutine.wrap made. gopher-lua
// re-raises an error from inside the coroutine without a traceback, for
// the catching PCall to build one over the whole caller's stack; a stop is
// raised here with its short one instead.
func stopsWithShortTrace(wrapped *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		top := L.GetTop()
		L.Insert(wrapped, 1)
		if err := L.PCall(top, lua.MultRet, L.NewFunction(identity)); err != nil {
			raiseIfStopped(L)
			var api *lua.ApiError
			if errors.As(err, &api) {
				L.Error(api.Object, 0)
			}
			L.RaiseError("%s", err)
		}
		return L.GetTop()
	}
}

// xpcall is Lua's xpcall(f, handler), except that once the run is stopped
// the handler is not called: a Lua handler would raise the stop again
// from inside gopher-lua's recovery, which then builds a full traceback.
func xpcall(L *lua.LState) int {
	fn := L.CheckFunction(1)
	handler := L.CheckFunction(2)
	guarded := L.NewFunction(func(L *lua.LState) int {
		obj := L.Get(1)
		if runStopped(L) != nil {
			L.Push(obj)
			return 1
		}
		L.Push(handler)
		L.Push(obj)
		L.Call(1, 1)
		return 1
	})
	top := L.GetTop()
	L.Push(fn)
	if err := L.PCall(0, lua.MultRet, guarded); err != nil {
		L.Push(lua.LFalse)
		var api *lua.ApiError
		if errors.As(err, &api) {
			L.Push(api.Object)
		} else {
			L.Push(lua.LString(err.Error()))
		}
		return 2
	}
	L.Insert(lua.LTrue, top+1)
	return L.GetTop() - top
}

// refuse returns a function that fails with msg.
func refuse(msg string) lua.LGFunction {
	return func(L *lua.LState) int {
		L.RaiseError("%s", msg)
		return 0
	}
}

// absentMembers is a metatable whose __index fails naming lib.key, so a
// removed function explains itself instead of "attempt to call a nil value".
func absentMembers(L *lua.LState, lib, hint string) *lua.LTable {
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("%s.%s is not available in exorun scripts: %s", lib, L.CheckAny(2).String(), hint)
		return 0
	}))
	return mt
}

func (s *State) print(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	_, _ = s.opts.Stdout.Write([]byte(b.String()))
	return 0
}

// load compiles a chunk from a string or a reader function (Lua 5.1's load
// and loadstring in one). Precompiled bytecode is refused: it bypasses the
// compiler's checks and gopher-lua cannot verify it.
func load(L *lua.LState) int {
	var src string
	switch v := L.Get(1).(type) {
	case lua.LString:
		src = string(v)
	case *lua.LFunction:
		var b strings.Builder
		for {
			L.Push(v)
			L.Call(0, 1)
			piece := L.Get(-1)
			L.Pop(1)
			if piece == lua.LNil {
				break
			}
			ps, ok := piece.(lua.LString)
			if !ok {
				L.Push(lua.LNil)
				L.Push(lua.LString("load: reader function must return a string"))
				return 2
			}
			if ps == "" {
				break
			}
			b.WriteString(string(ps))
		}
		src = b.String()
	default:
		L.ArgError(1, "string or function expected")
	}
	name := L.OptString(2, "=(load)")
	if strings.HasPrefix(src, "\x1b") {
		L.Push(lua.LNil)
		L.Push(lua.LString("load: precompiled bytecode is not allowed; load Lua source"))
		return 2
	}
	proto, err := compileChunk(strings.NewReader(src), name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(strings.TrimSpace(err.Error())))
		return 2
	}
	L.Push(L.NewFunctionFromProto(proto))
	return 1
}

// tableConcat wraps gopher-lua's table.concat (orig) with the heap check
// concatenation has: the result's size is known before it is built.
func (s *State) tableConcat(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok && s.opts.Limits.Memory > 0 {
			sep := int64(len(L.OptString(2, "")))
			n := t.Len()
			i, j := max(L.OptInt(3, 1), 1), min(L.OptInt(4, n), n)
			var size int64
			for k := i; k <= j; k++ {
				if v := t.RawGetInt(k); lua.LVCanConvToString(v) {
					size += int64(len(lua.LVAsString(v))) + sep
				}
			}
			s.reserve(L, size, "table.concat")
		}
		return orig(L)
	}
}

func (s *State) stringRep(L *lua.LState) int {
	str := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || str == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxRepBytes/len(str) {
		L.RaiseError("string.rep: a result of %d copies of %d bytes is over the %d MiB limit", n, len(str), maxRepBytes>>20)
	}
	s.reserve(L, int64(n)*int64(len(str)), "string.rep")
	L.Push(lua.LString(strings.Repeat(str, n)))
	return 1
}

// moduleName is a dotted Lua name; anything else (slashes, "..", absolute
// paths) could address files outside the script's folder.
var moduleName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)
})

// ModuleFor is the name require takes for the Lua file at path (slash-
// separated, relative to the script's folder): "lib/util.lua" gives
// "lib.util". ok is false for a file require cannot load, such as
// "my.util.lua" (its name would mean my/util.lua) or "my util.lua".
func ModuleFor(path string) (name string, ok bool) {
	base, isLua := strings.CutSuffix(path, ".lua")
	name = strings.ReplaceAll(base, "/", ".")
	return name, isLua && moduleName().MatchString(name) && strings.ReplaceAll(name, ".", "/") == base
}

// loading marks a module whose chunk is running, to catch require cycles.
const loading lua.LString = "\x00loading"

func (s *State) require(L *lua.LState) int {
	name := L.CheckString(1)
	switch v := s.loaded.RawGetString(name); {
	case v == loading:
		L.RaiseError("require %q: circular require (the module requires itself, directly or through others)", name)
	case v != lua.LNil:
		L.Push(v)
		return 1
	}
	if m, ok := s.modules[name]; ok {
		v := m.Open(L)
		s.loaded.RawSetString(name, v)
		L.Push(v)
		return 1
	}
	if !moduleName().MatchString(name) {
		L.RaiseError("require %q: not allowed: a script may require built-in modules and Lua files in its own folder, named with dots (\"lib.util\" for lib/util.lua), never a path", name)
	}
	path := strings.ReplaceAll(name, ".", "/") + ".lua"
	if s.opts.Files == nil {
		L.RaiseError("require %q: no built-in module has that name (built-in: %s)", name, strings.Join(s.ModuleNames(), ", "))
	}
	src, err := fs.ReadFile(s.opts.Files, path)
	if errors.Is(err, fs.ErrNotExist) {
		L.RaiseError("require %q: no built-in module has that name (built-in: %s) and the script's folder has no %s", name, strings.Join(s.ModuleNames(), ", "), path)
	}
	if err != nil {
		L.RaiseError("require %q: %v", name, fsMessage(err))
	}
	sc, err := Compile(path, src)
	if err != nil {
		L.RaiseError("require %q: %v", name, err)
	}
	s.loaded.RawSetString(name, loading)
	L.Push(L.NewFunctionFromProto(sc.proto))
	L.Push(lua.LString(name))
	if err := L.PCall(1, 1, nil); err != nil {
		s.loaded.RawSetString(name, lua.LNil)
		var api *lua.ApiError
		if errors.As(err, &api) {
			L.Error(api.Object, 0)
		}
		L.RaiseError("require %q: %v", name, err)
	}
	v := L.Get(-1)
	if v == lua.LNil {
		v = lua.LTrue
	}
	s.loaded.RawSetString(name, v)
	L.Push(v)
	return 1
}

// fsMessage shortens an fs error to what a script author needs.
func fsMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %v", pe.Path, pe.Err)
	}
	return err.Error()
}

// collectGarbage is Lua's collectgarbage over Go's collector, which owns
// every Lua value here: "collect" (the default) runs a collection,
// "count" returns the heap in use by objects, in kilobytes, so a script can check that
// its memory stays flat. gopher-lua's own version returns nothing.
func collectGarbage(L *lua.LState) int {
	switch opt := L.OptString(1, "collect"); opt {
	case "collect":
		goruntime.GC()
		L.Push(lua.LNumber(0))
	case "count":
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(sample)
		var live float64
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = float64(sample[0].Value.Uint64())
		}
		L.Push(lua.LNumber(live / 1024))
	case "step", "stop", "restart", "setpause", "setstepmul":
		L.Push(lua.LNumber(0)) // Go's collector has no such knobs; harmless no-ops
	default:
		L.ArgError(1, "want \"collect\" or \"count\", not "+opt)
	}
	return 1
}

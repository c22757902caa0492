package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Module is a built-in Lua module that scripts load with require(Name).
// Open builds the module's value; it runs at most once per state, on first
// require, so unused modules cost nothing.
type Module struct {
	Name string
	Open func(L *lua.LState) lua.LValue
}

// Options configure a State. The zero value is usable: output is discarded,
// no files can be required, no modules are available.
type Options struct {
	// Stdout receives print().
	Stdout io.Writer
	// Files is the script's folder; require("a.b") reads a/b.lua from it.
	// nil means scripts may require built-in modules only.
	Files fs.FS
	// Modules are the built-in modules, the explicit list of what a script
	// can require besides its own files.
	Modules []Module
	// Globals are extra global values set before the script runs (the CLI
	// uses it for connect and similar entry points).
	Globals map[string]lua.LGFunction
	// CallStackSize bounds Lua call depth (default 200 frames); RegistryMaxSize
	// bounds the value stack (default 1<<20 slots). Runaway recursion fails
	// with a Lua error instead of exhausting memory.
	CallStackSize   int
	RegistryMaxSize int
	// Limits bound the memory a run may use and how long a stopped run
	// may take to come back.
	Limits Limits

	// patternLimit replaces luapattern.DefaultLimit (tests).
	patternLimit func(subjectLen int) int64
}

const (
	defaultCallStackSize   = 200
	initialRegistrySize    = 1024
	defaultRegistryMaxSize = 1 << 20
)

// State is one sandboxed Lua state. It is not safe for concurrent use; make
// one per run (creation costs microseconds, see BenchmarkNewState).
type State struct {
	L       *lua.LState
	opts    Options
	modules map[string]Module
	loaded  *lua.LTable // package.loaded: required modules by name
	// active is the guard of the running chunk (exit() halts it with an
	// *ExitError); nil while no chunk runs. vm is the context the VM and
	// every coroutine see, which reads it.
	active atomic.Pointer[guard]
	vm     *vmContext
	// finished is set once the script is over: exit() is refused.
	finished bool
	// builtins knows which Go built-in the chunk is in.
	builtins builtins
	// peakHeap is the most heap measured while a limited chunk ran.
	peakHeap atomic.Int64
	// givenUp is the *StuckError of a chunk that never came back; the
	// state is unusable after it.
	givenUp error
}

// New returns a sandboxed state. Call Close when done.
func New(opts Options) *State {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.CallStackSize <= 0 {
		opts.CallStackSize = defaultCallStackSize
	}
	if opts.RegistryMaxSize <= 0 {
		opts.RegistryMaxSize = defaultRegistryMaxSize
	}
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       opts.CallStackSize,
		RegistrySize:        initialRegistrySize,
		RegistryMaxSize:     opts.RegistryMaxSize,
		MinimizeStackMemory: true,
		// A panic in a Go function becomes an *InternalError whose
		// stack the CLI shows at debug level.
		IncludeGoStackTrace: true,
	})
	s := &State{
		L:       L,
		opts:    opts,
		modules: make(map[string]Module, len(opts.Modules)),
		loaded:  L.NewTable(),
	}
	s.vm = &vmContext{s: s}
	for _, m := range opts.Modules {
		s.modules[m.Name] = m
	}
	s.openSandbox()
	for name, fn := range opts.Globals {
		L.SetGlobal(name, L.NewFunction(fn))
	}
	return s
}

// Close releases the state; a state given up after a stuck run is left
// to the goroutine still using it.
func (s *State) Close() {
	if s.givenUp == nil {
		s.L.Close()
	}
}

// ModuleNames lists the built-in modules, sorted.
func (s *State) ModuleNames() []string {
	names := make([]string, 0, len(s.modules))
	for n := range s.modules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run executes a compiled script with args as its varargs (...), under ctx:
// when ctx ends, the VM stops at the next instruction and Run returns a
// *StoppedError. A Lua failure is returned as a *ScriptError, and a run the
// script ended with exit() as an *ExitError (even for exit(0)). A stopped
// run stuck in a Go built-in past Options.Limits.Grace gives *StuckError,
// and the state is given up.
func (s *State) Run(ctx context.Context, sc *Script, args ...lua.LValue) error {
	if s.givenUp != nil {
		return s.givenUpError()
	}
	fn := s.L.NewFunctionFromProto(sc.proto)
	_, err := s.call(ctx, fn, 0, args...)
	return err
}

// Call calls fn with args under ctx, with Run's protections (a stop ends
// it at the next instruction, the limits hold, a stuck built-in is given
// up), and returns its results. It is for Lua that runs after the script
// (threshold predicates): exit() is refused from then on.
func (s *State) Call(ctx context.Context, fn *lua.LFunction, args ...lua.LValue) ([]lua.LValue, error) {
	s.finished = true
	return s.call(ctx, fn, lua.MultRet, args...)
}

// givenUpError is the error of any use of a state given up.
func (s *State) givenUpError() error {
	return fmt.Errorf("the Lua state was given up after an earlier run got stuck: %w", s.givenUp)
}

// callResult is what a chunk's goroutine hands back.
type callResult struct {
	values []lua.LValue
	err    error
}

// call runs fn under ctx and returns its results (nret may be lua.MultRet).
// The chunk runs on a goroutine of its own so that call can return when a
// stopped chunk does not: a Go built-in cannot be interrupted, and the
// process that waits on it must still exit on time.
func (s *State) call(ctx context.Context, fn *lua.LFunction, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	if s.givenUp != nil {
		return nil, s.givenUpError()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	g := newGuard(ctx)
	defer g.release()
	prev := s.active.Swap(g)
	s.L.SetContext(s.vm)

	done := make(chan callResult, 1)
	finished := make(chan struct{})
	if limit := s.opts.Limits.Memory; limit > 0 {
		go s.watchMemory(g, limit, finished)
	}
	go func() { done <- s.protectedCall(g, fn, nret, args) }()
	r, ok := s.await(g, done)
	close(finished)
	if !ok {
		// The chunk's goroutine still owns L: leave it alone.
		s.givenUp = r.err
		return nil, r.err
	}
	s.L.RemoveContext()
	s.active.Store(prev)
	return r.values, r.err
}

// await waits for the chunk, or, once it was stopped, for at most the
// grace period; ok is false when it gave the chunk up.
func (s *State) await(g *guard, done <-chan callResult) (r callResult, ok bool) {
	select {
	case r := <-done:
		return r, true
	case <-g.stopped:
	}
	grace := s.opts.Limits.Grace
	if grace <= 0 {
		grace = defaultGrace
	}
	var mem *MemoryError
	if limit := s.opts.Limits.Memory; errors.As(g.stopCause(), &mem) || limit > 0 && heapInUse() > limit {
		// Memory cannot wait: a Go function that does not come back
		// at once is most likely still allocating.
		grace = min(grace, memoryGrace)
	}
	stoppedAt := time.Now()
	t := time.NewTimer(grace)
	defer t.Stop()
	urgent := false
	select {
	case r := <-done:
		return r, true
	case <-t.C:
	case <-g.urgent:
		urgent = true
	}
	stuck := &StuckError{Cause: g.stopCause(), Waited: time.Since(stoppedAt).Round(time.Millisecond), Urgent: urgent}
	// The built-in's atomic store ordered the frames the chunk wrote
	// before it: reading them is safe while it stays in the built-in.
	if name := s.builtins.running(); name != "" {
		stuck.Builtin = name
		stuck.Where = luaWhere(s.L)
	}
	return callResult{err: stuck}, false
}

// protectedCall runs fn on L and classifies how it ended. It runs on the
// chunk's goroutine; a panic that escapes gopher-lua's own recovery is
// reported as an *InternalError instead of crashing the process.
func (s *State) protectedCall(g *guard, fn *lua.LFunction, nret int, args []lua.LValue) (r callResult) {
	L := s.L
	top := L.GetTop()
	defer func() {
		if v := recover(); v != nil {
			r = callResult{err: &InternalError{Value: fmt.Sprint(v), Stack: string(debug.Stack())}}
		}
	}()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), nret, nil); err != nil {
		L.SetTop(top)
		return callResult{err: s.runError(g, err)}
	}
	if e := exitOf(g); e != nil {
		// A Go function that caught the exit's raise may have let the
		// chunk return before it ran another instruction.
		L.SetTop(top)
		return callResult{err: e}
	}
	n := L.GetTop() - top
	out := make([]lua.LValue, n)
	for i := range n {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return callResult{values: out}
}

// runError classifies an error from PCall under the chunk's guard g.
func (s *State) runError(g *guard, err error) error {
	if e := exitOf(g); e != nil {
		return e
	}
	var api *lua.ApiError
	if !errors.As(err, &api) {
		return &ScriptError{Message: err.Error()}
	}
	if cause := g.stopCause(); cause != nil {
		return &StoppedError{Cause: cause, Where: firstLuaFrame(api.StackTrace)}
	}
	e := &ScriptError{Traceback: cleanTraceback(luaTraceback(api.StackTrace))}
	switch v := api.Object.(type) {
	case *lua.LTable:
		e.Fields = tableFields(v)
		e.Cause = GoError(v)
		e.Message = errorTableMessage(v)
		if where := firstLuaFrame(api.StackTrace); where != "" {
			e.Message = where + ": " + e.Message
		}
	case lua.LString:
		e.Message = string(v)
	default:
		if api.Object == nil {
			e.Message = api.Error()
		} else {
			e.Message = fmt.Sprintf("error object is a %s value", api.Object.Type())
		}
	}
	if api.Type == lua.ApiErrorPanic {
		if strings.Contains(e.Message, "callstack overflow") {
			e.Message = fmt.Sprintf("stack overflow: calls nested deeper than %d (runaway recursion?)", s.opts.CallStackSize)
			if where := firstLuaFrame(api.StackTrace); where != "" {
				e.Message = where + ": " + e.Message
			}
		} else {
			return &InternalError{Value: e.Message, Stack: api.StackTrace}
		}
	}
	return e
}

package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

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
	// stop cancels the running chunk's context; exit() calls it with an
	// *ExitError. nil while no chunk runs.
	stop context.CancelCauseFunc
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
	})
	s := &State{
		L:       L,
		opts:    opts,
		modules: make(map[string]Module, len(opts.Modules)),
		loaded:  L.NewTable(),
	}
	for _, m := range opts.Modules {
		s.modules[m.Name] = m
	}
	s.openSandbox()
	for name, fn := range opts.Globals {
		L.SetGlobal(name, L.NewFunction(fn))
	}
	return s
}

// Close releases the state.
func (s *State) Close() { s.L.Close() }

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
// script ended with exit() as an *ExitError (even for exit(0)).
func (s *State) Run(ctx context.Context, sc *Script, args ...lua.LValue) error {
	fn := s.L.NewFunctionFromProto(sc.proto)
	_, err := s.call(ctx, fn, 0, args...)
	return err
}

// call runs fn under ctx and returns its results (nret may be lua.MultRet).
func (s *State) call(ctx context.Context, fn *lua.LFunction, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	L := s.L
	if ctx == nil {
		ctx = context.Background()
	}
	// The chunk runs under a context of its own so that exit() can end
	// it without ending ctx.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	prev := s.stop
	s.stop = stop
	defer func() { s.stop = prev }()
	L.SetContext(ctx)
	defer L.RemoveContext()
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), nret, nil); err != nil {
		return nil, s.runError(ctx, err)
	}
	if e := exitOf(ctx); e != nil {
		// A Go function that caught the exit's raise may have let the
		// chunk return before it ran another instruction.
		L.SetTop(top)
		return nil, e
	}
	n := L.GetTop() - top
	out := make([]lua.LValue, n)
	for i := range n {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return out, nil
}

// runError classifies an error from PCall; ctx is the chunk's own context.
func (s *State) runError(ctx context.Context, err error) error {
	if e := exitOf(ctx); e != nil {
		return e
	}
	var api *lua.ApiError
	if !errors.As(err, &api) {
		return &ScriptError{Message: err.Error()}
	}
	if ctx.Err() != nil {
		return &StoppedError{Cause: context.Cause(ctx), Where: firstLuaFrame(api.StackTrace)}
	}
	e := &ScriptError{Traceback: cleanTraceback(api.StackTrace)}
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
			e.Message = "internal error in a built-in function: " + e.Message
		}
	}
	return e
}

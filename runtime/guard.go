package runtime

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// guard stops one running chunk, whatever stops it: the caller's context
// (--timeout, Ctrl-C, SIGTERM), exit(), or a limit (memory). Stopping sets
// a flag that the VM reads before every instruction (see vmContext), and
// only then cancels the context bindings wait on, so an HTTP request that
// fails because the run stopped is never mistaken for a service error.
type guard struct {
	// ctx is what bindings wait on (Context(L) returns it). It is not
	// derived from the caller's context for cancellation: only halt
	// cancels it, after the flag is set.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// halted is the flag; cause is set once, before halted is stored.
	halted atomic.Bool
	cause  error
	once   sync.Once
	// stopped is closed by halt: Run's watchdog waits on it.
	stopped chan struct{}
	// urgent is closed when a stopped run must be given up at once, not
	// after the grace period: the heap grew on past its limit.
	urgent     chan struct{}
	urgentOnce sync.Once
	// unhook undoes the AfterFunc that halts on the caller's context.
	unhook func() bool
}

func newGuard(parent context.Context) *guard {
	g := &guard{stopped: make(chan struct{}), urgent: make(chan struct{})}
	g.ctx, g.cancel = context.WithCancelCause(context.WithoutCancel(parent))
	g.unhook = context.AfterFunc(parent, func() { g.halt(context.Cause(parent)) })
	if parent.Err() != nil {
		// Already over: stop before the first instruction, not whenever
		// the AfterFunc's goroutine gets to run.
		g.halt(context.Cause(parent))
	}
	return g
}

// halt stops the run with cause; the first cause wins.
func (g *guard) halt(cause error) {
	g.once.Do(func() {
		g.cause = cause
		g.halted.Store(true)
		close(g.stopped)
		g.cancel(cause)
	})
}

// giveUp tells Run's watchdog not to wait out the grace period.
func (g *guard) giveUp() { g.urgentOnce.Do(func() { close(g.urgent) }) }

// stopCause is the error that stopped the run, nil while it runs.
func (g *guard) stopCause() error {
	if !g.halted.Load() {
		return nil
	}
	return g.cause
}

// release ends the guard once the chunk returned.
func (g *guard) release() {
	g.unhook()
	g.cancel(context.Canceled)
}

// vmContext is the context gopher-lua's VM is given, one per State, set
// on the state and on every coroutine it creates. The VM calls Done before
// every instruction; once the running chunk's guard is halted, Done raises
// the stop as a Lua error with a traceback of bounded size. Letting the VM
// raise it instead would have gopher-lua write one traceback line per
// tail call: gigabytes after an endless `return f(n + 1)`. Done returns
// nil (a context that never closes) because the flag, not a channel, is
// what stops the VM; bindings get the guard's real context from
// Context(L). The guard is looked up at each call, so a coroutine made in
// one REPL chunk and resumed in the next obeys the chunk that resumes it.
type vmContext struct{ s *State }

func (c *vmContext) guard() *guard { return c.s.active.Load() }

func (c *vmContext) Deadline() (time.Time, bool) {
	if g := c.guard(); g != nil {
		return g.ctx.Deadline()
	}
	return time.Time{}, false
}

func (c *vmContext) Err() error {
	if g := c.guard(); g != nil {
		return g.stopCause()
	}
	return nil
}

func (c *vmContext) Value(key any) any {
	if g := c.guard(); g != nil {
		return g.ctx.Value(key)
	}
	return nil
}

func (c *vmContext) Done() <-chan struct{} {
	if g := c.guard(); g != nil && g.halted.Load() {
		panic(stopError(c.s.L, g.cause))
	}
	return nil
}

// stopError is the Lua error a stopped run raises: the cause's message,
// which a pcall sees (it cannot swallow the stop: the next instruction
// raises again), and a one-frame traceback naming where the script was.
func stopError(L *lua.LState, cause error) *lua.ApiError {
	where := luaWhere(L)
	trace := "stack traceback:"
	if where != "" {
		trace += "\n\t" + where + ": in stopped script"
	}
	return &lua.ApiError{Type: lua.ApiErrorRun, Object: lua.LString(cause.Error()), StackTrace: trace}
}

// luaWhere is "file:line" of the innermost Lua frame of L, or "".
func luaWhere(L *lua.LState) string {
	// A few levels suffice: a stop is raised by the VM (level 0 is the
	// running Lua function) or by a built-in it called (level 1).
	for level := 0; level < 4; level++ {
		w := L.Where(level)
		if w == "" {
			return ""
		}
		if w != "[G]:" {
			return w[:len(w)-1]
		}
	}
	return ""
}

// Context is the context of the run L belongs to: cancelled when the run
// is stopped (--timeout, a signal, exit(), a limit), with the reason as
// its cause. Go functions that wait (HTTP requests) must use it rather
// than L.Context(), which only the VM may use.
func Context(L *lua.LState) context.Context {
	switch ctx := L.Context().(type) {
	case *vmContext:
		if g := ctx.guard(); g != nil {
			return g.ctx
		}
		return context.Background()
	case nil:
		return context.Background()
	default:
		return ctx
	}
}

// runStopped returns why the running script must stop, or nil while it
// may go on. Long-running Go functions, such as the pattern matcher, call
// it now and then, since the VM checks only between Lua instructions.
func runStopped(L *lua.LState) error {
	if c, ok := L.Context().(*vmContext); ok {
		if g := c.guard(); g != nil {
			return g.stopCause()
		}
	}
	return nil
}

// raiseIfStopped raises the run's stop in a Go function that loops for a
// long time without returning to the VM (the pattern matcher); it returns
// normally while the run goes on.
func raiseIfStopped(L *lua.LState) {
	if cause := runStopped(L); cause != nil {
		panic(stopError(L.Context().(*vmContext).s.L, cause))
	}
}

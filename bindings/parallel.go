package bindings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/runtime"
)

// defaultConcurrency is exo.parallel's default: the service allows a
// handful of concurrent requests per tenant before it answers with its
// concurrency-limit message.
const defaultConcurrency = 4

// luaParallel is exo.parallel(cmdlet, inputs [, options]): the cmdlet once
// per input parameter table, up to options.concurrency at a time. Every
// input is checked (parameters, role filter) before anything is sent.
//
// By default it returns an array whose item i is the array of objects of
// input i, in input order, once every call finished. When a call fails, the
// first failure in input order is raised after all calls finished; with
// options.errors = "collect" the failing item is its error value instead.
//
// With options.stream = true it returns an iterator for a generic for,
// yielding (i, objects, err) for input i as each call completes, in
// completion order: a long fan-out shows results at once, and only the
// results the script has not read yet are held (at most concurrency of
// them). err is the call's error value (objects is then nil); a stream never
// raises for a failed call.
//
// Lua runs on one goroutine, so the calls run in Go: the function is a
// cmdlet name, not a Lua function.
func (s *session) luaParallel(L *lua.LState) int {
	name := L.CheckString(1)
	inputs := L.CheckTable(2)
	opts := runtime.OptionsArg(L, "parallel", 3, "concurrency", "errors", "stream")
	concurrency, collect, stream := defaultConcurrency, false, false
	if opts != nil {
		if v := opts.RawGetString("concurrency"); v != lua.LNil {
			n, ok := v.(lua.LNumber)
			if !ok || n < 1 || float64(n) != float64(int(n)) {
				L.ArgError(3, "concurrency: want a whole number of at least 1")
			}
			concurrency = min(int(n), s.host.opts.Parallelism)
		}
		switch v := opts.RawGetString("stream"); v {
		case lua.LNil, lua.LFalse:
		case lua.LTrue:
			stream = true
		default:
			L.ArgError(3, "stream: want true or false")
		}
		switch v := opts.RawGetString("errors"); v {
		case lua.LNil, lua.LString("raise"):
		case lua.LString("collect"):
			collect = true
		default:
			L.ArgError(3, `errors: want "raise" or "collect"`)
		}
		if stream && opts.RawGetString("errors") != lua.LNil {
			L.ArgError(3, "errors: not with stream = true, which yields each call's error beside its objects")
		}
	}
	c, err := s.resolve(name)
	if err != nil {
		return runtime.Raise(L, err)
	}
	reqs := make([]adminapi.Request, inputs.Len())
	for i := range reqs {
		args, ok := inputs.RawGetInt(i + 1).(*lua.LTable)
		if !ok {
			L.ArgError(2, "want an array of parameter tables")
		}
		if reqs[i], err = s.request(c, args); err != nil {
			return runtime.Raise(L, err)
		}
		reqs[i].PageAhead = false // each result is read whole
	}
	if len(reqs) > 0 && reqs[0].Write && s.holdsWritesBack() {
		for _, r := range reqs {
			s.whatIf(r)
		}
		if !stream {
			out := runtime.NewArray(L, inputs.Len())
			for range inputs.Len() {
				out.Append(runtime.NewArray(L, 0))
			}
			L.Push(out)
			return 1
		}
		L.Push(heldBackIterator(L, inputs.Len()))
		return 1
	}
	act := s.host.running.start(s, c.Name, len(reqs))
	if stream {
		L.Push(s.iterator(L, c.Name, s.start(s.ctx(L), reqs, concurrency, act)))
		return 1
	}
	outcomes := s.runAll(s.ctx(L), reqs, concurrency, act)
	out := runtime.NewArray(L, len(outcomes))
	var firstErr error
	for _, o := range outcomes {
		if o.err != nil {
			if !collect {
				if firstErr == nil {
					firstErr = o.err
				}
				continue
			}
			out.Append(runtime.ErrorValue(L, luaErr(o.err)))
			continue
		}
		objs, err := s.objects(L, c.Name, o.objects)
		if err != nil {
			return runtime.Raise(L, err)
		}
		out.Append(objs)
	}
	if firstErr != nil {
		return runtime.Raise(L, luaErr(firstErr))
	}
	L.Push(out)
	return 1
}

// objects decodes one call's output into a Lua array.
func (s *session) objects(L *lua.LState, cmdlet string, raws []json.RawMessage) (*lua.LTable, error) {
	objs := runtime.NewArray(L, len(raws))
	for _, raw := range raws {
		t, err := s.dec.Object(L, raw)
		if err != nil {
			return nil, &adminapi.Error{Code: adminapi.CodeBadResponse, Cmdlet: cmdlet, Message: "undecodable object: " + err.Error()}
		}
		objs.Append(t)
	}
	return objs, nil
}

// iterator is the generic-for function of exo.parallel{stream = true}:
// each call yields the next completed call as (i, objects, err), then nil
// once every call has been read.
func (s *session) iterator(L *lua.LState, cmdlet string, f *fanOut) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		c, ok := f.next()
		if !ok {
			if f.taken < f.total {
				// Stopped before every call was reported: an end of
				// the loop here would read as a complete fan-out.
				return runtime.Raise(L, luaErr(context.Cause(f.ctx)))
			}
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(c.index + 1))
		if c.err != nil {
			L.Push(lua.LNil)
			L.Push(runtime.ErrorValue(L, luaErr(c.err)))
			return 3
		}
		objs, err := s.objects(L, cmdlet, c.objects)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(runtime.ErrorValue(L, err))
			return 3
		}
		L.Push(objs)
		L.Push(lua.LNil)
		return 3
	})
}

// heldBackIterator yields (i, {}) for n writes what-if kept back.
func heldBackIterator(L *lua.LState, n int) *lua.LFunction {
	i := 0
	return L.NewFunction(func(L *lua.LState) int {
		if i == n {
			L.Push(lua.LNil)
			return 1
		}
		i++
		L.Push(lua.LNumber(i))
		L.Push(runtime.NewArray(L, 0))
		L.Push(lua.LNil)
		return 3
	})
}

// callOutcome is one call's complete output.
type callOutcome struct {
	objects []json.RawMessage
	err     error
}

// completed is the outcome of the call of input index.
type completed struct {
	index int
	callOutcome
}

// fanOut is an exo.parallel in flight; next takes its outcomes.
type fanOut struct {
	ctx   context.Context
	out   chan completed
	slots chan struct{} // one per call started and not yet taken
	total int
	taken int
}

// next returns the next outcome, in completion order; false once every
// call has been taken, or, when ctx ended, once the workers stopped.
func (f *fanOut) next() (completed, bool) {
	c, ok := <-f.out
	if ok {
		f.taken++
		<-f.slots
	}
	return c, ok
}

// start runs reqs on a pool of n workers and reports each outcome as its
// call completes, counting it in act, which ends with the last call. At
// most n calls are started and not yet taken: a reader that stops early
// (a break out of the loop) stops the sending too, so no more than n
// calls run past it. When ctx ends, calls never started are not reported.
// The host's Close waits for the workers, so every call sent is journalled
// and counted before the run's summary. Outcomes are raw JSON because Lua
// tables can only be built on the Lua goroutine.
func (s *session) start(ctx context.Context, reqs []adminapi.Request, n int, act *activity) *fanOut {
	f := &fanOut{ctx: ctx, out: make(chan completed, n), slots: make(chan struct{}, n), total: len(reqs)}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, len(reqs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := s.drainSafely(ctx, reqs[i])
				act.called(len(o.objects))
				select {
				case f.out <- completed{i, o}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	s.host.workers.Add(1)
	go func() {
		defer s.host.workers.Done()
		defer func() {
			close(next)
			wg.Wait()
			s.host.running.end(act)
			close(f.out)
		}()
		for i := range reqs {
			select {
			case f.slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return f
}

// runAll runs reqs on n workers and returns their outcomes in input
// order; a call that never started because ctx ended has ctx's cause as
// its error.
func (s *session) runAll(ctx context.Context, reqs []adminapi.Request, n int, act *activity) []callOutcome {
	outcomes := make([]callOutcome, len(reqs))
	reported := make([]bool, len(reqs))
	f := s.start(ctx, reqs, n, act)
	for c, ok := f.next(); ok; c, ok = f.next() {
		outcomes[c.index], reported[c.index] = c.callOutcome, true
	}
	for i, ok := range reported {
		if !ok {
			outcomes[i].err = context.Cause(ctx)
		}
	}
	return outcomes
}

// drainSafely is drain on a worker goroutine, where a panic would end
// the process: a bug met while sending or decoding one call fails that
// call, as an *runtime.InternalError, and the run reports it.
func (s *session) drainSafely(ctx context.Context, req adminapi.Request) (o callOutcome) {
	defer func() {
		if v := recover(); v != nil {
			o = callOutcome{err: &runtime.InternalError{Value: fmt.Sprint(v), Stack: string(debug.Stack())}}
		}
	}()
	return s.drain(ctx, req)
}

// drain runs one request and reads its whole output.
func (s *session) drain(ctx context.Context, req adminapi.Request) callOutcome {
	stream, err := s.invoke(ctx, req)
	if err != nil {
		return callOutcome{err: err}
	}
	defer stream.Close()
	var out callOutcome
	for {
		raw, err := stream.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			s.usage.finished(req, err)
			return callOutcome{err: err}
		}
		out.objects = append(out.objects, raw)
	}
}

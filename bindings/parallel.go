package bindings

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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
// per input parameter table, up to options.concurrency at a time. It
// returns an array whose item i is the array of objects of input i, in
// input order. Every input is checked (parameters, role filter) before
// anything is sent. When a call fails, the first failure in input order
// is raised after all calls finished; with options.errors = "collect" the
// failing item is its error value instead.
//
// Lua runs on one goroutine, so the calls run in Go: the function is a
// cmdlet name, not a Lua function.
func (s *session) luaParallel(L *lua.LState) int {
	name := L.CheckString(1)
	inputs := L.CheckTable(2)
	opts := runtime.OptionsArg(L, "parallel", 3, "concurrency", "errors")
	concurrency, collect := defaultConcurrency, false
	if opts != nil {
		if v := opts.RawGetString("concurrency"); v != lua.LNil {
			n, ok := v.(lua.LNumber)
			if !ok || n < 1 || float64(n) != float64(int(n)) {
				L.ArgError(3, "concurrency: want a whole number of at least 1")
			}
			concurrency = min(int(n), s.host.opts.Parallelism)
		}
		switch v := opts.RawGetString("errors"); v {
		case lua.LNil, lua.LString("raise"):
		case lua.LString("collect"):
			collect = true
		default:
			L.ArgError(3, `errors: want "raise" or "collect"`)
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
	if len(reqs) > 0 && reqs[0].Write && lua.LVAsBool(s.exo.RawGetString("what_if")) {
		out := runtime.NewArray(L, len(reqs))
		for _, r := range reqs {
			s.whatIf(r)
			out.Append(runtime.NewArray(L, 0))
		}
		L.Push(out)
		return 1
	}

	act := s.host.running.start(s, c.Name, len(reqs))
	outcomes := s.runAll(s.ctx(L), reqs, concurrency, act)
	s.host.running.end(act)
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
		objs := runtime.NewArray(L, len(o.objects))
		for _, raw := range o.objects {
			t, err := s.dec.Object(L, raw)
			if err != nil {
				return runtime.Raise(L, &adminapi.Error{Code: adminapi.CodeBadResponse, Cmdlet: c.Name, Message: "undecodable object: " + err.Error()})
			}
			objs.Append(t)
		}
		out.Append(objs)
	}
	if firstErr != nil {
		return runtime.Raise(L, luaErr(firstErr))
	}
	L.Push(out)
	return 1
}

// callOutcome is one call's complete output.
type callOutcome struct {
	objects []json.RawMessage
	err     error
}

// runAll runs reqs on a pool of n workers and returns their outcomes in
// input order. Results are collected whole (raw JSON) because Lua tables
// can only be built on the Lua goroutine.
func (s *session) runAll(ctx context.Context, reqs []adminapi.Request, n int, act *activity) []callOutcome {
	outcomes := make([]callOutcome, len(reqs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, len(reqs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				outcomes[i] = s.drain(ctx, reqs[i])
				act.called(len(outcomes[i].objects))
			}
		}()
	}
	for i := range reqs {
		select {
		case next <- i:
		case <-ctx.Done():
			outcomes[i].err = context.Cause(ctx)
		}
	}
	close(next)
	wg.Wait()
	return outcomes
}

// drain runs one request and reads its whole output.
func (s *session) drain(ctx context.Context, req adminapi.Request) callOutcome {
	stream, err := s.conn.Client.Invoke(ctx, req)
	if req.Write {
		s.host.journal.record(s.conn, req, stream, err)
	}
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
			return callOutcome{err: err}
		}
		out.objects = append(out.objects, raw)
	}
}

package bindings

import (
	"errors"
	"io"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/runtime"
)

// ResultsType is the name result streams' metatable is registered under
// in each state: L.GetTypeMetatable(ResultsType) tells a stream from other
// userdata (the REPL's display does).
const ResultsType = "exorun.results"

// results is a cmdlet's output as Lua sees it: call it (a generic for
// does) for the next object, or use :all(), :first(), :next(), :close()
// and .warnings.
type results struct {
	s      *session
	stream *adminapi.Stream // nil: nothing was sent (what-if)
	req    adminapi.Request
	cmdlet string
	done   bool
	count  int
	act    *activity // nil when nothing was sent
	// columns are the ones :show chose for displaying the objects (the
	// REPL reads them as .columns); nil leaves the cmdlet's default view.
	columns []string
	// ahead is an object read to answer .more and not yet handed out.
	ahead *lua.LTable
}

func newResults(L *lua.LState, s *session, stream *adminapi.Stream, req adminapi.Request, act *activity) *lua.LUserData {
	ud := L.NewUserData()
	r := &results{s: s, stream: stream, req: req, cmdlet: req.Cmdlet, done: stream == nil, act: act}
	if act != nil {
		s.host.running.endWhenDropped(r, act)
	}
	ud.Value = r
	L.SetMetatable(ud, resultsMeta(L))
	return ud
}

// resultsMeta builds the metatable once per state (it lives in the
// registry under ResultsType).
func resultsMeta(L *lua.LState) lua.LValue {
	if mt := L.GetTypeMetatable(ResultsType); mt != lua.LNil {
		return mt
	}
	mt := L.NewTypeMetatable(ResultsType)
	// The method functions are made once here, not on every rs:all().
	methods := map[string]*lua.LFunction{
		"next":  L.NewFunction(resultsNext),
		"all":   L.NewFunction(resultsAll),
		"first": L.NewFunction(resultsFirst),
		"close": L.NewFunction(resultsClose),
		"show":  L.NewFunction(resultsShow),
	}
	L.SetField(mt, "__call", methods["next"])
	L.SetField(mt, "__index", L.NewFunction(func(L *lua.LState) int {
		r := checkResults(L)
		key := L.CheckString(2)
		if fn, ok := methods[key]; ok {
			L.Push(fn)
			return 1
		}
		switch key {
		case "warnings":
			L.Push(stringArray(L, r.warnings()))
		case "count":
			L.Push(lua.LNumber(r.count))
		case "more":
			more, err := r.more(L)
			if err != nil {
				return runtime.Raise(L, err)
			}
			L.Push(lua.LBool(more))
		case "cmdlet":
			L.Push(lua.LString(r.cmdlet))
		case "columns":
			if r.columns == nil {
				L.Push(lua.LNil)
			} else {
				L.Push(stringArray(L, r.columns))
			}
		default:
			L.ArgError(2, "results have next, all, first, close, show, warnings, count, more, cmdlet and columns; not "+key)
		}
		return 1
	}))
	L.SetField(mt, "__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("results of " + checkResults(L).cmdlet))
		return 1
	}))
	return mt
}

func checkResults(L *lua.LState) *results {
	ud := L.CheckUserData(1)
	r, ok := ud.Value.(*results)
	if !ok {
		L.ArgError(1, "want cmdlet results")
	}
	return r
}

func (r *results) warnings() []string {
	if r.stream == nil {
		return nil
	}
	return r.stream.Warnings()
}

// next returns the next object, or nil at the end.
func (r *results) next(L *lua.LState) (lua.LValue, error) {
	if t := r.ahead; t != nil {
		r.ahead = nil
		r.count++
		return t, nil
	}
	t, err := r.read(L)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return lua.LNil, nil // not a nil *LTable in the interface
	}
	r.count++
	return t, nil
}

// more reports whether objects remain, reading one ahead (kept for next)
// when the stream cannot tell without it: the REPL shows 20 objects and
// says whether there are more, and must not lose the 21st.
func (r *results) more(L *lua.LState) (bool, error) {
	if r.ahead != nil {
		return true, nil
	}
	t, err := r.read(L)
	if err != nil || t == nil {
		return false, err
	}
	r.ahead = t
	return true, nil
}

// read decodes the stream's next object; nil at the end.
func (r *results) read(L *lua.LState) (*lua.LTable, error) {
	if r.done {
		return nil, nil
	}
	// A REPL chunk may read a stream an earlier chunk made, whose
	// context ended with it: later pages come under this chunk's.
	r.stream.Resume(runtime.Context(L))
	raw, err := r.stream.Next()
	if errors.Is(err, io.EOF) {
		r.finish()
		return nil, nil
	}
	if err != nil {
		r.finish()
		r.s.usage.finished(r.req, err)
		return nil, luaErr(err)
	}
	t, err := r.s.dec.Object(L, raw)
	if err != nil {
		r.finish()
		return nil, &adminapi.Error{Code: adminapi.CodeBadResponse, Cmdlet: r.cmdlet, Message: "undecodable object: " + err.Error()}
	}
	r.act.object(r.stream.Pages())
	return t, nil
}

// finish ends the stream: closed, and no longer running.
func (r *results) finish() {
	r.done = true
	_ = r.stream.Close()
	r.s.host.running.end(r.act)
}

func resultsNext(L *lua.LState) int {
	r := checkResults(L)
	v, err := r.next(L)
	if err != nil {
		return runtime.Raise(L, err)
	}
	L.Push(v)
	return 1
}

// resultsAll collects the rest of the stream in an array.
func resultsAll(L *lua.LState) int {
	r := checkResults(L)
	out := runtime.NewArray(L, 0)
	for {
		v, err := r.next(L)
		if err != nil {
			return runtime.Raise(L, err)
		}
		if v == lua.LNil {
			break
		}
		out.Append(v)
	}
	L.Push(out)
	return 1
}

// resultsFirst returns the first object (nil when there is none) and
// stops the stream, so no further page is fetched.
func resultsFirst(L *lua.LState) int {
	r := checkResults(L)
	v, err := r.next(L)
	if err != nil {
		return runtime.Raise(L, err)
	}
	r.close()
	L.Push(v)
	return 1
}

// resultsShow is rs:show("Name", ...): it chooses the columns the REPL
// shows the objects in and returns the stream, so it ends a call chain
// (exo.get_mailbox{}:show("Name")). rs:show() goes back to the default
// view. Nothing is fetched: the stream is read when it is displayed.
func resultsShow(L *lua.LState) int {
	r := checkResults(L)
	var cols []string
	for i := 2; i <= L.GetTop(); i++ {
		cols = append(cols, L.CheckString(i))
	}
	r.columns = cols
	L.Push(L.Get(1))
	return 1
}

func resultsClose(L *lua.LState) int {
	checkResults(L).close()
	return 0
}

func (r *results) close() {
	if !r.done {
		r.finish()
	}
}

func stringArray(L *lua.LState, items []string) *lua.LTable {
	t := runtime.NewArray(L, len(items))
	for _, s := range items {
		t.Append(lua.LString(s))
	}
	return t
}

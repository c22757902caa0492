package store

import (
	"errors"
	"strings"

	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/opath"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// column is one output property: its PowerShell name and how to compute
// it. Computing one property on its own is what lets -Filter test 200,000
// mailboxes without rendering a whole object for each.
type column[T any] struct {
	name string
	get  func(ts *tenant.State, x T) any
}

// view is the ordered property list of one cmdlet's output objects.
type view[T any] struct {
	cols   []column[T]
	byName map[string]int // lower-case name -> column
}

func newView[T any](cols ...column[T]) *view[T] {
	v := &view[T]{cols: cols, byName: make(map[string]int, len(cols))}
	for i, c := range cols {
		v.byName[strings.ToLower(c.name)] = i
	}
	return v
}

func col[T any](name string, get func(ts *tenant.State, x T) any) column[T] {
	return column[T]{name: name, get: get}
}

// fixed is a property every object shows with the same value. Lists are
// copied per object so no two rendered objects share a slice.
func fixed[T any](name string, value any) column[T] {
	if l, ok := value.([]string); ok {
		return column[T]{name: name, get: func(*tenant.State, T) any { return append([]string{}, l...) }}
	}
	return column[T]{name: name, get: func(*tenant.State, T) any { return value }}
}

func (v *view[T]) render(ts *tenant.State, x T) exchange.Object {
	obj := make(exchange.Object, len(v.cols))
	for i, c := range v.cols {
		obj[i] = exchange.Prop{Name: c.name, Value: c.get(ts, x)}
	}
	return obj
}

// with returns a view with extra columns appended; used where one output
// type extends another.
func (v *view[T]) with(cols ...column[T]) *view[T] {
	all := make([]column[T], 0, len(v.cols)+len(cols))
	all = append(all, v.cols...)
	return newView(append(all, cols...)...)
}

// predicate is a compiled -Filter over a view's properties.
type predicate[T any] func(ts *tenant.State, x T) bool

// compile parses an OPATH filter and checks that every property it names
// is one of the view's, failing as Exchange does, with the position.
func (v *view[T]) compile(filter string) (predicate[T], error) {
	expr, err := opath.Parse(filter)
	if err != nil {
		var se *opath.SyntaxError
		if errors.As(err, &se) {
			return nil, exchange.BadParameter("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"%s\" at position %d: %s.\"", filter, se.Pos, se.Msg)
		}
		return nil, err
	}
	cols := map[string]int{}
	for _, p := range expr.Properties() {
		i, ok := v.byName[strings.ToLower(p.Name)]
		if !ok {
			return nil, exchange.BadParameter("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"\"%s\" is not a recognized filterable property. For a description of the filterable properties see the command help.\n\"%s\" at position %d.\"", p.Name, filter, p.Pos)
		}
		cols[p.Name] = i
	}
	return func(ts *tenant.State, x T) bool {
		return expr.Match(func(name string) (any, bool) {
			i, ok := cols[name]
			if !ok {
				return nil, false
			}
			return v.cols[i].get(ts, x), true
		})
	}, nil
}

// filterOf compiles the call's -Filter, or returns nil when there is none.
func filterOf[T any](inv *invocation, v *view[T]) (predicate[T], error) {
	if !inv.a.has("Filter") {
		return nil, nil
	}
	f := inv.a.str("Filter")
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	return v.compile(f)
}

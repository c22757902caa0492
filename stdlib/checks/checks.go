package checks

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// checksMetric is the built-in metric check() records into.
const checksMetric = "checks"

// The aggregates a rule may name, in the order messages list them.
var (
	metricAggregates = []string{"count", "value", "min", "max"}
	checksAggregates = []string{"passes", "fails", "count", "rate"}
)

// metricName is what metric() accepts: names that read the same in a
// rule's message, in JSON results and in a shell.
var metricName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.-]+$`) })

// metricType names the metatable of metric values in a state's registry.
const metricType = "exorun.metric"

// Recorder holds one run's checks, metrics and thresholds. Make one per
// run with New and hand its Globals to that run's state. Like the state,
// it is not safe for concurrent use: Lua runs on one goroutine.
type Recorder struct {
	checks       []*check // in first-recorded order
	checkByName  map[string]*check
	metrics      []*metric // in declaration order
	metricByName map[string]*metric
	thresholds   []*threshold // in declaration order
}

type check struct {
	name          string
	passes, fails int
}

type metric struct {
	name            string
	count           float64
	value, min, max float64
	set, seen       bool           // value was set; some number reached add or set
	ud              *lua.LUserData // the Lua value, so metric(name) == metric(name)
}

// record notes v, a number given to add or set, for min and max.
func (m *metric) record(v float64) {
	if !m.seen || v < m.min {
		m.min = v
	}
	if !m.seen || v > m.max {
		m.max = v
	}
	m.seen = true
}

type threshold struct {
	metric string
	rule   string         // the expression, or "function at FILE:LINE"
	expr   *rule          // nil for a Lua function
	fn     *lua.LFunction // nil for an expression
}

// New returns an empty Recorder.
func New() *Recorder {
	return &Recorder{checkByName: map[string]*check{}, metricByName: map[string]*metric{}}
}

// Globals are the Lua globals check, metric and threshold, recording into
// r (runtime.Options.Globals takes this map).
func (r *Recorder) Globals() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"check":     r.luaCheck,
		"metric":    r.luaMetric,
		"threshold": r.luaThreshold,
	}
}

// luaCheck is check(value, name) or check{name = value, ...}.
func (r *Recorder) luaCheck(L *lua.LState) int {
	const usage = "want check(value, name) or check{name = value, ...}"
	if t, ok := L.Get(1).(*lua.LTable); ok && L.GetTop() == 1 {
		var names []string
		values := map[string]lua.LValue{}
		bad := ""
		t.ForEach(func(k, v lua.LValue) {
			s, ok := k.(lua.LString)
			if !ok || s == "" {
				bad = fmt.Sprintf("%s %s", k.Type(), k.String())
				return
			}
			names = append(names, string(s))
			values[string(s)] = v
		})
		if bad != "" {
			L.RaiseError("check{...}: keys must be check names (non-empty strings), not %s; %s", bad, usage)
		}
		if len(names) == 0 {
			L.RaiseError("check{...}: the table holds no checks; %s", usage)
		}
		sort.Strings(names)
		all := true
		for _, n := range names {
			all = r.record(n, lua.LVAsBool(values[n])) && all
		}
		L.Push(lua.LBool(all))
		return 1
	}
	switch name := L.Get(2).(type) {
	case lua.LString:
		if name == "" {
			L.RaiseError("check: the name is empty; %s", usage)
		}
		L.Push(lua.LBool(r.record(string(name), lua.LVAsBool(L.Get(1)))))
		return 1
	case *lua.LNilType:
		if L.GetTop() == 0 {
			L.RaiseError("check: no arguments; %s", usage)
		}
		L.RaiseError("check: the name is missing; %s", usage)
	default:
		L.RaiseError("check: the name must be a string, not %s; %s", name.Type(), usage)
	}
	return 0
}

// record counts a pass or a fail of the check name and returns pass.
func (r *Recorder) record(name string, pass bool) bool {
	c := r.checkByName[name]
	if c == nil {
		c = &check{name: name}
		r.checkByName[name] = c
		r.checks = append(r.checks, c)
	}
	if pass {
		c.passes++
	} else {
		c.fails++
	}
	return pass
}

// luaMetric is metric(name): the metric of that name, declared on first use.
func (r *Recorder) luaMetric(L *lua.LState) int {
	name := r.metricNameArg(L, "metric")
	if name == checksMetric {
		L.RaiseError("metric %q: the name is taken by the built-in metric of check(); choose another", name)
	}
	m := r.metricByName[name]
	if m == nil {
		m = &metric{name: name}
		m.ud = L.NewUserData()
		m.ud.Value = m
		L.SetMetatable(m.ud, metricMetatable(L))
		r.metricByName[name] = m
		r.metrics = append(r.metrics, m)
	}
	L.Push(m.ud)
	return 1
}

// metricNameArg is argument 1 of fn, which must be a metric name.
func (r *Recorder) metricNameArg(L *lua.LState, fn string) string {
	s, ok := L.Get(1).(lua.LString)
	if !ok {
		L.RaiseError("%s: the name must be a string, not %s", fn, L.Get(1).Type())
	}
	if !metricName().MatchString(string(s)) {
		L.RaiseError("%s %q: a name is letters, digits, _, . and - (and not empty)", fn, string(s))
	}
	return string(s)
}

// metricMetatable is the state's metatable of metric values: methods add
// and set, and a tostring naming the metric.
func metricMetatable(L *lua.LState) *lua.LTable {
	mt := L.NewTypeMetatable(metricType)
	if mt.RawGetString("__index") != lua.LNil {
		return mt
	}
	methods := L.NewTable()
	L.SetFuncs(methods, map[string]lua.LGFunction{
		"add": func(L *lua.LState) int {
			m := metricArg(L, "add")
			n := 1.0
			if L.Get(2) != lua.LNil {
				n = numberArg(L, m, "add")
			}
			m.count += n
			m.record(n)
			return 0
		},
		"set": func(L *lua.LState) int {
			m := metricArg(L, "set")
			v := numberArg(L, m, "set")
			m.value, m.set = v, true
			m.record(v)
			return 0
		},
	})
	mt.RawSetString("__index", methods)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("metric " + metricArg(L, "tostring").name))
		return 1
	}))
	return mt
}

// metricArg is the metric a method was called on.
func metricArg(L *lua.LState, method string) *metric {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if m, ok := ud.Value.(*metric); ok {
			return m
		}
	}
	L.RaiseError("metric:%s: call it on a metric with a colon, m:%s(...)", method, method)
	return nil
}

// numberArg is argument 2 of m:method(n), a finite number.
func numberArg(L *lua.LState, m *metric, method string) float64 {
	n, ok := L.Get(2).(lua.LNumber)
	if !ok {
		L.RaiseError("metric %s: %s wants a number, not %s", m.name, method, L.Get(2).Type())
	}
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		L.RaiseError("metric %s: %s wants a finite number, not %v", m.name, method, float64(n))
	}
	return float64(n)
}

// luaThreshold is threshold(name, rule). Everything it can check, it
// checks now, so a mistake fails the script before its first cmdlet.
func (r *Recorder) luaThreshold(L *lua.LState) int {
	name := r.metricNameArg(L, "threshold")
	known := metricAggregates
	if name == checksMetric {
		known = checksAggregates
	} else if r.metricByName[name] == nil {
		L.RaiseError("threshold %s: no metric of that name; declare it first with metric(%q)", name, name)
	}
	t := &threshold{metric: name}
	switch pred := L.Get(2).(type) {
	case lua.LString:
		e, err := parseRule(string(pred), known)
		if err != nil {
			L.RaiseError("threshold %s: bad rule %q: %v", name, string(pred), err)
		}
		t.rule, t.expr = string(pred), e
	case *lua.LFunction:
		t.rule, t.fn = functionRule(pred), pred
	default:
		L.RaiseError("threshold %s: the rule must be a string such as \"count == 0\" or a function, not %s", name, pred.Type())
	}
	r.thresholds = append(r.thresholds, t)
	return 0
}

// functionRule names a Lua predicate by where it is defined.
func functionRule(fn *lua.LFunction) string {
	if fn.IsG || fn.Proto == nil {
		return "function (built-in)"
	}
	return fmt.Sprintf("function at %s:%d", fn.Proto.SourceName, fn.Proto.LineDefined)
}

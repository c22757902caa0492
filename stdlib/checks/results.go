package checks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Results are a run's checks, metrics and thresholds after Evaluate. They
// hold names, counts and the rules' text only (what the script chose to
// record, never a cmdlet's output or a credential), in a fixed order, so
// two runs that record the same things give the same Results.
type Results struct {
	Checks     []Check     `json:"checks"`     // in first-recorded order
	Metrics    []Metric    `json:"metrics"`    // in declaration order; the built-in checks metric is not among them
	Thresholds []Threshold `json:"thresholds"` // in declaration order
}

// Check is one named check: how often it passed and failed.
type Check struct {
	Name   string `json:"name"`
	Passes int    `json:"passes"`
	Fails  int    `json:"fails"`
}

// Metric is one declared metric. A nil aggregate was never given a number.
type Metric struct {
	Name  string   `json:"name"`
	Count float64  `json:"count"`
	Value *float64 `json:"value,omitempty"` // the last number given to set
	Min   *float64 `json:"min,omitempty"`   // the smallest number given to add or set
	Max   *float64 `json:"max,omitempty"`   // the largest number given to add or set
}

// Threshold is one threshold's verdict.
type Threshold struct {
	Name string `json:"name"` // the metric it judges
	Rule string `json:"rule"` // the expression, or "function at FILE:LINE"
	OK   bool   `json:"ok"`
	// Value holds the aggregates the rule saw: those an expression names,
	// or all a function was given; an aggregate without a value is absent.
	Value map[string]float64 `json:"value"`
	// Error says why the rule could not decide (an aggregate without a
	// value, a function that raised or was stopped); the threshold failed.
	Error string `json:"error,omitempty"`
}

// Failed returns the thresholds that did not pass, in declaration order.
func (r Results) Failed() []Threshold {
	var failed []Threshold
	for _, t := range r.Thresholds {
		if !t.OK {
			failed = append(failed, t)
		}
	}
	return failed
}

// String is the threshold as one line for a person:
// "threshold forwarding failed: count == 0 (count = 3)".
func (t Threshold) String() string {
	verdict := "passed"
	if !t.OK {
		verdict = "failed"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "threshold %s %s: %s", t.Name, verdict, t.Rule)
	var seen []string
	for _, name := range aggregateOrder {
		if v, ok := t.Value[name]; ok {
			seen = append(seen, name+" = "+formatNumber(v))
		}
	}
	if len(seen) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(seen, ", "))
	}
	if t.Error != "" {
		b.WriteString(": " + t.Error)
	}
	return b.String()
}

// aggregateOrder is the order String lists aggregates in: the checks
// metric's, then the others'.
var aggregateOrder = []string{"passes", "fails", "count", "rate", "value", "min", "max"}

// formatNumber writes whole numbers without a fraction or exponent.
func formatNumber(v float64) string {
	if v == float64(int64(v)) && v > -1e15 && v < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Evaluate judges every threshold, after the script has finished, and
// returns the run's results. A function rule is called in st under ctx,
// with Run's protections (State.Call): one that raises, or that ctx or a
// limit stops, is a failed threshold whose Error says why. Call it on the
// state the script ran in, also when the script failed (its results still
// describe what ran).
func (r *Recorder) Evaluate(ctx context.Context, st *runtime.State) Results {
	if ctx == nil {
		ctx = context.Background()
	}
	res := Results{Checks: []Check{}, Metrics: []Metric{}, Thresholds: []Threshold{}}
	for _, c := range r.checks {
		res.Checks = append(res.Checks, Check{Name: c.name, Passes: c.passes, Fails: c.fails})
	}
	for _, m := range r.metrics {
		out := Metric{Name: m.name, Count: m.count}
		if m.set {
			out.Value = ptr(m.value)
		}
		if m.seen {
			out.Min, out.Max = ptr(m.min), ptr(m.max)
		}
		res.Metrics = append(res.Metrics, out)
	}
	for _, t := range r.thresholds {
		res.Thresholds = append(res.Thresholds, r.judge(ctx, st, t))
	}
	return res
}

func ptr(v float64) *float64 { return &v }

// aggregates are the values a rule on metric name sees; one without a
// value is absent.
func (r *Recorder) aggregates(name string) map[string]float64 {
	if name == checksMetric {
		var passes, fails int
		for _, c := range r.checks {
			passes += c.passes
			fails += c.fails
		}
		a := map[string]float64{"passes": float64(passes), "fails": float64(fails), "count": float64(passes + fails)}
		if passes+fails > 0 {
			a["rate"] = float64(passes) / float64(passes+fails)
		}
		return a
	}
	m := r.metricByName[name]
	a := map[string]float64{"count": m.count}
	if m.set {
		a["value"] = m.value
	}
	if m.seen {
		a["min"], a["max"] = m.min, m.max
	}
	return a
}

// noValue says why aggregate of metric has no value.
func noValue(metric, aggregate string) error {
	switch {
	case aggregate == "rate":
		return fmt.Errorf("metric %s has no value: no check ran, so rate is undefined", metric)
	case aggregate == "value":
		return fmt.Errorf("metric %s has no value: it was never set()", metric)
	}
	return fmt.Errorf("metric %s has no value: it never received a number (add or set), so %s is undefined", metric, aggregate)
}

func (r *Recorder) judge(ctx context.Context, st *runtime.State, t *threshold) Threshold {
	all := r.aggregates(t.metric)
	out := Threshold{Name: t.metric, Rule: t.rule, Value: map[string]float64{}}
	var err error
	if t.expr != nil {
		for _, name := range t.expr.names {
			if v, ok := all[name]; ok {
				out.Value[name] = v
			}
		}
		out.OK, err = t.expr.eval(func(name string) (float64, error) {
			if v, ok := all[name]; ok {
				return v, nil
			}
			return 0, noValue(t.metric, name)
		})
	} else {
		out.Value = all
		out.OK, err = callPredicate(ctx, st, t.fn, all)
	}
	if err != nil {
		out.OK, out.Error = false, err.Error()
	}
	return out
}

// callPredicate calls fn(aggregates) in st under ctx, protected.
func callPredicate(ctx context.Context, st *runtime.State, fn *lua.LFunction, all map[string]float64) (bool, error) {
	arg := st.L.NewTable()
	for k, v := range all {
		arg.RawSetString(k, lua.LNumber(v))
	}
	results, err := st.Call(ctx, fn, arg)
	if err != nil {
		var stopped *runtime.StoppedError
		var stuck *runtime.StuckError
		switch {
		case errors.As(err, &stopped):
			return false, fmt.Errorf("stopped: %v", stopped.Cause)
		case errors.As(err, &stuck):
			return false, fmt.Errorf("stopped: %v", stuck)
		}
		return false, errors.New(luaErrorText(err))
	}
	// Only a boolean decides: a function that returns a count would
	// pass for any count, 0 included, since every number is truthy.
	var result lua.LValue = lua.LNil
	if len(results) > 0 {
		result = results[0]
	}
	verdict, ok := result.(lua.LBool)
	if !ok {
		return false, fmt.Errorf("the function returned a %s; want true (passed) or false (failed)", result.Type())
	}
	return bool(verdict), nil
}

// luaErrorText is the message of a Lua error, without the traceback.
func luaErrorText(err error) string {
	var api *lua.ApiError
	if !errors.As(err, &api) || api.Object == nil {
		return err.Error()
	}
	switch v := api.Object.(type) {
	case lua.LString:
		return string(v)
	case *lua.LTable:
		if goErr := runtime.GoError(v); goErr != nil {
			return goErr.Error()
		}
		if m, ok := v.RawGetString("message").(lua.LString); ok {
			return string(m)
		}
	}
	return "error object is " + runtime.Format(api.Object)
}

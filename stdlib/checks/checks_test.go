package checks_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/checks"
)

// run runs src with a fresh Recorder's globals, then evaluates under ctx.
func run(t *testing.T, ctx context.Context, src string) (checks.Results, error) {
	t.Helper()
	sc, err := runtime.Compile("test.lua", []byte(src))
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	r := checks.New()
	st := runtime.New(runtime.Options{Globals: r.Globals()})
	defer st.Close()
	err = st.Run(context.Background(), sc)
	return r.Evaluate(ctx, st), err
}

// mustRun runs src, which must not fail, and returns its results.
func mustRun(t *testing.T, src string) checks.Results {
	t.Helper()
	res, err := run(t, context.Background(), src)
	if err != nil {
		t.Fatalf("lua: %v", err)
	}
	return res
}

// verdicts is each threshold as its String, one per line.
func verdicts(res checks.Results) string {
	lines := make([]string, len(res.Thresholds))
	for i, th := range res.Thresholds {
		lines[i] = th.String()
	}
	return strings.Join(lines, "\n")
}

func TestThresholdsPassAndFail(t *testing.T) {
	res := mustRun(t, `
		local fwd = metric("external_forwarding")
		threshold("external_forwarding", "count == 0")
		threshold("external_forwarding", "count <= 5")
		local size = metric("mailbox.size-gb")
		threshold("mailbox.size-gb", "max < 50 and min >= 1")
		for _, gb in ipairs{3, 1, 49.5} do size:add(gb) end
		size:set(7)
		threshold("mailbox.size-gb", "value == 7")
		fwd:add()
		fwd:add(2)
	`)
	want := strings.Join([]string{
		"threshold external_forwarding failed: count == 0 (count = 3)",
		"threshold external_forwarding passed: count <= 5 (count = 3)",
		"threshold mailbox.size-gb passed: max < 50 and min >= 1 (min = 1, max = 49.5)",
		"threshold mailbox.size-gb passed: value == 7 (value = 7)",
	}, "\n")
	if got := verdicts(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	failed := res.Failed()
	if len(failed) != 1 || failed[0].Rule != "count == 0" || failed[0].OK {
		t.Errorf("Failed() = %+v", failed)
	}
	if len(res.Metrics) != 2 {
		t.Fatalf("metrics = %+v", res.Metrics)
	}
	size := res.Metrics[1]
	if size.Name != "mailbox.size-gb" || size.Count != 53.5 || *size.Value != 7 || *size.Min != 1 || *size.Max != 49.5 {
		t.Errorf("size metric = %+v", size)
	}
	fwd := res.Metrics[0]
	if fwd.Count != 3 || fwd.Value != nil || *fwd.Min != 1 || *fwd.Max != 2 {
		t.Errorf("add() counts as add(1): %+v", fwd)
	}
}

// A threshold's mistakes fail the script where it is declared, before
// anything else runs.
func TestThresholdRefusedAtDeclaration(t *testing.T) {
	for src, want := range map[string]string{
		`threshold("external_forwarding", "count == 0")`: `test.lua:1: threshold external_forwarding: no metric of that name; declare it first with metric("external_forwarding")`,
		`metric("m") threshold("m", "count >")`:          `test.lua:1: threshold m: bad rule "count >": at column 8: want a number, count, value, min, max or "(", found the end of the rule`,
		`metric("m") threshold("m", "rate > 0.9")`:       `test.lua:1: threshold m: bad rule "rate > 0.9": at column 1: unknown name "rate"; a rule can use count, value, min, max and numbers`,
		`threshold("checks", "value > 1")`:               `test.lua:1: threshold checks: bad rule "value > 1": at column 1: unknown name "value"; a rule can use passes, fails, count, rate and numbers`,
		`metric("m") threshold("m", 5)`:                  `test.lua:1: threshold m: the rule must be a string such as "count == 0" or a function, not number`,
		`threshold(nil, "count > 1")`:                    `test.lua:1: threshold: the name must be a string, not nil`,
		`metric("checks")`:                               `test.lua:1: metric "checks": the name is taken by the built-in metric of check(); choose another`,
		`metric("has space")`:                            `test.lua:1: metric "has space": a name is letters, digits, _, . and - (and not empty)`,
		`metric("")`:                                     `test.lua:1: metric "": a name is letters, digits, _, . and - (and not empty)`,
		`metric("m"):add("3")`:                           `test.lua:1: metric m: add wants a number, not string`,
		`metric("m"):set()`:                              `test.lua:1: metric m: set wants a number, not nil`,
		`metric("m"):set(0/0)`:                           `test.lua:1: metric m: set wants a finite number, not NaN`,
		`metric("m").add(1)`:                             `test.lua:1: metric:add: call it on a metric with a colon, m:add(...)`,
	} {
		res, err := run(t, context.Background(), src+"\nerror('went on')")
		var se *runtime.ScriptError
		if !errors.As(err, &se) || se.Message != want {
			t.Errorf("%s:\n got %v\nwant %s", src, err, want)
		}
		if len(res.Thresholds) != 0 {
			t.Errorf("%s: a refused threshold was kept: %+v", src, res.Thresholds)
		}
	}
}

func TestChecks(t *testing.T) {
	res := mustRun(t, `
		assert(check(1 == 1, "one is one") == true)
		assert(check(nil, "owner set") == false)
		assert(check("text", "owner set") == true)
		assert(check{["b has owner"] = true, ["a is enabled"] = false} == false)
		assert(check{["b has owner"] = 1} == true)
		threshold("checks", "rate >= 0.5")
		threshold("checks", "fails == 0")
		threshold("checks", "passes == 4 and count == 6")
	`)
	wantChecks := []checks.Check{
		{Name: "one is one", Passes: 1},
		{Name: "owner set", Passes: 1, Fails: 1},
		{Name: "a is enabled", Fails: 1}, // check{} records in name order
		{Name: "b has owner", Passes: 2},
	}
	if len(res.Checks) != len(wantChecks) {
		t.Fatalf("checks = %+v", res.Checks)
	}
	for i, c := range wantChecks {
		if res.Checks[i] != c {
			t.Errorf("check %d = %+v, want %+v", i, res.Checks[i], c)
		}
	}
	want := strings.Join([]string{
		"threshold checks passed: rate >= 0.5 (rate = 0.6666666666666666)",
		"threshold checks failed: fails == 0 (fails = 2)",
		"threshold checks passed: passes == 4 and count == 6 (passes = 4, count = 6)",
	}, "\n")
	if got := verdicts(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCheckRefusesBadArguments(t *testing.T) {
	const usage = "want check(value, name) or check{name = value, ...}"
	for src, want := range map[string]string{
		`check()`:              "check: no arguments; " + usage,
		`check(true)`:          "check: the name is missing; " + usage,
		`check(true, 5)`:       "check: the name must be a string, not number; " + usage,
		`check(true, "")`:      "check: the name is empty; " + usage,
		`check{true}`:          "check{...}: keys must be check names (non-empty strings), not number 1; " + usage,
		`check{}`:              "check{...}: the table holds no checks; " + usage,
		`check(true, {a = 1})`: "check: the name must be a string, not table; " + usage,
	} {
		_, err := run(t, context.Background(), src)
		if err == nil || err.Error() != "test.lua:1: "+want {
			t.Errorf("%s:\n got %v\nwant test.lua:1: %s", src, err, want)
		}
	}
}

// An aggregate without a value fails the threshold that reads it, with a
// reason: a rule must never pass on a number nobody recorded.
func TestNoValueFails(t *testing.T) {
	res := mustRun(t, `
		metric("never")
		threshold("never", "value < 10")
		threshold("never", "max < 10")
		threshold("never", "count == 0")
		threshold("never", "count == 0 or value < 10")
		threshold("checks", "rate > 0.9")
		threshold("checks", "count == 0")
		metric("added"):add(5)
		threshold("added", "value < 10")
	`)
	want := strings.Join([]string{
		"threshold never failed: value < 10: metric never has no value: it was never set()",
		"threshold never failed: max < 10: metric never has no value: it never received a number (add or set), so max is undefined",
		"threshold never passed: count == 0 (count = 0)",
		"threshold never passed: count == 0 or value < 10 (count = 0)",
		"threshold checks failed: rate > 0.9: metric checks has no value: no check ran, so rate is undefined",
		"threshold checks passed: count == 0 (count = 0)",
		"threshold added failed: value < 10: metric added has no value: it was never set()",
	}, "\n")
	if got := verdicts(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFunctionPredicates(t *testing.T) {
	sc := `
		local m = metric("stale")
		m:add(4)
		threshold("stale", function(a) return a.count < 5 and a.value == nil end)
		threshold("stale", function(a) return a.count < 3 end)
		threshold("stale", function(a) error("no verdict for " .. a.count) end)
		threshold("stale", function() end)
		threshold("stale", function(a) return a.count end)
		threshold("checks", function(a) return a.rate == nil and a.count == 0 end)
	`
	res := mustRun(t, sc)
	want := strings.Join([]string{
		"threshold stale passed: function at test.lua:4 (count = 4, min = 4, max = 4)",
		"threshold stale failed: function at test.lua:5 (count = 4, min = 4, max = 4)",
		"threshold stale failed: function at test.lua:6 (count = 4, min = 4, max = 4): test.lua:6: no verdict for 4",
		"threshold stale failed: function at test.lua:7 (count = 4, min = 4, max = 4): the function returned a nil; want true (passed) or false (failed)",
		"threshold stale failed: function at test.lua:8 (count = 4, min = 4, max = 4): the function returned a number; want true (passed) or false (failed)",
		"threshold checks passed: function at test.lua:9 (passes = 0, fails = 0, count = 0)",
	}, "\n")
	if got := verdicts(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A predicate that does not return is stopped by Evaluate's context, and
// one that calls exit() cannot end anything: both fail their threshold.
func TestFunctionPredicateStopped(t *testing.T) {
	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, errors.New("--timeout 50ms elapsed"))
	defer cancel()
	res, err := run(t, ctx, `
		metric("m")
		threshold("m", function() while true do end end)
		threshold("m", function() exit(0) end)
		threshold("m", "count == 0")
	`)
	if err != nil {
		t.Fatal(err)
	}
	got := verdicts(res)
	for _, want := range []string{
		"threshold m failed: function at test.lua:3 (count = 0): stopped: --timeout 50ms elapsed",
		"threshold m failed: function at test.lua:4 (count = 0): stopped: --timeout 50ms elapsed",
		"threshold m passed: count == 0 (count = 0)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("results lack %q:\n%s", want, got)
		}
	}
	res, err = run(t, context.Background(), `
		metric("m")
		threshold("m", function() exit(0) end)
	`)
	if err != nil {
		t.Fatal(err)
	}
	if th := res.Thresholds[0]; th.OK || !strings.Contains(th.Error, "exit: the script has already finished") {
		t.Errorf("exit in a predicate: %+v", th)
	}
}

// A script that fails still has results: what it recorded before failing
// is judged.
func TestResultsOfAFailedScript(t *testing.T) {
	res, err := run(t, context.Background(), `
		metric("m"):add(2)
		threshold("m", "count == 0")
		check(false, "first")
		error("boom")
	`)
	if err == nil {
		t.Fatal("the script should have failed")
	}
	if got := verdicts(res); got != "threshold m failed: count == 0 (count = 2)" || len(res.Checks) != 1 {
		t.Errorf("got %s, checks %+v", got, res.Checks)
	}
}

// Results are the same for the same run, in snake_case JSON, with empty
// lists rather than null.
func TestResultsJSON(t *testing.T) {
	src := `
		local m = metric("forwarders")
		for i = 1, 3 do m:add() end
		metric("unused")
		threshold("forwarders", "count == 0")
		threshold("unused", "value > 1")
		check{b = true, a = false}
	`
	want := `{"checks":[{"name":"a","passes":0,"fails":1},{"name":"b","passes":1,"fails":0}],` +
		`"metrics":[{"name":"forwarders","count":3,"min":1,"max":1},{"name":"unused","count":0}],` +
		`"thresholds":[{"name":"forwarders","rule":"count == 0","ok":false,"value":{"count":3}},` +
		`{"name":"unused","rule":"value \u003e 1","ok":false,"value":{},"error":"metric unused has no value: it was never set()"}]}`
	for range 3 {
		b, err := json.Marshal(mustRun(t, src))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want {
			t.Fatalf("got\n%s\nwant\n%s", b, want)
		}
	}
	empty, _ := json.Marshal(mustRun(t, `local x = 1`))
	if string(empty) != `{"checks":[],"metrics":[],"thresholds":[]}` {
		t.Errorf("empty results = %s", empty)
	}
}

func TestMetricIsDeclaredOnce(t *testing.T) {
	res := mustRun(t, `
		local a = metric("m")
		local b = metric("m")
		assert(a == b, "metric(name) returns the declared metric")
		assert(tostring(a) == "metric m", tostring(a))
		a:add(1) b:add(2) b:set(-4)
	`)
	if len(res.Metrics) != 1 || res.Metrics[0].Count != 3 || *res.Metrics[0].Min != -4 || *res.Metrics[0].Max != 2 {
		t.Errorf("metrics = %+v", res.Metrics)
	}
}

package time_test

import (
	"os"
	"strings"
	"testing"
	gotime "time"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
	exotime "github.com/exorun/exorun/stdlib/time"
)

// pinned is the clock of these tests: 12:00:00.75 UTC, seen from UTC+2,
// so the module must convert to UTC and drop the fraction.
var pinned = gotime.Date(2024, 5, 1, 14, 0, 0, 750_000_000, gotime.FixedZone("CEST", 2*60*60))

func options() runtime.Options {
	return runtime.Options{Modules: []runtime.Module{
		exotime.Module(func() gotime.Time { return pinned }),
	}}
}

// eval prints the Lua expression expr with the pinned clock.
func eval(t *testing.T, expr string) string {
	t.Helper()
	out := runtimetest.MustRun(t, `local time = require("time") print(`+expr+`)`, options())
	return strings.TrimSuffix(out, "\n")
}

func TestFunctions(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{`time.now()`, "2024-05-01T12:00:00Z"},
		{`time.unix()`, "1714564800"},
		{`time.unix("1970-01-02")`, "86400"},
		{`time.unix("2022-06-29T17:57:03.5Z") == 1656525423.5`, "true"},
		{`time.unix(time.now()) == time.unix()`, "true"},

		{`time.parse("2022-06-29T17:57:03Z")`, "2022-06-29T17:57:03Z"},
		{`time.parse("2022-06-29T19:57:03+02:00")`, "2022-06-29T17:57:03Z"},
		{`time.parse("2022-06-29T17:57:03.0000000+00:00")`, "2022-06-29T17:57:03Z"},
		{`time.parse("2022-06-29T17:57:03.1234567+00:00")`, "2022-06-29T17:57:03.1234567Z"},
		{`time.parse("/Date(1656525423000)/")`, "2022-06-29T17:57:03Z"},
		{`time.parse([[\/Date(1656525423000+0200)\/]])`, "2022-06-29T17:57:03Z"},
		{`time.parse("/Date(-86400000)/")`, "1969-12-31T00:00:00Z"},
		{`time.parse("2022-06-29")`, "2022-06-29T00:00:00Z"},
		{`time.parse("2022-06-29 17:57:03")`, "2022-06-29T17:57:03Z"},
		{`time.parse("2022-06-29T17:57:03")`, "2022-06-29T17:57:03Z"},
		{`time.parse("  2022-06-29\n")`, "2022-06-29T00:00:00Z"},
		{`time.parse(1656525423)`, "2022-06-29T17:57:03Z"},
		{`time.parse("29.06.2022", "02.01.2006")`, "2022-06-29T00:00:00Z"},
		{`time.parse("2022-06-29 17:57:03", "datetime")`, "2022-06-29T17:57:03Z"},
		{`time.parse("2022-06-29T19:57:03+02:00", "rfc3339")`, "2022-06-29T17:57:03Z"},

		{`time.format("2022-06-29T19:57:03+02:00", "date")`, "2022-06-29"},
		{`time.format("2022-06-29T19:57:03+02:00", "datetime")`, "2022-06-29 17:57:03"},
		{`time.format("2022-06-29T19:57:03+02:00", "RFC3339")`, "2022-06-29T17:57:03Z"},
		{`time.format("/Date(1656525423000)/", "Mon 02 Jan 2006 15:04")`, "Wed 29 Jun 2022 17:57"},
		{`time.format(time.now(), "2006")`, "2024"},

		{`time.add("2024-05-01T12:00:00Z", "1h30m")`, "2024-05-01T13:30:00Z"},
		{`time.add("2024-05-01T12:00:00Z", "-7d")`, "2024-04-24T12:00:00Z"},
		{`time.add("2024-05-01T12:00:00Z", "1d12h")`, "2024-05-03T00:00:00Z"},
		{`time.add("2024-05-01T12:00:00Z", 90)`, "2024-05-01T12:01:30Z"},
		{`time.add("2024-05-01", -0.5)`, "2024-04-30T23:59:59.5Z"},
		{`time.add(time.now(), "-90d")`, "2024-02-01T12:00:00Z"},

		{`time.since("2024-05-01T11:00:00Z")`, "3600"},
		{`time.since("2024-05-02")`, "-43200"},
		{`time.since("2024-05-01T11:59:59.5Z")`, "0.5"},
		{`time.since(time.now())`, "0"},

		{`time.duration("1h30m")`, "5400"},
		{`time.duration("2d")`, "172800"},
		{`time.duration("7d")`, "604800"},
		{`time.duration("1.5d")`, "129600"},
		{`time.duration("1d12h")`, "129600"},
		{`time.duration("2w")`, "1209600"},
		{`time.duration("-15m")`, "-900"},
		{`time.duration("500ms")`, "0.5"},
		{`time.duration(" 90 ")`, "90"},
		{`time.duration(45)`, "45"},

		{`time.days_between("2024-01-01", "2024-01-31")`, "30"},
		{`time.days_between("2024-01-31", "2024-01-01")`, "-30"},
		{`time.days_between("2024-01-01T23:00:00Z", "2024-01-02T01:00:00Z")`, "0"},
		{`time.days_between("2024-01-01", "2024-01-02T23:59:59Z")`, "1"},
		{`time.days_between("/Date(1656525423000)/", time.now())`, "671"},
	} {
		if got := eval(t, c.expr); got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`time.parse("yesterday")`, `time.parse: cannot read "yesterday" as a time; expected RFC 3339`},
		{`time.parse("2022-13-01")`, `time.parse: cannot read "2022-13-01" as a time`},
		{`time.parse("/Date(abc)/")`, `time.parse: cannot read "/Date(abc)/" as a time`},
		{`time.parse({})`, `time.parse: expected a time string, not table`},
		{`time.parse()`, `time.parse: expected a time string, not nil`},
		{`time.parse("01/02/2022", "2006-01-02")`, `time.parse: "01/02/2022" does not match layout "2006-01-02"`},
		{`time.parse("2022-01-02", "%Y-%m-%d")`, `time.parse: layout "%Y-%m-%d" looks like strftime`},
		{`time.unix("soon")`, `time.unix: cannot read "soon" as a time`},
		{`time.unix(1/0)`, `time.unix: +Inf is not a usable number of seconds since the epoch`},
		{`time.format("2024-01-01", "%Y-%m-%d")`, `time.format: layout "%Y-%m-%d" looks like strftime; use a Go layout`},
		{`time.format("2024-01-01", "yyyy-MM-dd")`, `time.format: layout "yyyy-MM-dd" has no date or time elements`},
		{`time.format("2024-01-01")`, `time.format: layout must be a string`},
		{`time.format("01/02/2024", "date")`, `time.format: cannot read "01/02/2024" as a time`},
		{`time.add("nope", "1h")`, `time.add: cannot read "nope" as a time`},
		{`time.add("2024-01-01", "1 fortnight")`, `time.add: cannot read "1 fortnight" as a duration`},
		{`time.add("2024-01-01")`, `time.add: expected a duration such as "1h30m" or a number of seconds, not nil`},
		{`time.add("2024-01-01", 1e12)`, `time.add: a shift of 1000000000000 seconds is too large`},
		{`time.since("last week")`, `time.since: cannot read "last week" as a time`},
		{`time.duration("")`, `time.duration: cannot read "" as a duration`},
		{`time.duration("1d-5m")`, `time.duration: cannot read "1d-5m" as a duration`},
		{`time.duration("d")`, `time.duration: cannot read "d" as a duration`},
		{`time.duration("3 days")`, `time.duration: cannot read "3 days" as a duration`},
		{`time.days_between("2024-01-01", "someday")`, `time.days_between: cannot read "someday" as a time`},
		{`time.days_between("2024-01-01", {})`, `time.days_between: expected a time string, not table`},
	} {
		se := runtimetest.Fail(t, `local time = require("time") `+c.src, options())
		if !strings.Contains(se.Message, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.src, se.Message, c.want)
		}
	}
}

func TestRealClock(t *testing.T) {
	opts := runtime.Options{Modules: []runtime.Module{exotime.Module(nil)}}
	before := gotime.Now().UTC().Truncate(gotime.Second)
	out := runtimetest.MustRun(t, `print(require("time").now())`, opts)
	after := gotime.Now().UTC()
	got, err := gotime.Parse(gotime.RFC3339, strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(before) || got.After(after) {
		t.Fatalf("now() = %s, not between %s and %s", got, before, after)
	}
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/time_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	runtimetest.MustRun(t, string(src), options())
}

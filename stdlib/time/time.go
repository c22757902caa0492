package time

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// module is one state's "time" table.
type module struct {
	now func() time.Time
}

// clock is the current time in UTC, to the second.
func (m *module) clock() time.Time { return m.now().UTC().Truncate(time.Second) }

// layouts are the forms a time string is tried in, after /Date(ms)/.
// time.Parse accepts a fraction of a second after the seconds even when
// the layout has none, which covers .NET's seven-digit fractions.
var layouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// named are the layouts a script may give by name.
var named = map[string]string{
	"date":     "2006-01-02",
	"datetime": "2006-01-02 15:04:05",
	"rfc3339":  time.RFC3339,
}

// dotnetDate is the .NET JSON date: milliseconds since the epoch and an
// optional offset that does not change the instant. JSON text escapes the
// slashes; both spellings are accepted.
var dotnetDate = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\\?/Date\((-?\d+)([+-]\d{4})?\)\\?/$`) })

const accepted = `expected RFC 3339 ("2024-05-01T12:00:00Z"), "2024-05-01", "2024-05-01 12:00:00", "/Date(1714564800000)/" or seconds since the epoch`

// raise raises err in L; it does not return.
func raise(L *lua.LState, err error) { runtime.Raise(L, err) }

// stamp is the RFC 3339 UTC text of t; the fraction appears only when
// there is one.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseTime reads s in any accepted form.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if m := dotnetDate().FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// fromUnix converts seconds since the epoch, fraction included.
func fromUnix(sec float64) (time.Time, bool) {
	if math.IsNaN(sec) || math.IsInf(sec, 0) || math.Abs(sec) > 1e15 {
		return time.Time{}, false
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e9))).UTC(), true
}

// timeArg reads argument n as a time.
func timeArg(L *lua.LState, fn string, n int) time.Time {
	switch v := L.Get(n).(type) {
	case lua.LString:
		if t, ok := parseTime(string(v)); ok {
			return t
		}
		raise(L, fmt.Errorf("%s: cannot read %q as a time; %s", fn, string(v), accepted))
	case lua.LNumber:
		if t, ok := fromUnix(float64(v)); ok {
			return t
		}
		raise(L, fmt.Errorf("%s: %v is not a usable number of seconds since the epoch", fn, v))
	default:
		raise(L, fmt.Errorf("%s: expected a time string, not %s", fn, L.Get(n).Type()))
	}
	return time.Time{}
}

// layoutArg reads argument n as a named or Go layout.
func layoutArg(L *lua.LState, fn string, n int) string {
	s, ok := L.Get(n).(lua.LString)
	if !ok {
		raise(L, fmt.Errorf("%s: layout must be a string such as \"2006-01-02\" or \"date\", not %s", fn, L.Get(n).Type()))
	}
	layout := string(s)
	if l, ok := named[strings.ToLower(layout)]; ok {
		return l
	}
	if strftime().MatchString(layout) {
		raise(L, fmt.Errorf("%s: layout %q looks like strftime; use a Go layout such as \"2006-01-02 15:04\" (the reference time Mon Jan 2 15:04:05 MST 2006) or a name: date, datetime, rfc3339", fn, layout))
	}
	// A layout that formats a time as itself has no date or time elements.
	if probe.Format(layout) == layout {
		raise(L, fmt.Errorf("%s: layout %q has no date or time elements; Go layouts spell the reference time Mon Jan 2 15:04:05 MST 2006, e.g. \"2006-01-02\", or use a name: date, datetime, rfc3339", fn, layout))
	}
	return layout
}

var (
	strftime = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%[A-Za-z]`) })
	probe    = time.Date(1999, 11, 28, 21, 33, 44, 987654321, time.UTC)
)

// durationRE splits a leading day or week count off a duration.
var durationRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+(?:\.\d+)?|\.\d+)([dw])(.*)$`) })

// parseDuration reads "1h30m", "7d", "1d12h", "2w", "-15m" or a plain
// number as seconds.
func parseDuration(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	sign := 1.0
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	total := 0.0
	if m := durationRE().FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, false
		}
		unit := 86400.0
		if m[2] == "w" {
			unit *= 7
		}
		total, s = n*unit, m[3]
		if s == "" {
			return sign * total, true
		}
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, false
	}
	return sign * (total + d.Seconds()), true
}

// durationArg reads argument n as a duration in seconds.
func durationArg(L *lua.LState, fn string, n int) float64 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		if sec, ok := parseDuration(string(v)); ok {
			return sec
		}
		raise(L, fmt.Errorf("%s: cannot read %q as a duration; use forms like \"90s\", \"15m\", \"1h30m\", \"7d\", \"1d12h\", \"2w\" or a number of seconds", fn, string(v)))
	default:
		raise(L, fmt.Errorf("%s: expected a duration such as \"1h30m\" or a number of seconds, not %s", fn, L.Get(n).Type()))
	}
	return 0
}

// unixSeconds is t as seconds since the epoch, fraction included.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func (m *module) nowFn(L *lua.LState) int {
	L.Push(lua.LString(stamp(m.clock())))
	return 1
}

func (m *module) unix(L *lua.LState) int {
	t := m.clock()
	if L.Get(1) != lua.LNil {
		t = timeArg(L, "time.unix", 1)
	}
	L.Push(lua.LNumber(unixSeconds(t)))
	return 1
}

func (m *module) parse(L *lua.LState) int {
	const fn = "time.parse"
	if L.Get(2) == lua.LNil {
		L.Push(lua.LString(stamp(timeArg(L, fn, 1))))
		return 1
	}
	s, ok := L.Get(1).(lua.LString)
	if !ok {
		raise(L, fmt.Errorf("%s: expected a time string, not %s", fn, L.Get(1).Type()))
	}
	layout := layoutArg(L, fn, 2)
	t, err := time.Parse(layout, strings.TrimSpace(string(s)))
	if err != nil {
		raise(L, fmt.Errorf("%s: %q does not match layout %q", fn, string(s), layout))
	}
	L.Push(lua.LString(stamp(t)))
	return 1
}

func (m *module) format(L *lua.LState) int {
	const fn = "time.format"
	t := timeArg(L, fn, 1)
	layout := layoutArg(L, fn, 2)
	L.Push(lua.LString(t.UTC().Format(layout)))
	return 1
}

// maxShift is the largest shift time.Time.Add takes (about 292 years).
const maxShift = float64(math.MaxInt64) / 1e9

func (m *module) add(L *lua.LState) int {
	const fn = "time.add"
	t := timeArg(L, fn, 1)
	sec := durationArg(L, fn, 2)
	if math.Abs(sec) >= maxShift || math.IsNaN(sec) {
		raise(L, fmt.Errorf("%s: a shift of %v seconds is too large (the limit is about 292 years)", fn, lua.LNumber(sec)))
	}
	L.Push(lua.LString(stamp(t.Add(time.Duration(math.Round(sec * 1e9))))))
	return 1
}

func (m *module) since(L *lua.LState) int {
	t := timeArg(L, "time.since", 1)
	L.Push(lua.LNumber(unixSeconds(m.clock()) - unixSeconds(t)))
	return 1
}

func (m *module) duration(L *lua.LState) int {
	L.Push(lua.LNumber(durationArg(L, "time.duration", 1)))
	return 1
}

func (m *module) daysBetween(L *lua.LState) int {
	const fn = "time.days_between"
	a := timeArg(L, fn, 1)
	b := timeArg(L, fn, 2)
	days := (unixSeconds(b) - unixSeconds(a)) / 86400
	L.Push(lua.LNumber(math.Trunc(days)))
	return 1
}

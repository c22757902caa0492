package decode

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// splitAnnotation reports whether key is an annotation ("@odata." or
// "@data." in it) and, for the type annotation of a property
// ("WhenCreated@data.type"), returns the property's name.
func splitAnnotation(key []byte) (annotation bool, typed []byte) {
	if bytes.IndexByte(key, '@') < 0 { // the common case, one fast scan
		return false, nil
	}
	if !bytes.Contains(key, []byte("@odata.")) && !bytes.Contains(key, []byte("@data.")) {
		return false, nil
	}
	for _, suffix := range []string{"@odata.type", "@data.type"} {
		if name, ok := bytes.CutSuffix(key, []byte(suffix)); ok && len(name) > 0 {
			return true, name
		}
	}
	return true, nil
}

// isDateType reports whether an annotation value names a date type,
// alone or as a collection: "System.DateTime", "#DateTimeOffset",
// "#Collection(DateTimeOffset)", "Edm.DateTimeOffset".
func isDateType(t []byte) bool {
	t = bytes.TrimPrefix(t, []byte("#"))
	if inner, ok := bytes.CutPrefix(t, []byte("Collection(")); ok {
		if t, ok = bytes.CutSuffix(inner, []byte(")")); !ok {
			return false
		}
	}
	if rest, ok := bytes.CutPrefix(t, []byte("System.")); ok {
		t = rest
	} else {
		t = bytes.TrimPrefix(t, []byte("Edm."))
	}
	return string(t) == "DateTime" || string(t) == "DateTimeOffset"
}

// text is the Lua value of a JSON string; dates become RFC 3339 UTC.
func (d *Decoder) text(b []byte, lenient bool) lua.LValue {
	if t, ok := parseDate(b, lenient); ok {
		return d.formatDate(t) // b may be d.buf, but it has been read
	}
	if len(b) > maxShared {
		return lua.LString(b)
	}
	// Enum values, default quotas and empty strings repeat in every object
	// of a result: share one boxed Lua string per value. The cache is
	// direct-mapped, so a miss simply takes the slot; it stays small and
	// keeps learning.
	slot := &d.shared[maphash.Bytes(d.seed, b)%uint64(len(d.shared))]
	if s, ok := (*slot).(lua.LString); ok && string(s) == string(b) {
		return *slot
	}
	*slot = lua.LString(b)
	return *slot
}

// redate applies a date annotation that came after its value.
func (d *Decoder) redate(v lua.LValue) lua.LValue {
	switch x := v.(type) {
	case lua.LString:
		if t, ok := parseDate(string(x), true); ok {
			return d.formatDate(t)
		}
	case *lua.LTable:
		if runtime.IsArray(x) {
			for i := 1; i <= x.Len(); i++ {
				x.RawSetInt(i, d.redate(x.RawGetInt(i)))
			}
		}
	}
	return v
}

// formatDate gives t as RFC 3339 in UTC; RFC3339Nano drops a zero fraction
// and trailing zeros.
func (d *Decoder) formatDate(t time.Time) lua.LString {
	d.buf = t.UTC().AppendFormat(d.buf[:0], time.RFC3339Nano)
	return lua.LString(d.buf)
}

// parseDate reads a date in the .NET round-trip form (yyyy-mm-ddThh:mm:ss,
// 7 fractional digits, zone Z or ±hh:mm) or the "/Date(ms)/" form. lenient,
// for values annotated as dates, also takes 0 to 9 fractional digits and a
// missing zone, which means UTC. Impossible dates are refused.
func parseDate[T string | []byte](s T, lenient bool) (time.Time, bool) {
	const shape = "0000-00-00T00:00:00" // 0 is a digit
	if len(s) > 0 && s[0] == '/' {
		return parseMSDate(s)
	}
	if len(s) < len(shape) {
		return time.Time{}, false
	}
	for i := range len(shape) {
		if c := s[i]; shape[i] == '0' && !isDigit(c) || shape[i] != '0' && c != shape[i] {
			return time.Time{}, false
		}
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	year, month, day := two(0)*100+two(2), two(5), two(8)
	hour, minute, sec := two(11), two(14), two(17)
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}

	rest := s[len(shape):]
	nsec, frac := 0, 0
	if len(rest) > 0 && rest[0] == '.' {
		for frac+1 < len(rest) && isDigit(rest[frac+1]) {
			nsec = nsec*10 + int(rest[frac+1]-'0')
			frac++
			if frac > 9 {
				return time.Time{}, false
			}
		}
		if frac == 0 {
			return time.Time{}, false
		}
		for range 9 - frac {
			nsec *= 10
		}
		rest = rest[1+frac:]
	}
	if !lenient && frac != 7 {
		return time.Time{}, false
	}

	offset := 0 // seconds east of UTC
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 0 && lenient:
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		isDigit(rest[1]) && isDigit(rest[2]) && isDigit(rest[4]) && isDigit(rest[5]):
		h, m := int(rest[1]-'0')*10+int(rest[2]-'0'), int(rest[4]-'0')*10+int(rest[5]-'0')
		if h > 23 || m > 59 {
			return time.Time{}, false
		}
		if offset = (h*60 + m) * 60; rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// parseMSDate reads "/Date(1656525423000)/": milliseconds since 1970 UTC,
// maybe negative, maybe followed by a ±hhmm zone, which only says where the
// time was local and so is ignored.
func parseMSDate[T string | []byte](s T) (time.Time, bool) {
	const prefix, suffix = "/Date(", ")/"
	if len(s) <= len(prefix)+len(suffix) || string(s[:len(prefix)]) != prefix || string(s[len(s)-len(suffix):]) != suffix {
		return time.Time{}, false
	}
	ms := s[len(prefix) : len(s)-len(suffix)]
	if n := len(ms); n > 5 && (ms[n-5] == '+' || ms[n-5] == '-') &&
		isDigit(ms[n-4]) && isDigit(ms[n-3]) && isDigit(ms[n-2]) && isDigit(ms[n-1]) {
		ms = ms[:n-5]
	}
	if ms[0] == '+' { // ParseInt would take it
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(string(ms), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(n), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// quantity returns the byte count of an Exchange byte quantity, a string of
// the form ^[\d.,]+ (B|KB|MB|GB|TB|PB) \(([\d,]+) bytes\)$ such as
// "99 GB (106,300,440,576 bytes)".
func quantity(s string) (float64, bool) {
	s, ok := strings.CutSuffix(s, " bytes)") // rejects most strings at once
	if !ok {
		return 0, false
	}
	size, rest, _ := strings.Cut(s, " ")
	unit, count, ok := strings.Cut(rest, " (")
	if !ok || size == "" {
		return 0, false
	}
	for i := range len(size) {
		if c := size[i]; !isDigit(c) && c != '.' && c != ',' {
			return 0, false
		}
	}
	switch unit {
	case "B", "KB", "MB", "GB", "TB", "PB":
	default:
		return 0, false
	}
	var n uint64
	digits := 0
	for i := range len(count) {
		switch c := count[i]; {
		case isDigit(c):
			n = n*10 + uint64(c-'0') // wraps beyond 19 digits, see below
			digits++
		case c != ',':
			return 0, false
		}
	}
	switch {
	case digits == 0:
		return 0, false
	case digits <= 19: // exact in a uint64, and float64() rounds as ParseFloat does
		return float64(n), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(count, ",", ""), 64)
	return f, err == nil
}

package decode

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// The reference decoder: the slow, obvious path (encoding/json into a map,
// the package rules applied to Go values with regular expressions and
// time.Parse, then runtime.ToLua). Tests and the fuzz target check the fast
// decoder against it.

var (
	refRoundTrip = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}(Z|[+-]\d{2}:\d{2})$`)
	refLenient   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$`)
	refMSDate    = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)
	refZone      = regexp.MustCompile(`[+-](\d{2}):(\d{2})$`)
	refDateType  = regexp.MustCompile(`^#?(Collection\((System\.|Edm\.)?DateTime(Offset)?\)|(System\.|Edm\.)?DateTime(Offset)?)$`)
	refQuantity  = regexp.MustCompile(`^[\d.,]+ (B|KB|MB|GB|TB|PB) \(([\d,]+) bytes\)$`)
)

func reference(L *lua.LState, raw []byte) (*lua.LTable, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not an object")
	}
	refObject(m, true)
	return runtime.ToLua(L, m).(*lua.LTable), nil
}

func refObject(m map[string]any, top bool) {
	dates := map[string]bool{}
	for k, v := range m {
		if !strings.Contains(k, "@odata.") && !strings.Contains(k, "@data.") {
			continue
		}
		delete(m, k)
		for _, suffix := range []string{"@odata.type", "@data.type"} {
			if name, ok := strings.CutSuffix(k, suffix); ok && name != "" {
				if s, ok := v.(string); ok && refDateType.MatchString(s) {
					dates[name] = true
				}
			}
		}
	}
	for k, v := range m {
		m[k] = refValue(v, dates[k])
	}
	if !top {
		return
	}
	derived := map[string]any{}
	for k, v := range m {
		s, _ := v.(string)
		if sub := refQuantity.FindStringSubmatch(s); sub != nil && m[k+"Bytes"] == nil {
			if n, err := strconv.ParseFloat(strings.ReplaceAll(sub[2], ",", ""), 64); err == nil {
				derived[k+"Bytes"] = n
			}
		}
	}
	for k, v := range derived {
		m[k] = v
	}
}

func refValue(v any, date bool) any {
	switch x := v.(type) {
	case string:
		return refDate(x, date)
	case []any:
		for i := range x {
			x[i] = refValue(x[i], date)
		}
	case map[string]any:
		refObject(x, false)
	}
	return v
}

func refDate(s string, annotated bool) string {
	if sub := refMSDate.FindStringSubmatch(s); sub != nil {
		ms, err := strconv.ParseInt(sub[1], 10, 64)
		if err != nil {
			return s
		}
		return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
	}
	re := refRoundTrip
	if annotated {
		re = refLenient
	}
	if !re.MatchString(s) {
		return s
	}
	text := s
	if z := refZone.FindStringSubmatch(s); z != nil {
		if h, _ := strconv.Atoi(z[1]); h > 23 {
			return s
		}
		if m, _ := strconv.Atoi(z[2]); m > 59 {
			return s
		}
	} else if !strings.HasSuffix(s, "Z") {
		text += "Z" // annotated without a zone: UTC
	}
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// equalLua compares two decoded values deeply, array marks included.
func equalLua(a, b lua.LValue) bool {
	ta, ok := a.(*lua.LTable)
	if !ok {
		return a == b
	}
	tb, ok := b.(*lua.LTable)
	if !ok || ta.Metatable != tb.Metatable {
		return false
	}
	n, same := 0, true
	ta.ForEach(func(k, v lua.LValue) {
		n++
		same = same && equalLua(v, tb.RawGet(k))
	})
	tb.ForEach(func(lua.LValue, lua.LValue) { n-- })
	return same && n == 0
}

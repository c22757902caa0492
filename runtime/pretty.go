package runtime

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// prettyWidth is the line length past which a table is shown one entry per line.
const prettyWidth = 80

var identifier = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// Format renders a Lua value for people (the REPL, error tables): strings
// quoted, tables with sorted keys, short tables on one line, long ones
// indented, cycles shown as <cycle>.
func Format(v lua.LValue) string {
	return format(v, "", map[*lua.LTable]bool{})
}

func format(v lua.LValue, indent string, visiting map[*lua.LTable]bool) string {
	switch x := v.(type) {
	case lua.LString:
		return strconv.Quote(string(x))
	case *lua.LTable:
		if visiting[x] {
			return "<cycle>"
		}
		if len(visiting) >= MaxNesting {
			return "{...}"
		}
		visiting[x] = true
		defer delete(visiting, x)
		return formatTable(x, indent, visiting)
	case *lua.LFunction:
		return "<function>"
	case *lua.LUserData:
		return "<userdata>"
	case *lua.LState:
		return "<thread>"
	}
	return v.String()
}

func formatTable(t *lua.LTable, indent string, visiting map[*lua.LTable]bool) string {
	inner := indent + "  "
	var entries []string
	if IsArray(t) {
		for i := 1; i <= t.Len(); i++ {
			entries = append(entries, format(t.RawGetInt(i), inner, visiting))
		}
	} else {
		type kv struct{ key, text string }
		var kvs []kv
		t.ForEach(func(k, v lua.LValue) {
			var key string
			switch kk := k.(type) {
			case lua.LString:
				if identifier().MatchString(string(kk)) {
					key = string(kk)
				} else {
					key = "[" + strconv.Quote(string(kk)) + "]"
				}
			default:
				key = "[" + format(k, inner, visiting) + "]"
			}
			kvs = append(kvs, kv{key, format(v, inner, visiting)})
		})
		sort.Slice(kvs, func(i, j int) bool { return kvs[i].key < kvs[j].key })
		for _, e := range kvs {
			entries = append(entries, fmt.Sprintf("%s = %s", e.key, e.text))
		}
	}
	if len(entries) == 0 {
		return "{}"
	}
	oneLine := "{ " + strings.Join(entries, ", ") + " }"
	if len(indent)+len(oneLine) <= prettyWidth && !strings.Contains(oneLine, "\n") {
		return oneLine
	}
	return "{\n" + inner + strings.Join(entries, ",\n"+inner) + "\n" + indent + "}"
}

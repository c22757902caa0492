package runtime

import (
	"slices"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// OptionsArg returns the options table at argument n of the Lua function
// fn, nil when absent. A key outside allowed raises an error naming it, so
// a misspelt option fails instead of being ignored.
func OptionsArg(L *lua.LState, fn string, n int, allowed ...string) *lua.LTable {
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
		return nil
	case *lua.LTable:
		var unknown []string
		v.ForEach(func(k, _ lua.LValue) {
			if s, ok := k.(lua.LString); !ok || !slices.Contains(allowed, string(s)) {
				unknown = append(unknown, k.String())
			}
		})
		if len(unknown) > 0 {
			sort.Strings(unknown)
			L.RaiseError("%s: unknown option %q (known: %s)", fn, unknown[0], strings.Join(allowed, ", "))
		}
		return v
	default:
		L.RaiseError("%s: bad argument #%d: expected an options table, got %s", fn, n, v.Type())
	}
	return nil
}

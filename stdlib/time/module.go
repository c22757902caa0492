package time

import (
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Module returns the "time" module reading the clock now (time.Now in the
// CLI; a fixed time in golden tests). A nil now means time.Now.
func Module(now func() time.Time) runtime.Module {
	if now == nil {
		now = time.Now
	}
	return runtime.Module{
		Name: "time",
		Open: func(L *lua.LState) lua.LValue {
			m := &module{now: now}
			t := L.NewTable()
			L.SetFuncs(t, map[string]lua.LGFunction{
				"now":          m.nowFn,
				"unix":         m.unix,
				"parse":        m.parse,
				"format":       m.format,
				"add":          m.add,
				"since":        m.since,
				"duration":     m.duration,
				"days_between": m.daysBetween,
			})
			return t
		},
	}
}

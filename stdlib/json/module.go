package json

import (
	"github.com/exorun/exorun/runtime"
	lua "github.com/yuin/gopher-lua"
)

// Module returns the "json" module.
func Module() runtime.Module {
	return runtime.Module{Name: "json", Open: open}
}

func open(L *lua.LState) lua.LValue {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"encode": encode,
		"decode": decode,
		"array":  array,
	})
	return t
}

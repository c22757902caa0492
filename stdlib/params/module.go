package params

import (
	"maps"
	"slices"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Input is what the command line gives a script.
type Input struct {
	// Named holds --param key=value pairs, keys as typed.
	Named map[string]string
	// Args are the trailing positional arguments.
	Args []string
	// Declared, when not nil, is told the names a script declares, once
	// params.declare has checked its spec (the CLI uses it to warn about
	// its own flags written after the script).
	Declared func(names []string)
	// Fixed, when not nil, is a bundle's manifest: params.declare() with
	// no spec declares these, and a spec the script gives must equal them.
	Fixed Spec
}

// Module returns the "params" module over in. in is copied: later changes
// to its map or slice do not reach scripts.
func Module(in Input) runtime.Module {
	in = Input{Named: maps.Clone(in.Named), Args: slices.Clone(in.Args), Declared: in.Declared, Fixed: in.Fixed}
	return runtime.Module{
		Name: "params",
		Open: func(L *lua.LState) lua.LValue {
			m := &module{in: in}
			t := L.NewTable()
			L.SetFuncs(t, map[string]lua.LGFunction{
				"declare": m.declare,
				"args":    m.args,
				"get":     m.get,
			})
			return t
		},
	}
}

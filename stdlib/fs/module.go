package fs

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Module returns the "fs" module confined to f: reads use f.Script unless
// the script asks for {from = "out"}, writes use f.Out. A nil folder makes
// every access to it fail.
func Module(f runtime.Folders) runtime.Module {
	return runtime.Module{
		Name: "fs",
		Open: func(L *lua.LState) lua.LValue {
			m := &module{
				script: folder{dir: f.Script, key: "script", desc: "the script's folder"},
				out:    folder{dir: f.Out, key: "out", desc: "the --out folder"},
			}
			t := L.NewTable()
			L.SetFuncs(t, map[string]lua.LGFunction{
				"read":   m.read,
				"exists": m.exists,
				"list":   m.list,
				"write":  m.write,
				"append": m.append,
				"mkdir":  m.mkdir,
				"remove": m.remove,
			})
			return t
		},
	}
}

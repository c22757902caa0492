package csv

import (
	"io"

	"github.com/exorun/exorun/runtime"
	lua "github.com/yuin/gopher-lua"
)

// Options configure the "csv" module.
type Options struct {
	// Stdout receives csv.write output when no path is given; nil discards it.
	Stdout io.Writer
	// Folders confine csv.read (Script, or Out with from = "out") and
	// csv.write (Out).
	Folders runtime.Folders
}

// Module returns the "csv" module.
func Module(opts Options) runtime.Module {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	return runtime.Module{Name: "csv", Open: func(L *lua.LState) lua.LValue {
		m := &module{opts: opts}
		t := L.NewTable()
		L.SetFuncs(t, map[string]lua.LGFunction{
			"encode": encode,
			"decode": decode,
			"write":  m.write,
			"read":   m.read,
		})
		return t
	}}
}

// module holds what the file functions of one opened module need.
type module struct {
	opts Options
}

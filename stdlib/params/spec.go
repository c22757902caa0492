package params

import (
	"fmt"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Param is one parameter's declaration outside Lua: field for field the
// table params.declare takes, in the JSON a bundle's manifest holds, so
// one declaration serves the script and its bundle.
type Param struct {
	Type     string `json:"type,omitempty"`
	Default  any    `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
	Help     string `json:"help,omitempty"`
	Position int    `json:"position,omitempty"`
}

// Spec maps parameter names to their declarations, as params.declare's
// table does.
type Spec map[string]Param

// Check reports the first mistake in s, as params.declare would.
func (s Spec) Check() error {
	L := scratch()
	defer L.Close()
	_, err := s.parse(L)
	return err
}

// Resolve checks in against s before any script runs, exactly as
// params.declare(s) would in the script: an error is an *exitcode.Error of
// code Usage with a hint listing the parameters. It returns the values by
// declared name (nil for one neither given nor defaulted is left out).
func (s Spec) Resolve(in Input) (map[string]any, error) {
	L := scratch()
	defer L.Close()
	ps, err := s.parse(L)
	if err != nil {
		return nil, err
	}
	t, err := resolve(L, "parameters", ps, in)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, p := range ps {
		if v := t.RawGetString(p.name); v != lua.LNil {
			if out[p.name], err = runtime.FromLua(v); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Positions is how many positional arguments s takes: its highest
// position.
func (s Spec) Positions() int {
	n := 0
	for _, p := range s {
		n = max(n, p.Position)
	}
	return n
}

// Usage lists the parameters the way a usage error's hint does.
func (s Spec) Usage() string {
	L := scratch()
	defer L.Close()
	ps, err := s.parse(L)
	if err != nil {
		return err.Error()
	}
	return hint(ps)
}

// parse is s as params.declare's parameters.
func (s Spec) parse(L *lua.LState) ([]param, error) {
	t := L.NewTable()
	for name, p := range s {
		f := L.NewTable()
		if p.Type != "" {
			f.RawSetString("type", lua.LString(p.Type))
		}
		if p.Default != nil {
			f.RawSetString("default", runtime.ToLua(L, p.Default))
		}
		if p.Required {
			f.RawSetString("required", lua.LTrue)
		}
		if p.Help != "" {
			f.RawSetString("help", lua.LString(p.Help))
		}
		if p.Position != 0 {
			f.RawSetString("position", lua.LNumber(p.Position))
		}
		t.RawSetString(name, f)
	}
	return parseSpec(L, t)
}

// same reports how the parameters a script declared differ from s (a
// bundle's manifest), nil when they agree: a hand-edited manifest must
// not validate one set of parameters while the script reads another.
func (s Spec) same(L *lua.LState, declared []param) error {
	fixed, err := s.parse(L)
	if err != nil {
		return fmt.Errorf("the bundle's manifest: %w", err)
	}
	describe := func(ps []param) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			def := ""
			if p.def != lua.LNil {
				def = runtime.Format(p.def)
			}
			out[i] = fmt.Sprintf("%s{type=%s required=%t default=%s position=%d help=%q}", p.name, p.typ, p.required, def, p.position, p.help)
		}
		return out
	}
	want, got := describe(fixed), describe(declared)
	if slices.Equal(want, got) {
		return nil
	}
	var diff []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			diff = append(diff, "script: "+g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			diff = append(diff, "manifest: "+w)
		}
	}
	return fmt.Errorf("the script declares other parameters than the bundle's manifest (call params.declare() to use the manifest's):\n  %s", strings.Join(diff, "\n  "))
}

// scratch is a bare state for working on a spec outside any script.
func scratch() *lua.LState {
	return lua.NewState(lua.Options{SkipOpenLibs: true})
}

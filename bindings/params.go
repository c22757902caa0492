package bindings

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/internal/exitcode"
)

// ParamError is a parameter the catalog refuses before any request: a
// misspelt name or a value of the wrong type. Its exit code is Usage: the
// script is wrong, not the tenant.
type ParamError struct {
	Cmdlet string
	Param  string
	Msg    string
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s: %s", e.Cmdlet, e.Msg) }

// Unwrap gives the error its exit code.
func (e *ParamError) Unwrap() error { return exitcode.New(exitcode.Usage, "%s", e.Msg) }

// LuaFields are what a script sees in the error value.
func (e *ParamError) LuaFields() map[string]any {
	return map[string]any{"code": "bad_parameter", "cmdlet": e.Cmdlet, "parameter": e.Param}
}

// converted is a cmdlet call's arguments, checked and converted to the
// Go values adminapi encodes (PROTOCOL.md 3.3), plus the module-only
// parameters of Get-EXO* wrappers.
type converted struct {
	params     map[string]any
	clientSide map[string][]string // PropertySets / Properties
}

// convertParams checks every key of t against cmdlet's parameters
// (case-insensitive, aliases allowed, like PowerShell) and converts the
// values by the parameter's kind. Nothing is sent when anything is wrong.
func convertParams(cmdlet *catalog.Cmdlet, service catalog.Service, t *lua.LTable) (converted, error) {
	out := converted{params: map[string]any{}}
	if t == nil {
		return out, nil
	}
	var firstErr error
	t.ForEach(func(k, v lua.LValue) {
		if firstErr != nil {
			return
		}
		name, ok := k.(lua.LString)
		if !ok {
			firstErr = &ParamError{Cmdlet: cmdlet.Name, Msg: fmt.Sprintf("parameters are named (Identity = ...); got a %s key %s", k.Type(), k.String())}
			return
		}
		p, ok := cmdlet.Param(string(name))
		if !ok {
			msg := fmt.Sprintf("unknown parameter %q", string(name))
			if s := cmdlet.Suggest(string(name)); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
			}
			firstErr = &ParamError{Cmdlet: cmdlet.Name, Param: string(name), Msg: msg}
			return
		}
		if !p.Runs(service) {
			firstErr = &ParamError{Cmdlet: cmdlet.Name, Param: p.Name, Msg: fmt.Sprintf("parameter %s does not apply to %s", p.Name, service)}
			return
		}
		if p.ClientSide {
			list, err := stringList(v)
			if err != nil {
				firstErr = &ParamError{Cmdlet: cmdlet.Name, Param: p.Name, Msg: fmt.Sprintf("%s: %v", p.Name, err)}
				return
			}
			if out.clientSide == nil {
				out.clientSide = map[string][]string{}
			}
			out.clientSide[p.Name] = list
			return
		}
		gv, err := convertValue(p, v)
		if err != nil {
			firstErr = &ParamError{Cmdlet: cmdlet.Name, Param: p.Name, Msg: fmt.Sprintf("%s: %v", p.Name, err)}
			return
		}
		if gv != nil {
			out.params[p.Name] = gv
		}
	})
	return out, firstErr
}

// convertValue converts one Lua value by the parameter's kind.
func convertValue(p *catalog.Parameter, v lua.LValue) (any, error) {
	switch k := p.Kind(); k {
	case catalog.KindSwitch, catalog.KindBool:
		b, ok := v.(lua.LBool)
		if !ok {
			return nil, fmt.Errorf("want true or false, got %s", describe(v))
		}
		if k == catalog.KindSwitch && !bool(b) {
			return nil, nil // an absent switch, as in PowerShell
		}
		return bool(b), nil
	case catalog.KindInt:
		return integer(v)
	case catalog.KindUnlimited:
		// A number, "Unlimited", or a quantity text such as "50GB" that
		// the service parses.
		if s, ok := v.(lua.LString); ok {
			if strings.EqualFold(string(s), "Unlimited") {
				return "Unlimited", nil
			}
			return string(s), nil
		}
		if _, ok := v.(lua.LNumber); !ok {
			return nil, fmt.Errorf(`want a number or "Unlimited", got %s`, describe(v))
		}
		return integer(v)
	case catalog.KindDate:
		return date(v)
	case catalog.KindMultiValued:
		return multiValued(v)
	case catalog.KindHashtable:
		t, ok := v.(*lua.LTable)
		if !ok {
			return nil, fmt.Errorf("want a table of named values, got %s", describe(v))
		}
		return hashtable(t)
	case catalog.KindByteArray:
		s, ok := v.(lua.LString)
		if !ok {
			return nil, fmt.Errorf("want a string of bytes (e.g. fs.read of a file), got %s", describe(v))
		}
		return []byte(s), nil
	case catalog.KindSecure:
		return nil, fmt.Errorf("SecureString parameters cannot be sent: the service needs them encrypted with a key only Microsoft's PowerShell module carries")
	case catalog.KindCredential:
		return nil, fmt.Errorf("PSCredential parameters cannot travel over the REST API")
	default:
		return scalar(v)
	}
}

// scalar is a string-like value: identities, enums, addresses, text.
func scalar(v lua.LValue) (any, error) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), nil
	case lua.LNumber:
		if f := float64(x); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
		return float64(x), nil
	case lua.LBool:
		return bool(x), nil
	}
	return nil, fmt.Errorf("want a string, got %s", describe(v))
}

func integer(v lua.LValue) (any, error) {
	switch x := v.(type) {
	case lua.LNumber:
		f := float64(x)
		if f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
			return nil, fmt.Errorf("want a whole number, got %v", f)
		}
		return int64(f), nil
	case lua.LString:
		n, err := strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want a whole number, got %q", string(x))
		}
		return n, nil
	}
	return nil, fmt.Errorf("want a whole number, got %s", describe(v))
}

// dateLayouts are the forms a script may write a date in.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

func date(v lua.LValue) (any, error) {
	s, ok := v.(lua.LString)
	if !ok {
		if n, ok := v.(lua.LNumber); ok { // os.time() value
			return time.Unix(int64(n), 0).UTC(), nil
		}
		return nil, fmt.Errorf("want a date such as \"2026-11-01\" or \"2026-11-01T09:00:00Z\", got %s", describe(v))
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, string(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return nil, fmt.Errorf("want a date such as \"2026-11-01\" or \"2026-11-01T09:00:00Z\", got %q", string(s))
}

// multiValued accepts one value, an array, or an {Add=..., Remove=...}
// table (the hashtable form that changes a multi-valued property).
func multiValued(v lua.LValue) (any, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return scalar(v)
	}
	if t.Len() == 0 && hasStringKeys(t) {
		return hashtable(t)
	}
	var items []any
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		if _, ok := k.(lua.LNumber); !ok {
			err = fmt.Errorf("mixes list items with named keys (%s)", k.String())
			return
		}
		var x any
		if x, err = scalar(v); err != nil {
			return
		}
		items = append(items, x)
	})
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []any{}
	}
	return items, nil
}

func hasStringKeys(t *lua.LTable) bool {
	k, _ := t.Next(lua.LNil)
	_, ok := k.(lua.LString)
	return ok
}

// hashtable converts a table with string keys (nested tables become
// nested hashtables, arrays lists).
func hashtable(t *lua.LTable) (map[string]any, error) {
	m := map[string]any{}
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		key, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("want named keys, got %s", k.String())
			return
		}
		var x any
		if sub, ok := v.(*lua.LTable); ok {
			if hasStringKeys(sub) {
				x, err = hashtable(sub)
			} else {
				x, err = multiValued(sub)
			}
		} else {
			x, err = scalar(v)
		}
		m[string(key)] = x
	})
	return m, err
}

// stringList reads a string or an array of strings.
func stringList(v lua.LValue) ([]string, error) {
	if s, ok := v.(lua.LString); ok {
		return []string{string(s)}, nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("want a name or a list of names, got %s", describe(v))
	}
	var out []string
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("item %d: want a string", i)
		}
		out = append(out, string(s))
	}
	return out, nil
}

func describe(v lua.LValue) string {
	switch v.Type() {
	case lua.LTString:
		return fmt.Sprintf("string %q", v.String())
	case lua.LTNumber:
		return "number " + v.String()
	case lua.LTBool:
		return "boolean " + v.String()
	}
	return "a " + v.Type().String()
}

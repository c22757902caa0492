package params

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
)

// module is one state's "params" table.
type module struct {
	in Input
}

// param is one declared parameter.
type param struct {
	name     string // as declared
	typ      string
	def      lua.LValue // LNil when there is no default
	required bool
	help     string
	position int // 1-based; 0 when the parameter is named only
}

// types are the parameter types, in the order messages list them.
var types = []string{"string", "number", "integer", "boolean", "list"}

// fields are the keys a parameter's table may hold.
var fields = []string{"type", "default", "required", "help", "position"}

// maxExact is the largest integer a Lua number holds exactly.
const maxExact = 1 << 53

// raise raises err in L; it does not return.
func raise(L *lua.LState, err error) { runtime.Raise(L, err) }

func (m *module) declare(L *lua.LState) int {
	const fn = "params.declare"
	var ps []param
	var err error
	switch spec := L.Get(1).(type) {
	case *lua.LTable:
		ps, err = parseSpec(L, spec)
	case *lua.LNilType:
		if m.in.Fixed == nil {
			err = fmt.Errorf("spec must be a table of name = {type = ...}; only a bundle, whose manifest declares the parameters, may call params.declare()")
			break
		}
		ps, err = m.in.Fixed.parse(L)
	default:
		err = fmt.Errorf("spec must be a table of name = {type = ...}, not %s", L.Get(1).Type())
	}
	if err != nil {
		raise(L, fmt.Errorf("%s: %w", fn, err))
	}
	if m.in.Declared != nil {
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = p.name
		}
		m.in.Declared(names)
	}
	if m.in.Fixed != nil {
		if err := m.in.Fixed.same(L, ps); err != nil {
			raise(L, fmt.Errorf("%s: %w", fn, err))
		}
	}
	result, err := resolve(L, fn, ps, m.in)
	if err != nil {
		raise(L, err)
	}
	L.Push(result)
	return 1
}

// resolve checks in against the declared parameters and returns their
// values; a mistake of the user's is an *exitcode.Error of code Usage
// naming fn, with a hint that lists the parameters.
func resolve(L *lua.LState, fn string, ps []param, in Input) (*lua.LTable, error) {
	usage := func(format string, args ...any) error {
		e := exitcode.New(exitcode.Usage, fn+": "+format, args...)
		return e.WithHint(hint(ps))
	}
	byLower := make(map[string]*param, len(ps))
	for i := range ps {
		byLower[strings.ToLower(ps[i].name)] = &ps[i]
	}
	given := make(map[string]string, len(in.Named)) // lower-case name -> value
	for _, key := range sortedKeys(in.Named) {
		lower := strings.ToLower(key)
		if p := byLower[lower]; p == nil {
			return nil, usage("%s", unknown(key, ps))
		}
		if _, dup := given[lower]; dup {
			return nil, usage("parameter %q given twice (as %s)", byLower[lower].name, spellings(in.Named, lower))
		}
		given[lower] = in.Named[key]
	}

	result := L.NewTable()
	for i := range ps {
		p := &ps[i]
		raw, ok := given[strings.ToLower(p.name)]
		from := ""
		if !ok && p.position > 0 && p.position <= len(in.Args) {
			raw, ok = in.Args[p.position-1], true
			from = fmt.Sprintf(" (argument %d)", p.position)
		}
		switch {
		case ok:
			v, err := convert(L, p.typ, raw)
			if err != nil {
				return nil, usage("parameter %q%s: %v", p.name, from, err)
			}
			result.RawSetString(p.name, v)
		case p.def != lua.LNil:
			result.RawSetString(p.name, copyValue(L, p.def))
		case p.required:
			how := fmt.Sprintf("give --param %s=VALUE", p.name)
			if p.position > 0 {
				how += fmt.Sprintf(" or pass it as argument %d", p.position)
			}
			return nil, usage("missing required parameter %q (%s)", p.name, how)
		}
	}
	return result, nil
}

func (m *module) args(L *lua.LState) int {
	L.Push(runtime.ToLua(L, slices.Clone(m.in.Args)))
	return 1
}

func (m *module) get(L *lua.LState) int {
	const fn = "params.get"
	name, ok := L.Get(1).(lua.LString)
	if !ok {
		raise(L, fmt.Errorf("%s: name must be a string, not %s", fn, L.Get(1).Type()))
	}
	if v, ok := m.in.Named[string(name)]; ok {
		L.Push(lua.LString(v))
		return 1
	}
	lower := strings.ToLower(string(name))
	var found []string
	for _, key := range sortedKeys(m.in.Named) {
		if strings.ToLower(key) == lower {
			found = append(found, key)
		}
	}
	switch len(found) {
	case 0:
		L.Push(lua.LNil)
	case 1:
		L.Push(lua.LString(m.in.Named[found[0]]))
	default:
		raise(L, exitcode.New(exitcode.Usage, "%s: parameter %q given twice (as %s)", fn, string(name), spellings(m.in.Named, lower)))
	}
	return 1
}

// parseSpec checks a declare spec and returns its parameters sorted by
// name. Its errors are the script's mistakes, not the user's.
func parseSpec(L *lua.LState, spec *lua.LTable) ([]param, error) {
	var ps []param
	var err error
	spec.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		name, ok := k.(lua.LString)
		if !ok || name == "" || strings.ContainsAny(string(name), "= \t\n") {
			err = fmt.Errorf("parameter names must be non-empty strings without spaces or \"=\", not %s", runtime.Format(k))
			return
		}
		var p param
		p, err = parseParam(L, string(name), v)
		ps = append(ps, p)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ps, func(a, b param) int {
		if c := strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	for i := 1; i < len(ps); i++ {
		if strings.EqualFold(ps[i-1].name, ps[i].name) {
			return nil, fmt.Errorf("parameters %q and %q differ only in case; names match case-insensitively", ps[i-1].name, ps[i].name)
		}
	}
	positions := map[int]string{}
	for _, p := range ps {
		if p.position == 0 {
			continue
		}
		if other, ok := positions[p.position]; ok {
			return nil, fmt.Errorf("parameters %q and %q both take position %d", other, p.name, p.position)
		}
		positions[p.position] = p.name
	}
	return ps, nil
}

// parseParam reads one parameter's declaration: a table of fields or a
// type name.
func parseParam(L *lua.LState, name string, v lua.LValue) (param, error) {
	p := param{name: name, typ: "string", def: lua.LNil}
	bad := func(format string, args ...any) (param, error) {
		return p, fmt.Errorf("parameter %q: %s", name, fmt.Sprintf(format, args...))
	}
	var t *lua.LTable
	switch x := v.(type) {
	case lua.LString:
		t = L.NewTable()
		t.RawSetString("type", x)
	case *lua.LTable:
		t = x
	default:
		return bad("declare it with a table such as {type = \"string\"} or a type name, not %s", v.Type())
	}
	var unknownField string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); !ok || !slices.Contains(fields, string(s)) {
			if unknownField == "" || k.String() < unknownField {
				unknownField = k.String()
			}
		}
	})
	if unknownField != "" {
		return bad("unknown field %q (fields: %s)", unknownField, strings.Join(fields, ", "))
	}
	switch typ := t.RawGetString("type").(type) {
	case *lua.LNilType:
	case lua.LString:
		p.typ = strings.ToLower(string(typ))
		if !slices.Contains(types, p.typ) {
			return bad("unknown type %q (types: %s)", string(typ), strings.Join(types, ", "))
		}
	default:
		return bad("type must be a string (%s), not %s", strings.Join(types, ", "), typ.Type())
	}
	switch req := t.RawGetString("required").(type) {
	case *lua.LNilType:
	case lua.LBool:
		p.required = bool(req)
	default:
		return bad("required must be true or false, not %s", req.Type())
	}
	switch help := t.RawGetString("help").(type) {
	case *lua.LNilType:
	case lua.LString:
		p.help = string(help)
	default:
		return bad("help must be a string, not %s", help.Type())
	}
	switch pos := t.RawGetString("position").(type) {
	case *lua.LNilType:
	case lua.LNumber:
		if f := float64(pos); f != math.Trunc(f) || f < 1 || f > 1000 {
			return bad("position must be a whole number from 1 (the first argument), not %v", pos)
		}
		p.position = int(pos)
	default:
		return bad("position must be a number, not %s", pos.Type())
	}
	if def := t.RawGetString("default"); def != lua.LNil {
		if p.required {
			return bad("required and default do not go together; drop one")
		}
		d, err := checkDefault(L, p.typ, def)
		if err != nil {
			return bad("default: %v", err)
		}
		p.def = d
	}
	return p, nil
}

// checkDefault returns def as a value of type typ: a value of that type
// as is, or a string converted like command-line input.
func checkDefault(L *lua.LState, typ string, def lua.LValue) (lua.LValue, error) {
	if s, ok := def.(lua.LString); ok {
		return convert(L, typ, string(s))
	}
	switch typ {
	case "number":
		if _, ok := def.(lua.LNumber); ok {
			return def, nil
		}
	case "integer":
		if n, ok := def.(lua.LNumber); ok {
			if f := float64(n); f != math.Trunc(f) || math.Abs(f) > maxExact {
				return nil, fmt.Errorf("%v is not an integer", n)
			}
			return def, nil
		}
	case "boolean":
		if _, ok := def.(lua.LBool); ok {
			return def, nil
		}
	case "list":
		if t, ok := def.(*lua.LTable); ok {
			items := make([]string, 0, t.Len())
			for i := 1; i <= t.Len(); i++ {
				s, ok := t.RawGetInt(i).(lua.LString)
				if !ok {
					return nil, fmt.Errorf("list item %d must be a string, not %s", i, t.RawGetInt(i).Type())
				}
				items = append(items, string(s))
			}
			return runtime.ToLua(L, items), nil
		}
	}
	return nil, fmt.Errorf("must be a %s, not %s", typ, def.Type())
}

// copyValue returns a fresh copy of a default: list tables are copied so
// one declare's result cannot change another's.
func copyValue(L *lua.LState, v lua.LValue) lua.LValue {
	t, ok := v.(*lua.LTable)
	if !ok {
		return v
	}
	c := runtime.NewArray(L, t.Len())
	for i := 1; i <= t.Len(); i++ {
		c.Append(t.RawGetInt(i))
	}
	return c
}

// convert reads raw command-line text as a value of type typ.
func convert(L *lua.LState, typ, raw string) (lua.LValue, error) {
	s := strings.TrimSpace(raw)
	switch typ {
	case "number":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a number", raw)
		}
		return lua.LNumber(f), nil
	case "integer":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) <= maxExact {
				return lua.LNumber(f), nil // "1e3", "30.0"
			}
			return nil, fmt.Errorf("%q is not an integer", raw)
		}
		if n > maxExact || n < -maxExact {
			return nil, fmt.Errorf("%q is out of range (at most 2^53 either side of zero)", raw)
		}
		return lua.LNumber(n), nil
	case "boolean":
		switch strings.ToLower(s) {
		case "true", "yes", "on", "1", "$true":
			return lua.LTrue, nil
		case "false", "no", "off", "0", "$false":
			return lua.LFalse, nil
		}
		return nil, fmt.Errorf("%q is not a boolean (use true or false)", raw)
	case "list":
		items := []string{}
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		return runtime.ToLua(L, items), nil
	}
	return lua.LString(raw), nil
}

// unknown describes an undeclared --param, suggesting the closest
// declared name.
func unknown(key string, ps []param) string {
	if len(ps) == 0 {
		return fmt.Sprintf("unknown parameter %q (this script declares no parameters)", key)
	}
	names := make([]string, len(ps))
	best, bestDist := "", math.MaxInt
	for i, p := range ps {
		names[i] = p.name
		if d := distance(strings.ToLower(key), strings.ToLower(p.name)); d < bestDist {
			best, bestDist = p.name, d
		}
	}
	msg := fmt.Sprintf("unknown parameter %q (declared: %s)", key, strings.Join(names, ", "))
	if n := len([]rune(key)); bestDist <= max(2, n/3) && bestDist < n {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return msg
}

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each cost 1,
// so "dyas" is 1 from "days".
func distance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}

// hint lists the declared parameters for a usage error.
func hint(ps []param) string {
	if len(ps) == 0 {
		return "this script declares no parameters"
	}
	var b strings.Builder
	b.WriteString("parameters of this script:")
	width := 0
	flags := make([]string, len(ps))
	for i, p := range ps {
		flags[i] = fmt.Sprintf("--param %s=%s", p.name, strings.ToUpper(p.typ))
		width = max(width, len(flags[i]))
	}
	for i, p := range ps {
		var notes []string
		if p.required {
			notes = append(notes, "required")
		}
		if p.def != lua.LNil {
			notes = append(notes, "default "+runtime.Text(p.def))
		}
		if p.position > 0 {
			notes = append(notes, fmt.Sprintf("or argument %d", p.position))
		}
		line := p.help
		if len(notes) > 0 {
			if line != "" {
				line += " "
			}
			line += "(" + strings.Join(notes, "; ") + ")"
		}
		b.WriteString("\n" + strings.TrimRight(fmt.Sprintf("  %-*s  %s", width, flags[i], line), " "))
	}
	return b.String()
}

// spellings lists the keys of named equal to lower in any case, as
// "--param Days and --param days".
func spellings(named map[string]string, lower string) string {
	var out []string
	for _, k := range sortedKeys(named) {
		if strings.ToLower(k) == lower {
			out = append(out, "--param "+k)
		}
	}
	return strings.Join(out, " and ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

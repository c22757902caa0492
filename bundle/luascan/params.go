package luascan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/gopher-lua/ast"
)

// specOf reads params.declare's table constructor; reason says why it is
// not made of literals, and is empty when spec is complete.
func specOf(t *ast.TableExpr) (spec map[string]map[string]any, reason string) {
	spec = map[string]map[string]any{}
	for _, f := range t.Fields {
		name, ok := f.Key.(*ast.StringExpr)
		if !ok {
			return nil, "an entry has no constant name (name = {...})"
		}
		switch v := f.Value.(type) {
		case *ast.StringExpr:
			spec[name.Value] = map[string]any{"type": v.Value}
		case *ast.NilExpr:
			delete(spec, name.Value)
		case *ast.TableExpr:
			p, reason := paramOf(v)
			if reason != "" {
				return nil, fmt.Sprintf("parameter %q: %s", name.Value, reason)
			}
			spec[name.Value] = p
		default:
			return nil, fmt.Sprintf("parameter %q: not a table constructor or a type name", name.Value)
		}
	}
	return spec, ""
}

// paramOf reads one parameter's table constructor.
func paramOf(t *ast.TableExpr) (map[string]any, string) {
	p := map[string]any{}
	for _, f := range t.Fields {
		key, ok := f.Key.(*ast.StringExpr)
		if !ok {
			return nil, "a field has no constant name (type = ...)"
		}
		if _, isNil := f.Value.(*ast.NilExpr); isNil {
			delete(p, key.Value)
			continue
		}
		v, reason := literal(f.Value, true)
		if reason != "" {
			return nil, key.Value + " " + reason
		}
		p[key.Value] = v
	}
	return p, ""
}

// literal is a constant expression's value: string, float64, bool, or
// (when list is true) []any for a list constructor of those.
func literal(e ast.Expr, list bool) (any, string) {
	switch e := e.(type) {
	case *ast.StringExpr:
		return e.Value, ""
	case *ast.TrueExpr:
		return true, ""
	case *ast.FalseExpr:
		return false, ""
	case *ast.NumberExpr:
		f, err := number(e.Value)
		if err != nil {
			return nil, fmt.Sprintf("is a malformed number (%s)", e.Value)
		}
		return f, ""
	case *ast.UnaryMinusOpExpr:
		v, reason := literal(e.Expr, false)
		if f, ok := v.(float64); ok && reason == "" {
			return -f, ""
		}
		return nil, "is not a literal"
	case *ast.TableExpr:
		if !list {
			return nil, "is not a literal (a table inside a list)"
		}
		items := make([]any, 0, len(e.Fields))
		for _, f := range e.Fields {
			if f.Key != nil {
				return nil, "is a table with keys, not a list such as {\"a\", \"b\"}"
			}
			if _, isNil := f.Value.(*ast.NilExpr); isNil {
				return nil, "is a list with nil in it"
			}
			v, reason := literal(f.Value, false)
			if reason != "" {
				return nil, reason
			}
			items = append(items, v)
		}
		return items, ""
	}
	return nil, "is not a literal"
}

// number reads a number token as gopher-lua does (parseNumber): an
// integer in any base Go's ParseInt takes (the lexer gives decimal or
// 0x), else a float.
func number(s string) (float64, error) {
	s = strings.Trim(s, " \t\n")
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(n), nil
	}
	return strconv.ParseFloat(s, 64)
}

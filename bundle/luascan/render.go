package luascan

import (
	"strconv"

	"github.com/yuin/gopher-lua/ast"
)

// render writes an expression back as Lua source for Via: names, keys,
// strings and operators as written; call arguments, table constructors
// and function bodies abbreviated.
func render(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.IdentExpr:
		return e.Value
	case *ast.StringExpr:
		return strconv.Quote(e.Value)
	case *ast.NumberExpr:
		return e.Value
	case *ast.NilExpr:
		return "nil"
	case *ast.TrueExpr:
		return "true"
	case *ast.FalseExpr:
		return "false"
	case *ast.Comma3Expr:
		return "..."
	case *ast.AttrGetExpr:
		if k, ok := e.Key.(*ast.StringExpr); ok {
			return accessor(e.Object, k.Value, false)
		}
		return prefix(e.Object) + "[" + render(e.Key) + "]"
	case *ast.FuncCallExpr:
		callee := ""
		if e.Receiver != nil {
			callee = prefix(e.Receiver) + ":" + e.Method
		} else {
			callee = prefix(e.Func)
		}
		switch {
		case len(e.Args) == 0:
			return callee + "()"
		case len(e.Args) == 1:
			switch e.Args[0].(type) {
			case *ast.TableExpr:
				return callee + "{...}"
			case *ast.StringExpr:
				return callee + "(" + render(e.Args[0]) + ")"
			}
		}
		return callee + "(...)"
	case *ast.TableExpr:
		if len(e.Fields) == 0 {
			return "{}"
		}
		return "{...}"
	case *ast.FunctionExpr:
		return "function(...) ... end"
	case *ast.LogicalOpExpr:
		return operand(e.Lhs) + " " + e.Operator + " " + operand(e.Rhs)
	case *ast.RelationalOpExpr:
		return operand(e.Lhs) + " " + e.Operator + " " + operand(e.Rhs)
	case *ast.StringConcatOpExpr:
		rhs := operand(e.Rhs)
		if _, ok := e.Rhs.(*ast.StringConcatOpExpr); ok {
			rhs = render(e.Rhs) // .. is right associative
		}
		return operand(e.Lhs) + " .. " + rhs
	case *ast.ArithmeticOpExpr:
		return operand(e.Lhs) + " " + e.Operator + " " + operand(e.Rhs)
	case *ast.UnaryMinusOpExpr:
		return "-" + operand(e.Expr)
	case *ast.UnaryNotOpExpr:
		return "not " + operand(e.Expr)
	case *ast.UnaryLenOpExpr:
		return "#" + operand(e.Expr)
	}
	return "..."
}

// accessor renders object.key, object:key (colon) or object["key"] when
// key is no Lua name.
func accessor(object ast.Expr, key string, colon bool) string {
	switch {
	case colon:
		return prefix(object) + ":" + key
	case isName(key):
		return prefix(object) + "." + key
	}
	return prefix(object) + "[" + strconv.Quote(key) + "]"
}

// prefix renders e where Lua wants a prefix expression (before '.', '['
// or a call): in parentheses unless it is a name, a field or a call.
func prefix(e ast.Expr) string {
	switch e.(type) {
	case *ast.IdentExpr, *ast.AttrGetExpr, *ast.FuncCallExpr:
		return render(e)
	}
	return "(" + render(e) + ")"
}

// operand renders e as an operator's operand: operators in parentheses,
// since the tree no longer says which were written.
func operand(e ast.Expr) string {
	switch e.(type) {
	case *ast.LogicalOpExpr, *ast.RelationalOpExpr, *ast.StringConcatOpExpr, *ast.ArithmeticOpExpr:
		return "(" + render(e) + ")"
	}
	return render(e)
}

// keywords are Lua 5.1's reserved words, which are no names.
var keywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "if": true, "in": true, "local": true,
	"nil": true, "not": true, "or": true, "repeat": true, "return": true, "then": true,
	"true": true, "until": true, "while": true, "goto": true,
}

// isName reports whether s may follow a '.' in Lua.
func isName(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

package luascan

import (
	"github.com/yuin/gopher-lua/ast"
)

// Unknown is what inspect hands its callback for a node it has no case
// for (a kind a newer gopher-lua added): its children go unseen, so a
// scan reports it rather than miss a call inside.
type Unknown struct{ Node any }

func inspectStmts(list []ast.Stmt, f func(any) bool) {
	for _, s := range list {
		inspect(s, f)
	}
}

func inspectExprs(list []ast.Expr, f func(any) bool) {
	for _, e := range list {
		inspect(e, f)
	}
}

// inspect is go/ast.Inspect for gopher-lua: it calls f with n (an
// ast.Stmt or ast.Expr) and, when f returns true, with each of n's
// statements and expressions in source order, depth first. It has a case
// for every node kind of gopher-lua's ast package.
func inspect(n any, f func(any) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	// Statements.
	case *ast.AssignStmt:
		inspectExprs(n.Lhs, f)
		inspectExprs(n.Rhs, f)
	case *ast.LocalAssignStmt:
		inspectExprs(n.Exprs, f)
	case *ast.FuncCallStmt:
		inspect(n.Expr, f)
	case *ast.DoBlockStmt:
		inspectStmts(n.Stmts, f)
	case *ast.WhileStmt:
		inspect(n.Condition, f)
		inspectStmts(n.Stmts, f)
	case *ast.RepeatStmt:
		inspectStmts(n.Stmts, f)
		inspect(n.Condition, f)
	case *ast.IfStmt:
		inspect(n.Condition, f)
		inspectStmts(n.Then, f)
		inspectStmts(n.Else, f)
	case *ast.NumberForStmt:
		inspect(n.Init, f)
		inspect(n.Limit, f)
		inspect(n.Step, f)
		inspectStmts(n.Stmts, f)
	case *ast.GenericForStmt:
		inspectExprs(n.Exprs, f)
		inspectStmts(n.Stmts, f)
	case *ast.FuncDefStmt:
		if n.Name != nil {
			inspect(n.Name.Func, f)
			inspect(n.Name.Receiver, f)
		}
		inspect(n.Func, f)
	case *ast.ReturnStmt:
		inspectExprs(n.Exprs, f)
	case *ast.BreakStmt, *ast.LabelStmt, *ast.GotoStmt:

	// Expressions.
	case *ast.TrueExpr, *ast.FalseExpr, *ast.NilExpr, *ast.NumberExpr, *ast.StringExpr,
		*ast.Comma3Expr, *ast.IdentExpr:
	case *ast.AttrGetExpr:
		inspect(n.Object, f)
		inspect(n.Key, f)
	case *ast.TableExpr:
		for _, field := range n.Fields {
			inspect(field.Key, f)
			inspect(field.Value, f)
		}
	case *ast.FuncCallExpr:
		inspect(n.Func, f)
		inspect(n.Receiver, f)
		inspectExprs(n.Args, f)
	case *ast.LogicalOpExpr:
		inspect(n.Lhs, f)
		inspect(n.Rhs, f)
	case *ast.RelationalOpExpr:
		inspect(n.Lhs, f)
		inspect(n.Rhs, f)
	case *ast.StringConcatOpExpr:
		inspect(n.Lhs, f)
		inspect(n.Rhs, f)
	case *ast.ArithmeticOpExpr:
		inspect(n.Lhs, f)
		inspect(n.Rhs, f)
	case *ast.UnaryMinusOpExpr:
		inspect(n.Expr, f)
	case *ast.UnaryNotOpExpr:
		inspect(n.Expr, f)
	case *ast.UnaryLenOpExpr:
		inspect(n.Expr, f)
	case *ast.FunctionExpr:
		inspectStmts(n.Stmts, f)
	default:
		f(Unknown{n})
	}
}

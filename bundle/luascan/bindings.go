package luascan

import (
	"github.com/yuin/gopher-lua/ast"
)

// The names that hold a session, and the params module, in every file
// whatever they are assigned: the documented conventions.
const (
	sessionDefault = "exo"
	paramsDefault  = "params"
)

// fileInfo is what the first pass learns about one file: which names it
// binds to connect() and require("params"), which names it declares
// local, and which fields it writes on plain names.
type fileInfo struct {
	name  string
	chunk []ast.Stmt
	// sessions and params map a name bound to connect(...) or
	// require("params") to true when one such binding is a plain
	// assignment (a global unless declared local), false when every
	// binding is a local declaration.
	sessions map[string]bool
	params   map[string]bool
	// locals are the names the file declares local anywhere: local
	// statements, local functions, function parameters, loop variables.
	locals map[string]bool
	writes []fieldWrite
}

// fieldWrite is name.field = ..., function name.field() or
// function name:field().
type fieldWrite struct{ object, field string }

func newFileInfo(name string, chunk []ast.Stmt) *fileInfo {
	return &fileInfo{name: name, chunk: chunk, sessions: map[string]bool{}, params: map[string]bool{}, locals: map[string]bool{}}
}

// collect is the first pass over the whole file.
func (fi *fileInfo) collect() {
	inspectStmts(fi.chunk, func(n any) bool {
		switch n := n.(type) {
		case *ast.LocalAssignStmt:
			for i, name := range n.Names {
				fi.locals[name] = true
				if i < len(n.Exprs) {
					fi.bind(name, n.Exprs[i], false)
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				switch l := lhs.(type) {
				case *ast.IdentExpr:
					if i < len(n.Rhs) {
						fi.bind(l.Value, n.Rhs[i], true)
					}
				case *ast.AttrGetExpr:
					fi.write(l.Object, l.Key)
				}
			}
		case *ast.FuncDefStmt:
			if n.Name.Receiver != nil {
				if id, ok := n.Name.Receiver.(*ast.IdentExpr); ok {
					fi.writes = append(fi.writes, fieldWrite{id.Value, n.Name.Method})
				}
			} else if a, ok := n.Name.Func.(*ast.AttrGetExpr); ok {
				fi.write(a.Object, a.Key)
			}
		case *ast.FunctionExpr:
			if n.ParList != nil {
				for _, name := range n.ParList.Names {
					fi.locals[name] = true
				}
			}
		case *ast.NumberForStmt:
			fi.locals[n.Name] = true
		case *ast.GenericForStmt:
			for _, name := range n.Names {
				fi.locals[name] = true
			}
		}
		return true
	})
}

func (fi *fileInfo) write(object, key ast.Expr) {
	id, ok := object.(*ast.IdentExpr)
	k, isString := key.(*ast.StringExpr)
	if ok && isString {
		fi.writes = append(fi.writes, fieldWrite{id.Value, k.Value})
	}
}

// bind notes name = e when e is connect(...) or require("params").
func (fi *fileInfo) bind(name string, e ast.Expr, plain bool) {
	switch {
	case isConnect(e):
		fi.sessions[name] = fi.sessions[name] || plain
	case isRequireParams(e):
		fi.params[name] = fi.params[name] || plain
	}
}

// exported adds to globals the names of bound that the file assigns
// plainly and never declares local.
func (fi *fileInfo) exported(bound, globals map[string]bool) {
	for name, plain := range bound {
		if plain && !fi.locals[name] {
			globals[name] = true
		}
	}
}

// visible is the set of names that hold the thing in this file: the
// conventional name, the file's own bindings, and other files' globals
// the file does not shadow with a local of the same name.
func (fi *fileInfo) visible(conventional string, bound, globals map[string]bool) map[string]bool {
	out := map[string]bool{conventional: true}
	for name := range bound {
		out[name] = true
	}
	for name := range globals {
		if !fi.locals[name] {
			out[name] = true
		}
	}
	return out
}

// isConnect reports connect(...) and connect{...}.
func isConnect(e ast.Expr) bool {
	c, ok := e.(*ast.FuncCallExpr)
	if !ok || c.Receiver != nil {
		return false
	}
	id, ok := c.Func.(*ast.IdentExpr)
	return ok && id.Value == "connect"
}

// requireName returns the module of require("x"), require "x" or
// require'x'; call reports whether e is a call of require at all.
func requireName(e ast.Expr) (module string, constant, call bool) {
	c, ok := e.(*ast.FuncCallExpr)
	if !ok || c.Receiver != nil {
		return "", false, false
	}
	if id, ok := c.Func.(*ast.IdentExpr); !ok || id.Value != "require" {
		return "", false, false
	}
	if len(c.Args) > 0 {
		if s, ok := c.Args[0].(*ast.StringExpr); ok {
			return s.Value, true, true
		}
	}
	return "", false, true
}

func isRequireParams(e ast.Expr) bool {
	m, constant, _ := requireName(e)
	return constant && m == "params"
}

package luascan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/yuin/gopher-lua/ast"

	"github.com/exorun/exorun/catalog"
)

// methods are the exo table's fields that are not cmdlets (session.go).
var methods = map[string]bool{
	"invoke": true, "cmdlets": true, "whoami": true, "stats": true, "parallel": true, "what_if": true,
}

// scanner is the second pass over one file.
type scanner struct {
	file     string
	sessions map[string]bool // names that hold a session here
	params   map[string]bool // names that hold the params module here
	fields   map[string]bool // fields scripts write on a session
	res      *Result
}

func (s *scanner) site(line int) Site { return Site{File: s.file, Line: line} }

func (s *scanner) stmts(list []ast.Stmt) { inspectStmts(list, s.visit) }

func (s *scanner) expr(e ast.Expr) { inspect(e, s.visit) }

func (s *scanner) exprs(list []ast.Expr) {
	for _, e := range list {
		s.expr(e)
	}
}

// isSession reports whether e holds a session: a session name or a
// connect(...) call.
func (s *scanner) isSession(e ast.Expr) bool {
	if id, ok := e.(*ast.IdentExpr); ok {
		return s.sessions[id.Value]
	}
	return isConnect(e)
}

func (s *scanner) isParams(e ast.Expr) bool {
	if id, ok := e.(*ast.IdentExpr); ok {
		return s.params[id.Value]
	}
	return isRequireParams(e)
}

// visit is the inspect callback. Nodes it handles itself it walks by
// hand and answers false.
func (s *scanner) visit(n any) bool {
	switch n := n.(type) {
	case Unknown:
		line := 0
		if p, ok := n.Node.(ast.PositionHolder); ok {
			line = p.Line()
		}
		s.res.Problems = append(s.res.Problems, Problem{Site: s.site(line),
			Message: fmt.Sprintf("a Lua form this exorun cannot analyse (%T); it cannot say which cmdlets are called inside", n.Node)})
		return false
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			s.target(lhs)
		}
		s.exprs(n.Rhs)
		return false
	case *ast.FuncDefStmt:
		if n.Name == nil {
			break
		}
		if n.Name.Receiver != nil {
			// function recv:method(): recv is read, method written.
			s.expr(n.Name.Receiver)
		} else {
			s.target(n.Name.Func)
		}
		s.expr(n.Func)
		return false
	case *ast.AttrGetExpr:
		if s.isSession(n.Object) {
			s.member(n.Object, n.Key, false, false)
			return false
		}
	case *ast.FuncCallExpr:
		return s.call(n)
	}
	return true
}

// target walks the left side of an assignment: writing a session's
// field (exo.what_if = true) is no call, though what the key and the
// object are computed from is read.
func (s *scanner) target(e ast.Expr) {
	if a, ok := e.(*ast.AttrGetExpr); ok {
		s.expr(a.Object)
		s.expr(a.Key)
		return
	}
	s.expr(e)
}

// call handles calls of sessions, require and params.declare.
func (s *scanner) call(n *ast.FuncCallExpr) bool {
	// require("x")
	if m, constant, ok := requireName(n); ok {
		switch {
		case constant:
			s.res.Requires = append(s.res.Requires, Require{Module: m, Site: s.site(n.Line())})
		case len(n.Args) == 0:
			s.problem(n.Line(), "require(): the module's name is missing")
		default:
			s.res.RequiresDynamic = append(s.res.RequiresDynamic, s.site(n.Line()))
		}
		s.exprs(n.Args)
		return false
	}

	if isConnect(n) {
		s.connect(n)
		s.exprs(n.Args)
		return false
	}

	// pcall(exo.invoke, "X", ...), pcall(exo.parallel, "X", ...)
	if id, ok := n.Func.(*ast.IdentExpr); ok && n.Receiver == nil && id.Value == "pcall" && len(n.Args) > 0 {
		if a, ok := n.Args[0].(*ast.AttrGetExpr); ok && s.isSession(a.Object) {
			if k, ok := a.Key.(*ast.StringExpr); ok && (k.Value == "invoke" || k.Value == "parallel") {
				s.expr(a.Object)
				s.named(k.Value, "pcall("+render(n.Args[0])+", ", ")", n.Args[1:], n.Line())
				return false
			}
		}
	}

	// recv.key(args) or recv:key(args)
	var recv, key ast.Expr
	colon := false
	switch {
	case n.Receiver != nil:
		recv, colon = n.Receiver, true
		k := &ast.StringExpr{Value: n.Method}
		k.SetLine(n.Line())
		key = k
	default:
		a, ok := n.Func.(*ast.AttrGetExpr)
		if !ok {
			return true
		}
		recv, key = a.Object, a.Key
	}
	k, constant := key.(*ast.StringExpr)
	switch {
	case s.isSession(recv):
		if constant && (k.Value == "invoke" || k.Value == "parallel") {
			s.expr(recv)
			s.named(k.Value, accessor(recv, k.Value, colon)+"(", ")", n.Args, k.Line())
			return false
		}
		s.member(recv, key, colon, true)
	case s.isParams(recv) && constant && k.Value == "declare":
		s.expr(recv)
		s.declare(n)
		s.exprs(n.Args)
		return false
	default:
		return true
	}
	s.exprs(n.Args)
	return false
}

// member handles recv.key (or recv:key, colon) of a session, read or
// called.
func (s *scanner) member(recv, key ast.Expr, colon, called bool) {
	s.expr(recv)
	k, ok := key.(*ast.StringExpr)
	if !ok {
		s.dynamic(key.Line(), render(recv)+"["+render(key)+"]")
		s.expr(key)
		return
	}
	via := accessor(recv, k.Value, colon)
	if methods[k.Value] {
		if !called && (k.Value == "invoke" || k.Value == "parallel") {
			// Passed on as a value: its calls cannot be seen.
			s.dynamic(k.Line(), via)
		}
		return
	}
	if c, ok := lookupKey(k.Value); ok {
		s.res.Calls = append(s.res.Calls, Call{Cmdlet: c.Name, Known: true, Site: s.site(k.Line()), Via: via})
		return
	}
	if s.fields[k.Value] {
		return // the script's own field
	}
	s.problem(k.Line(), unknownMember(via, k.Value))
}

// named handles invoke and parallel, whose first argument names the
// cmdlet: via is written prefix + name + suffix.
func (s *scanner) named(method, prefix, suffix string, args []ast.Expr, line int) {
	defer s.exprs(args)
	if len(args) == 0 {
		s.problem(line, strings.TrimSuffix(prefix, ", ")+suffix+": the cmdlet's name is missing")
		return
	}
	name, ok := args[0].(*ast.StringExpr)
	if !ok {
		s.dynamic(args[0].Line(), prefix+render(args[0])+suffix)
		return
	}
	via := prefix + render(name) + suffix
	site := s.site(name.Line())
	if method == "invoke" {
		// invoke looks the name up as a cmdlet name and sends any
		// other as it is.
		if c, ok := catalog.Lookup(name.Value); ok {
			s.res.Calls = append(s.res.Calls, Call{Cmdlet: c.Name, Known: true, Site: site, Via: via})
			return
		}
		if !strings.Contains(name.Value, "-") {
			s.problem(name.Line(), via+": "+invokeSnake(name.Value))
			return
		}
		s.res.Calls = append(s.res.Calls, Call{Cmdlet: name.Value, Site: site, Via: via})
		return
	}
	// parallel resolves its name as exo[name] does.
	if c, ok := lookupKey(name.Value); ok {
		s.res.Calls = append(s.res.Calls, Call{Cmdlet: c.Name, Known: true, Site: site, Via: via})
		return
	}
	msg := fmt.Sprintf("%s: %q is not a cmdlet", via, name.Value)
	if hint := suggestCmdlet(name.Value); hint != "" {
		msg += "; " + hint
	} else {
		msg += "; exo.parallel runs only cmdlets the catalog knows"
	}
	s.problem(name.Line(), msg)
}

// declare records a params.declare call.
func (s *scanner) declare(n *ast.FuncCallExpr) {
	d := ParamsDecl{Site: s.site(n.Line())}
	var arg ast.Expr
	if len(n.Args) > 0 {
		arg = n.Args[0]
	}
	switch a := arg.(type) {
	case nil, *ast.NilExpr:
		d.Empty = true
	case *ast.TableExpr:
		spec, reason := specOf(a)
		if reason == "" {
			d.Constant, d.Spec = true, spec
		} else {
			d.Reason = reason
		}
	default:
		d.Reason = "the argument is not a table constructor"
	}
	s.res.AllParams = append(s.res.AllParams, d)
}

func (s *scanner) dynamic(line int, via string) {
	s.res.Dynamic = append(s.res.Dynamic, Dynamic{Site: s.site(line), Via: via})
}

func (s *scanner) problem(line int, msg string) {
	s.res.Problems = append(s.res.Problems, Problem{Site: s.site(line), Message: msg})
}

// lookupKey resolves a name as exo[key] does at run time: a name with
// '-' is a cmdlet name, any other a snake name; both ignore case.
func lookupKey(key string) (*catalog.Cmdlet, bool) {
	if strings.Contains(key, "-") {
		return catalog.Lookup(key)
	}
	return catalog.BySnakeName(key)
}

// unknownMember explains exo.key for a key that is nothing.
func unknownMember(via, key string) string {
	msg := fmt.Sprintf("%s: %q is neither a cmdlet nor an exo method", via, key)
	for m := range methods {
		if strings.EqualFold(m, key) {
			return msg + "; did you mean " + m + "? (method names are lower-case)"
		}
	}
	if hint := suggestCmdlet(key); hint != "" {
		return msg + "; " + hint
	}
	return msg + `; exo.invoke("Verb-Noun", {...}) sends a cmdlet the catalog does not know`
}

// suggestCmdlet is "did you mean x?", or why a module-only cmdlet is
// missing; empty when there is nothing to say.
func suggestCmdlet(name string) string {
	if strings.Contains(name, "-") {
		if reason, ok := catalog.ModuleOnly(name); ok {
			return reason
		}
	}
	if sug := catalog.SuggestCmdlet(name); len(sug) > 0 {
		return "did you mean " + strings.Join(sug, " or ") + "?"
	}
	return ""
}

// invokeSnake explains exo.invoke("get_mailbox"): invoke sends the name
// as it is, and the service knows only Verb-Noun.
func invokeSnake(name string) string {
	msg := "exo.invoke takes a cmdlet's name as Verb-Noun"
	if c, ok := catalog.BySnakeName(name); ok {
		return msg + "; did you mean " + c.Name + "?"
	}
	var names []string
	for _, snake := range catalog.SuggestCmdlet(name) {
		if c, ok := catalog.BySnakeName(snake); ok {
			names = append(names, c.Name)
		}
	}
	if len(names) > 0 {
		return msg + "; did you mean " + strings.Join(names, " or ") + "?"
	}
	return msg
}

// connect records a connect call and the settings it names.
func (s *scanner) connect(n *ast.FuncCallExpr) {
	c := Connect{Site: s.site(n.Line()), Constant: true}
	switch {
	case len(n.Args) == 0:
	case len(n.Args) == 1:
		t, ok := n.Args[0].(*ast.TableExpr)
		if !ok {
			if _, isNil := n.Args[0].(*ast.NilExpr); !isNil {
				c.Constant = false
			}
			break
		}
		for _, f := range t.Fields {
			k, ok := f.Key.(*ast.StringExpr)
			if !ok {
				c.Constant = false
				continue
			}
			c.Keys = append(c.Keys, k.Value)
		}
		slices.Sort(c.Keys)
	default:
		c.Constant = false
	}
	s.res.Connects = append(s.res.Connects, c)
}

package runtime

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// Concatenation is the one way a script can make a huge value in a single
// step without calling a built-in: `s = s .. s` doubles a string in one
// VM instruction. The memory watcher samples the heap, and while such a
// copy runs it may not get to look (the process can stall on page faults
// for the whole copy), so after a 256 MiB doubling the script could start
// a 512 MiB one before the watcher saw the first. Compile therefore turns
// every `..` into a call of concatName, a Go function that checks the heap
// before it allocates a large result (State.reserve). The same check runs
// in string.rep and table.concat.

// concatName is the global, and the chunk local, that compiled chunks
// call for `..`. It is not a Lua identifier, so no script names it by
// accident; one that replaces it through _G only breaks its own `..`.
const concatName = "exorun:concat"

// largeAlloc is the result size from which a concatenation, string.rep or
// table.concat measures the heap first: reading it takes about a
// microsecond, copying 1 MiB about a hundred.
const largeAlloc = 1 << 20

// guardConcat rewrites every `..` of chunk into a call of concatName and,
// if there was one, makes concatName a local of the chunk (so the calls
// read a register or an upvalue, not a global).
func guardConcat(chunk []ast.Stmt) []ast.Stmt {
	r := concatRewriter{}
	r.stmts(chunk)
	if !r.found {
		return chunk
	}
	local := &ast.LocalAssignStmt{Names: []string{concatName}, Exprs: []ast.Expr{ident(concatName, 0)}}
	return append([]ast.Stmt{local}, chunk...)
}

type concatRewriter struct{ found bool }

func ident(name string, line int) *ast.IdentExpr {
	e := &ast.IdentExpr{Value: name}
	e.SetLine(line)
	e.SetLastLine(line)
	return e
}

func (r *concatRewriter) stmts(list []ast.Stmt) {
	for _, s := range list {
		r.stmt(s)
	}
}

func (r *concatRewriter) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		r.exprs(s.Lhs)
		r.exprs(s.Rhs)
	case *ast.LocalAssignStmt:
		r.exprs(s.Exprs)
	case *ast.FuncCallStmt:
		s.Expr = r.expr(s.Expr)
	case *ast.DoBlockStmt:
		r.stmts(s.Stmts)
	case *ast.WhileStmt:
		s.Condition = r.expr(s.Condition)
		r.stmts(s.Stmts)
	case *ast.RepeatStmt:
		s.Condition = r.expr(s.Condition)
		r.stmts(s.Stmts)
	case *ast.IfStmt:
		s.Condition = r.expr(s.Condition)
		r.stmts(s.Then)
		r.stmts(s.Else)
	case *ast.NumberForStmt:
		s.Init = r.expr(s.Init)
		s.Limit = r.expr(s.Limit)
		s.Step = r.expr(s.Step)
		r.stmts(s.Stmts)
	case *ast.GenericForStmt:
		r.exprs(s.Exprs)
		r.stmts(s.Stmts)
	case *ast.FuncDefStmt:
		if s.Name != nil {
			s.Name.Func = r.expr(s.Name.Func)
			s.Name.Receiver = r.expr(s.Name.Receiver)
		}
		r.stmts(s.Func.Stmts)
	case *ast.ReturnStmt:
		r.exprs(s.Exprs)
	}
	// BreakStmt, LabelStmt and GotoStmt hold no expressions.
}

func (r *concatRewriter) exprs(list []ast.Expr) {
	for i, e := range list {
		list[i] = r.expr(e)
	}
}

// expr returns e with its `..` rewritten; e may be nil (an absent step).
func (r *concatRewriter) expr(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.StringConcatOpExpr:
		return r.concat(e)
	case *ast.AttrGetExpr:
		e.Object = r.expr(e.Object)
		e.Key = r.expr(e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			f.Key = r.expr(f.Key)
			f.Value = r.expr(f.Value)
		}
	case *ast.FuncCallExpr:
		e.Func = r.expr(e.Func)
		e.Receiver = r.expr(e.Receiver)
		r.exprs(e.Args)
	case *ast.LogicalOpExpr:
		e.Lhs = r.expr(e.Lhs)
		e.Rhs = r.expr(e.Rhs)
	case *ast.RelationalOpExpr:
		e.Lhs = r.expr(e.Lhs)
		e.Rhs = r.expr(e.Rhs)
	case *ast.ArithmeticOpExpr:
		e.Lhs = r.expr(e.Lhs)
		e.Rhs = r.expr(e.Rhs)
	case *ast.UnaryMinusOpExpr:
		e.Expr = r.expr(e.Expr)
	case *ast.UnaryNotOpExpr:
		e.Expr = r.expr(e.Expr)
	case *ast.UnaryLenOpExpr:
		e.Expr = r.expr(e.Expr)
	case *ast.FunctionExpr:
		r.stmts(e.Stmts)
	}
	return e
}

// concat turns `a .. b .. c` (right-nested, as Lua parses it) into one
// call with every operand, as Lua's compiler makes one CONCAT of it: the
// strings are joined in one allocation and metamethods apply pairwise
// from the right, as in Lua.
func (r *concatRewriter) concat(e *ast.StringConcatOpExpr) ast.Expr {
	r.found = true
	var args []ast.Expr
	var cur ast.Expr = e
	for {
		c, ok := cur.(*ast.StringConcatOpExpr)
		if !ok {
			break
		}
		args = append(args, operand(r.expr(c.Lhs)))
		cur = c.Rhs
	}
	args = append(args, operand(r.expr(cur)))
	call := &ast.FuncCallExpr{Func: ident(concatName, e.Line()), Args: args, AdjustRet: true}
	call.SetLine(e.Line())
	call.SetLastLine(e.LastLine())
	return call
}

// operand makes a call or `...` give one value, as an operand of `..`
// does, rather than all its values as the last argument of a call would.
func operand(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.FuncCallExpr:
		e.AdjustRet = true
	case *ast.Comma3Expr:
		e.AdjustRet = true
	}
	return e
}

// concat is concatName: Lua 5.1's concatenation of its arguments, from
// the right, checking the heap before a large result.
func (s *State) concat(L *lua.LState) int {
	n := L.GetTop()
	rhs := L.Get(n)
	for i := n - 1; i >= 1; {
		lhs := L.Get(i)
		if !lua.LVCanConvToString(lhs) || !lua.LVCanConvToString(rhs) {
			rhs = concatMeta(L, lhs, rhs)
			i--
			continue
		}
		// The longest run of strings and numbers ending at i joins in
		// one allocation.
		first := i
		for first > 1 && lua.LVCanConvToString(L.Get(first-1)) {
			first--
		}
		parts := make([]string, 0, i-first+2)
		total := 0
		for k := first; k <= i; k++ {
			p := lua.LVAsString(L.Get(k))
			parts = append(parts, p)
			total += len(p)
		}
		last := lua.LVAsString(rhs)
		parts = append(parts, last)
		total += len(last)
		s.reserve(L, int64(total), "a concatenation (..)")
		rhs = lua.LString(strings.Join(parts, ""))
		i = first - 1
	}
	L.Push(rhs)
	return 1
}

// concatMeta applies a __concat metamethod of lhs or else rhs, or raises
// gopher-lua's own error for operands that cannot be concatenated.
func concatMeta(L *lua.LState, lhs, rhs lua.LValue) lua.LValue {
	op := L.GetMetaField(lhs, "__concat")
	if op == lua.LNil {
		op = L.GetMetaField(rhs, "__concat")
	}
	if op.Type() != lua.LTFunction {
		L.RaiseError("cannot perform concat operation between %v and %v", lhs.Type().String(), rhs.Type().String())
	}
	L.Push(op)
	L.Push(lhs)
	L.Push(rhs)
	L.Call(2, 1)
	v := L.Get(-1)
	L.Pop(1)
	return v
}

// reserve stops the run before a built-in allocates size bytes that would
// take the heap past the memory limit, rather than after: a copy of
// hundreds of MiB can be over before the watcher looks.
func (s *State) reserve(L *lua.LState, size int64, what string) {
	if size < largeAlloc {
		return
	}
	// A copy of this size cannot be interrupted: a run already stopped
	// must not start one.
	raiseIfStopped(L)
	limit := s.opts.Limits.Memory
	if limit <= 0 {
		return
	}
	heap := heapInUse()
	s.notePeak(heap)
	if heap+size <= limit {
		return
	}
	g := s.active.Load()
	if g == nil {
		L.RaiseError("%v", &MemoryError{Limit: limit, Heap: heap, Asked: size, By: what})
	}
	g.halt(&MemoryError{Limit: limit, Heap: heap, Asked: size, By: what})
	raiseIfStopped(L)
}

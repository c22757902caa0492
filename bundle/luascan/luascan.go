package luascan

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// Site is a place in a script.
type Site struct {
	File string // the name Scan was given
	Line int    // 1-based
}

func (s Site) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Call is one cmdlet call found in the sources.
type Call struct {
	// Cmdlet is the catalog's name ("Get-Mailbox") however the script
	// spells it; a name exo.invoke sends that the catalog does not know
	// stays as written.
	Cmdlet string
	// Known is false only for such an exo.invoke name.
	Known bool
	Site  Site
	// Via is the call as written, with the session's variable:
	// exo.get_mailbox, exo["Set-Mailbox"], exo:get_user,
	// exo.invoke("Get-Foo"), exo.parallel("Get-CASMailbox"),
	// pcall(exo.invoke, "Get-Foo"), connect().get_mailbox.
	Via string
}

// Dynamic is a place where a session may run a cmdlet whose name is not
// a constant: exo[name], exo.invoke(name), exo.parallel(expr, ...), or
// exo.invoke / exo.parallel passed on as a value. Via is the expression,
// rendered from the syntax tree.
type Dynamic struct {
	Site Site
	Via  string
}

// Problem is a static call that can never work: a name that is neither a
// cmdlet nor an exo method (with a did-you-mean), exo.invoke with a
// snake name, a call missing the cmdlet's name.
type Problem struct {
	Site    Site
	Message string
}

// Require is require("name") with a constant name.
type Require struct {
	Module string
	Site   Site
}

// ParamsDecl is one params.declare call.
type ParamsDecl struct {
	Site Site
	// Constant reports that the argument is a table constructor made of
	// literals only; Spec then holds it.
	Constant bool
	// Empty reports params.declare() or params.declare(nil): the
	// parameters come from a bundle's manifest.
	Empty bool
	// Reason says why the declaration is not Constant (and not Empty):
	// `parameter "days": default is not a literal`.
	Reason string
	// Spec is the declaration as plain Go values, one map per parameter
	// with its fields as written ("type", "default", "required", "help",
	// "position"): strings, float64 for every number, bools, and []any
	// for a list constructor such as default = {"a", "b"}. A parameter
	// declared by a type name ("list") becomes {"type": "list"}; a field
	// set to nil is absent. Checking the values is params.Spec's job.
	Spec map[string]map[string]any
}

// Result is what Scan finds. Every slice is sorted by file, then line.
type Result struct {
	// Calls has every site of every cmdlet call, several per cmdlet when
	// it is called in several places; sorted by file, line, cmdlet.
	Calls    []Call
	Dynamic  []Dynamic
	Problems []Problem
	// Requires has every require with a constant name;
	// RequiresDynamic the sites of the others (require(name)).
	Requires        []Require
	RequiresDynamic []Site
	// Params is the first params.declare call (files in name order, then
	// source order), nil when there is none. AllParams has every call,
	// Params included: under a bundle each must match the manifest.
	Params    *ParamsDecl
	AllParams []ParamsDecl
	// Connects are the connect calls, with the settings they name.
	Connects []Connect
}

// Connect is one connect(...) call. Keys are the string keys of its
// table constructor, sorted; Constant is false when the argument is
// something else (a variable), whose keys cannot be seen.
type Connect struct {
	Site     Site
	Keys     []string
	Constant bool
}

// SyntaxError is a file Lua cannot parse.
type SyntaxError struct {
	File    string
	Line    int
	Message string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// Scan parses every Lua file (name -> source) and analyses them together:
// a global assigned connect() in one file is a session in the others.
// A file Lua cannot parse makes Scan return a *SyntaxError (the first
// file in name order) and no result.
func Scan(files map[string][]byte) (*Result, error) {
	names := slices.Sorted(maps.Keys(files))
	infos := make([]*fileInfo, 0, len(names))
	for _, name := range names {
		chunk, err := parseFile(name, files[name])
		if err != nil {
			return nil, err
		}
		fi := newFileInfo(name, chunk)
		fi.collect()
		infos = append(infos, fi)
	}

	// Globals bound in one file reach the others that do not declare
	// a local of that name.
	globalSessions, globalParams := map[string]bool{}, map[string]bool{}
	for _, fi := range infos {
		fi.exported(fi.sessions, globalSessions)
		fi.exported(fi.params, globalParams)
	}
	res := &Result{}
	sessionsOf := make([]map[string]bool, len(infos))
	fields := map[string]bool{}
	for i, fi := range infos {
		sessionsOf[i] = fi.visible(sessionDefault, fi.sessions, globalSessions)
		for _, w := range fi.writes {
			if sessionsOf[i][w.object] {
				fields[w.field] = true
			}
		}
	}
	for i, fi := range infos {
		s := &scanner{
			file:     fi.name,
			sessions: sessionsOf[i],
			params:   fi.visible(paramsDefault, fi.params, globalParams),
			fields:   fields,
			res:      res,
		}
		s.stmts(fi.chunk)
	}
	res.sort()
	if len(res.AllParams) > 0 {
		p := res.AllParams[0]
		res.Params = &p
	}
	return res, nil
}

// parseFile parses one source; its error is a *SyntaxError.
func parseFile(name string, src []byte) (chunk []ast.Stmt, err error) {
	defer func() {
		// parse.Parse recovers its own panics; this is for any it
		// lets through.
		if v := recover(); v != nil {
			chunk, err = nil, &SyntaxError{File: name, Line: 1, Message: fmt.Sprint(v)}
		}
	}()
	chunk, err = parse.Parse(bytes.NewReader(src), name)
	if err == nil {
		return chunk, nil
	}
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return nil, &SyntaxError{File: name, Line: 1, Message: strings.TrimSpace(err.Error())}
	}
	line, msg := pe.Pos.Line, pe.Message
	if line == parse.EOF || line <= 0 {
		line = lineCount(src)
		msg += " at end of file"
	} else if pe.Token != "" {
		msg += fmt.Sprintf(" near '%s'", pe.Token)
	}
	return nil, &SyntaxError{File: name, Line: line, Message: msg}
}

// lineCount is the number of src's last line.
func lineCount(src []byte) int {
	n := bytes.Count(src, []byte("\n")) + 1
	if len(src) > 0 && src[len(src)-1] == '\n' {
		n--
	}
	return max(n, 1)
}

func (r *Result) sort() {
	slices.SortStableFunc(r.Calls, func(a, b Call) int {
		return cmp.Or(compareSite(a.Site, b.Site), compareFold(a.Cmdlet, b.Cmdlet), cmp.Compare(a.Via, b.Via))
	})
	slices.SortStableFunc(r.Dynamic, func(a, b Dynamic) int {
		return cmp.Or(compareSite(a.Site, b.Site), cmp.Compare(a.Via, b.Via))
	})
	slices.SortStableFunc(r.Problems, func(a, b Problem) int {
		return cmp.Or(compareSite(a.Site, b.Site), cmp.Compare(a.Message, b.Message))
	})
	slices.SortStableFunc(r.Requires, func(a, b Require) int {
		return cmp.Or(compareSite(a.Site, b.Site), cmp.Compare(a.Module, b.Module))
	})
	slices.SortStableFunc(r.RequiresDynamic, compareSite)
	slices.SortStableFunc(r.AllParams, func(a, b ParamsDecl) int { return compareSite(a.Site, b.Site) })
}

func compareSite(a, b Site) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
}

func compareFold(a, b string) int {
	return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
}

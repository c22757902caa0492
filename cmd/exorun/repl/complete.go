package repl

import (
	"slices"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
)

// Completer answers Tab from what the session already knows: the Lua state's globals, the catalog, and the files beside the script; never the network.
//
// It reads the text before the cursor as Lua tokens and never runs it, so
// unfinished input is fine. Values are read with raw access only: a
// metamethod may be a Go function that does work (a session's __index
// resolves cmdlets), and Tab must not. What it offers, by context:
//
//	pri                          globals and keywords
//	exo.get_ma / m.Pri / a.b.c   a session's cmdlets and fields, a table's keys
//	t:me                         a table's functions (nothing for a session:
//	                             its functions are not methods)
//	exo["Get-Ma                  a session's cmdlets by PowerShell name
//	exo.get_mailbox{Res          the cmdlet's parameters, as "ResultSize = "
//	... ResultSize = "Un         the parameter's values (catalog Values)
//	... ResultSize = Un          the same values, quoted, and globals
//	... RecipientTypeDetails = {"Sh   values in a list, too
//	require("li                  the script folder's modules
//
// Anywhere else (a nested table, an argument, an expression) an identifier
// completes as a global. Names match ignoring case, since PowerShell users
// type "resultsize", and the candidate is always the canonical spelling.
type Completer struct {
	L *lua.LState // read only while no chunk runs (the REPL calls Complete between chunks)
	// Cmdlets lists the cmdlets a session table allows (bindings' Host.Cmdlets); ok is false when v is not a session table.
	Cmdlets func(v lua.LValue) (cmdlets []*catalog.Cmdlet, ok bool)
	// Modules lists the Lua module names require accepts from the script folder ("report", "lib.util"); may be nil.
	Modules func() []string

	// sessions caches each session table's sorted names: a session may
	// allow 900 cmdlets, and Tab should not sort them every time. The
	// Completer is used from one goroutine, so it needs no lock.
	sessions map[*lua.LTable]*sessionNames
}

// sessionNames is what completion needs of one session table.
type sessionNames struct {
	cmdlets []*catalog.Cmdlet // as Cmdlets answered, to notice a new list
	allowed map[*catalog.Cmdlet]bool
	snake   []string // Lua names, sorted
	names   []string // PowerShell names, sorted
	// service is the session's service, inferred from its cmdlets: a
	// session allows only cmdlets its service runs, so one that
	// Exchange Online does not run marks a Security & Compliance session.
	service catalog.Service
}

// Complete has the signature of liner.WordCompleter: line is the whole input line, pos the cursor (a rune index, as liner passes it). It returns the text before the word being completed, the candidate replacements for the word (each a full replacement, sorted, duplicates removed), and the text after the cursor.
func (c *Completer) Complete(line string, pos int) (head string, completions []string, tail string) {
	cursor := runeOffset(line, pos)
	before := line[:cursor]
	start, completions := c.complete(before)
	return before[:start], keepTyped(before[start:], completions), line[cursor:]
}

// keepTyped keeps Tab from erasing what was typed. The line editor
// replaces the word with the candidates' longest common prefix, which is
// case-sensitive, so candidates that disagree where the word was typed
// (a quoted value and a global after `ResultSize = Un`; Summary and
// select after `s`) would leave less than the word. Those that start with
// the word as typed win; failing that, the quoted values; failing that,
// nothing is offered rather than the word lost.
func keepTyped(word string, candidates []string) []string {
	if len(candidates) < 2 || len(commonPrefix(candidates)) >= len(word) {
		return candidates
	}
	for _, keep := range []func(string) bool{
		func(c string) bool { return strings.HasPrefix(c, word) },
		func(c string) bool { return strings.HasPrefix(c, `"`) },
	} {
		var kept []string
		for _, c := range candidates {
			if keep(c) {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 && (len(kept) == 1 || len(commonPrefix(kept)) >= len(word)) {
			return kept
		}
	}
	return nil
}

// commonPrefix is the longest prefix, in bytes, that every item shares.
func commonPrefix(items []string) string {
	prefix := items[0]
	for _, s := range items[1:] {
		n := 0
		for n < len(prefix) && n < len(s) && prefix[n] == s[n] {
			n++
		}
		prefix = prefix[:n]
	}
	return prefix
}

// runeOffset is the byte offset of the pos-th rune of s, clamped to s.
// An invalid byte counts as one rune, as it does in []rune(s), so head
// and tail stay slices of the line the user typed.
func runeOffset(s string, pos int) int {
	i := 0
	for n := 0; n < pos && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// complete returns where the word before the end of before starts and its
// candidates.
func (c *Completer) complete(before string) (start int, candidates []string) {
	all := lexLua(before)
	if n := len(all); n > 0 && all[n-1].kind == tokComment && all[n-1].open {
		return len(before), nil // the cursor is in a comment
	}
	s := &tokens{src: before}
	for _, t := range all {
		if t.kind != tokComment {
			s.toks = append(s.toks, t)
		}
	}
	n := len(s.toks)
	if n == 0 {
		return 0, c.globals("")
	}
	last := s.toks[n-1]
	switch {
	case last.kind == tokString && last.open:
		text := before[last.start+1:]
		if last.long || strings.ContainsRune(text, '\\') {
			return len(before), nil // long strings and escapes are not worth guessing at
		}
		s.toks = s.toks[:n-1]
		return last.start + 1, c.inString(s, text, before[last.start])
	case last.end < len(before) || last.kind == tokOp:
		return len(before), c.inCode(s, "")
	case last.kind == tokName:
		s.toks = s.toks[:n-1]
		return last.start, c.inCode(s, before[last.start:])
	}
	return len(before), nil // right after a number or a string
}

// inCode completes word where code goes (not inside a string); s holds
// the tokens before it.
func (c *Completer) inCode(s *tokens, word string) []string {
	n := len(s.toks)
	if s.isOp(n-1, ".") || s.isOp(n-1, ":") {
		path, ok := s.pathBefore(n - 2)
		if !ok {
			return nil
		}
		v, _ := c.resolve(path)
		return c.members(v, word, s.isOp(n-1, ":"))
	}
	if at, ok := c.tablePosition(s); ok {
		if at.param == nil {
			return at.params(s, word)
		}
		values := matchFold(at.param.Values(), word)
		if len(values) > 0 {
			for i, v := range values {
				values[i] = `"` + v + `"`
			}
			if word == "" {
				return values
			}
			return sortedSet(append(values, c.globals(word)...))
		}
	}
	return c.globals(word)
}

// inString completes text, the start of a string literal opened with
// quote; s holds the tokens before the quote.
func (c *Completer) inString(s *tokens, text string, quote byte) []string {
	n := len(s.toks)
	q := string(quote)
	switch {
	case s.isOp(n-1, "["): // exo["Get-Ma
		path, ok := s.pathBefore(n - 2)
		if !ok {
			return nil
		}
		v, _ := c.resolve(path)
		sn := c.session(v)
		if sn == nil {
			return nil
		}
		return suffixed(matchFold(sn.names, text), q+"]")
	case s.isRequire(n - 1): // require "li
		return suffixed(c.modules(text), q)
	case s.isOp(n-1, "(") && s.isRequire(n-2): // require("li
		return suffixed(c.modules(text), q+")")
	}
	if at, ok := c.tablePosition(s); ok && at.param != nil {
		return suffixed(matchFold(at.param.Values(), text), q)
	}
	return nil
}

// members completes word after "v." (or "v:" when method is set).
func (c *Completer) members(v lua.LValue, word string, method bool) []string {
	if sn := c.session(v); sn != nil {
		if method {
			return nil // exo:get_mailbox{} would pass exo as the parameters
		}
		out := matchFold(sn.snake, word)
		// The session's own fields (invoke, cmdlets, whoami, stats,
		// parallel, what_if) and the cmdlet functions __index has
		// cached, which the dedup folds into the list above.
		out = append(out, tableKeys(v.(*lua.LTable), word, false)...)
		return sortedSet(out)
	}
	if t, ok := v.(*lua.LTable); ok {
		return sortedSet(tableKeys(t, word, method))
	}
	return nil
}

// globals is the global names and the keywords that start with word.
func (c *Completer) globals(word string) []string {
	var out []string
	if c.L != nil {
		out = tableKeys(c.L.G.Global, word, false)
	}
	for _, k := range luaKeywords() {
		if hasPrefixFold(k, word) {
			out = append(out, k)
		}
	}
	return sortedSet(out)
}

// modules is the module names that start with text; file names keep
// their case.
func (c *Completer) modules(text string) []string {
	if c.Modules == nil {
		return nil
	}
	var out []string
	for _, m := range c.Modules() {
		if strings.HasPrefix(m, text) {
			out = append(out, m)
		}
	}
	return out
}

// resolve looks a path of globals up with raw access: {exo} is the global
// exo, {m, Owner} is m.Owner. ok is false when a step is not a table or
// the value is nil.
func (c *Completer) resolve(path []string) (v lua.LValue, ok bool) {
	if c.L == nil || len(path) == 0 {
		return lua.LNil, false
	}
	v = c.L.G.Global.RawGetString(path[0])
	for _, key := range path[1:] {
		t, ok := v.(*lua.LTable)
		if !ok {
			return lua.LNil, false
		}
		v = t.RawGetString(key)
	}
	return v, v != lua.LNil
}

// session is the cached names of the session table v, or nil when v is
// not a session table.
func (c *Completer) session(v lua.LValue) *sessionNames {
	t, ok := v.(*lua.LTable)
	if !ok || c.Cmdlets == nil {
		return nil
	}
	cmdlets, ok := c.Cmdlets(v)
	if !ok {
		return nil
	}
	if sn := c.sessions[t]; sn != nil && sameCmdlets(sn.cmdlets, cmdlets) {
		return sn
	}
	sn := &sessionNames{cmdlets: cmdlets, allowed: make(map[*catalog.Cmdlet]bool, len(cmdlets)), service: catalog.Exchange}
	for _, cm := range cmdlets {
		sn.allowed[cm] = true
		sn.snake = append(sn.snake, cm.SnakeName())
		sn.names = append(sn.names, cm.Name)
		if !cm.Runs(catalog.Exchange) {
			sn.service = catalog.Compliance
		}
	}
	sn.snake = sortedSet(sn.snake)
	sn.names = sortedSet(sn.names)
	if c.sessions == nil {
		c.sessions = make(map[*lua.LTable]*sessionNames)
	}
	c.sessions[t] = sn
	return sn
}

// sameCmdlets reports whether two answers of Cmdlets are the same list:
// Host.Cmdlets works a session's list out once and hands out that slice.
func sameCmdlets(a, b []*catalog.Cmdlet) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// tablePos is where the cursor is inside a cmdlet's parameter table.
type tablePos struct {
	cmdlet  *catalog.Cmdlet
	service catalog.Service // "" when the session is not known
	open    int             // the table's "{" token
	// param is the parameter whose value goes here
	// (exo.get_mailbox{ResultSize = |}); nil where a parameter name goes
	// (exo.get_mailbox{|}).
	param *catalog.Parameter
}

// tablePosition finds where the end of s lies in a cmdlet's parameter
// table: in its top level, where a name or a value goes, or in a list
// given as a parameter's value (RecipientTypeDetails = {"A", |}). Deeper
// tables (Filter = {a = 1, |}) are expressions like any other.
func (c *Completer) tablePosition(s *tokens) (tablePos, bool) {
	stack := s.openBrackets()
	if len(stack) == 0 {
		return tablePos{}, false
	}
	top := stack[len(stack)-1]
	if !s.isOp(top, "{") {
		return tablePos{}, false
	}
	last := len(s.toks) - 1
	// entry reports whether token i starts an entry of the table opened
	// at open: it is that "{" or a separator.
	entry := func(i, open int) bool { return i == open || s.isOp(i, ",") || s.isOp(i, ";") }
	if cm, svc := c.cmdletAt(s, top); cm != nil {
		at := tablePos{cmdlet: cm, service: svc, open: top}
		switch {
		case entry(last, top):
			return at, true
		case s.isOp(last, "=") && s.isName(last-1) && entry(last-2, top):
			p, ok := cm.Param(s.text(last - 1))
			at.param = p
			return at, ok
		}
		return tablePos{}, false
	}
	if len(stack) < 2 || !(last == top || s.isOp(last, ",")) {
		return tablePos{}, false
	}
	parent := stack[len(stack)-2]
	if !s.isOp(top-1, "=") || !s.isName(top-2) || !entry(top-3, parent) {
		return tablePos{}, false
	}
	cm, svc := c.cmdletAt(s, parent)
	if cm == nil {
		return tablePos{}, false
	}
	p, ok := cm.Param(s.text(top - 2))
	return tablePos{cmdlet: cm, service: svc, open: parent, param: p}, ok
}

// cmdletAt finds the cmdlet whose parameter table the "{" at token open
// starts: exo.get_mailbox{, exo.get_mailbox({ or exo["Get-Mailbox"]{.
// service is the session's, or "" when the path before the cmdlet is not
// a session table (a local the REPL cannot see): the catalog still knows
// the cmdlet. A cmdlet the session does not allow has no table to
// complete, as it has no name after "exo.".
func (c *Completer) cmdletAt(s *tokens, open int) (*catalog.Cmdlet, catalog.Service) {
	end := open - 1
	if s.isOp(end, "(") {
		end--
	}
	path, ok := s.pathBefore(end)
	if !ok || len(path) < 2 {
		return nil, ""
	}
	// As the session's __index does: a PowerShell name has a hyphen.
	name := path[len(path)-1]
	var cm *catalog.Cmdlet
	if strings.Contains(name, "-") {
		cm, ok = catalog.Lookup(name)
	} else {
		cm, ok = catalog.BySnakeName(name)
	}
	if !ok {
		return nil, ""
	}
	v, _ := c.resolve(path[:len(path)-1])
	if sn := c.session(v); sn != nil {
		if !sn.allowed[cm] {
			return nil, ""
		}
		return cm, sn.service
	}
	return cm, ""
}

// params is the parameters of the cmdlet that start with word, as
// "Name = ", leaving out those the table already sets.
func (at tablePos) params(s *tokens, word string) []string {
	set := s.keysSet(at.open)
	var out []string
	for i := range at.cmdlet.Parameters {
		p := &at.cmdlet.Parameters[i]
		if at.service != "" && !p.Runs(at.service) {
			continue
		}
		if hasPrefixFold(p.Name, word) && !slices.ContainsFunc(set, func(k string) bool { return strings.EqualFold(k, p.Name) }) {
			out = append(out, p.Name+" = ")
		}
	}
	return sortedSet(out)
}

// tableKeys is t's string keys that are Lua names and start with word
// (ignoring case), read raw; with funcs, only those holding functions.
func tableKeys(t *lua.LTable, word string, funcs bool) []string {
	var out []string
	t.ForEach(func(k, v lua.LValue) {
		key, ok := k.(lua.LString)
		if !ok || !isLuaName(string(key)) || !hasPrefixFold(string(key), word) {
			return
		}
		if _, fn := v.(*lua.LFunction); funcs && !fn {
			return
		}
		out = append(out, string(key))
	})
	return out
}

// matchFold is the names that start with prefix, ignoring case, in a new
// slice.
func matchFold(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if hasPrefixFold(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// suffixed appends suffix to each of names, in place.
func suffixed(names []string, suffix string) []string {
	for i := range names {
		names[i] += suffix
	}
	return names
}

// sortedSet sorts names and drops duplicates, in place.
func sortedSet(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}

// luaKeywords is Lua 5.1's reserved words and gopher-lua's goto.
func luaKeywords() []string {
	return []string{
		"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
		"in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
	}
}

// isLuaName reports whether s can follow a dot: an identifier that is
// not a keyword. Keys such as the runtime's "exorun:concat" are not.
func isLuaName(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return !isKeyword(s)
}

func isKeyword(s string) bool {
	switch s {
	case "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
		"in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while":
		return true
	}
	return false
}

// tokens is the tokens of src, without comments.
type tokens struct {
	src  string
	toks []luaToken
}

func (s *tokens) text(i int) string { return s.src[s.toks[i].start:s.toks[i].end] }

// isOp reports whether token i exists and is the operator op.
func (s *tokens) isOp(i int, op string) bool {
	return i >= 0 && i < len(s.toks) && s.toks[i].kind == tokOp && s.text(i) == op
}

// isName reports whether token i exists and is a name (not a keyword).
func (s *tokens) isName(i int) bool {
	return i >= 0 && i < len(s.toks) && s.toks[i].kind == tokName && isLuaName(s.text(i))
}

// isRequire reports whether token i is the global require, not a field
// of that name.
func (s *tokens) isRequire(i int) bool {
	return s.isName(i) && s.text(i) == "require" && !s.isOp(i-1, ".") && !s.isOp(i-1, ":")
}

// stringValue is the value of the closed string literal at token i; ok
// is false for other tokens and for strings with escapes.
func (s *tokens) stringValue(i int) (string, bool) {
	if i < 0 || i >= len(s.toks) {
		return "", false
	}
	t := s.toks[i]
	if t.kind != tokString || t.open {
		return "", false
	}
	if t.long {
		v := s.src[t.start+t.level+2 : t.end-t.level-2]
		if v != "" && (v[0] == '\n' || v[0] == '\r') {
			v = v[newlineEnd(v, 0):] // Lua skips a line break right after [[
		}
		return v, true
	}
	v := s.src[t.start+1 : t.end-1]
	return v, !strings.ContainsRune(v, '\\')
}

// pathBefore reads the path that ends at token end: a global name
// followed by .name and ["key"] steps (exo, m.Owner, exo["Get-Mailbox"]),
// returned from the global on. ok is false for anything else, including
// a path inside a larger expression (f().x), which only running code
// could look up.
func (s *tokens) pathBefore(end int) (path []string, ok bool) {
	i := end
	for {
		if s.isOp(i, "]") {
			key, ok := s.stringValue(i - 1)
			if !ok || !s.isOp(i-2, "[") {
				return nil, false
			}
			path = append(path, key)
			i -= 3
			continue
		}
		if !s.isName(i) {
			return nil, false
		}
		path = append(path, s.text(i))
		if !s.isOp(i-1, ".") {
			break
		}
		i -= 2
	}
	if s.isOp(i-1, ":") {
		return nil, false // a:b.c is not a path
	}
	slices.Reverse(path)
	return path, true
}

// openBrackets is the indices of the brackets still open at the end,
// innermost last. A closer pops to its opener; a stray one is ignored.
func (s *tokens) openBrackets() []int {
	var stack []int
	for i, t := range s.toks {
		if t.kind != tokOp {
			continue
		}
		var opener string
		switch s.text(i) {
		case "(", "{", "[":
			stack = append(stack, i)
			continue
		case ")":
			opener = "("
		case "}":
			opener = "{"
		case "]":
			opener = "["
		default:
			continue
		}
		for j := len(stack) - 1; j >= 0; j-- {
			if s.text(stack[j]) == opener {
				stack = stack[:j]
				break
			}
		}
	}
	return stack
}

// keysSet is the keys the table opened at token open already sets at its
// top level (Name = ...).
func (s *tokens) keysSet(open int) []string {
	var keys []string
	depth := 0
	for i := open + 1; i < len(s.toks); i++ {
		switch {
		case s.isOp(i, "{") || s.isOp(i, "(") || s.isOp(i, "["):
			depth++
		case s.isOp(i, "}") || s.isOp(i, ")") || s.isOp(i, "]"):
			depth--
		case depth == 0 && s.isName(i) && s.isOp(i+1, "=") && (i-1 == open || s.isOp(i-1, ",") || s.isOp(i-1, ";")):
			keys = append(keys, s.text(i))
		}
	}
	return keys
}

// A small Lua lexer, shared by completion (which reads the text before
// the cursor) and history entries (which rewrite a chunk on one line). It
// never fails: text that does not lex (an unknown byte) becomes a
// one-byte operator, and a string or comment the text ends inside is
// marked open.

type tokKind uint8

const (
	tokName    tokKind = iota // identifiers and keywords
	tokNumber                 // 10, 0x1F, 1e-3
	tokString                 // "x", 'x', [[x]], [==[x]==]
	tokComment                // -- to the end of the line, --[[ ]], --[==[ ]==]
	tokOp                     // everything else: . .. ... : :: { } = == ...
)

type luaToken struct {
	kind       tokKind
	start, end int  // byte offsets in the source
	open       bool // a string or comment not closed before the end (or, for a short string, before a line break)
	long       bool // a long bracket string or comment
	level      int  // the number of '=' of a long bracket
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isNameByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || isDigit(b)
}

// lexLua splits src into tokens, whitespace dropped.
func lexLua(src string) []luaToken {
	var toks []luaToken
	for i := 0; i < len(src); {
		ch := src[i]
		t := luaToken{start: i}
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f':
			i++
			continue
		case isNameByte(ch) && !isDigit(ch):
			t.kind = tokName
			for i++; i < len(src) && isNameByte(src[i]); i++ {
			}
		case isDigit(ch) || ch == '.' && i+1 < len(src) && isDigit(src[i+1]):
			t.kind = tokNumber
			i = numberEnd(src, i)
		case ch == '-' && strings.HasPrefix(src[i:], "--"):
			t.kind = tokComment
			if level, ok := longOpen(src, i+2); ok {
				t.long, t.level = true, level
				i, t.open = longEnd(src, i+2+level+2, level)
			} else if nl := strings.IndexAny(src[i:], "\r\n"); nl >= 0 {
				i += nl
			} else {
				i, t.open = len(src), true
			}
		case ch == '"' || ch == '\'':
			t.kind = tokString
			i, t.open = shortStringEnd(src, i)
		case ch == '[':
			if level, ok := longOpen(src, i); ok {
				t.kind, t.long, t.level = tokString, true, level
				i, t.open = longEnd(src, i+level+2, level)
				break
			}
			t.kind = tokOp
			i++
		default:
			t.kind = tokOp
			i += opLen(src[i:])
		}
		t.end = i
		toks = append(toks, t)
	}
	return toks
}

// opLen is the length of the operator src starts with.
func opLen(src string) int {
	if strings.HasPrefix(src, "...") {
		return 3
	}
	for _, op := range [...]string{"..", "==", "~=", "<=", ">=", "::"} {
		if strings.HasPrefix(src, op) {
			return 2
		}
	}
	return 1
}

// numberEnd is where the number starting at i ends. It is generous
// (letters, dots, an exponent's sign): a bad number is copied or skipped
// as one piece either way.
func numberEnd(src string, i int) int {
	hex := strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0X")
	j := i
	for j < len(src) {
		b := src[j]
		switch {
		case isNameByte(b) || b == '.':
			j++
		case (b == '+' || b == '-') && !hex && j > i && (src[j-1] == 'e' || src[j-1] == 'E'):
			j++
		default:
			return j
		}
	}
	return j
}

// shortStringEnd is where the string quoted at i ends, and whether it is
// still open there: at the end of src, or before a line break that no
// backslash escapes (Lua's "unfinished string").
func shortStringEnd(src string, i int) (end int, open bool) {
	quote := src[i]
	for j := i + 1; j < len(src); {
		switch src[j] {
		case quote:
			return j + 1, false
		case '\\':
			j = escapeEnd(src, j)
		case '\n', '\r':
			return j, true
		default:
			j++
		}
	}
	return len(src), true
}

// escapeEnd is where the escape at the backslash src[j] ends: one byte
// after it, or a whole line break (\r\n and \n\r count as one, as Lua
// reads them).
func escapeEnd(src string, j int) int {
	j++
	if j >= len(src) {
		return j
	}
	if b := src[j]; b == '\n' || b == '\r' {
		return newlineEnd(src, j)
	}
	return j + 1
}

// newlineEnd is where the line break at src[j] ends.
func newlineEnd(src string, j int) int {
	if j+1 < len(src) && (src[j+1] == '\n' || src[j+1] == '\r') && src[j+1] != src[j] {
		return j + 2
	}
	return j + 1
}

// longOpen reports whether a long bracket ([[, [=[, [==[...) opens at i,
// and its level.
func longOpen(src string, i int) (level int, ok bool) {
	if i >= len(src) || src[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

// longEnd is where the long bracket of level whose content starts at i
// closes, or the end of src and open.
func longEnd(src string, i, level int) (end int, open bool) {
	closer := "]" + strings.Repeat("=", level) + "]"
	if i > len(src) {
		return len(src), true
	}
	k := strings.Index(src[i:], closer)
	if k < 0 {
		return len(src), true
	}
	return i + k + len(closer), false
}

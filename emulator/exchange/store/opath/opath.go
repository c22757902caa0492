package opath

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// SyntaxError is a filter that could not be parsed. Pos is the 1-based
// character position where parsing stopped, as Exchange reports it.
type SyntaxError struct {
	Filter string
	Pos    int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid filter %q at position %d: %s", e.Filter, e.Pos, e.Msg)
}

// Op is a comparison operator.
type Op string

const (
	Eq      Op = "-eq"
	Ne      Op = "-ne"
	Like    Op = "-like"
	NotLike Op = "-notlike"
	Gt      Op = "-gt"
	Lt      Op = "-lt"
	Ge      Op = "-ge"
	Le      Op = "-le"
)

// PropRef is a property name as written in the filter, with its 1-based
// position.
type PropRef struct {
	Name string
	Pos  int
}

// Lookup returns a property's value for the object under test: nil,
// string, bool, any integer or float, time.Time, []string, a named string
// type, or a fmt.Stringer. ok is false for a property the object lacks.
type Lookup func(name string) (value any, ok bool)

// Expr is a parsed filter.
type Expr struct {
	root  node
	props []PropRef
}

// Properties lists the property names the filter mentions, in order.
func (e *Expr) Properties() []PropRef { return e.props }

// Match evaluates the filter against one object. A property the lookup
// does not know compares as $null.
func (e *Expr) Match(get Lookup) bool { return e.root.eval(get) }

type node interface{ eval(Lookup) bool }

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ x node }
type cmpNode struct {
	prop string
	op   Op
	lit  literal
}

func (n andNode) eval(g Lookup) bool { return n.l.eval(g) && n.r.eval(g) }
func (n orNode) eval(g Lookup) bool  { return n.l.eval(g) || n.r.eval(g) }
func (n notNode) eval(g Lookup) bool { return !n.x.eval(g) }

// literal is a filter value. Quoted strings and bare words keep their
// text; $true/$false/$null are marked so that 'True' and $true compare
// alike against booleans while $null matches empty values.
type literal struct {
	text   string
	isNull bool
}

// Parse parses a filter. Exchange also accepts a filter wrapped in a
// script block's braces ("{Name -eq 'x'}"), which some scripts still send.
func Parse(filter string) (*Expr, error) {
	p := &parser{src: filter}
	p.skipSpace()
	braced := false
	if p.peekByte() == '{' {
		braced = true
		p.pos++
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if braced {
		if p.peekByte() != '}' {
			return nil, p.fail("expected '}'")
		}
		p.pos++
		p.skipSpace()
	}
	if p.pos < len(p.src) {
		return nil, p.fail("unexpected %q", p.rest())
	}
	return &Expr{root: root, props: p.props}, nil
}

type parser struct {
	src   string
	pos   int
	props []PropRef
}

func (p *parser) fail(format string, args ...any) error {
	return &SyntaxError{Filter: p.src, Pos: p.pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) rest() string {
	r := p.src[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *parser) peekByte() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\r' || p.src[p.pos] == '\n') {
		p.pos++
	}
}

// keyword reports whether an operator word ("-and") starts at the current
// position, ending at a non-letter; it consumes it when it does.
func (p *parser) keyword(word string) bool {
	p.skipSpace()
	end := p.pos + len(word)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], word) {
		return false
	}
	if end < len(p.src) && isWordByte(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func isWordByte(b byte) bool {
	return b == '_' || b == '.' || b == '-' || ('0' <= b && b <= '9') || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

func (p *parser) parseOr() (node, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.keyword("-or") {
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
	return l, nil
}

func (p *parser) parseAnd() (node, error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.keyword("-and") {
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
	return l, nil
}

func (p *parser) parseNot() (node, error) {
	if p.keyword("-not") {
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (node, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.fail("expected a property name or '('")
	}
	if p.src[p.pos] == '(' {
		p.pos++
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peekByte() != ')' {
			return nil, p.fail("expected ')'")
		}
		p.pos++
		return x, nil
	}
	start := p.pos
	for p.pos < len(p.src) && isPropByte(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return nil, p.fail("expected a property name, found %q", p.rest())
	}
	prop := p.src[start:p.pos]
	p.props = append(p.props, PropRef{Name: prop, Pos: start + 1})
	p.skipSpace()
	op, ok := p.operator()
	if !ok {
		return nil, p.fail("expected a comparison operator (-eq, -ne, -like, -notlike, -gt, -lt, -ge, -le) after %q", prop)
	}
	lit, err := p.value()
	if err != nil {
		return nil, err
	}
	return cmpNode{prop: prop, op: op, lit: lit}, nil
}

func isPropByte(b byte) bool {
	return b == '_' || ('0' <= b && b <= '9') || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

func (p *parser) operator() (Op, bool) {
	for _, op := range []Op{NotLike, Like, Eq, Ne, Gt, Lt, Ge, Le} {
		if p.keyword(string(op)) {
			return op, true
		}
	}
	return "", false
}

func (p *parser) value() (literal, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return literal{}, p.fail("expected a value")
	}
	switch q := p.src[p.pos]; q {
	case '\'', '"':
		// A quote inside is written twice, as in PowerShell strings.
		p.pos++
		var b strings.Builder
		for {
			if p.pos >= len(p.src) {
				return literal{}, p.fail("unterminated string")
			}
			c := p.src[p.pos]
			if c == q {
				if p.pos+1 < len(p.src) && p.src[p.pos+1] == q {
					b.WriteByte(q)
					p.pos += 2
					continue
				}
				p.pos++
				return literal{text: b.String()}, nil
			}
			b.WriteByte(c)
			p.pos++
		}
	case '(', ')':
		return literal{}, p.fail("expected a value, found %q", string(q))
	}
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == ' ' || c == '\t' || c == ')' || c == '}' || c == '\r' || c == '\n' {
			break
		}
		p.pos++
	}
	word := p.src[start:p.pos]
	if strings.HasPrefix(word, "-") {
		p.pos = start
		return literal{}, p.fail("expected a value, found operator %q", word)
	}
	switch strings.ToLower(word) {
	case "$true":
		return literal{text: "True"}, nil
	case "$false":
		return literal{text: "False"}, nil
	case "$null":
		return literal{isNull: true}, nil
	}
	if strings.HasPrefix(word, "$") {
		p.pos = start
		return literal{}, p.fail("variables are not allowed in a filter sent to the service: %q", word)
	}
	return literal{text: word}, nil
}

func (n cmpNode) eval(get Lookup) bool {
	v, _ := get(n.prop)
	switch n.op {
	case Ne:
		return !compareAny(v, Eq, n.lit)
	case NotLike:
		return !compareAny(v, Like, n.lit)
	}
	return compareAny(v, n.op, n.lit)
}

// compareAny applies op to a value; a multi-valued property matches when
// any element does, as in Exchange.
func compareAny(v any, op Op, lit literal) bool {
	if list, ok := v.([]string); ok {
		if lit.isNull {
			return len(list) == 0 && op == Eq
		}
		for _, s := range list {
			if compareOne(s, op, lit) {
				return true
			}
		}
		return false
	}
	return compareOne(v, op, lit)
}

func compareOne(v any, op Op, lit literal) bool {
	if isNull(v) {
		return lit.isNull && op == Eq
	}
	if lit.isNull {
		return false
	}
	switch x := v.(type) {
	case bool:
		b, ok := parseBool(lit.text)
		if !ok {
			return false
		}
		return ordered(op, boolInt(x), boolInt(b))
	case time.Time:
		t, ok := ParseDate(lit.text)
		if !ok {
			return false
		}
		return ordered(op, x.Compare(t), 0)
	case string:
		return compareString(x, op, lit.text)
	}
	if f, ok := number(v); ok {
		if op == Like {
			return wildcard(strconv.FormatFloat(f, 'f', -1, 64), lit.text)
		}
		g, err := strconv.ParseFloat(lit.text, 64)
		if err != nil {
			return false
		}
		return ordered(op, cmpFloat(f, g), 0)
	}
	if s, ok := v.(fmt.Stringer); ok {
		return compareString(s.String(), op, lit.text)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return compareString(rv.String(), op, lit.text)
	}
	return compareString(fmt.Sprint(v), op, lit.text)
}

func compareString(s string, op Op, lit string) bool {
	if op == Like {
		return wildcard(s, lit)
	}
	// Quotas and sizes ("99 GB (106,300,440,576 bytes)") compare by
	// bytes when the literal is a size too, as ByteQuantifiedSize does.
	if a, ok := ParseByteQuantity(s); ok && strings.HasSuffix(s, "bytes)") {
		if b, ok := ParseByteQuantity(lit); ok {
			return ordered(op, cmpFloat(float64(a), float64(b)), 0)
		}
	}
	return ordered(op, strings.Compare(strings.ToLower(s), strings.ToLower(lit)), 0)
}

func ordered(op Op, c, zero int) bool {
	switch op {
	case Eq:
		return c == zero
	case Gt:
		return c > zero
	case Lt:
		return c < zero
	case Ge:
		return c >= zero
	case Le:
		return c <= zero
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isNull(v any) bool {
	if v == nil {
		return true
	}
	if s, ok := v.(string); ok {
		return s == ""
	}
	if t, ok := v.(time.Time); ok {
		return t.IsZero()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return rv.IsNil()
	case reflect.String:
		return rv.Len() == 0
	}
	return false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "$true":
		return true, true
	case "false", "0", "$false":
		return false, true
	}
	return false, false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	}
	return 0, false
}

// wildcard matches s against a pattern where * is any run of characters
// and ? one character, ignoring case.
func wildcard(s, pattern string) bool {
	return match([]rune(strings.ToLower(s)), []rune(strings.ToLower(pattern)))
}

func match(s, p []rune) bool {
	// Iterative matching with one backtrack point: linear in practice and
	// never exponential on patterns like "*a*a*a*".
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// ParseDate reads a date the way Exchange filters accept them: ISO 8601
// with or without time and zone, or US-style "MM/dd/yyyy [HH:mm:ss]".
// Dates without a zone are UTC.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
		"01/02/2006 15:04:05", "1/2/2006 15:04:05", "1/2/2006 3:04:05 PM", "01/02/2006 3:04:05 PM",
		"01/02/2006", "1/2/2006",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseByteQuantity reads a size as Exchange writes or accepts it:
// "99 GB (106,300,440,576 bytes)", "50GB", "1.5 MB", "1048576" or
// "512KB". Units are binary (1 KB = 1024 B).
func ParseByteQuantity(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "("); i >= 0 && strings.HasSuffix(s, "bytes)") {
		digits := strings.ReplaceAll(strings.TrimSuffix(s[i+1:], "bytes)"), ",", "")
		n, err := strconv.ParseInt(strings.TrimSpace(digits), 10, 64)
		return n, err == nil
	}
	i := len(s)
	for i > 0 && unicode.IsLetter(rune(s[i-1])) {
		i--
	}
	num, unit := strings.TrimSpace(s[:i]), strings.ToUpper(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, false
	}
	var mult float64
	switch unit {
	case "", "B":
		mult = 1
	case "KB":
		mult = 1 << 10
	case "MB":
		mult = 1 << 20
	case "GB":
		mult = 1 << 30
	case "TB":
		mult = 1 << 40
	default:
		return 0, false
	}
	return int64(math.Round(f * mult)), true
}

// MatchWildcard reports whether s matches a -like pattern (* and ?),
// ignoring case.
func MatchWildcard(s, pattern string) bool { return wildcard(s, pattern) }

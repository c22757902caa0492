package checks

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A threshold's string rule is parsed here, by hand, when threshold() is
// called: a mistake in it fails the script before any cmdlet runs, with
// the column it is at. The language is small on purpose (comparisons of
// aggregates with numbers, joined with and, or, not) so that a rule reads
// the same in the script, in the run's results and in the failure message.
//
//	rule    = or
//	or      = and { "or" and }
//	and     = not { "and" not }
//	not     = "not" not | compare
//	compare = operand [ relop operand ]
//	operand = number | name | "(" rule ")"
//	relop   = "==" | "~=" | "!=" | "<" | "<=" | ">" | ">="
//
// Types are checked while parsing: and, or and not take conditions, a
// comparison takes numbers, and the whole rule must be a condition.

// exprError is a rule that does not parse, at a 1-based column.
type exprError struct {
	Column  int
	Message string
}

func (e *exprError) Error() string { return fmt.Sprintf("at column %d: %s", e.Column, e.Message) }

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokNumber
	tokName
	tokOp // a comparison or a parenthesis
	tokAnd
	tokOr
	tokNot
)

type token struct {
	kind tokenKind
	text string
	num  float64
	pos  int // byte offset in the rule
}

func (t token) describe() string {
	if t.kind == tokEOF {
		return "the end of the rule"
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits a rule into tokens. Spellings from other languages (&&, ||,
// !, =) get a message saying what to write instead.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isDigit(c) || (c == '.' || c == '-') && i+1 < len(src) && (isDigit(src[i+1]) || src[i+1] == '.'):
			end := scanNumber(src, i)
			n, err := strconv.ParseFloat(src[i:end], 64)
			if err != nil || math.IsInf(n, 0) {
				return nil, &exprError{i + 1, fmt.Sprintf("%q is not a number", src[i:end])}
			}
			toks = append(toks, token{kind: tokNumber, text: src[i:end], num: n, pos: i})
			i = end
		case isLetter(c):
			end := i + 1
			for end < len(src) && (isLetter(src[end]) || isDigit(src[end])) {
				end++
			}
			word, kind := src[i:end], tokName
			switch word {
			case "and":
				kind = tokAnd
			case "or":
				kind = tokOr
			case "not":
				kind = tokNot
			}
			toks = append(toks, token{kind: kind, text: word, pos: i})
			i = end
		default:
			two := src[i:min(i+2, len(src))]
			switch two {
			case "==", "~=", "!=", "<=", ">=":
				toks = append(toks, token{kind: tokOp, text: two, pos: i})
				i += 2
				continue
			case "&&":
				return nil, &exprError{i + 1, `"&&" is not an operator here; write and`}
			case "||":
				return nil, &exprError{i + 1, `"||" is not an operator here; write or`}
			}
			switch c {
			case '<', '>', '(', ')':
				toks = append(toks, token{kind: tokOp, text: string(c), pos: i})
				i++
			case '=':
				return nil, &exprError{i + 1, `"=" is not a comparison; write == for equal`}
			case '!':
				return nil, &exprError{i + 1, `"!" is not an operator here; write not, or != for not equal`}
			default:
				return nil, &exprError{i + 1, fmt.Sprintf("unexpected character %q", rune(src[i]))}
			}
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// scanNumber returns the end of the number starting at i: an optional
// minus, digits with an optional fraction, an optional exponent.
func scanNumber(src string, i int) int {
	if src[i] == '-' {
		i++
	}
	for i < len(src) && (isDigit(src[i]) || src[i] == '.') {
		i++
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			for i = j; i < len(src) && isDigit(src[i]); i++ {
			}
		}
	}
	return i
}

// node is one part of a parsed rule: a number, an aggregate name, a
// comparison (op is the relop), or and/or/not.
type node struct {
	op          string // "num", "name", a relop, "and", "or", "not"
	num         float64
	name        string
	left, right *node // not uses left only
	start, end  int   // byte span in the rule, for messages
}

func (n *node) isCondition() bool { return n.op != "num" && n.op != "name" }

// rule is a parsed threshold rule.
type rule struct {
	root  *node
	names []string // the aggregates it reads, in order of first use
}

type parser struct {
	src   string
	toks  []token
	i     int
	known []string // the aggregate names the rule may use
	names []string
}

// maxRuleLength bounds a rule. Rules are short conditions; the bound also
// bounds the parser's recursion, which a rule of a million "(" would
// otherwise take past Go's stack limit, a crash no pcall recovers.
const maxRuleLength = 1000

// parseRule parses src, a rule over the aggregates named in known.
func parseRule(src string, known []string) (*rule, error) {
	if len(src) > maxRuleLength {
		return nil, &exprError{maxRuleLength + 1, fmt.Sprintf("the rule is %d characters long; a rule is at most %d (use a function for more)", len(src), maxRuleLength)}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks, known: known}
	if p.peek().kind == tokEOF {
		return nil, &exprError{1, "the rule is empty; want a condition such as count > 0"}
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, &exprError{t.pos + 1, fmt.Sprintf("unexpected %s after a complete condition; join conditions with and or or", t.describe())}
	}
	if !root.isCondition() {
		return nil, p.notCondition(root, "the rule")
	}
	return &rule{root: root, names: p.names}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) text(n *node) string { return p.src[n.start:n.end] }

func (p *parser) notCondition(n *node, what string) error {
	return &exprError{n.start + 1, fmt.Sprintf("%s needs a condition, and %s is a number; compare it, e.g. %s > 0", what, p.text(n), p.text(n))}
}

// logical parses one level of and/or: operands from sub, joined by kind.
func (p *parser) logical(kind tokenKind, op string, sub func() (*node, error)) (*node, error) {
	left, err := sub()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == kind {
		p.next()
		right, err := sub()
		if err != nil {
			return nil, err
		}
		for _, side := range []*node{left, right} {
			if !side.isCondition() {
				return nil, p.notCondition(side, op)
			}
		}
		left = &node{op: op, left: left, right: right, start: left.start, end: right.end}
	}
	return left, nil
}

func (p *parser) or() (*node, error)  { return p.logical(tokOr, "or", p.and) }
func (p *parser) and() (*node, error) { return p.logical(tokAnd, "and", p.not) }

func (p *parser) not() (*node, error) {
	if p.peek().kind != tokNot {
		return p.compare()
	}
	t := p.next()
	operand, err := p.not()
	if err != nil {
		return nil, err
	}
	if !operand.isCondition() {
		return nil, p.notCondition(operand, "not")
	}
	return &node{op: "not", left: operand, start: t.pos, end: operand.end}, nil
}

func isRelop(t token) bool {
	return t.kind == tokOp && t.text != "(" && t.text != ")"
}

func (p *parser) compare() (*node, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	if !isRelop(p.peek()) {
		return left, nil
	}
	op := p.next().text
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	for _, side := range []*node{left, right} {
		if side.isCondition() {
			return nil, &exprError{side.start + 1, fmt.Sprintf("%s compares numbers, and %s is a condition", op, p.text(side))}
		}
	}
	if t := p.peek(); isRelop(t) {
		return nil, &exprError{t.pos + 1, fmt.Sprintf("comparisons do not chain; write %s and %s %s ...", p.src[left.start:right.end], p.text(right), t.text)}
	}
	if op == "!=" {
		op = "~="
	}
	return &node{op: op, left: left, right: right, start: left.start, end: right.end}, nil
}

func (p *parser) operand() (*node, error) {
	t := p.next()
	switch {
	case t.kind == tokNumber:
		return &node{op: "num", num: t.num, start: t.pos, end: t.pos + len(t.text)}, nil
	case t.kind == tokName:
		if !slices.Contains(p.known, t.text) {
			return nil, &exprError{t.pos + 1, fmt.Sprintf("unknown name %q; a rule can use %s and numbers", t.text, strings.Join(p.known, ", "))}
		}
		if !slices.Contains(p.names, t.text) {
			p.names = append(p.names, t.text)
		}
		return &node{op: "name", name: t.text, start: t.pos, end: t.pos + len(t.text)}, nil
	case t.kind == tokOp && t.text == "(":
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		closing := p.next()
		if closing.kind != tokOp || closing.text != ")" {
			return nil, &exprError{closing.pos + 1, fmt.Sprintf("want \")\" to close the \"(\" at column %d, found %s", t.pos+1, closing.describe())}
		}
		return &node{op: inner.op, num: inner.num, name: inner.name, left: inner.left, right: inner.right, start: t.pos, end: closing.pos + 1}, nil
	}
	return nil, &exprError{t.pos + 1, fmt.Sprintf("want a number, %s or \"(\", found %s", strings.Join(p.known, ", "), t.describe())}
}

// eval evaluates the rule; get returns an aggregate's value, or an error
// when it has none. and and or stop at the first side that decides, so a
// side that is never needed is never read.
func (r *rule) eval(get func(name string) (float64, error)) (bool, error) {
	return r.root.truth(get)
}

func (n *node) truth(get func(string) (float64, error)) (bool, error) {
	switch n.op {
	case "and", "or":
		l, err := n.left.truth(get)
		if err != nil || l == (n.op == "or") {
			return l, err
		}
		return n.right.truth(get)
	case "not":
		v, err := n.left.truth(get)
		return !v, err
	}
	l, err := n.left.number(get)
	if err != nil {
		return false, err
	}
	r, err := n.right.number(get)
	if err != nil {
		return false, err
	}
	switch n.op {
	case "==":
		return l == r, nil
	case "~=":
		return l != r, nil
	case "<":
		return l < r, nil
	case "<=":
		return l <= r, nil
	case ">":
		return l > r, nil
	case ">=":
		return l >= r, nil
	}
	panic("checks: unknown operator " + n.op) // the parser makes no other
}

func (n *node) number(get func(string) (float64, error)) (float64, error) {
	if n.op == "name" {
		return get(n.name)
	}
	return n.num, nil
}

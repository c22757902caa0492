package luapattern

import "strings"

// MaxCaptures is the most captures a pattern may have (LUA_MAXCAPTURES).
const MaxCaptures = 32

// specials are the characters that make a pattern more than plain text
// for string.find (lstrlib.c's SPECIALS).
const specials = "^$*+?.([%-"

// HasSpecials reports whether pattern has any character that is special
// in a pattern; string.find searches for a pattern without them as plain
// text, as Lua does.
func HasSpecials(pattern string) bool { return strings.ContainsAny(pattern, specials) }

// PatternError is a malformed pattern. Its message is Lua's.
type PatternError struct {
	Pattern string
	Message string
}

func (e *PatternError) Error() string { return e.Message }

// opcode is the kind of one pattern item.
type opcode uint8

const (
	opSingle   opcode = iota // one character of a class, maybe repeated
	opOpen                   // ( starts a capture
	opPosition               // () captures the position
	opClose                  // ) ends the innermost open capture
	opEnd                    // $ as the pattern's last character
	opBalance                // %bxy
	opFrontier               // %f[set]
	opBackref                // %1-%9
)

// item is one compiled pattern item.
type item struct {
	op  opcode
	rep byte    // opSingle: 0 (exactly once), '?', '*', '+' or '-'
	n   uint8   // capture index of opOpen, opPosition, opClose, opBackref
	a   byte    // opBalance: the opening character
	b   byte    // opBalance: the closing character
	set charSet // opSingle, opFrontier: the characters that match
}

// Pattern is a compiled Lua pattern. It is immutable: one Pattern may serve
// any number of Find calls, from any goroutine.
type Pattern struct {
	src      string
	items    []item
	anchored bool // a leading ^
	ncap     int
	// unfinished has bit i set when capture i is never closed: Lua lets
	// such a pattern match and fails only when the capture is used.
	unfinished uint32
	// first, when hasFirst, holds every character a match can start with:
	// Find skips other start positions without trying them.
	first    charSet
	hasFirst bool
	// firstByte >= 0 is the only character a match can start with.
	firstByte int
}

// Compile parses a pattern as string.find, match and gsub read it: a
// leading ^ anchors the match at the start position. Every error in the
// pattern is reported here, even one the match would never reach (Lua 5.1
// reports it only when the matcher gets there).
func Compile(pattern string) (*Pattern, error) { return compile(pattern, true) }

// CompileUnanchored parses a pattern as string.gmatch reads it: a leading
// ^ is an ordinary character, as in Lua 5.1, since an anchored match would
// stop the iteration.
func CompileUnanchored(pattern string) (*Pattern, error) { return compile(pattern, false) }

// String returns the pattern's source.
func (p *Pattern) String() string { return p.src }

// NumCaptures is the number of captures the pattern has.
func (p *Pattern) NumCaptures() int { return p.ncap }

// Anchored reports whether the pattern starts with ^ (as Compile reads it).
func (p *Pattern) Anchored() bool { return p.anchored }

func compile(pat string, caretAnchors bool) (*Pattern, error) {
	p := &Pattern{src: pat, firstByte: -1}
	fail := func(msg string) (*Pattern, error) {
		return nil, &PatternError{Pattern: pat, Message: msg}
	}
	i := 0
	if caretAnchors && strings.HasPrefix(pat, "^") {
		p.anchored = true
		i = 1
	}
	// open is the stack of captures started and not yet closed: ) closes
	// the latest, as lstrlib.c's capture_to_close does. Which captures
	// are open at each point of a pattern never depends on the subject,
	// so capture errors are found here, before matching.
	var open [MaxCaptures]uint8
	nopen := 0
	var closed uint32
	items := make([]item, 0, len(pat))
	for i < len(pat) {
		c := pat[i]
		switch {
		case c == '(':
			if p.ncap == MaxCaptures {
				return fail("too many captures")
			}
			n := uint8(p.ncap)
			p.ncap++
			if i+1 < len(pat) && pat[i+1] == ')' {
				items = append(items, item{op: opPosition, n: n})
				closed |= 1 << n
				i += 2
				continue
			}
			items = append(items, item{op: opOpen, n: n})
			open[nopen] = n
			nopen++
			i++
		case c == ')':
			if nopen == 0 {
				return fail("invalid pattern capture")
			}
			nopen--
			n := open[nopen]
			closed |= 1 << n
			items = append(items, item{op: opClose, n: n})
			i++
		case c == '$' && i+1 == len(pat):
			items = append(items, item{op: opEnd})
			i++
		case c == '%' && i+1 < len(pat) && pat[i+1] == 'b':
			if i+3 >= len(pat) {
				return fail("malformed pattern (missing arguments to '%b')")
			}
			items = append(items, item{op: opBalance, a: pat[i+2], b: pat[i+3]})
			i += 4
		case c == '%' && i+1 < len(pat) && pat[i+1] == 'f':
			i += 2
			if i == len(pat) || pat[i] != '[' {
				return fail("missing '[' after '%f' in pattern")
			}
			it := item{op: opFrontier}
			end, msg := parseSet(pat, i, &it.set)
			if msg != "" {
				return fail(msg)
			}
			items = append(items, it)
			i = end
		case c == '%' && i+1 < len(pat) && isDigit(pat[i+1]):
			l := int(pat[i+1]) - '1'
			if l < 0 || l >= p.ncap || closed&(1<<l) == 0 {
				return fail("invalid capture index")
			}
			items = append(items, item{op: opBackref, n: uint8(l)})
			i += 2
		default:
			it := item{op: opSingle}
			end, msg := parseClass(pat, i, &it.set)
			if msg != "" {
				return fail(msg)
			}
			if end < len(pat) {
				switch pat[end] {
				case '?', '*', '+', '-':
					it.rep = pat[end]
					end++
				}
			}
			items = append(items, it)
			i = end
		}
	}
	for _, n := range open[:nopen] {
		p.unfinished |= 1 << n
	}
	p.items = items
	p.findFirst()
	return p, nil
}

// findFirst works out which characters a match can start with, when the
// first item that reads the subject must match a character.
func (p *Pattern) findFirst() {
	for i := range p.items {
		it := &p.items[i]
		switch it.op {
		case opOpen, opPosition:
			continue // reads nothing
		case opSingle:
			if it.rep == 0 || it.rep == '+' {
				p.first, p.hasFirst = it.set, true
			}
		case opBalance:
			p.first.add(it.a)
			p.hasFirst = true
		}
		break
	}
	if p.hasFirst {
		if c, ok := p.first.single(); ok {
			p.firstByte = int(c)
		}
	}
}

// parseClass reads the single-character class at pat[i] (a character,
// '.', %x or a [set]) into set and returns the index just past it, or a
// Lua error message.
func parseClass(pat string, i int, set *charSet) (int, string) {
	switch pat[i] {
	case '.':
		set.fill()
		return i + 1, ""
	case '%':
		if i+1 == len(pat) {
			return 0, "malformed pattern (ends with '%')"
		}
		set.addClass(pat[i+1])
		return i + 2, ""
	case '[':
		return parseSet(pat, i, set)
	default:
		set.add(pat[i])
		return i + 1, ""
	}
}

// parseSet reads the [set] at pat[i] into set and returns the index just
// past its ']'. As in Lua, the first character of the set (after a '^')
// is never its end, so "[]]" and "[^]]" are sets holding ']'; %x is a
// class or an escaped character; x-y is a range unless '-' is the last
// character.
func parseSet(pat string, i int, set *charSet) (int, string) {
	j := i + 1
	negate := j < len(pat) && pat[j] == '^'
	if negate {
		j++
	}
	body := j
	for {
		if j >= len(pat) {
			return 0, "malformed pattern (missing ']')"
		}
		c := pat[j]
		j++
		if c == '%' && j < len(pat) {
			j++
		}
		if j < len(pat) && pat[j] == ']' {
			break
		}
	}
	end := j // the closing ']'
	for k := body; k < end; {
		switch c := pat[k]; {
		case c == '%':
			set.addClass(pat[k+1])
			k += 2
		case k+2 < end && pat[k+1] == '-':
			set.addRange(c, pat[k+2])
			k += 3
		default:
			set.add(c)
			k++
		}
	}
	if negate {
		set.invert()
	}
	return end + 1, ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

package luapattern

import "strings"

// Special span ends: a capture still open, and a position capture.
const (
	capUnfinished = -1
	capPosition   = -2
)

// span is one capture: subject[start:end], or a position capture at start
// (end == capPosition), or a capture never closed (end == capUnfinished).
type span struct{ start, end int }

// CaptureKind tells what a capture holds.
type CaptureKind uint8

const (
	// CaptureString is a substring of the subject.
	CaptureString CaptureKind = iota
	// CapturePosition is a () capture: a position in the subject.
	CapturePosition
	// CaptureUnfinished is a capture the pattern never closed, such as
	// the one of "(a". Lua lets the match succeed and fails with
	// "unfinished capture" when the capture's value is used.
	CaptureUnfinished
)

// Capture is the value of one capture.
type Capture struct {
	Kind CaptureKind
	// Start and End delimit a CaptureString: subject[Start:End]. For a
	// CapturePosition, Start == End is the 0-based byte offset (Lua's
	// value is Start+1).
	Start, End int
}

// Match is one match of a pattern: the matched text and its captures.
type Match struct {
	Start, End int // the whole match: subject[Start:End]
	n          int
	caps       [MaxCaptures]span
}

// NumCaptures is the number of captures, the pattern's NumCaptures.
func (m *Match) NumCaptures() int { return m.n }

// Capture returns capture i, counting from 0; Lua's %1 is Capture(0).
func (m *Match) Capture(i int) Capture {
	c := m.caps[i]
	switch c.end {
	case capPosition:
		return Capture{Kind: CapturePosition, Start: c.start, End: c.start}
	case capUnfinished:
		return Capture{Kind: CaptureUnfinished, Start: c.start, End: c.start}
	}
	return Capture{Kind: CaptureString, Start: c.start, End: c.end}
}

// Find compiles pattern and finds its first match in subject at or after
// byte offset init; see Pattern.Find.
func Find(subject, pattern string, init int, b *Budget) (Match, bool, error) {
	p, err := Compile(pattern)
	if err != nil {
		return Match{}, false, err
	}
	return p.Find(subject, init, b)
}

// Find returns the first match of p in subject that starts at or after
// byte offset init (clamped to 0..len(subject)), trying each start
// position in turn as Lua does; an anchored pattern is tried at init only.
// It reports false when there is none. The steps it takes are charged to
// b, which may be shared by several calls (one gsub); nil means a budget
// of DefaultLimit(len(subject)) for this call alone. The error is a
// *TooComplexError, ErrTooDeep, or the error of b's Check function.
func (p *Pattern) Find(subject string, init int, b *Budget) (Match, bool, error) {
	if b == nil {
		b = &Budget{}
	}
	b.start(len(subject))
	init = max(0, min(init, len(subject)))
	m := matcher{items: p.items, subj: subject, used: b.used, next: b.next, limit: b.Limit, check: b.Check}
	defer func() { b.used, b.next = m.used, m.next }()
	for s := init; ; s++ {
		if p.hasFirst && !p.anchored {
			s = p.skip(subject, s)
			if s < 0 {
				return Match{}, false, nil
			}
		}
		if e := m.match(s, 0); e >= 0 {
			res := Match{Start: s, End: e, n: p.ncap}
			copy(res.caps[:p.ncap], m.caps[:p.ncap])
			for i := range p.ncap {
				if p.unfinished&(1<<i) != 0 {
					res.caps[i].end = capUnfinished
				}
			}
			return res, true, nil
		}
		if m.err != nil {
			return Match{}, false, m.err
		}
		if p.anchored || s >= len(subject) {
			return Match{}, false, nil
		}
	}
}

// skip returns the first position at or after s where a match can start,
// or -1: there the first item that reads the subject must match a
// character, so a position where it cannot would fail at once.
func (p *Pattern) skip(subject string, s int) int {
	if p.firstByte >= 0 {
		if i := strings.IndexByte(subject[s:], byte(p.firstByte)); i >= 0 {
			return s + i
		}
		return -1
	}
	for ; s < len(subject); s++ {
		if p.first.has(subject[s]) {
			return s
		}
	}
	return -1
}

// matcher is the state of one Find: the budget's counters live here while
// it runs, so that counting a step touches no other memory.
type matcher struct {
	items []item
	subj  string
	caps  [MaxCaptures]span
	depth int
	used  int64
	next  int64
	limit int64
	check func() error
	err   error
}

// step counts one step and reports whether the match may go on.
func (m *matcher) step() bool {
	m.used++
	return m.used < m.next || m.slow()
}

// spend counts n steps at once, for a scan whose length is known.
func (m *matcher) spend(n int) bool {
	m.used += int64(n)
	return m.used < m.next || m.slow()
}

// slow runs when the count reaches m.next: the periodic check, the end of
// the budget, or an earlier failure (which sets next to 0, so that every
// later step fails and the match unwinds at once).
func (m *matcher) slow() bool {
	if m.err != nil {
		return false
	}
	if m.used > m.limit {
		m.fail(&TooComplexError{Steps: m.limit, SubjectLen: len(m.subj)})
		return false
	}
	if m.check != nil {
		if err := m.check(); err != nil {
			m.fail(err)
			return false
		}
	}
	m.next = min(m.used+CheckInterval, m.limit+1)
	return true
}

func (m *matcher) fail(err error) {
	if m.err == nil {
		m.err = err
	}
	m.next = 0
}

// match matches the pattern from item pi against the subject from s and
// returns where the match ends, or -1 (for no match or an error in m.err).
func (m *matcher) match(s, pi int) int {
	if m.depth == maxDepth {
		m.fail(ErrTooDeep)
		return -1
	}
	m.depth++
	e := m.run(s, pi)
	m.depth--
	return e
}

// run is lstrlib.c's match: items that need no backtracking are matched in
// a loop, and the matcher recurses only to try an alternative.
func (m *matcher) run(s, pi int) int {
	items, subj := m.items, m.subj
	for {
		if !m.step() {
			return -1
		}
		if pi == len(items) {
			return s
		}
		it := &items[pi]
		switch it.op {
		case opSingle:
			ok := s < len(subj) && it.set.has(subj[s])
			switch it.rep {
			case 0:
				if !ok {
					return -1
				}
				s++
			case '?':
				if ok {
					if e := m.match(s+1, pi+1); e >= 0 || m.err != nil {
						return e
					}
				}
			case '*':
				return m.maxExpand(s, pi)
			case '+':
				if !ok {
					return -1
				}
				return m.maxExpand(s+1, pi)
			default: // '-'
				return m.minExpand(s, pi)
			}
		case opOpen:
			// Which captures are open never depends on the subject
			// (see compile), so captures need no undoing on failure:
			// a path that reaches a capture's use sets it first.
			m.caps[it.n] = span{s, capUnfinished}
		case opPosition:
			m.caps[it.n] = span{s, capPosition}
		case opClose:
			m.caps[it.n].end = s
		case opEnd:
			if s == len(subj) {
				return s
			}
			return -1
		case opBalance:
			if s = m.balance(s, it.a, it.b); s < 0 {
				return -1
			}
		case opFrontier:
			var prev, cur byte // '\0' before the start and at the end, as in Lua
			if s > 0 {
				prev = subj[s-1]
			}
			if s < len(subj) {
				cur = subj[s]
			}
			if it.set.has(prev) || !it.set.has(cur) {
				return -1
			}
		case opBackref:
			c := m.caps[it.n]
			if c.end == capPosition {
				return -1 // as in Lua, a position never matches text
			}
			n := c.end - c.start
			if len(subj)-s < n || subj[s:s+n] != subj[c.start:c.end] || !m.spend(n) {
				return -1
			}
			s += n
		}
		pi++
	}
}

// maxExpand matches item pi repeated as often as possible from s, then
// gives back one repetition at a time until the rest of the pattern
// matches (lstrlib.c's max_expand).
func (m *matcher) maxExpand(s, pi int) int {
	set, subj := &m.items[pi].set, m.subj
	i := 0
	for s+i < len(subj) && set.has(subj[s+i]) {
		i++
	}
	if !m.spend(i + 1) {
		return -1
	}
	for ; i >= 0; i-- {
		if e := m.match(s+i, pi+1); e >= 0 || m.err != nil {
			return e
		}
	}
	return -1
}

// minExpand matches item pi repeated as few times as possible: it tries
// the rest of the pattern first, then one more repetition, and so on
// (lstrlib.c's min_expand).
func (m *matcher) minExpand(s, pi int) int {
	set, subj := &m.items[pi].set, m.subj
	for {
		if e := m.match(s, pi+1); e >= 0 || m.err != nil {
			return e
		}
		if !m.step() || s == len(subj) || !set.has(subj[s]) {
			return -1
		}
		s++
	}
}

// balance matches %bab at s: a, then text in which a and b balance, then
// b. It returns the end of the match, or -1.
func (m *matcher) balance(s int, a, b byte) int {
	subj := m.subj
	if s >= len(subj) || subj[s] != a {
		return -1
	}
	depth := 1
	for i := s + 1; i < len(subj); i++ {
		switch subj[i] {
		case b:
			if depth--; depth == 0 {
				if !m.spend(i - s) {
					return -1
				}
				return i + 1
			}
		case a:
			depth++
		}
	}
	m.spend(len(subj) - s)
	return -1
}

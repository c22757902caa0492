package luapattern

import (
	"errors"
	"strings"
	"testing"
)

// FuzzFind checks that Find never panics, that it ends within its budget
// (a match stops at most one scan of the subject past the limit), and that
// what it returns lies within the subject.
func FuzzFind(f *testing.F) {
	for _, seed := range []struct {
		s, p string
		init int
	}{
		{strings.Repeat("a", 60) + "b", "(.-)(.-)(.-)(.-)c", 0},
		{"(a(b)c)(d", "%b()", 0},
		{"THE (quick) fox", "%f[%a]%a+%f[%A]", 3},
		{"alo xyzK", "(%w+)K", 0},
		{"=======", "^(=*)=%1$", 0},
		{" alo aalo allo", "%f[%S](.-%f[%s].-%f[%S])", 1},
		{"]]]ab", "[^]]", 0},
		{"a-z", "[a-]+", 0},
		{"0123456789", "(.+(.?)())", 0},
		{"xuxx uu ppar r", "()(.)%2", 0},
		{"abc", "(()", 0},
		{"abc", "%", 0},
		{"abc", "[%", 0},
		{"abc", "%f", 0},
		{"abc", "%b", 0},
		{"abc", "a)", 0},
		{strings.Repeat("a", 300), strings.Repeat("a?", 210), 0},
		{strings.Repeat("x", 100), strings.Repeat(".*", 20) + "y", -5},
		{"a\x00b", "%z[\x00-\xff]$", 9},
		{"((((((((((", "%b()*", 0},
		{"aaa", "^$", 3},
	} {
		f.Add(seed.s, seed.p, seed.init)
	}
	f.Fuzz(func(t *testing.T, s, pattern string, init int) {
		p, err := Compile(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q): %T %v", pattern, err, err)
			}
			return
		}
		checks := 0
		b := Budget{Limit: 200_000, Check: func() error { checks++; return nil }}
		m, ok, err := p.Find(s, init, &b)
		if used := b.Used(); used > b.Limit+int64(len(s))+1 {
			t.Fatalf("used %d steps of a budget of %d", used, b.Limit)
		}
		if int64(checks) > b.Used()/CheckInterval+1 {
			t.Fatalf("%d checks in %d steps", checks, b.Used())
		}
		if err != nil {
			var tc *TooComplexError
			if !errors.As(err, &tc) && err != ErrTooDeep {
				t.Fatalf("Find: %T %v", err, err)
			}
			return
		}
		if !ok {
			return
		}
		from := max(0, min(init, len(s)))
		if m.Start < from || m.End < m.Start || m.End > len(s) || p.Anchored() && m.Start != from {
			t.Fatalf("match [%d:%d] from %d in %d bytes", m.Start, m.End, from, len(s))
		}
		if m.NumCaptures() != p.NumCaptures() {
			t.Fatalf("%d captures, the pattern has %d", m.NumCaptures(), p.NumCaptures())
		}
		for i := range m.NumCaptures() {
			c := m.Capture(i)
			if c.Start < m.Start || c.End < c.Start || c.End > m.End {
				t.Fatalf("capture %d [%d:%d] outside the match [%d:%d]", i+1, c.Start, c.End, m.Start, m.End)
			}
		}
		// The same search anchored at the match's start finds the same
		// match: Find tries each position as Lua does.
		if !p.Anchored() {
			q, err := Compile("^" + pattern)
			if err != nil {
				t.Fatalf("Compile(^%q): %v", pattern, err)
			}
			again, ok, err := q.Find(s, m.Start, &Budget{Limit: 200_000})
			if err == nil && (!ok || again.End != m.End) {
				t.Fatalf("anchored at %d: ok=%v end %d, want end %d", m.Start, ok, again.End, m.End)
			}
		}
	})
}

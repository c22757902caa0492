package luapattern

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// values returns what string.match would: the captures (positions as
// Lua's 1-based numbers) or the whole match; nil for no match.
func values(t *testing.T, s, p string, init int) []any {
	t.Helper()
	m, ok, err := Find(s, p, init, nil)
	if err != nil {
		t.Fatalf("Find(%q, %q): %v", s, p, err)
	}
	if !ok {
		return nil
	}
	if m.NumCaptures() == 0 {
		return []any{s[m.Start:m.End]}
	}
	var out []any
	for i := range m.NumCaptures() {
		switch c := m.Capture(i); c.Kind {
		case CapturePosition:
			out = append(out, c.Start+1)
		case CaptureString:
			out = append(out, s[c.Start:c.End])
		default:
			t.Fatalf("Find(%q, %q): capture %d unfinished", s, p, i+1)
		}
	}
	return out
}

// TestLua51MatchedText is pm.lua's f(s, p) (the text string.find finds),
// from the Lua 5.1 test suite, with the cases gopher-lua had to comment
// out restored.
func TestLua51MatchedText(t *testing.T) {
	noMatch := "\x00no match"
	for _, c := range []struct{ s, p, want string }{
		{"aloALO", "%l*", "alo"},
		{"aLo_ALO", "%a*", "aLo"},
		{"aaab", "a*", "aaa"},
		{"aaa", "^.*$", "aaa"},
		{"aaa", "b*", ""},
		{"aaa", "ab*a", "aa"},
		{"aba", "ab*a", "aba"},
		{"aaab", "a+", "aaa"},
		{"aaa", "^.+$", "aaa"},
		{"aaa", "b+", noMatch},
		{"aaa", "ab+a", noMatch},
		{"aba", "ab+a", "aba"},
		{"a$a", ".$", "a"},
		{"a$a", ".%$", "a$"},
		{"a$a", ".$.", "a$a"},
		{"a$a", "$$", noMatch},
		{"a$b", "a$", noMatch},
		{"a$a", "$", ""},
		{"", "b*", ""},
		{"aaa", "bb*", noMatch},
		{"aaab", "a-", ""},
		{"aaa", "^.-$", "aaa"},
		{"aabaaabaaabaaaba", "b.*b", "baaabaaabaaab"},
		{"aabaaabaaabaaaba", "b.-b", "baaab"},
		{"alo xo", ".o$", "xo"},
		{" \n isto \xe9 assim", "%S%S*", "isto"},
		{" \n isto \xe9 assim", "%S*$", "assim"},
		{" \n isto \xe9 assim", "[a-z]*$", "assim"},
		{"um caracter ? extra", "[^%sa-z]", "?"},
		{"", "a?", ""},
		{"\xe1", "\xe1?", "\xe1"},
		{"\xe1bl", "\xe1?b?l?", "\xe1bl"},
		{"  \xe1bl", "\xe1?b?l?", ""},
		{"aa", "^aa?a?a", "aa"},
		{"]]]\xe1b", "[^]]", "\xe1"},
		{"]]]\xe1b", "[^%]]", "\xe1"},
		{"0alo alo", "%x*", "0a"},
		{"alo alo", "%C+", "alo alo"},
		{"(9 ((8))(\x00) 7) \x00\x00 a b ()(c)() a", "%b()", "(9 ((8))(\x00) 7)"},
		{"alo 'oi' alo", "%b''", "'oi'"},
		{"aaa", "%bab", noMatch},
		// gmatch and gsub test these; find is enough here.
		{"THE (quick) fox", "%f[%a]%a+", "THE"},
		{" alo aalo allo", "%f[%S].-%f[%s].-%f[%S]", "alo "},
		{"function", "%f[\x01-\xff]%w", "f"},
		{"function", "%f[^\x01-\xff]", ""},
		// $ is an anchor only as the last character; ^ only as the first.
		{"a^b", "a^b", "a^b"},
		{"ab$$", "b$*$", "b$$"},
		// Patterns may hold '\0' (Lua 5.1 stops reading a pattern there).
		{"a\x00b", "%z", "\x00"},
		{"a\x00b", "[\x00]b", "\x00b"},
	} {
		m, ok, err := Find(c.s, c.p, 0, nil)
		got := noMatch
		if ok {
			got = c.s[m.Start:m.End]
		}
		if err != nil || got != c.want {
			t.Errorf("find(%q, %q) = %q, %v; want %q", c.s, c.p, got, err, c.want)
		}
	}
}

// TestLua51Positions is pm.lua's string.find assertions on positions.
func TestLua51Positions(t *testing.T) {
	for _, c := range []struct {
		s, p       string
		init       int // 0-based
		start, end int // Lua's 1-based start and end; 0, 0 for no match
	}{
		{"", "", 0, 1, 0},
		{"alo", "", 0, 1, 0},
		{"a\x00o a\x00o a\x00o", "a", 0, 1, 1},
		{"a\x00o a\x00o a\x00o", "a\x00o", 1, 5, 7},
		{"a\x00o a\x00o a\x00o", "a\x00o", 8, 9, 11},
		{"a\x00a\x00a\x00a\x00\x00ab", "\x00ab", 1, 9, 11},
		{"a\x00a\x00a\x00a\x00\x00ab", "b", 0, 11, 11},
		{"a\x00a\x00a\x00a\x00\x00ab", "b\x00", 0, 0, 0},
		{"", "\x00", 0, 0, 0},
		{"alo123alo", "12", 0, 4, 5},
		{"alo123alo", "^12", 0, 0, 0},
		{"alo123alo", "^12", 3, 4, 5}, // ^ anchors at init
		{"(\xe1lo)", "%(\xe1", 0, 1, 2},
		{"abc", "", 3, 4, 3},
		{"abc", "", 10, 4, 3}, // init past the end is the end, as in Lua 5.1
		{"abc", "c", -5, 3, 3},
	} {
		m, ok, err := Find(c.s, c.p, c.init, nil)
		var start, end int
		if ok {
			start, end = m.Start+1, m.End
		}
		if err != nil || start != c.start || end != c.end {
			t.Errorf("find(%q, %q, %d) = %d, %d, %v; want %d, %d", c.s, c.p, c.init+1, start, end, err, c.start, c.end)
		}
	}
}

// TestLua51Captures is pm.lua's string.match assertions and its f1
// back-reference cases.
func TestLua51Captures(t *testing.T) {
	for _, c := range []struct {
		s, p string
		want []any // nil: no match
	}{
		{"alo xyzK", "(%w+)K", []any{"xyz"}},
		{"254 K", "(%d*)K", []any{""}},
		{"alo ", "(%w*)$", []any{""}},
		{"alo ", "(%w+)$", nil},
		{"\xe1lo alo", "^(((.).).* (%w*))$", []any{"\xe1lo alo", "\xe1l", "\xe1", "alo"}},
		{"0123456789", "(.+(.?)())", []any{"0123456789", "", 11}},
		{"alo alx 123 b\x00o b\x00o", "(..*) %1", []any{"b\x00o"}},
		{"axz123= 4= 4 34", "(.+)=(.*)=%2 %1", []any{"3", " 4"}},
		{"=======", "^(=*)=%1$", []any{"==="}},
		{"==========", "^([=]*)=%1$", nil},
		{"hello world", "()ll()", []any{3, 5}},
		{"a.b", "(%a)%.(%a)", []any{"a", "b"}},
		{"key = value", "^(%w+)%s*=%s*(%w+)$", []any{"key", "value"}},
		{"xx", "()%1", nil}, // a position capture never matches text
		{"  alo alo  ", "^%s*(.-)%s*$", []any{"alo alo"}},
		{"abc", "a(.-)$", []any{"bc"}},
	} {
		got := values(t, c.s, c.p, 0)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("match(%q, %q) = %q, want %q", c.s, c.p, got, c.want)
		}
	}
}

// set returns, in byte order, the characters a one-character pattern
// matches (pm.lua's strset).
func set(t *testing.T, p string) string {
	t.Helper()
	pat, err := Compile(p)
	if err != nil {
		t.Fatalf("Compile(%q): %v", p, err)
	}
	var b strings.Builder
	for c := range 256 {
		s := string(rune(c))[:1]
		if c >= 128 {
			s = string([]byte{byte(c)})
		}
		if m, ok, _ := pat.Find(s, 0, nil); ok && m.Start == 0 && m.End == 1 {
			b.WriteByte(byte(c))
		}
	}
	return b.String()
}

// TestLua51Sets is pm.lua's strset assertions, with the cases gopher-lua
// had to comment out restored, and the classes in the "C" locale.
func TestLua51Sets(t *testing.T) {
	for _, c := range []struct{ p, want string }{
		{"[a-z]", "abcdefghijklmnopqrstuvwxyz"},
		{"[a-]", "-a"},
		{"[a%-]", "-a"},
		{"[]%%]", "%]"},
		{"[%]%%]", "%]"},
		{"[a%-z]", "-az"},
		{"[%^%[%-a%]%-b]", "-[]^ab"},
		{"[^%W]", set(t, "[%w]")},
		{"[a-z%d]", set(t, "[%da-uu-z]")},
		{"%Z", set(t, "[\x01-\xff]")},
		{".", set(t, "[\x01-\xff%z]")},
		{"%d", "0123456789"},
		{"%x", "0123456789ABCDEFabcdef"},
		{"%u", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{"%s", "\t\n\v\f\r "},
		{"%p", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"},
		{"%c", set(t, "[\x00-\x1f\x7f]")},
		{"%w", set(t, "[%a%d]")},
		{"%a", set(t, "[%l%u]")},
		{"[%a-]", set(t, "[-%a]")},
		{"[b-a]", ""},
		{"[^]]", set(t, "[^%]]")},
		{"%.", "."},
		{"[.]", "."},
	} {
		if got := set(t, c.p); got != c.want {
			t.Errorf("set %q = %q, want %q", c.p, got, c.want)
		}
	}
	if n := len(set(t, "[\xc8-\xd2]")); n != 11 {
		t.Errorf("[\\200-\\210] holds %d characters, want 11", n)
	}
	if n := len(set(t, "[^a]")); n != 255 {
		t.Errorf("[^a] holds %d characters, want 255", n)
	}
}

func TestPatternErrors(t *testing.T) {
	for p, want := range map[string]string{
		"%":                           "malformed pattern (ends with '%')",
		"a%":                          "malformed pattern (ends with '%')",
		"[a":                          "malformed pattern (missing ']')",
		"[]":                          "malformed pattern (missing ']')",
		"[^]":                         "malformed pattern (missing ']')",
		"[a%]":                        "malformed pattern (missing ']')",
		"%f":                          "missing '[' after '%f' in pattern",
		"%fa":                         "missing '[' after '%f' in pattern",
		"%f[a":                        "malformed pattern (missing ']')",
		"%b":                          "malformed pattern (missing arguments to '%b')",
		"%bx":                         "malformed pattern (missing arguments to '%b')",
		"(.)%2":                       "invalid capture index",
		"(%1)":                        "invalid capture index",
		"(%0)":                        "invalid capture index",
		"%1":                          "invalid capture index",
		".)":                          "invalid pattern capture",
		"()))":                        "invalid pattern capture",
		strings.Repeat("()", 33):      "too many captures",
		strings.Repeat("(a)", 33):     "too many captures",
		"^" + strings.Repeat("(", 33): "too many captures",
	} {
		_, err := Compile(p)
		var pe *PatternError
		if !errors.As(err, &pe) || pe.Message != want || err.Error() != want {
			t.Errorf("Compile(%q) = %v, want %q", p, err, want)
		}
	}
	// 32 captures are allowed; an unclosed one matches and shows as such.
	if _, err := Compile(strings.Repeat("()", 32)); err != nil {
		t.Errorf("32 captures: %v", err)
	}
	m, ok, err := Find("alo", "(.", 0, nil)
	if err != nil || !ok || m.Capture(0).Kind != CaptureUnfinished {
		t.Errorf(`Find("alo", "(."): %+v %v %v, want a match with an unfinished capture`, m.Capture(0), ok, err)
	}
}

// pathological is the pattern of the bug report: unanchored, four .- in a
// row, and a subject without the final c. Lua needs hours for it.
const pathological = "(.-)(.-)(.-)(.-)c"

func pathologicalSubject() string { return strings.Repeat("a", 1200) + "b" }

func TestBudgetStopsBacktracking(t *testing.T) {
	s := pathologicalSubject()
	var b Budget
	_, ok, err := Find(s, pathological, 0, &b)
	var tc *TooComplexError
	if ok || !errors.As(err, &tc) {
		t.Fatalf("got ok=%v err=%v, want a *TooComplexError", ok, err)
	}
	if tc.SubjectLen != 1201 || tc.Steps != DefaultLimit(1201) || tc.Steps != 10_120_100 {
		t.Errorf("error %+v, want SubjectLen 1201 and Steps %d", tc, DefaultLimit(1201))
	}
	if b.Used() <= b.Limit || b.Used() > b.Limit+int64(len(s))+1 {
		t.Errorf("used %d steps of %d: a match must stop right after its budget", b.Used(), b.Limit)
	}
	want := "pattern too complex for a subject of 1201 bytes (more than 10120100 matching steps): anchor it with ^ or avoid several .- or .* in a row"
	if err.Error() != want {
		t.Errorf("message %q\nwant    %q", err, want)
	}
	// The same budget stays spent: the next call fails at its first step.
	if _, _, err := Find("c", "c", 0, &b); !errors.As(err, &tc) {
		t.Errorf("a spent budget allowed another match: %v", err)
	}
	// Anchored and with fewer .-, as the message advises, it is cheap.
	for _, p := range []string{"^(.-)(.-)c", "(.-)c"} {
		b = Budget{}
		if _, ok, err := Find(s, p, 0, &b); ok || err != nil || b.Used() > 5_000_000 {
			t.Errorf("%s: ok=%v err=%v after %d steps, want no match", p, ok, err, b.Used())
		}
	}
}

func TestBudgetLimitIsTheCallers(t *testing.T) {
	b := Budget{Limit: 100}
	_, _, err := Find(strings.Repeat("a", 1000), "a*b", 0, &b)
	var tc *TooComplexError
	if !errors.As(err, &tc) || tc.Steps != 100 {
		t.Fatalf("got %v, want a *TooComplexError at 100 steps", err)
	}
	// One budget spans calls, as it does for a gsub.
	p, _ := Compile("%a+")
	b = Budget{Limit: 50}
	s := strings.Repeat("word ", 100)
	calls := 0
	for at := 0; ; calls++ {
		m, ok, err := p.Find(s, at, &b)
		if err != nil {
			if !errors.As(err, &tc) {
				t.Fatal(err)
			}
			break
		}
		if !ok {
			t.Fatalf("all %d words matched within 50 steps", calls)
		}
		at = m.End
	}
	if calls == 0 || calls > 50 {
		t.Errorf("%d matches before the shared budget ran out", calls)
	}
}

func TestCheckAbortsMatch(t *testing.T) {
	stop := errors.New("stopped by the caller")
	calls := 0
	b := Budget{Check: func() error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	}}
	_, ok, err := Find(pathologicalSubject(), pathological, 0, &b)
	if ok || err != stop {
		t.Fatalf("got ok=%v err=%v, want the check's error as is", ok, err)
	}
	if calls != 3 {
		t.Errorf("check called %d times after it failed", calls)
	}
	if used := b.Used(); used < 3*CheckInterval || used > 3*CheckInterval+2000 {
		t.Errorf("stopped after %d steps, want about %d", used, 3*CheckInterval)
	}
	// A cheap match never calls it.
	calls = 0
	if _, ok, err := Find("hello", "l+", 0, &Budget{Check: b.Check}); !ok || err != nil || calls != 0 {
		t.Errorf("cheap match: ok=%v err=%v calls=%d", ok, err, calls)
	}
}

func TestRecursionIsBounded(t *testing.T) {
	s := strings.Repeat("a", 300)
	if _, ok, err := Find(s, strings.Repeat("a?", 190), 0, nil); !ok || err != nil {
		t.Errorf("190 optional items: ok=%v err=%v", ok, err)
	}
	_, _, err := Find(s, strings.Repeat("a?", 250), 0, nil)
	if err != ErrTooDeep || !strings.HasPrefix(err.Error(), "pattern too complex") {
		t.Errorf("250 optional items: %v, want ErrTooDeep", err)
	}
	// The depth depends on repetitions, not on the subject's length.
	if _, ok, err := Find(strings.Repeat("ab", 100000), "^(.-)(%a+)$", 0, nil); !ok || err != nil {
		t.Errorf("long subject: ok=%v err=%v", ok, err)
	}
}

func TestFindAllocatesNothing(t *testing.T) {
	p, err := Compile("([^,]*),(%d+)")
	if err != nil {
		t.Fatal(err)
	}
	s := "alpha,42 beta,7"
	check := func() error { return nil }
	allocs := testing.AllocsPerRun(100, func() {
		b := Budget{Check: check}
		if _, ok, err := p.Find(s, 0, &b); !ok || err != nil {
			t.Fatal(ok, err)
		}
	})
	if allocs != 0 {
		t.Errorf("Find allocated %v times per call", allocs)
	}
}

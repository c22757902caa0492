package luapattern

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestAgainstLua51 compares string.find of a real Lua 5.1 interpreter with
// Find on random subjects and patterns. It runs only where lua5.1 is
// installed (apt-get install lua5.1); go test skips it elsewhere.
func TestAgainstLua51(t *testing.T) {
	lua, err := exec.LookPath("lua5.1")
	if err != nil {
		t.Skip("lua5.1 is not installed")
	}
	seed, n := uint64(51), 20000
	if testing.Short() {
		n = 2000
	}
	// LUA51_CASES=n and LUA51_SEED=s run more, or other, cases.
	if v, err := strconv.Atoi(os.Getenv("LUA51_CASES")); err == nil {
		n = v
	}
	if v, err := strconv.ParseUint(os.Getenv("LUA51_SEED"), 10, 64); err == nil {
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	type tc struct {
		s, p string
		init int
	}
	cases := make([]tc, n)
	var input strings.Builder
	for i := range cases {
		c := tc{s: randomText(rng, "ab ()[]%-.x\n", 12), p: randomPattern(rng), init: rng.IntN(16) - 4}
		cases[i] = c
		fmt.Fprintf(&input, "%x %x %d\n", "<"+c.s, "<"+c.p, c.init)
	}
	// Lines of "hex(<subject) hex(<pattern) init" on stdin, one result
	// line each on stdout.
	const script = `
local function unhex(h) return (string.gsub(string.sub(h, 3), "%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
local function hex(s) return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end)) end
local function show(ok, ...)
  if not ok then return "E " .. tostring((...)) end
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then out[#out+1] = "s" .. hex(v) else out[#out+1] = tostring(v) end
  end
  return table.concat(out, ",")
end
for line in io.lines() do
  local s, p, init = string.match(line, "^(%x+) (%x+) (%-?%d+)$")
  print(show(pcall(string.find, unhex(s), unhex(p), tonumber(init))))
end
`
	cmd := exec.Command(lua, "-e", script)
	cmd.Stdin = strings.NewReader(input.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.1: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("lua5.1 printed %d lines for %d cases", len(lines), len(cases))
	}
	lazy := 0
	for i, c := range cases {
		want := lines[i]
		got := findLikeLua(c.s, c.p, c.init)
		if got == want {
			continue
		}
		// Lua 5.1 reports an error in a pattern only when the matcher
		// reaches it; Compile reports it always.
		if strings.HasPrefix(got, "E ") && !strings.HasPrefix(want, "E ") {
			lazy++
			continue
		}
		if want == "E unbalanced pattern" && got == "E malformed pattern (missing arguments to '%b')" {
			continue // Lua 5.2's clearer message
		}
		if strings.HasPrefix(want, "E ") && strings.HasPrefix(got, "E ") {
			// Lua's message has a position prefix: compare the ends.
			if strings.HasSuffix(want, strings.TrimPrefix(got, "E ")) {
				continue
			}
		}
		t.Errorf("find(%q, %q, %d): lua5.1 %s, ours %s", c.s, c.p, c.init, want, got)
	}
	var hits int
	for i := range cases {
		if l := lines[i]; strings.Count(l, ",") >= 2 {
			hits++
		}
	}
	t.Logf("%d with captures", hits)
	t.Logf("%d cases, %d errors Lua 5.1 would report only when reached", len(cases), lazy)
}

// findLikeLua is string.find of Lua 5.1 over Find, printed as the script
// above prints Lua's.
func findLikeLua(s, p string, init int) string {
	if init < 0 {
		init += len(s) + 1
	}
	init = max(0, min(init-1, len(s)))
	hex := func(v string) string { return "s" + fmt.Sprintf("%x", v) }
	if !HasSpecials(p) {
		if i := strings.Index(s[init:], p); i >= 0 {
			return fmt.Sprintf("%d,%d", init+i+1, init+i+len(p))
		}
		return "nil"
	}
	m, ok, err := Find(s, p, init, nil)
	if err != nil {
		return "E " + err.Error()
	}
	if !ok {
		return "nil"
	}
	out := []string{fmt.Sprint(m.Start + 1), fmt.Sprint(m.End)}
	for i := range m.NumCaptures() {
		switch c := m.Capture(i); c.Kind {
		case CaptureUnfinished:
			return "E unfinished capture"
		case CapturePosition:
			out = append(out, fmt.Sprint(c.Start+1))
		default:
			out = append(out, hex(s[c.Start:c.End]))
		}
	}
	return strings.Join(out, ",")
}

func randomText(rng *rand.Rand, alphabet string, maxLen int) string {
	b := make([]byte, rng.IntN(maxLen+1))
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// patternTokens are the pieces random patterns are made of.
var patternTokens = []string{
	"a", "b", "x", " ", ".", "%a", "%s", "%S", "%p", "%w", "%x", "%%", "%(", "%]",
	"[ab]", "[^a]", "[]]", "[^]]", "[a-]", "[%a-]", "[b-a]", "[%]x]", "[(-)]",
	"(", ")", "()", "*", "+", "-", "?", "$", "^", "%b()", "%bxx", "%f[a]", "%f[%s]", "%f[^%a]",
	"%1", "%2", "[", "%", "%b", "%f",
}

func randomPattern(rng *rand.Rand) string {
	var b strings.Builder
	if rng.IntN(2) == 0 { // token soup: mostly malformed
		for range rng.IntN(7) {
			b.WriteString(patternTokens[rng.IntN(len(patternTokens))])
		}
		return b.String()
	}
	// Well-formed: items with quantifiers, nested captures, back-references
	// to closed captures, anchors.
	classes := []string{"a", "b", "x", " ", ".", "%a", "%s", "%S", "%w", "%p", "[ab]", "[^a]", "[]]", "[a-]", "[%a-]", "%]", "%(", "%)"}
	var open []int
	closed := 0
	ncap := 0
	if rng.IntN(4) == 0 {
		b.WriteString("^")
	}
	for range 1 + rng.IntN(7) {
		switch r := rng.IntN(12); {
		case r < 6:
			b.WriteString(classes[rng.IntN(len(classes))])
			b.WriteString([]string{"", "", "*", "+", "-", "?"}[rng.IntN(6)])
		case r == 6 && ncap < 9:
			b.WriteString("(")
			ncap++
			open = append(open, ncap)
		case r == 7 && len(open) > 0:
			b.WriteString(")")
			open = open[:len(open)-1]
			closed++
		case r == 8 && ncap < 9:
			b.WriteString("()")
			ncap++
			closed++
		case r == 9 && closed > 0:
			// a closed capture: any index not in open
			for i := 1; i <= ncap; i++ {
				if !slices.Contains(open, i) && rng.IntN(2) == 0 {
					fmt.Fprintf(&b, "%%%d", i)
					break
				}
			}
		case r == 10:
			b.WriteString([]string{"%b()", "%bxx", "%f[%a]", "%f[^%s]", "%f[x]"}[rng.IntN(5)])
		}
	}
	for range open {
		if rng.IntN(8) != 0 {
			b.WriteString(")")
		}
	}
	if rng.IntN(4) == 0 {
		b.WriteString("$")
	}
	return b.String()
}

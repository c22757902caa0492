package runtime_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/luapattern"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// patternProbe runs string.find, match, gmatch and gsub (with a string, a
// function and a table) for each case of the cases table and prints one
// line per case; lua5.1 and the sandbox must print the same.
const patternProbe = `
local function hex(s) return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end)) end
local function show(ok, ...)
  if not ok then return "E" end
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then out[#out+1] = "s" .. hex(v) else out[#out+1] = tostring(v) end
  end
  return table.concat(out, ",")
end
local function gm(s, p)
  local t = {}
  for a, b in string.gmatch(s, p) do
    t[#t+1] = tostring(a) .. "/" .. tostring(b)
    if #t > 40 then break end
  end
  return table.concat(t, ",")
end
local function f(a, b) if a == "" then return nil end return a .. "|" .. tostring(b) end
local t = {a = "A", [""] = "E", [1] = "one", x = false}
for _, c in ipairs(cases) do
  local s, p = c[1], c[2]
  print(table.concat({
    show(pcall(string.find, s, p, -3)),
    show(pcall(string.match, s, p, 2)),
    show(pcall(gm, s, p)),
    show(pcall(string.gsub, s, p, "<%0>")),
    show(pcall(string.gsub, s, p, "[%1]", 2)),
    show(pcall(string.gsub, s, p, f)),
    show(pcall(string.gsub, s, p, t)),
  }, " "))
end
`

// TestStringLibAgainstLua51 runs the same random calls of find, match,
// gmatch and gsub in a real Lua 5.1 interpreter and in the sandbox. It
// runs only where lua5.1 is installed (apt-get install lua5.1).
func TestStringLibAgainstLua51(t *testing.T) {
	lua, err := exec.LookPath("lua5.1")
	if err != nil {
		t.Skip("lua5.1 is not installed")
	}
	rng := rand.New(rand.NewPCG(5, 1))
	var src strings.Builder
	src.WriteString("cases = {\n")
	type tc struct{ s, p string }
	var cases []tc
	for range 3000 {
		c := tc{randomText(rng, "ab ()x.%-", 10), randomPattern(rng)}
		cases = append(cases, c)
		fmt.Fprintf(&src, "{%s, %s},\n", luaQuote(c.s), luaQuote(c.p))
	}
	src.WriteString("}\n" + patternProbe)
	file := filepath.Join(t.TempDir(), "probe.lua")
	if err := os.WriteFile(file, []byte(src.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	want, err := exec.Command(lua, file).Output()
	if err != nil {
		t.Fatalf("lua5.1: %v", err)
	}
	got := runtimetest.MustRun(t, src.String(), runtime.Options{})
	wantLines := strings.Split(string(want), "\n")
	gotLines := strings.Split(got, "\n")
	if len(wantLines) != len(gotLines) {
		t.Fatalf("lua5.1 printed %d lines, the sandbox %d", len(wantLines), len(gotLines))
	}
	n := 0
	for _, l := range gotLines {
		if f := strings.Fields(l); len(f) == 7 && !strings.HasSuffix(f[3], ",0") && f[3] != "E" {
			n++
		}
	}
	t.Logf("%d of %d with a gsub match", n, len(cases))
	names := []string{"find", "match", "gmatch", "gsub string", "gsub string n=2", "gsub function", "gsub table"}
	for i, c := range cases {
		w, g := strings.Fields(wantLines[i]), strings.Fields(gotLines[i])
		for j := range w {
			if w[j] == g[j] {
				continue
			}
			if _, err := luapattern.Compile(c.p); err != nil && g[j] == "E" {
				continue // Lua 5.1 reports a bad pattern only when the matcher gets there
			}
			t.Errorf("%s(%q, %q): lua5.1 %s, sandbox %s", names[j], c.s, c.p, w[j], g[j])
		}
	}
}

func randomText(rng *rand.Rand, alphabet string, maxLen int) string {
	b := make([]byte, rng.IntN(maxLen+1))
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// randomPattern is a pattern of a few items, mostly well formed: classes
// with quantifiers, captures, back-references, %b, %f and anchors.
func randomPattern(rng *rand.Rand) string {
	items := []string{
		"a", "b", "x", " ", ".", "%a", "%s", "%S", "%w", "%p", "[ab]", "[^a]", "[]]", "[a-]", "%(", "%)", "%.",
		"a*", "b+", ".-", "x?", "%s*", "[^a]+", ".*", "a-", "()", "(a*)", "(.)", "(%a+)", "(.-)",
		"%b()", "%bxx", "%f[%a]", "%f[^%s]",
	}
	// Rarer: captures across items, back-references, characters special
	// only somewhere, and malformed pieces.
	rare := []string{"(", ")", "%1", "%2", "^", "$", "[", "%", "%f", "(()"}
	var b strings.Builder
	if rng.IntN(4) == 0 {
		b.WriteString("^")
	}
	for range rng.IntN(5) {
		if rng.IntN(6) == 0 {
			b.WriteString(rare[rng.IntN(len(rare))])
		} else {
			b.WriteString(items[rng.IntN(len(items))])
		}
	}
	if rng.IntN(4) == 0 {
		b.WriteString("$")
	}
	return b.String()
}

// luaQuote writes s as a Lua string literal with every byte escaped.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := range len(s) {
		fmt.Fprintf(&b, "\\%d", s[i])
	}
	b.WriteByte('"')
	return b.String()
}

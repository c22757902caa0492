package golden

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/internal/longtest"
)

// riskyDurationEnv sets how long TestRiskySnippets generates snippets when
// long checks run (default riskyLongDefault); go test ./... runs a fixed
// handful.
const (
	riskyDurationEnv = "EXORUN_RISKY_DURATION"
	riskyLongDefault = 60 * time.Second
	riskyShortCount  = 12
	riskyMemoryLimit = 256 << 20
)

// TestRiskySnippets runs random scripts built from the constructs that
// take a host down (costly patterns, string doubling, growing tables,
// runaway and tail recursion, endless loops, all of them under pcall or
// in coroutines) through the real exorun binary, and checks that every
// run ends within its timeout plus the grace period, under twice its
// memory limit, with a documented exit code and a one-line error, never
// a Go dump.
func TestRiskySnippets(t *testing.T) {
	timeout, budget, count := 500*time.Millisecond, time.Duration(0), riskyShortCount
	if longtest.Enabled() {
		timeout, count, budget = time.Second, 0, riskyLongDefault
		if d, err := time.ParseDuration(os.Getenv(riskyDurationEnv)); err == nil {
			budget = d
		}
	}
	bin := exorunBinary(t)
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	if testing.Short() || !longtest.Enabled() {
		seed = 20261205 // the short run is the same every time
	}
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	codes := map[int]int{}
	start := time.Now()
	var slowest time.Duration
	var peak int64
	for i := 0; count > 0 && i < count || budget > 0 && time.Since(start) < budget; i++ {
		src := riskyScript(rng)
		path := filepath.Join(dir, fmt.Sprintf("risky%d.lua", i))
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "run", "--quiet", "--timeout", timeout.String(),
			"--memory-limit", fmt.Sprint(riskyMemoryLimit), path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		began := time.Now()
		err := cmd.Run()
		took := time.Since(began)
		slowest = max(slowest, took)
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		codes[code]++
		fail := func(format string, args ...any) {
			t.Errorf("snippet %d (seed %d): %s\n--- script\n%s\n--- stderr\n%s", i, seed, fmt.Sprintf(format, args...), src, stderr.String())
		}
		switch exitcode.Code(code) {
		case exitcode.OK, exitcode.Script, exitcode.Resources, exitcode.Timeout:
		default:
			fail("exit code %d: not one a script can end with", code)
		}
		// Timeout, then at most the 2 s grace, plus the process's start
		// and exit on a busy machine. On machines like CI's the whole
		// process stalls while a copy of 100+ MiB faults its pages in
		// (seen: a 128 MiB doubling cut off by --timeout 1s ended after
		// 5.3 s under the parallel long tests), so the exit may come up
		// to 4 s after the grace period; the bound still proves it comes.
		if limit := timeout + 2*time.Second + 4*time.Second; took > limit {
			fail("took %s, more than %s", took, limit)
		}
		if rss, ok := peakRSS(cmd.ProcessState); ok && !raceEnabled {
			peak = max(peak, rss)
			if rss > 2*riskyMemoryLimit {
				fail("peak RSS %d MiB, more than twice the %d MiB limit", rss>>20, riskyMemoryLimit>>20)
			}
		}
		out := stderr.String()
		if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic:") || strings.Contains(out, "fatal error") {
			fail("a Go dump on stderr")
		}
		if code != 0 && !strings.HasPrefix(out, "exorun: ") {
			fail("the failure does not start with 'exorun: '")
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("exit codes %v in %s; slowest run %s; peak RSS %d MiB", codes, time.Since(start).Round(time.Second), slowest.Round(time.Millisecond), peak>>20)
}

// exorunBinary is a link named exorun to this test binary, which
// testscript.Main (TestMain) runs as exorun itself.
func exorunBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "exorun")
	if err := os.Symlink(self, bin); err != nil {
		t.Skipf("cannot link the test binary as exorun: %v", err)
	}
	return bin
}

// riskyScript is one to three risky statements, some wrapped in pcall or
// a coroutine.
func riskyScript(rng *rand.Rand) string {
	var b strings.Builder
	for range 1 + rng.IntN(3) {
		stmt := riskyStatement(rng)
		switch rng.IntN(4) {
		case 0:
			stmt = "print(pcall(function()\n" + stmt + "\nend))"
		case 1:
			stmt = "coroutine.wrap(function()\n" + stmt + "\nend)()"
		}
		b.WriteString(stmt + "\n")
	}
	return b.String()
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

func riskyStatement(rng *rand.Rand) string {
	switch rng.IntN(9) {
	case 0, 1, 2:
		subject := fmt.Sprintf("string.rep(%q, %d) .. %q", pick(rng, "a", "ab", "a b", "(x)", "1,2;"), pick(rng, 10, 1000, 100000, 1000000), pick(rng, "", "b", "c", ")"))
		pattern := riskyPattern(rng)
		switch rng.IntN(4) {
		case 0:
			return fmt.Sprintf("local s = %s\nprint(s:find(%q))", subject, pattern)
		case 1:
			return fmt.Sprintf("local s = %s\nprint(s:match(%q))", subject, pattern)
		case 2:
			return fmt.Sprintf("local s, n = %s, 0\nfor x in s:gmatch(%q) do n = n + 1 end\nprint(n)", subject, pattern)
		default:
			repl := pick(rng, `"%0%0"`, `function(x) return x .. x end`, `{a = "b"}`, `"<%1>"`)
			return fmt.Sprintf("local s = %s\nprint(#(s:gsub(%q, %s)))", subject, pattern, repl)
		}
	case 3:
		return fmt.Sprintf("local s = %q\nfor i = 1, %d do s = s .. s end\nprint(#s)", pick(rng, "x", "abcdefgh"), rng.IntN(40))
	case 4:
		return fmt.Sprintf("local t = {}\nfor i = 1, %d do t[i] = {i, tostring(i), name = %q .. i} end\nprint(#t)", pick(rng, 10, 100000, 10000000, 1000000000), "mailbox")
	case 5:
		return pick(rng,
			"local function r(n) return 1 + r(n + 1) end\nprint(r(1))",
			"local function f(n) return f(n + 1) end\nf(1)",
			"local a, b\nfunction a(n) return b(n + 1) end\nfunction b(n) return a(n + 1) end\na(1)",
			"local function f(n) if n > 1e6 then error('deep') end return f(n + 1) end\nf(1)")
	case 6:
		return pick(rng, "while true do end", "repeat local x = {} until false", "for i = 1, math.huge do end")
	case 7:
		return fmt.Sprintf("local t = {}\nfor i = 1, %d do t[i] = tostring(i) end\nlocal s = table.concat(t, ',')\ntable.sort(t, function(a, b) return a > b end)\nprint(#s)", pick(rng, 1000, 1000000, 10000000))
	default:
		return pick(rng,
			`print(pcall(string.rep, "x", 1e10))`,
			`print(pcall(string.dump, print))`,
			`print(pcall(load, "\27Lua"))`,
			`print(string.format("%5000d", 1))`,
			`print(pcall(setmetatable({}, {__index = function(t, k) return t[k] end}).x))`)
	}
}

// riskyPattern strings together atoms that make Lua patterns backtrack.
func riskyPattern(rng *rand.Rand) string {
	atoms := []string{".", "a", "b", "%a", "%d", "%s", ".-", ".*", "a*", "a-", "(.-)", "(.*)", "(a*)", "[%w_]+", "[^,]*", "%b()", "%f[%w]", "()", "(%a+)", "%1"}
	var b strings.Builder
	if rng.IntN(4) == 0 {
		b.WriteString("^")
	}
	for range 1 + rng.IntN(6) {
		b.WriteString(pick(rng, atoms...))
	}
	if rng.IntN(3) == 0 {
		b.WriteString(pick(rng, "c", "$", "b"))
	}
	return b.String()
}

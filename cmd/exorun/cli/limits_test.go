package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1048576": 1 << 20, "512MiB": 512 << 20, "512M": 512 << 20, "2GiB": 2 << 30,
		"1.5g": 3 << 29, "64 mb": 64 << 20, "1TiB": 1 << 40,
	} {
		got, err := parseByteSize(in)
		if err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "12XB", "-1", "1e30", "GiB"} {
		if _, err := parseByteSize(in); err == nil {
			t.Errorf("parseByteSize(%q) accepted", in)
		}
	}
}

func TestDefaultMemoryLimitIsHalfTheMachineAtMost1GiB(t *testing.T) {
	for total, want := range map[int64]int64{
		0: 1 << 30, 16 << 30: 1 << 30, 1 << 30: 512 << 20, 40 << 20: minMemoryLimit,
	} {
		env, _, _ := testEnv(t)
		env.MemoryTotal = func() int64 { return total }
		var o scriptOptions
		if got, err := o.memoryLimit(env); err != nil || got != want {
			t.Errorf("machine %d: default limit %d, %v; want %d", total, got, err, want)
		}
	}
}

// TestPanicIsOneLine: a Go panic, in the CLI itself or in a built-in a
// script calls, ends the run with exit 1 and one line asking for a bug
// report; the Go stack appears only with --log-level debug.
func TestPanicIsOneLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		setup func(*Env)
	}{
		{"in the CLI", `print("never")`, func(env *Env) {
			env.ReadFile = func(string) ([]byte, error) { panic("reading went wrong") }
		}},
		{"in a binding", `local time = require("time")
print(time.now())`, func(env *Env) {
			env.Now = func() time.Time { panic("reading went wrong") }
		}},
	} {
		for _, debug := range []bool{false, true} {
			script := writeScript(t, tc.src)
			args := []string{"run", script}
			if debug {
				args = []string{"run", "--log-level", "debug", script}
			}
			env, _, stderr := testEnv(t, args...)
			tc.setup(env)
			if code := Main(env); code != int(exitcode.Script) {
				t.Fatalf("%s: exit %d, want 1; stderr %s", tc.name, code, stderr)
			}
			out := stderr.String()
			if !strings.Contains(out, "exorun: internal error (a bug in exorun, not in the script): reading went wrong\nhint: please report it at "+bugURL) {
				t.Errorf("%s: stderr %q", tc.name, out)
			}
			hasStack := strings.Contains(out, "goroutine") || strings.Contains(out, ".go:")
			if hasStack != debug {
				t.Errorf("%s, debug %v: Go stack shown = %v:\n%s", tc.name, debug, hasStack, out)
			}
		}
	}
}

// TestTimeoutStopsACostlyPatternOnTime: a pattern within its budget but
// slow (seconds) stops on --timeout 1s with exit 124, well within 4 s.
func TestTimeoutStopsACostlyPatternOnTime(t *testing.T) {
	script := writeScript(t, "local s = string.rep('a', 20000000)\nprint(s:find('(.-)b'))\n")
	env, _, stderr := testEnv(t, "run", "--timeout", "1s", script)
	start := time.Now()
	code := Main(env)
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %s, want under 4s", took)
	}
	if code != int(exitcode.Timeout) || !strings.Contains(stderr.String(), ":2: --timeout 1s elapsed") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

package golden

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/exorun/exorun/cmd/exorun/cli"
	"github.com/exorun/exorun/internal/longtest"
)

// update rewrites expectations instead of comparing with them.
func update() bool { return os.Getenv("EXORUN_UPDATE") != "" }

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"exorun": func() { os.Exit(cli.Main(cli.OSEnv())) },
	})
}

// pinnedNow is the clock every golden run sees (EXORUN_NOW).
const pinnedNow = "2026-11-01T09:00:00Z"

// examplesEnv names the variable that holds the absolute path of
// scripts/examples in every golden script, so a script can run a real
// example (cp $EXAMPLES/NAME.lua .) instead of a copy of it.
const examplesEnv = "EXAMPLES"

func TestCLI(t *testing.T) {
	examples, err := filepath.Abs(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		UpdateScripts:       update(),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("EXORUN_NOW", pinnedNow)
			e.Setenv("EXORUN_LOG_NO_TIME", "1")
			// go-runewidth reads the locale once; pin it so box-drawing
			// characters count one column on every machine.
			e.Setenv("RUNEWIDTH_EASTASIAN", "0")
			e.Setenv(examplesEnv, examples)
			return nil
		},
		Condition: condition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":       cmdExits,
			"normjson":    cmdNormJSON,
			"emulatorenv": cmdEmulatorEnv,
			"setenvfrom":  cmdSetenvFrom,
		},
	})
}

// condition adds [long] to testscript's own conditions: true when
// EXORUN_LONG_TESTS=1 (see internal/longtest), so a script can keep its
// minutes-long or clock-bound part for the runs that want it.
func condition(cond string) (bool, error) {
	if cond == "long" {
		return longtest.Enabled(), nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// cmdExits runs `exits N PROGRAM ARGS...`: it execs PROGRAM like exec does
// (so stdout and stderr can be compared afterwards) and fails unless the
// exit code is exactly N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exits does not take !")
	}
	maxRSS := int64(0)
	if len(args) > 2 && args[1] == "-maxrss" {
		mib, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil {
			ts.Fatalf("exits: bad -maxrss %q", args[2])
		}
		maxRSS = mib << 20
		args = append(args[:1], args[3:]...)
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE [-maxrss MIB] PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	err = ts.Exec(args[1], args[2:]...)
	var ee *exec.ExitError
	if err != nil {
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
	if maxRSS > 0 && !raceEnabled {
		if ee == nil {
			ts.Fatalf("exits -maxrss: only a failing exit reports its resource use")
		}
		rss, ok := peakRSS(ee.ProcessState)
		if !ok {
			ts.Logf("exits -maxrss: peak RSS unknown on this system; not checked")
		} else if rss > maxRSS {
			ts.Fatalf("peak RSS %d MiB, want at most %d MiB", rss>>20, maxRSS>>20)
		} else {
			ts.Logf("peak RSS %d MiB (at most %d MiB)", rss>>20, maxRSS>>20)
		}
	}
}

// volatileKeys are the JSON fields whose values change from run to run
// (ids, times, durations); normjson replaces them with "<key>".
var volatileKeys = map[string]bool{
	"run_id": true, "started_at": true, "ended_at": true, "duration_ms": true, "time": true,
	"app_id": true, "certificate_thumbprint": true, "exorun_version": true, "throttle_wait_ms": true,
	"limit_bytes": true, "peak_heap_bytes": true,
}

// cmdNormJSON runs `normjson IN OUT`: IN (stdout, stderr or a file) is a
// stream of JSON values; OUT gets each value indented, with volatile
// fields (volatileKeys, and tenant.id) and ids inside text replaced, so a golden file can pin
// every other field of a run summary or a JSON log.
func cmdNormJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: normjson IN OUT")
	}
	// ReadFile takes stdout and stderr by name, like cmp.
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var out strings.Builder
	for {
		var v any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			ts.Fatalf("normjson %s: %v", args[0], err)
		}
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(normalize(v, "")); err != nil {
			ts.Fatalf("normjson: %v", err)
		}
	}
	if err := os.WriteFile(ts.MkAbs(args[1]), []byte(out.String()), 0o644); err != nil {
		ts.Fatalf("normjson: %v", err)
	}
}

// envLine is one line of `exorun emulator env` (sh): export NAME='VALUE'
// or unset NAME....
var envLine = regexp.MustCompile(`^(?:export ([A-Z_][A-Z0-9_]*)='((?:[^']|'\\'')*)'|unset ([A-Z_][A-Z0-9_ ]*))$`)

// cmdEmulatorEnv runs `emulatorenv ARGS...`: exorun emulator env ARGS
// (its sh output) and applies it to the script's environment, as eval
// "$(exorun emulator env ARGS)" does in a shell. stdout is left with the
// output, for the script to check.
func cmdEmulatorEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("emulatorenv does not take !")
	}
	if err := ts.Exec("exorun", append([]string{"emulator", "env"}, args...)...); err != nil {
		ts.Fatalf("exorun emulator env: %v\n%s", err, ts.ReadFile("stderr"))
	}
	for _, line := range strings.Split(strings.TrimSpace(ts.ReadFile("stdout")), "\n") {
		m := envLine.FindStringSubmatch(line)
		switch {
		case m == nil:
			ts.Fatalf("emulatorenv: unexpected line %q", line)
		case m[1] != "":
			ts.Setenv(m[1], strings.ReplaceAll(m[2], `'\''`, "'"))
		default:
			for _, name := range strings.Fields(m[3]) {
				ts.Setenv(name, "")
			}
		}
	}
}

// cmdSetenvFrom runs `setenvfrom NAME FILE`: NAME gets the first line of
// FILE (stdout and stderr by name, like cmp), so a script can use an id
// a command printed (exorun emulator admin identity create).
func cmdSetenvFrom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setenvfrom NAME FILE")
	}
	first, _, _ := strings.Cut(ts.ReadFile(args[1]), "\n")
	if first = strings.TrimSpace(first); first == "" {
		ts.Fatalf("setenvfrom: %s is empty", args[1])
	}
	ts.Setenv(args[0], first)
}

// uuidPattern finds ids inside text (a request id in an error message).
var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func normalize(v any, parent string) any {
	switch x := v.(type) {
	case string:
		return uuidPattern.ReplaceAllString(x, "<uuid>")
	case map[string]any:
		for k, e := range x {
			if volatileKeys[k] || (parent == "tenant" && k == "id") {
				x[k] = "<" + k + ">"
				continue
			}
			x[k] = normalize(e, k)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e, parent)
		}
	}
	return v
}

// TestScriptsSayWhatTheyCheck keeps the house rule: every txtar file opens
// with a "#" line saying what it checks.
func TestScriptsSayWhatTheyCheck(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden scripts found: %v", err)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Scan()
		if first := sc.Text(); !strings.HasPrefix(first, "# ") || len(first) < 12 {
			t.Errorf("%s: first line %q should be a '# ' comment saying what the file checks", f, first)
		}
		fh.Close()
	}
}

package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/cmd/exorun/cli"
)

// examplesDir holds the example scripts, relative to this package.
const examplesDir = "../../scripts/examples"

// TestExamples runs every scripts/examples/NAME.lua through the real CLI,
// in-process, and compares what it prints with NAME.golden: stdout, then,
// if the run wrote any, a "-- stderr --" section and the exit code.
// NAME.args, when present, holds extra command-line arguments, one a line,
// placed before the script path.
func TestExamples(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join(examplesDir, "*.lua"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no example scripts found in %s: %v", examplesDir, err)
	}
	now, _ := time.Parse(time.RFC3339, pinnedNow)
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".lua")
		t.Run(name, func(t *testing.T) {
			// Each run is in-process with its own Env and demo tenant.
			t.Parallel()
			args := []string{"run", "--out", t.TempDir()}
			if extra, err := os.ReadFile(strings.TrimSuffix(script, ".lua") + ".args"); err == nil {
				args = append(args, strings.Fields(string(extra))...)
			}
			args = append(args, script)

			var stdout, stderr bytes.Buffer
			env := cli.OSEnv()
			env.Args = args
			env.Stdin = strings.NewReader("")
			env.Stdout, env.Stderr = &stdout, &stderr
			env.StdinTerminal, env.StdoutTerminal, env.Width = false, false, 0
			env.Terminal, env.Notify = nil, nil
			env.Now = func() time.Time { return now }
			env.LookupEnv = func(key string) (string, bool) {
				if key == "EXORUN_LOG_NO_TIME" {
					return "1", true
				}
				return "", false
			}
			code := cli.Main(env)

			got := stdout.String()
			if stderr.Len() > 0 || code != 0 {
				got += "-- stderr --\n" + stderr.String() + "-- exit " + strconv.Itoa(code) + " --\n"
			}
			golden := strings.TrimSuffix(script, ".lua") + ".golden"
			if update() {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with EXORUN_UPDATE=1 to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (EXORUN_UPDATE=1 rewrites it)\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
			}
		})
	}
}

package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/internal/exitcode"
)

// TestReadmeExitCodes keeps the README's exit-code table identical to the
// codes defined in internal/exitcode.
func TestReadmeExitCodes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range exitcode.Codes {
		row := fmt.Sprintf("| %d | %s | %s |", c.Code, c.Name, c.Meaning)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the exit-code row %q", row)
		}
	}
}

// TestReadmeCommandsWork checks that the README's first screen holds the
// two set-up commands and that the example it runs exists.
func TestReadmeCommandsWork(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	firstScreen := strings.Join(strings.SplitN(string(readme), "\n", 25)[:24], "\n")
	for _, cmd := range []string{"go run ./cmd/exorun run --demo scripts/examples/mailbox-report.lua", "go test ./..."} {
		if !strings.Contains(firstScreen, cmd) {
			t.Errorf("README's first screen lacks %q", cmd)
		}
	}
	if _, err := os.Stat("../../scripts/examples/mailbox-report.lua"); err != nil {
		t.Errorf("the README's main example is missing: %v", err)
	}
}

// TestReadmeSettings keeps the README's settings table equal to
// connect.Fields, the one declaration of every connection setting.
func TestReadmeSettings(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range connect.Fields() {
		flag := ""
		if f.Flag != "" {
			flag = "`--" + f.Flag
			if f.FlagNamesEnv {
				flag += " VAR"
			}
			if f.Switch {
				flag += "[=ID]"
			}
			flag += "`"
		}
		env := ""
		if f.Env != "" {
			env = "`" + f.Env + "`"
		}
		if f.AzureEnv != "" {
			env += ", then `" + f.AzureEnv + "`"
		}
		usage := strings.ReplaceAll(f.Usage, "`", "")
		if f.Secret {
			usage += " (secret)"
		}
		row := fmt.Sprintf("| `%s` | %s | %s | %s |", f.Key, flag, env, usage)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the settings row\n%s", row)
		}
	}
}

// readmeRunCommand is the unattended run the README shows with its output.
const readmeRunCommand = "$ EXORUN_LOG_NO_TIME=1 exorun run --demo --summary-json summary.json scripts/examples/external-forwarding/external-forwarding.lua > forwarding.txt\n"

// TestReadmeRunSummary runs the README's unattended run and compares
// what it prints on stderr, and its exit code, with what the README shows.
func TestReadmeRunSummary(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), readmeRunCommand)
	if !ok {
		t.Fatalf("README lacks the command %q", readmeRunCommand)
	}
	wantStderr, rest, ok := strings.Cut(block, "$ echo $?\n")
	if !ok {
		t.Fatal("README's run shows no exit code ($ echo $?)")
	}
	wantCode, _, _ := strings.Cut(rest, "\n")

	dir := t.TempDir()
	_, stderr, code := runCLI([]string{"run", "--demo", "--summary-json", filepath.Join(dir, "summary.json"),
		filepath.Join(examplesDir, "external-forwarding", "external-forwarding.lua")})
	if stderr != wantStderr || fmt.Sprint(code) != wantCode {
		t.Errorf("the README's run differs from a real one\n--- real (exit %d) ---\n%s--- README (exit %s) ---\n%s", code, stderr, wantCode, wantStderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		t.Errorf("no summary written: %v", err)
	}
}

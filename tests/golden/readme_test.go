package golden

import (
	"fmt"
	"os"
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
			flag += "`"
		}
		env := ""
		if f.Env != "" {
			env = "`" + f.Env + "`"
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

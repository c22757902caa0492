package golden

import (
	"fmt"
	"os"
	"strings"
	"testing"

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
	for _, cmd := range []string{"go run ./cmd/exorun run scripts/examples/mailbox-sizes-from-csv.lua", "go test ./..."} {
		if !strings.Contains(firstScreen, cmd) {
			t.Errorf("README's first screen lacks %q", cmd)
		}
	}
	if _, err := os.Stat("../../scripts/examples/mailbox-sizes-from-csv.lua"); err != nil {
		t.Errorf("the README's main example is missing: %v", err)
	}
}

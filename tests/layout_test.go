// Package tests holds checks of the repository as a whole; the end-to-end
// CLI tests live in tests/golden.
package tests

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/exorun/exorun/"

// allowedDeps is DESIGN.md's import direction: for each area, the exorun
// packages it may depend on, directly or not (besides its own subtree).
// Only cmd/exorun/cli may reach the emulator, so it never leaks into the
// production path of the other packages.
var allowedDeps = []struct {
	area    string
	mayUse  []string
	exclude []string // subtrees of area governed by a stricter rule
}{
	{area: "internal/exitcode"},
	{area: "runtime", mayUse: []string{"internal/exitcode"}},
	{area: "stdlib", mayUse: []string{"runtime", "internal/exitcode"}},
	{area: "bindings/catalog"},
	{area: "bindings", mayUse: []string{"runtime", "bindings/catalog", "connect", "internal/exitcode"}, exclude: []string{"bindings/catalog"}},
	{area: "connect", mayUse: []string{"bindings/catalog", "internal/exitcode"}},
	{area: "emulator", mayUse: []string{"bindings/catalog", "internal/exitcode"}},
}

func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue
		}
		for _, rule := range allowedDeps {
			if !within(pkg, rule.area) || withinAny(pkg, rule.exclude) {
				continue
			}
			checked++
			for _, dep := range fields[1:] {
				d, ok := strings.CutPrefix(dep, module)
				if !ok || within(d, rule.area) && !withinAny(d, rule.exclude) {
					continue
				}
				if !withinAny(d, rule.mayUse) {
					t.Errorf("%s depends on %s; %s may use only %v", pkg, d, rule.area, rule.mayUse)
				}
			}
			break
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked: is the module path right?")
	}
}

func within(pkg, area string) bool { return pkg == area || strings.HasPrefix(pkg, area+"/") }

func withinAny(pkg string, areas []string) bool {
	for _, a := range areas {
		if within(pkg, a) {
			return true
		}
	}
	return false
}

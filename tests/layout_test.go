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
// Arrows point one way only: catalog and internal/exitcode at the bottom,
// then runtime, stdlib, connect, bindings; the emulator beside them on
// catalog alone; cmd/exorun on top. The first rule an area matches
// governs it.
var allowedDeps = []struct {
	area   string
	mayUse []string
	// stdOnly areas may import nothing outside the standard library:
	// the catalog is the domain model every side derives from.
	stdOnly bool
}{
	{area: "internal", stdOnly: true},
	{area: "catalog", stdOnly: true},
	{area: "runtime", mayUse: []string{"internal/exitcode"}},
	{area: "stdlib", mayUse: []string{"runtime", "internal/exitcode"}},
	{area: "connect", mayUse: []string{"catalog", "internal/exitcode"}},
	{area: "bindings", mayUse: []string{"runtime", "catalog", "connect", "internal/exitcode"}},
	{area: "emulator", mayUse: []string{"catalog", "internal/exitcode", "internal/suggest"}},
	{area: "bundle", mayUse: []string{"catalog", "stdlib/params", "runtime", "internal/exitcode"}},
	{area: "cmd/exorun", mayUse: []string{"runtime", "stdlib", "catalog", "connect", "bindings", "emulator", "bundle", "internal/exitcode", "internal/progress", "internal/suggest"}},
	// deploy's test runs the examples' command lines through cmd/exorun,
	// so the area may use what cmd/exorun does (Deps is transitive).
	{area: "deploy", mayUse: []string{"cmd/exorun", "runtime", "stdlib", "catalog", "connect", "bindings", "emulator", "bundle", "internal/exitcode", "internal/progress", "internal/suggest"}},
}

// goList runs go list over the module with a template and returns one
// line of fields per package.
func goList(t *testing.T, args ...string) [][]string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, append(args, "../...")...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

func TestImportDirection(t *testing.T) {
	std := map[string]bool{}
	for _, row := range goList(t, "-deps", "-f", `{{if .Standard}}{{.ImportPath}}{{end}}`) {
		if len(row) == 1 {
			std[row[0]] = true
		}
	}
	checked := 0
	for _, fields := range goList(t, "-deps", "-f", `{{.ImportPath}} {{join .Deps " "}}`) {
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue
		}
		for _, rule := range allowedDeps {
			if !within(pkg, rule.area) {
				continue
			}
			checked++
			for _, dep := range fields[1:] {
				if rule.stdOnly && !std[dep] && !within(strings.TrimPrefix(dep, module), rule.area) {
					t.Errorf("%s depends on %s; %s may use only the standard library", pkg, dep, rule.area)
				}
				d, ok := strings.CutPrefix(dep, module)
				if !ok || within(d, rule.area) {
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

package catalog

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog/internal/refgen"
)

// referencePath is where go:generate reads the shared reference. CI has
// ../shared beside the repository; a checkout without it skips the test.
const referencePath = "../../shared/reference/exo-cmdlets.json"

// TestGeneratedUpToDate regenerates the catalog data in memory and
// compares it with the committed cmdlets_gen.txt.
func TestGeneratedUpToDate(t *testing.T) {
	ref, err := os.ReadFile(referencePath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not present; cannot check cmdlets_gen.txt against it", referencePath)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := refgen.Generate(ref)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(catalogData), want) {
		got := strings.Split(catalogData, "\n")
		lines := strings.Split(string(want), "\n")
		for i := 0; i < len(got) && i < len(lines); i++ {
			if got[i] != lines[i] {
				t.Fatalf("cmdlets_gen.txt is stale (first difference at line %d: %q, want %q); run go generate ./catalog", i+1, got[i], lines[i])
			}
		}
		t.Fatalf("cmdlets_gen.txt is stale (%d lines, want %d); run go generate ./catalog", len(got), len(lines))
	}
}

func TestFormatVersionsAgree(t *testing.T) {
	if formatVersion != refgen.Version {
		t.Errorf("reader speaks %q, generator writes %q", formatVersion, refgen.Version)
	}
}

// TestGenerateRejectsWhatItCannotCarry feeds the generator broken
// references.
func TestGenerateRejectsWhatItCannotCarry(t *testing.T) {
	for name, ref := range map[string]string{
		"not json":        `{`,
		"unknown field":   `{"cmdlets":[{"name":"Get-X","services":["Exchange Online"],"parameter_sets":[],"parameters":[],"extra":1}]}`,
		"not verb-noun":   `{"cmdlets":[{"name":"GetX","services":["Exchange Online"],"parameter_sets":[],"parameters":[]}]}`,
		"tab in type":     `{"cmdlets":[{"name":"Get-X","services":["Exchange Online"],"parameter_sets":[],"parameters":[{"name":"A","type":"x\ty","services":["Exchange Online"],"switch":false,"aliases":[]}]}]}`,
		"switch mismatch": `{"cmdlets":[{"name":"Get-X","services":["Exchange Online"],"parameter_sets":[],"parameters":[{"name":"A","type":"String","services":["Exchange Online"],"switch":true,"aliases":[]}]}]}`,
		"unknown in set":  `{"cmdlets":[{"name":"Get-X","services":["Exchange Online"],"parameter_sets":[{"name":"S","default":false,"parameters":[{"name":"B","type":"String","required":false,"position":null}]}],"parameters":[]}]}`,
		"duplicate":       `{"cmdlets":[{"name":"Get-X","services":["Exchange Online"],"parameter_sets":[],"parameters":[]},{"name":"get-x","services":["Exchange Online"],"parameter_sets":[],"parameters":[]}]}`,
	} {
		if _, _, err := refgen.Generate([]byte(ref)); err == nil {
			t.Errorf("Generate accepted %s", name)
		}
	}
	out, _, err := refgen.Generate([]byte(`{"source":"s","cmdlets":[{"name":"Get-X","services":["Exchange Server"],"parameter_sets":[],"parameters":[]}]}`))
	if err != nil || strings.Contains(string(out), "Get-X") {
		t.Errorf("an Exchange Server only cmdlet must be left out: %v\n%s", err, out)
	}
}

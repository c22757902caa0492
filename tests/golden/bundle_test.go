package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exorun/exorun/bundle"
	"github.com/exorun/exorun/bundle/archive"
	"github.com/exorun/exorun/internal/exitcode"
)

// packExample packs an example bundle folder with the real CLI.
func packExample(t *testing.T, entry string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), filepath.Base(filepath.Dir(entry))+bundle.Extension)
	_, stderr, code := runCLI([]string{"bundle", "pack", filepath.Dir(entry), "-o", file})
	if code != 0 {
		t.Fatalf("bundle pack %s: exit %d\n%s", filepath.Dir(entry), code, stderr)
	}
	return file
}

// Each example bundle packs, and run from its bundle it prints what its
// script prints run directly (its golden file's stdout).
func TestExampleBundlesRunAsTheirScripts(t *testing.T) {
	for _, entry := range exampleBundles(t) {
		t.Run(filepath.Base(filepath.Dir(entry)), func(t *testing.T) {
			t.Parallel()
			file := packExample(t, entry)
			direct, _, directCode := runCLI(exampleArgs(t, entry, t.TempDir()))
			args := exampleArgs(t, entry, t.TempDir())
			args[len(args)-1] = file
			fromBundle, stderr, code := runCLI(args)
			if code != directCode {
				t.Fatalf("exit %d from the bundle, %d from the script\n%s", code, directCode, stderr)
			}
			if fromBundle != direct {
				t.Errorf("the bundle prints other than its script\n--- bundle ---\n%s\n--- script ---\n%s", fromBundle, direct)
			}
		})
	}
}

// rewrite rebuilds a bundle file with change applied to its entries.
func rewrite(t *testing.T, file string, change func([]archive.Entry) []archive.Entry) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := archive.Read(data, archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := archive.Write(&buf, change(entries)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "changed"+bundle.Extension)
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// A hand-edited manifest that leaves out a cmdlet its script calls (its
// hashes still right) packs no more, and at run time the call is refused
// before the network, naming the manifest: exit 4.
func TestUnderDeclaredManifestFailsAtRunTime(t *testing.T) {
	entry := filepath.Join(examplesDir, "permission-audit", "permission-audit.lua")
	file := rewrite(t, packExample(t, entry), func(entries []archive.Entry) []archive.Entry {
		for i, e := range entries {
			if e.Name != bundle.ManifestFile {
				continue
			}
			m, err := bundle.ParseManifest(e.Data)
			if err != nil {
				t.Fatal(err)
			}
			m.Cmdlets = slices.DeleteFunc(m.Cmdlets, func(c bundle.Cmdlet) bool { return c.Name == "Get-RecipientPermission" })
			if entries[i].Data, err = m.Marshal(); err != nil {
				t.Fatal(err)
			}
		}
		return entries
	})
	_, stderr, code := runCLI([]string{"run", "--demo", "--out", t.TempDir(), file})
	if code != int(exitcode.Permission) {
		t.Fatalf("exit %d, want %d\n%s", code, exitcode.Permission, stderr)
	}
	want := `Get-RecipientPermission is not declared in the manifest of bundle "permission-audit" 1.0.0`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
}

// One changed byte in a bundle's script, with the zip itself rebuilt
// consistent, is refused before anything runs: exit 9.
func TestChangedFileIsRefused(t *testing.T) {
	entry := filepath.Join(examplesDir, "external-forwarding", "external-forwarding.lua")
	file := rewrite(t, packExample(t, entry), func(entries []archive.Entry) []archive.Entry {
		for i, e := range entries {
			if e.Name == "external-forwarding.lua" {
				entries[i].Data = bytes.Replace(e.Data, []byte("allow"), []byte("allov"), 1)
			}
		}
		return entries
	})
	for _, args := range [][]string{{"run", "--demo", file}, {"bundle", "verify", file}, {"bundle", "inspect", file}} {
		stdout, stderr, code := runCLI(args)
		if code != int(exitcode.Bundle) {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, exitcode.Bundle, stdout, stderr)
		}
		if want := "external-forwarding.lua: its SHA-256 does not match the manifest"; !strings.Contains(stderr, want) {
			t.Errorf("%v: stderr does not say %q:\n%s", args, want, stderr)
		}
	}
}

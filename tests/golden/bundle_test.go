package golden

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// writeCert writes a PEM certificate, a CA when ca is set.
func writeCert(t *testing.T, path, cn string, ca bool) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: ca, BasicConstraintsValid: ca, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return fmt.Sprintf("%X", sha1.Sum(c.Raw))
}

// trust add takes a file's first certificate only, and a CA only with
// --ca; trust remove takes a certificate back from every file that trusts
// it, or names the one it cannot.
func TestTrustAddAndRemove(t *testing.T) {
	dir, config := t.TempDir(), t.TempDir()
	trusted := filepath.Join(config, "trusted")
	leaf := writeCert(t, filepath.Join(dir, "alice.pem"), "Alice", false)
	ca := writeCert(t, filepath.Join(dir, "ca.pem"), "Contoso CA", true)

	_, stderr, code := runCLIWithConfig(config, "bundle", "trust", "add", filepath.Join(dir, "ca.pem"))
	if code != int(exitcode.Usage) || !strings.Contains(stderr, "is a CA certificate (CN=Contoso CA): trusting it trusts every bundle signed by any certificate it issued; add --ca") {
		t.Fatalf("CA without --ca: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := runCLIWithConfig(config, "bundle", "trust", "add", "--ca", filepath.Join(dir, "ca.pem")); code != 0 {
		t.Fatalf("CA with --ca: exit %d\n%s", code, stderr)
	}
	// A chain file: Alice, then the CA; only Alice is taken.
	a, _ := os.ReadFile(filepath.Join(dir, "alice.pem"))
	c, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err := os.WriteFile(filepath.Join(dir, "chain.pem"), append(a, c...), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(trusted, ca+".pem"))
	stdout, stderr, code := runCLIWithConfig(config, "bundle", "trust", "add", filepath.Join(dir, "chain.pem"))
	if code != 0 || !strings.Contains(stdout, "trusted "+leaf+" (CN=Alice)") || !strings.Contains(stderr, "holds 1 more certificate, not trusted") {
		t.Fatalf("chain: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(trusted, ca+".pem")); err == nil {
		t.Fatal("the CA of a chain file was trusted")
	}

	if err := os.WriteFile(filepath.Join(trusted, "colleague.cer"), a, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, _ = runCLIWithConfig(config, "bundle", "trust", "list")
	if !strings.Contains(stdout, "colleague.cer") || !strings.Contains(stdout, leaf+".pem") {
		t.Errorf("trust list does not show both files:\n%s", stdout)
	}
	_, stderr, code = runCLIWithConfig(config, "bundle", "trust", "remove", leaf)
	if code != int(exitcode.Usage) || !strings.Contains(stderr, "is also trusted through "+filepath.Join(trusted, "colleague.cer")) {
		t.Fatalf("remove with a second file: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(trusted, leaf+".pem")); err != nil {
		t.Fatalf("a refused remove removed a file: %v", err)
	}
	os.Remove(filepath.Join(trusted, "colleague.cer"))
	if stdout, stderr, code := runCLIWithConfig(config, "bundle", "trust", "remove", strings.ToLower(leaf)); code != 0 || !strings.Contains(stdout, "no longer trusted: "+leaf) {
		t.Fatalf("remove: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, _ := runCLIWithConfig(config, "bundle", "trust", "list"); !strings.Contains(stderr, "no trusted certificates") {
		t.Errorf("after remove: %s", stderr)
	}
}

// pack --sign-with signs with a certificate from the thumbprint store,
// and the bundle verifies against that certificate.
func TestPackSignsWithTheStore(t *testing.T) {
	dir, config := t.TempDir(), t.TempDir()
	stdout, stderr, code := runCLIWithConfig(config, "cert", "new", "--subject", "CN=Store Signer", "--out", filepath.Join(dir, "signer"), "--no-password")
	if code != 0 {
		t.Fatalf("cert new: exit %d\n%s", code, stderr)
	}
	tp := strings.Fields(strings.SplitN(stdout, "\n", 2)[0])[1]
	if _, stderr, code := runCLIWithConfig(config, "cert", "import", filepath.Join(dir, "signer.pfx")); code != 0 {
		t.Fatalf("cert import: exit %d\n%s", code, stderr)
	}
	file := filepath.Join(dir, "pa.exob")
	stdout, stderr, code = runCLIWithConfig(config, "bundle", "pack", filepath.Join(examplesDir, "permission-audit"), "-o", file, "--sign-with", strings.ToLower(tp))
	if code != 0 || !strings.Contains(stdout, "signed:  CN=Store Signer ("+tp+")") {
		t.Fatalf("pack --sign-with: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runCLIWithConfig(config, "bundle", "verify", "--trust", filepath.Join(dir, "signer.cer"), file)
	if code != 0 || !strings.Contains(stdout, "signature: valid, by CN=Store Signer ("+tp+")") {
		t.Fatalf("verify: exit %d\n%s%s", code, stdout, stderr)
	}
	_, stderr, code = runCLIWithConfig(config, "bundle", "pack", filepath.Join(examplesDir, "permission-audit"), "-o", file, "--sign-with", strings.Repeat("AB", 20))
	if code == 0 || !strings.Contains(stderr, "--sign-with "+strings.Repeat("AB", 20)) {
		t.Errorf("unknown thumbprint: exit %d\n%s", code, stderr)
	}
}

package signature

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOpenSSLVerifies checks the promise that standard tools can verify a
// bundle signature without exorun.
func TestOpenSSLVerifies(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	alice := selfSigned(t, "Alice Admin")
	root, inter, leaf := pkiChain(t)

	tests := map[string]struct {
		sig    []byte
		caFile []byte
	}{
		"self-signed":          {mustSign(t, manifest, alice), certPEM(alice.cert)},
		"chain to root via CA": {mustSign(t, manifest, leaf, inter.cert), certPEM(root.cert)},
		"chain, intermediate":  {mustSign(t, manifest, leaf, inter.cert, root.cert), certPEM(root.cert)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if out, err := opensslVerify(t, manifest, tc.sig, tc.caFile); err != nil {
				t.Fatalf("openssl cms -verify failed: %v\n%s", err, out)
			}
			if out, err := opensslVerify(t, flip(manifest, 10), tc.sig, tc.caFile); err == nil {
				t.Fatalf("openssl accepted a changed manifest:\n%s", out)
			}
		})
	}

	// And openssl does not trust a signer merely because the signature is valid.
	if out, err := opensslVerify(t, manifest, mustSign(t, manifest, alice), certPEM(root.cert)); err == nil {
		t.Fatalf("openssl trusted an unrelated self-signed signer:\n%s", out)
	}
}

func opensslVerify(t *testing.T, content, sig, caFile []byte) ([]byte, error) {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{"manifest.json": content, "sig.p7s": sig, "cert.pem": caFile}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER",
		"-in", "sig.p7s", "-content", "manifest.json",
		"-CAfile", "cert.pem", "-purpose", "any", "-out", os.DevNull)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

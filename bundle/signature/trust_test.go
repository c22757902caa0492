package signature

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

// verified signs manifest as id, embedding chain, and returns the verified Signer.
func verified(t *testing.T, id *identity, chain ...*x509.Certificate) *Signer {
	t.Helper()
	s, err := Verify(manifest, mustSign(t, manifest, id, chain...))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTrustThumbprintList(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	tp := Thumbprint(id.cert)
	// Lower case with colons, and with spaces plus the invisible mark that
	// Windows' certificate dialog copies along.
	var colons []string
	for i := 0; i < len(tp); i += 2 {
		colons = append(colons, strings.ToLower(tp[i:i+2]))
	}
	list := "# exorun signers\n\n" +
		"0000000000000000000000000000000000000000  # someone else\n" +
		"\u200e" + tp[:20] + " " + tp[20:] + "\r\n" +
		strings.Join(colons, ":") + "\n"

	var trust Trust
	if err := trust.Add("signers.txt", []byte(list)); err != nil {
		t.Fatal(err)
	}
	if got := trust.Thumbprints(); size(&trust) != 2 || len(got) != 2 || got[1] != tp {
		t.Errorf("Len = %d, Thumbprints = %q; want 2 distinct, %s last", size(&trust), got, tp)
	}
	ok, why := trust.Check(verified(t, id), time.Now())
	if !ok || why != "thumbprint "+tp+" is trusted (signers.txt)" {
		t.Errorf("Check = %v, %q", ok, why)
	}
}

func TestTrustSameCertificate(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	s := verified(t, id)
	for name, data := range map[string][]byte{
		"alice.pem": certPEM(id.cert),
		"alice.cer": id.cert.Raw,
	} {
		var trust Trust
		if err := trust.Add(name, data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ok, why := trust.Check(s, time.Now())
		if !ok || why != "thumbprint "+s.Thumbprint+" is trusted ("+name+")" {
			t.Errorf("%s: Check = %v, %q", name, ok, why)
		}
	}
}

func TestTrustChainsToCA(t *testing.T) {
	root, inter, leaf := pkiChain(t)
	s := verified(t, leaf, inter.cert)

	var trust Trust
	if err := trust.Add("contoso-root.pem", certPEM(root.cert)); err != nil {
		t.Fatal(err)
	}
	ok, why := trust.Check(s, time.Now())
	if !ok || why != "chains to trusted certificate "+root.cert.Subject.String()+" (contoso-root.pem)" {
		t.Errorf("Check = %v, %q", ok, why)
	}

	// Without the intermediate embedded there is no path to the root.
	bare := verified(t, leaf)
	if ok, why := trust.Check(bare, time.Now()); ok {
		t.Errorf("trusted without its intermediate: %s", why)
	}
}

func TestTrustUntrusted(t *testing.T) {
	alice, bob := selfSigned(t, "Alice Admin"), selfSigned(t, "Bob Admin")
	s := verified(t, alice)

	var empty Trust
	var other Trust
	if err := other.Add("bob.pem", certPEM(bob.cert)); err != nil {
		t.Fatal(err)
	}
	if err := other.Add("bob.txt", []byte(Thumbprint(bob.cert))); err != nil {
		t.Fatal(err)
	}
	for name, trust := range map[string]*Trust{"empty": &empty, "other": &other} {
		ok, why := trust.Check(s, time.Now())
		if ok {
			t.Errorf("%s: trusted: %s", name, why)
		}
		for _, want := range []string{s.Thumbprint, "CN=Alice Admin", "add that thumbprint"} {
			if !strings.Contains(why, want) {
				t.Errorf("%s: reason %q lacks %q", name, why, want)
			}
		}
	}
	if ok, _ := (*Trust)(nil).Check(nil, time.Now()); ok {
		t.Error("nil signer trusted")
	}
}

// The signing time is the signer's own claim, so a certificate must be
// valid then and now: a signature does not outlive its certificate (no
// timestamp authority vouches for the time), and one dated outside the
// certificate's validity is refused too.
func TestTrustJudgesAtSigningTimeAndNow(t *testing.T) {
	now := time.Now()
	root := newCert(t, "Contoso Root CA", nil, true, now.Add(-3*time.Hour), now.AddDate(5, 0, 0))
	leaf := newCert(t, "Alice Admin", root, false, now.Add(-2*time.Hour), now.Add(time.Hour))
	sig, err := Sign(manifest, leaf.cert, leaf.key, nil, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Verify(manifest, sig)
	if err != nil {
		t.Fatal(err)
	}
	later := now.AddDate(0, 1, 0) // the leaf has expired by then

	var byCA, byPrint Trust
	if err := byCA.Add("root.pem", certPEM(root.cert)); err != nil {
		t.Fatal(err)
	}
	if err := byPrint.Add("signers.txt", []byte(s.Thumbprint+"\n")); err != nil {
		t.Fatal(err)
	}
	for name, trust := range map[string]*Trust{"CA": &byCA, "thumbprint": &byPrint} {
		if ok, why := trust.Check(s, now); !ok {
			t.Errorf("%s: valid signature by a valid certificate not trusted: %s", name, why)
		}
		if ok, why := trust.Check(s, later); ok || !strings.Contains(why, "is not valid now") {
			t.Errorf("%s: trusted after the certificate expired: %v, %q", name, ok, why)
		}
		backdated := *s
		backdated.SignedAt = now.Add(-5 * time.Hour)
		if ok, why := trust.Check(&backdated, now); ok || !strings.Contains(why, "is not valid when it signed") {
			t.Errorf("%s: signed before the certificate was valid: %v, %q", name, ok, why)
		}
		undated := *s
		undated.SignedAt = time.Time{}
		if ok, why := trust.Check(&undated, now); !ok {
			t.Errorf("%s: undated signature by a valid certificate: %q", name, why)
		}
	}
}

func TestTrustAddErrors(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	tp := Thumbprint(id.cert)

	tests := map[string]struct {
		data []byte
		want string
	}{
		"cert and key":  {append(certPEM(id.cert), keyPEM...), "a trust file holds certificates, never a private key"},
		"pkcs8 key":     {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), "never a private key"},
		"public key":    {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), `unexpected PEM block "PUBLIC KEY"`},
		"bad PEM cert":  {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "certificate 1"},
		"bad line":      {[]byte(tp + "\nnot-a-thumbprint\n"), "line 2"},
		"short":         {[]byte(tp[:39]), "40 hex digits"},
		"sha256":        {[]byte(strings.Repeat("AB", 32)), "SHA-256 fingerprint"},
		"only comments": {[]byte("# nothing yet\n"), "no certificate or thumbprint"},
		"empty":         {nil, "no certificate or thumbprint"},
		"binary":        {[]byte{0x30, 0x03, 0x02, 0x01, 0x00, 0xff}, "not a PEM or DER certificate"},
	}
	for name, tc := range tests {
		var trust Trust
		err := trust.Add("f", tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "trust file f: ") {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
		if size(&trust) != 0 {
			t.Errorf("%s: %d entries added despite the error", name, size(&trust))
		}
	}
}

func TestTrustAddMultiplePEM(t *testing.T) {
	a, b := selfSigned(t, "Alice Admin"), selfSigned(t, "Bob Admin")
	var trust Trust
	if err := trust.Add("admins.pem", append([]byte("Admins of Contoso\n"), certPEM(a.cert, b.cert, a.cert)...)); err != nil {
		t.Fatal(err)
	}
	if got := trust.Certificates(); size(&trust) != 2 || len(got) != 2 || !got[0].Equal(a.cert) || !got[1].Equal(b.cert) {
		t.Errorf("Len = %d, Certificates = %d; want Alice and Bob once each", size(&trust), len(got))
	}
	if ok, why := trust.Check(verified(t, b), time.Now()); !ok {
		t.Error(why)
	}
}

// size is how many certificates and thumbprints t holds.
func size(t *Trust) int { return len(t.Certificates()) + len(t.Thumbprints()) }

package signature

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	now := time.Now()
	sig, err := Sign(manifest, id.cert, id.key, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Verify(manifest, sig)
	if err != nil {
		t.Fatal(err)
	}

	want := Thumbprint(id.cert)
	if len(want) != 40 || strings.ToUpper(want) != want {
		t.Errorf("Thumbprint = %q, want 40 upper-case hex digits", want)
	}
	if s.Thumbprint != want {
		t.Errorf("Signer.Thumbprint = %q, want %q", s.Thumbprint, want)
	}
	if s.Subject != id.cert.Subject.String() || s.Issuer != id.cert.Issuer.String() {
		t.Errorf("subject/issuer = %q / %q", s.Subject, s.Issuer)
	}
	if !s.NotBefore.Equal(id.cert.NotBefore) || !s.NotAfter.Equal(id.cert.NotAfter) {
		t.Errorf("validity = %v..%v, want %v..%v", s.NotBefore, s.NotAfter, id.cert.NotBefore, id.cert.NotAfter)
	}
	// The signing-time attribute is a UTCTime: whole seconds.
	if wantAt := now.UTC().Truncate(time.Second); !s.SignedAt.Equal(wantAt) {
		t.Errorf("SignedAt = %v, want %v", s.SignedAt, wantAt)
	}
	if !s.Certificate.Equal(id.cert) || len(s.Chain) != 0 {
		t.Errorf("Certificate/Chain not as signed: chain has %d", len(s.Chain))
	}

	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"subject"`, `"issuer"`, `"thumbprint":"` + want + `"`, `"not_before"`, `"not_after"`, `"signed_at"`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("JSON %s lacks %s", js, key)
		}
	}
}

func TestSignUsesGivenTime(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	at := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	sig, err := Sign(manifest, id.cert, id.key, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Verify(manifest, sig)
	if err != nil {
		t.Fatal(err)
	}
	if !s.SignedAt.Equal(at) {
		t.Errorf("SignedAt = %v, want %v", s.SignedAt, at)
	}
}

func TestSignVerifyChain(t *testing.T) {
	root, inter, leaf := pkiChain(t)
	// Unordered and repeating the leaf, as certificate files may be.
	sig := mustSign(t, manifest, leaf, root.cert, leaf.cert, inter.cert)
	s, err := Verify(manifest, sig)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Certificate.Equal(leaf.cert) {
		t.Errorf("signer is %s, want the leaf", s.Subject)
	}
	if len(s.Chain) != 2 {
		t.Errorf("Chain has %d certificates, want root and intermediate", len(s.Chain))
	}
	if s.Issuer != inter.cert.Subject.String() {
		t.Errorf("Issuer = %q", s.Issuer)
	}
}

func TestVerifyDetectsChangedContent(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	sig := mustSign(t, manifest, id)
	for _, i := range []int{0, len(manifest) / 2, len(manifest) - 1} {
		_, err := Verify(flip(manifest, i), sig)
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("content byte %d flipped: err = %v, want ErrMismatch", i, err)
		}
	}
	if _, err := Verify(append(manifest, ' '), sig); !errors.Is(err, ErrMismatch) {
		t.Errorf("content extended: err = %v, want ErrMismatch", err)
	}
	if _, err := Verify(nil, sig); !errors.Is(err, ErrMismatch) {
		t.Errorf("content missing: err = %v, want ErrMismatch", err)
	}
}

func TestVerifyDetectsChangedSignature(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	sig := mustSign(t, manifest, id)

	// The RSA signature value is the last thing in the DER.
	if _, err := Verify(manifest, flip(sig, len(sig)-1)); err == nil || !strings.Contains(err.Error(), "damaged or forged") {
		t.Errorf("signature value flipped: err = %v", err)
	}
	// The message-digest attribute, which the RSA signature covers.
	digest := sha256.Sum256(manifest)
	at := bytes.Index(sig, digest[:])
	if at < 0 {
		t.Fatal("message digest not found in signature")
	}
	if _, err := Verify(manifest, flip(sig, at)); err == nil {
		t.Error("message digest flipped: accepted")
	}
}

// TestVerifyEveryFlip flips each byte of a signature in turn. Some bytes
// are not covered by the signature (the unsigned digestAlgorithms list, the
// embedded certificate's own signature), so Verify may accept; what must
// never happen is that a changed signature is then trusted as coming from a
// certificate other than the one trusted.
func TestVerifyEveryFlip(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	sig := mustSign(t, manifest, id)
	var trust Trust
	if err := trust.Add("alice.pem", certPEM(id.cert)); err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for i := range sig {
		s, err := Verify(manifest, flip(sig, i))
		if err != nil {
			continue
		}
		accepted++
		if ok, why := trust.Check(s, time.Now()); ok && !s.Certificate.Equal(id.cert) {
			t.Errorf("byte %d flipped: trusted a changed certificate: %s", i, why)
		}
	}
	t.Logf("%d of %d single-byte flips still verify (outside the signed data)", accepted, len(sig))
}

func TestSignRefusesWrongKey(t *testing.T) {
	alice, mallory := selfSigned(t, "Alice Admin"), selfSigned(t, "Mallory")
	_, err := Sign(manifest, alice.cert, mallory.key, nil, time.Now())
	if err == nil || !strings.Contains(err.Error(), "does not belong to certificate") {
		t.Fatalf("err = %v, want a key mismatch", err)
	}
	if _, err := Sign(manifest, nil, alice.key, nil, time.Now()); err == nil {
		t.Error("nil certificate accepted")
	}
	if _, err := Sign(manifest, alice.cert, nil, nil, time.Now()); err == nil {
		t.Error("nil key accepted")
	}
}

func TestSignRefusesCertificateOutsideValidity(t *testing.T) {
	now := time.Now()
	expired := newCert(t, "Old Admin", nil, false, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0))
	_, err := Sign(manifest, expired.cert, expired.key, nil, now)
	if err == nil || !strings.Contains(err.Error(), "is not valid at") {
		t.Fatalf("expired: err = %v", err)
	}
	future := newCert(t, "Future Admin", nil, false, now.Add(time.Hour), now.AddDate(1, 0, 0))
	if _, err := Sign(manifest, future.cert, future.key, nil, now); err == nil {
		t.Fatal("not yet valid: accepted")
	}
}

func TestVerifyRefusesSigningOutsideValidity(t *testing.T) {
	now := time.Now()
	for name, id := range map[string]*identity{
		"expired":       newCert(t, "Old Admin", nil, false, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)),
		"not yet valid": newCert(t, "Future Admin", nil, false, now.Add(time.Hour), now.AddDate(1, 0, 0)),
	} {
		// pkcs7 stamps the real time, outside this certificate's validity.
		sig := rawSign(t, manifest, nil, true, id)
		_, err := Verify(manifest, sig)
		if err == nil || !strings.HasPrefix(err.Error(), "the signer certificate was not valid when it signed (signed ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestVerifyRefusesSignerCount(t *testing.T) {
	alice, bob := selfSigned(t, "Alice Admin"), selfSigned(t, "Bob Admin")

	none, err := pkcs7.DegenerateCertificate(alice.cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(manifest, none); err == nil || !strings.Contains(err.Error(), "no signer") {
		t.Errorf("no signer: err = %v", err)
	}
	two := rawSign(t, manifest, nil, true, alice, bob)
	if _, err := Verify(manifest, two); err == nil || !strings.Contains(err.Error(), "2 signers") {
		t.Errorf("two signers: err = %v", err)
	}
}

func TestVerifyRefusesOddSignatures(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	tests := map[string]struct {
		sig  []byte
		want string
	}{
		"embedded content": {rawSign(t, manifest, nil, false, id), "must be detached"},
		"SHA-1":            {rawSign(t, manifest, pkcs7.OIDDigestAlgorithmSHA1, true, id), "SHA-1"},
		"PEM":              {[]byte("-----BEGIN CMS-----\nMIIB\n-----END CMS-----\n"), "PEM"},
	}
	for name, tc := range tests {
		_, err := Verify(manifest, tc.sig)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
}

func TestVerifyGarbage(t *testing.T) {
	id := selfSigned(t, "Alice Admin")
	sig := mustSign(t, manifest, id)
	rnd := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 2048)
	for i := range random {
		random[i] = byte(rnd.Uint32())
	}
	// Random bytes behind a plausible SEQUENCE header reach deeper parsing.
	seq := append([]byte{0x30, 0x82, 0x07, 0xfc}, random[:2044]...)

	tests := map[string][]byte{
		"nil":                nil,
		"empty":              {},
		"text":               []byte("hello, world"),
		"random":             random,
		"random sequence":    seq,
		"trailing data":      append(append([]byte(nil), sig...), 0),
		"indefinite":         {0x30, 0x80},
		"nested indefinite":  bytes.Repeat([]byte{0x30, 0x80}, 10000),
		"huge length":        {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00},
		"long tag":           {0x1f, 0xff, 0xff, 0xff, 0xff},
		"content type only":  {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02},
		"signed data, empty": {0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x02, 0x30, 0x00},
	}
	for n := 1; n < len(sig); n += 7 {
		tests["truncated to "+strconv.Itoa(n)] = sig[:n]
	}
	for name, data := range tests {
		if s, err := Verify(manifest, data); err == nil {
			t.Errorf("%s: accepted, signer %+v", name, s)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"CN=Contoso Automation":   "CN=Contoso Automation",
		"CN=x\x1b[2K\rCN=Contoso": `CN=x\x1b[2K\rCN=Contoso`,
		"CN=a\u202eb":             `CN=a\u202eb`,
		"CN=Zoë":                  "CN=Zoë",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

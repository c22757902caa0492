package signature

import (
	"testing"
	"time"
)

// FuzzVerify feeds Verify arbitrary signatures and manifests. It must
// return an error or a Signer, never panic or hang; and whatever it accepts
// must be consistent enough for Trust.Check to judge.
func FuzzVerify(f *testing.F) {
	id := selfSigned(f, "Alice Admin")
	sig := mustSign(f, manifest, id)
	f.Add(manifest, sig)
	f.Add(manifest, sig[:len(sig)/2])
	f.Add([]byte{}, []byte{0x30, 0x80, 0x30, 0x80, 0x00, 0x00})

	var trust Trust
	if err := trust.Add("alice.pem", certPEM(id.cert)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, content, sig []byte) {
		s, err := Verify(content, sig)
		if err != nil {
			return
		}
		if s.Certificate == nil || s.Thumbprint != Thumbprint(s.Certificate) {
			t.Fatalf("accepted signature with inconsistent signer %+v", s)
		}
		trust.Check(s, time.Now())
	})
}

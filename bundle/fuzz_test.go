package bundle_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"testing"

	"github.com/exorun/exorun/bundle"
)

// FuzzParseManifest: any bytes give a manifest or an error, never a
// panic; a manifest accepted survives Marshal and a second parse as is.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(manifestJSON))
	f.Add([]byte(`{"format": 1, "name": "a", "version": "1.0.0-rc.1+b7", "entry": "a.lua", "min_exorun": "v0.4.0",
		"parameters": {"n": {"type": "list", "default": ["x"], "position": 1}, "f": {"type": "boolean", "required": true}},
		"cmdlets": [{"name": "Set-Mailbox", "access": "write", "dynamic": true}],
		"files": [{"path": "a.lua", "size": 3, "sha256": "` + hex.EncodeToString(make([]byte, 32)) + `"}]}`))
	f.Add([]byte(`{"format": 1, "parameters": {"n": {"default": {"a": 1}}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := bundle.ParseManifest(data)
		if err != nil {
			return
		}
		again, err := m.Marshal()
		if err != nil {
			t.Fatalf("an accepted manifest does not marshal: %v", err)
		}
		m2, err := bundle.ParseManifest(again)
		if err != nil {
			t.Fatalf("a marshalled manifest does not parse: %v\n%s", err, again)
		}
		third, _ := m2.Marshal()
		if string(third) != string(again) {
			t.Fatalf("marshal is not stable:\n%s\n%s", again, third)
		}
	})
}

// FuzzOpen: any bytes give a checked bundle or an error, never a panic;
// a bundle accepted serves exactly the files its manifest lists, each
// matching its hash.
func FuzzOpen(f *testing.F) {
	p, err := bundle.Pack(folder(), "audit", bundle.PackOptions{Builtins: builtins})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.Data)
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := bundle.Open(data, "fuzz.exob")
		if err != nil {
			return
		}
		for _, file := range b.Manifest.Files {
			got, err := fs.ReadFile(b.FS(), file.Path)
			if err != nil {
				t.Fatalf("%s: listed, checked, and unreadable: %v", file.Path, err)
			}
			sum := sha256.Sum256(got)
			if hex.EncodeToString(sum[:]) != file.SHA256 {
				t.Fatalf("%s: served content differs from what was checked", file.Path)
			}
		}
		if _, err := b.Entry(); err != nil {
			t.Fatalf("entry unreadable: %v", err)
		}
		// Open takes only the manifest pack would write.
		again, err := mustParse(t, b.ManifestData).Marshal()
		if err != nil || !bytes.Equal(again, b.ManifestData) {
			t.Fatalf("an accepted manifest is not in pack's form: %v", err)
		}
	})
}

func mustParse(t *testing.T, data []byte) *bundle.Manifest {
	m, err := bundle.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

package bundle_test

import (
	"testing"

	"github.com/exorun/exorun/bundle"
)

// BenchmarkPack packs the test folder (secrets scan, Lua analysis, role
// derivation, zip): what `exorun bundle pack` costs besides I/O.
func BenchmarkPack(b *testing.B) {
	dir := folder()
	for b.Loop() {
		if _, err := bundle.Pack(dir, "audit", bundle.PackOptions{Builtins: builtins}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen reads and checks a bundle: what every run of one adds
// before the script starts (signature check aside).
func BenchmarkOpen(b *testing.B) {
	p, err := bundle.Pack(folder(), "audit", bundle.PackOptions{Builtins: builtins})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(p.Data)))
	for b.Loop() {
		if _, err := bundle.Open(p.Data, "audit.exob"); err != nil {
			b.Fatal(err)
		}
	}
}

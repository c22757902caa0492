package connect

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
)

// benchEmulator is the demo tenant, with settings for its demo app.
func benchEmulator(b *testing.B) (emulator.Endpoints, Settings) {
	b.Helper()
	_, ep := startEmulator(b, emulator.Options{})
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	return ep, s
}

// BenchmarkFirstTokenCold is a new Open per iteration: the certificate
// file read and checked, MSAL's tenant discovery, a token request signed
// with a new client assertion, the claims parsed.
func BenchmarkFirstTokenCold(b *testing.B) {
	ep, s := benchEmulator(b)
	b.Run("new-connections", func(b *testing.B) {
		// A new TLS connection each time, as a new process has.
		for b.Loop() {
			tr := emulatortest.Transport(b, ep) // no connection yet
			mustOpen(b, s, Options{ReadFile: os.ReadFile, Transport: tr})
			tr.CloseIdleConnections()
		}
	})
	b.Run("kept-connections", func(b *testing.B) {
		tr := newCountingTransport(b, ep)
		for b.Loop() {
			mustOpen(b, s, Options{ReadFile: os.ReadFile, Transport: tr})
		}
		b.ReportMetric(float64(tr.all.Load())/float64(b.N), "requests/op")
	})
}

// BenchmarkFirstTokenWarmCache is a new Open per iteration whose token
// comes from a token cache file filled beforehand.
func BenchmarkFirstTokenWarmCache(b *testing.B) {
	ep, s := benchEmulator(b)
	s.TokenCache = filepath.Join(b.TempDir(), "tokens.json")
	tr := newCountingTransport(b, ep)
	o := Options{ReadFile: os.ReadFile, WriteFile: os.WriteFile, Transport: tr}
	mustOpen(b, s, o)
	tr.tokens.Store(0)
	tr.all.Store(0)
	for b.Loop() {
		mustOpen(b, s, o)
	}
	if tr.tokens.Load() != 0 {
		b.Errorf("%d token requests with a warm cache", tr.tokens.Load())
	}
	b.ReportMetric(float64(tr.all.Load())/float64(b.N), "requests/op")
}

// BenchmarkCachedToken is the hand-out of a valid token, which every
// admin API request does.
func BenchmarkCachedToken(b *testing.B) {
	_, s := benchEmulator(b)
	sess := mustOpen(b, s, Options{ReadFile: os.ReadFile})
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := sess.Tokens.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := sess.Tokens.Token(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	if sess.Tokens.Refreshes() != 1 {
		b.Errorf("%d refreshes", sess.Tokens.Refreshes())
	}
}

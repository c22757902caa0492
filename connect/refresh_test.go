package connect

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/longtest"
)

// TestRefreshAcrossALifetime runs real cmdlets for 5 s against an emulator
// whose tokens live 5 s (renewed a quarter lifetime ahead, at 3.75 s): every
// call must find a token that has not expired, and the session must renew
// it on its own, once at least. The real clock is the point: MSAL's cache,
// the token's own exp and the emulator's check all run on it. (The
// refresh rules themselves are in tokens_test.go, on a fake clock.)
func TestRefreshAcrossALifetime(t *testing.T) {
	t.Parallel()
	refreshAcross(t, 5*time.Second, 2)
}

// TestRefreshAcrossManyLifetimes is the same for 30 s: at least five
// renewals in a row.
func TestRefreshAcrossManyLifetimes(t *testing.T) {
	t.Parallel()
	longtest.Skip(t)
	refreshAcross(t, 30*time.Second, 5)
}

// refreshAcross calls cmdlets for run against 5-second tokens and wants at
// least refreshes tokens, each fetched with one token request.
func refreshAcross(t *testing.T, run time.Duration, refreshes int) {
	const lifetime = 5 * time.Second
	_, ep := startEmulator(t, emulator.Options{TokenLifetime: lifetime})
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	tr := newCountingTransport(t, ep)
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, Transport: tr})

	ctx := context.Background()
	deadline := time.Now().Add(run)
	calls := 0
	for time.Now().Before(deadline) {
		tok, err := sess.Tokens.Token(ctx)
		if err != nil {
			t.Fatalf("call %d: Token: %v", calls, err)
		}
		id, err := ParseToken(tok)
		if err != nil {
			t.Fatal(err)
		}
		if left := time.Until(id.ExpiresOn); left <= 0 {
			t.Fatalf("call %d: handed out a token that expired %v ago", calls, -left)
		}
		cmdlet := "Get-OrganizationConfig"
		params := map[string]any(nil)
		if calls%2 == 1 {
			cmdlet, params = "Get-Mailbox", map[string]any{"ResultSize": 1}
		}
		st, err := sess.Client.Invoke(ctx, adminapi.Request{Cmdlet: cmdlet, Parameters: params})
		if err != nil {
			t.Fatalf("call %d (%s, %v into the run): %v", calls, cmdlet, time.Until(deadline), err)
		}
		for {
			_, err := st.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("call %d: %v", calls, err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		calls++
		time.Sleep(100 * time.Millisecond)
	}
	got := sess.Tokens.Refreshes()
	t.Logf("%d calls, %d tokens, %d token requests", calls, got, tr.tokens.Load())
	if got < refreshes {
		t.Errorf("%d tokens in %v of %v tokens, want at least %d", got, run, lifetime, refreshes)
	}
	if n := tr.tokens.Load(); n != int64(got) {
		t.Errorf("%d token requests for %d tokens", n, got)
	}
}

// TestSessionConcurrentRefresh lets 50 goroutines ask for a token at the
// moment it falls due: one token request serves them all. The session's
// clock jumps to that moment instead of the test sleeping there; MSAL
// renews 4-second tokens whenever asked (it treats a token within 5 minutes
// of expiry as expired), so the refresh really fetches a new one.
func TestSessionConcurrentRefresh(t *testing.T) {
	t.Parallel()
	const lifetime = 4 * time.Second
	_, ep := startEmulator(t, emulator.Options{TokenLifetime: lifetime})
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	tr := newCountingTransport(t, ep)
	var ahead atomic.Int64 // how far the session's clock runs ahead
	now := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, Transport: tr, Now: now})
	first, _ := sess.Tokens.Token(context.Background())
	if got := sess.Tokens.Refreshes(); got != 1 {
		t.Fatalf("refreshes = %d after the first token", got)
	}

	// Due a quarter lifetime (1 s) before expiry.
	ahead.Store(int64(time.Until(sess.Tokens.ExpiresOn().Add(-lifetime/4 + 50*time.Millisecond))))
	const callers = 50
	var wg sync.WaitGroup
	tokens := make([]string, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tokens[i], errs[i] = sess.Tokens.Token(context.Background())
		}()
	}
	close(start)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || tokens[i] == first || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: err %v, same as old %v, same as others %v", i, errs[i], tokens[i] == first, tokens[i] == tokens[0])
		}
	}
	if got := sess.Tokens.Refreshes(); got != 2 {
		t.Errorf("refreshes = %d, want 2 (the first token and one shared refresh)", got)
	}
	if got := tr.tokens.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

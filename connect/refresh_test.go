package connect

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/emulator"
)

// TestRefreshAcrossManyLifetimes runs real cmdlets for about 30 s against
// an emulator whose tokens live 5 s: every call must find a token that has
// not expired, and the session must renew it on its own.
func TestRefreshAcrossManyLifetimes(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("30 s of token lifetimes")
	}
	const lifetime = 5 * time.Second
	_, ep := startEmulator(t, emulator.Options{TokenLifetime: lifetime})
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	tr := newCountingTransport(t, ep.CAFile)
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, Transport: tr})

	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
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
	refreshes := sess.Tokens.Refreshes()
	t.Logf("%d calls, %d tokens, %d token requests", calls, refreshes, tr.tokens.Load())
	if refreshes < 5 {
		t.Errorf("%d refreshes in 30 s of 5 s tokens, want at least 5", refreshes)
	}
	if got := tr.tokens.Load(); got != int64(refreshes) {
		t.Errorf("%d token requests for %d refreshes", got, refreshes)
	}
}

// TestSessionConcurrentRefresh lets 50 goroutines ask for a token at the
// moment it falls due: one token request serves them all.
func TestSessionConcurrentRefresh(t *testing.T) {
	t.Parallel()
	const lifetime = 4 * time.Second
	_, ep := startEmulator(t, emulator.Options{TokenLifetime: lifetime})
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	tr := newCountingTransport(t, ep.CAFile)
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, Transport: tr})
	first, _ := sess.Tokens.Token(context.Background())

	// Due a quarter lifetime (1 s) before expiry.
	time.Sleep(time.Until(sess.Tokens.ExpiresOn().Add(-lifetime/4 + 50*time.Millisecond)))
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

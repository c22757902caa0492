package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

// fakeIdP is an acquireFunc whose tokens live for lifetime on clock.
type fakeIdP struct {
	clock    *fakeClock
	lifetime time.Duration

	calls  atomic.Int64
	fresh  atomic.Int64 // calls with fresh set
	mu     sync.Mutex
	fail   error         // returned instead of a token when set
	block  chan struct{} // when set, acquire waits for it to close
	ctxErr error         // the acquire context's error when it returned
}

func (f *fakeIdP) acquire(ctx context.Context, fresh bool) (string, time.Time, error) {
	n := f.calls.Add(1)
	if fresh {
		f.fresh.Add(1)
	}
	f.mu.Lock()
	block, fail := f.block, f.fail
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
		}
	}
	f.mu.Lock()
	f.ctxErr = ctx.Err()
	f.mu.Unlock()
	if ctx.Err() != nil {
		return "", time.Time{}, ctx.Err()
	}
	if fail != nil {
		return "", time.Time{}, fail
	}
	return fmt.Sprintf("token-%d", n), f.clock.Now().Add(f.lifetime), nil
}

func (f *fakeIdP) set(fail error, block chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.block = fail, block
}

func newFakeSource(lifetime time.Duration, log *slog.Logger) (*TokenSource, *fakeIdP, *fakeClock) {
	clock := newFakeClock()
	idp := &fakeIdP{clock: clock, lifetime: lifetime}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return newTokenSource(idp.acquire, clock.Now, log), idp, clock
}

func mustToken(t *testing.T, ts *TokenSource) string {
	t.Helper()
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

func TestTokenSourceRefreshMargin(t *testing.T) {
	for _, tc := range []struct {
		lifetime, margin time.Duration
	}{
		{75 * time.Minute, 5 * time.Minute}, // capped
		{20 * time.Minute, 5 * time.Minute}, // exactly the cap
		{8 * time.Minute, 2 * time.Minute},
		{5 * time.Second, 1250 * time.Millisecond},
	} {
		t.Run(tc.lifetime.String(), func(t *testing.T) {
			ts, idp, clock := newFakeSource(tc.lifetime, nil)
			first := mustToken(t, ts)
			if ts.Refreshes() != 1 || !ts.ExpiresOn().Equal(clock.Now().Add(tc.lifetime)) {
				t.Fatalf("after first: refreshes %d, expires %v", ts.Refreshes(), ts.ExpiresOn())
			}
			// Just before the margin: the same token, no call.
			clock.Add(tc.lifetime - tc.margin - time.Millisecond)
			if got := mustToken(t, ts); got != first || idp.calls.Load() != 1 {
				t.Fatalf("before the margin: token %q, %d calls", got, idp.calls.Load())
			}
			// At the margin: a new token.
			clock.Add(time.Millisecond)
			second := mustToken(t, ts)
			if second == first || idp.calls.Load() != 2 || ts.Refreshes() != 2 {
				t.Fatalf("at the margin: token %q, %d calls", second, idp.calls.Load())
			}
			if idp.fresh.Load() != 0 {
				t.Error("a scheduled refresh asked for a fresh token")
			}
		})
	}
}

func TestTokenSourceOneRefreshForManyCallers(t *testing.T) {
	ts, idp, clock := newFakeSource(time.Hour, nil)
	old := mustToken(t, ts)
	clock.Add(56 * time.Minute) // due, not expired

	release := make(chan struct{})
	idp.set(nil, release)
	const callers = 64
	var started, done sync.WaitGroup
	tokens := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			tokens[i], errs[i] = ts.Token(context.Background())
		}()
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let most of them queue on the refresh
	close(release)
	done.Wait()
	if n := idp.calls.Load(); n != 2 {
		t.Fatalf("%d acquires for %d concurrent callers, want 1 (+1 initial)", n-1, callers)
	}
	for i := range callers {
		if errs[i] != nil || tokens[i] == old || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %q, %v (old %q, first %q)", i, tokens[i], errs[i], old, tokens[0])
		}
	}
}

func TestTokenSourceFailedRefreshKeepsValidToken(t *testing.T) {
	var logs logBuffer
	ts, idp, clock := newFakeSource(time.Hour, logs.logger())
	old := mustToken(t, ts)
	idp.set(errors.New("AADSTS700027: certificate gone"), nil)

	clock.Add(58 * time.Minute) // due; two minutes left
	got, err := ts.Token(context.Background())
	if err != nil || got != old {
		t.Fatalf("failed refresh of a still valid token: %q, %v; want the old token", got, err)
	}
	if !strings.Contains(logs.String(), "token refresh failed") || !strings.Contains(logs.String(), "AADSTS700027") {
		t.Errorf("the failure is not logged: %s", logs.String())
	}
	// It keeps trying while due.
	calls := idp.calls.Load()
	if _, err := ts.Token(context.Background()); err != nil || idp.calls.Load() != calls+1 {
		t.Errorf("second call: %v, %d calls (want a new attempt)", err, idp.calls.Load()-calls)
	}

	clock.Add(2 * time.Minute) // expired now
	if got, err := ts.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "AADSTS700027") {
		t.Fatalf("failed refresh of an expired token: %q, %v; want the error", got, err)
	}

	// Recovery.
	idp.set(nil, nil)
	if got := mustToken(t, ts); got == old {
		t.Error("no new token after recovery")
	}
}

func TestTokenSourceFailedFirstAcquire(t *testing.T) {
	ts, idp, _ := newFakeSource(time.Hour, nil)
	idp.set(errors.New("AADSTS90002: no tenant"), nil)
	if _, err := ts.Token(context.Background()); err == nil || ts.Refreshes() != 0 {
		t.Fatalf("err %v, refreshes %d", err, ts.Refreshes())
	}
	if !ts.ExpiresOn().IsZero() {
		t.Error("ExpiresOn set without a token")
	}
}

func TestTokenSourceCancelledCallerLeavesOthers(t *testing.T) {
	ts, idp, _ := newFakeSource(time.Hour, nil)
	release := make(chan struct{})
	idp.set(nil, release)

	// The cancelled caller starts the refresh.
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	go func() {
		_, err := ts.Token(ctx)
		cancelled <- err
	}()
	for idp.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	other := make(chan string, 1)
	go func() {
		tok, err := ts.Token(context.Background())
		if err != nil {
			tok = "error: " + err.Error()
		}
		other <- tok
	}()

	cancel()
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancelled caller did not return promptly")
	}
	select {
	case tok := <-other:
		t.Fatalf("the other caller returned before the refresh finished: %q", tok)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if tok := <-other; tok != "token-1" {
		t.Errorf("other caller got %q", tok)
	}
	idp.mu.Lock()
	ctxErr := idp.ctxErr
	idp.mu.Unlock()
	if ctxErr != nil {
		t.Errorf("the refresh saw its starter's cancellation: %v", ctxErr)
	}
	if idp.calls.Load() != 1 {
		t.Errorf("%d acquires", idp.calls.Load())
	}
	// A cancelled context with a valid token still gets it.
	if tok, err := ts.Token(ctx); err != nil || tok != "token-1" {
		t.Errorf("valid token, cancelled ctx: %q, %v", tok, err)
	}
}

func TestTokenSourceInvalidate(t *testing.T) {
	ts, idp, _ := newFakeSource(time.Hour, nil)
	first := mustToken(t, ts)

	ts.Invalidate("some-older-token") // not the current one: no effect
	if got := mustToken(t, ts); got != first || idp.calls.Load() != 1 {
		t.Fatalf("Invalidate of another token changed things: %q, %d calls", got, idp.calls.Load())
	}

	ts.Invalidate(first)
	second := mustToken(t, ts)
	if second == first || idp.fresh.Load() != 1 {
		t.Fatalf("after Invalidate: %q, fresh calls %d", second, idp.fresh.Load())
	}
	// Fresh only once.
	ts.Invalidate(second)
	idp.set(errors.New("down"), nil)
	if _, err := ts.Token(context.Background()); err == nil {
		t.Fatal("an invalidated token was handed out after a failed refresh")
	}
	idp.set(nil, nil)
	third := mustToken(t, ts)
	if third == second || idp.fresh.Load() != 3 {
		t.Errorf("fresh must stay set until a refresh succeeds: %d fresh calls", idp.fresh.Load())
	}
	_ = mustToken(t, ts)
	ts.Invalidate(third)
	ts.Invalidate(third)
	_ = mustToken(t, ts)
	if idp.fresh.Load() != 4 {
		t.Errorf("fresh calls = %d", idp.fresh.Load())
	}
}

func TestStaticToken(t *testing.T) {
	var logs logBuffer
	clock := newFakeClock()
	exp := clock.Now().Add(10 * time.Minute)
	ts := staticTokenSource("static-token", exp, clock.Now, logs.logger())

	if got := mustToken(t, ts); got != "static-token" || logs.String() != "" {
		t.Fatalf("fresh static token: %q, logs %q", got, logs.String())
	}
	ts.Invalidate("static-token") // cannot be refreshed: kept
	clock.Add(6 * time.Minute)    // 4 minutes left
	if got := mustToken(t, ts); got != "static-token" {
		t.Fatalf("static token near expiry: %q", got)
	}
	if n := strings.Count(logs.String(), "expires soon and cannot be refreshed"); n != 1 {
		t.Fatalf("warnings: %d in %q", n, logs.String())
	}
	_ = mustToken(t, ts)
	if n := strings.Count(logs.String(), "expires soon"); n != 1 {
		t.Errorf("warned %d times", n)
	}
	if strings.Contains(logs.String(), "static-token") {
		t.Error("the token is logged")
	}

	clock.Add(4 * time.Minute) // expired
	_, err := ts.Token(context.Background())
	if err == nil {
		t.Fatal("an expired static token was handed out")
	}
	if exitcode.Of(err) != exitcode.Auth || !strings.Contains(err.Error(), "cannot be refreshed") || exitcode.HintOf(err) == "" {
		t.Errorf("expired static token: %v (code %d, hint %q)", err, exitcode.Of(err), exitcode.HintOf(err))
	}
	if ts.Refreshes() != 0 || !ts.ExpiresOn().Equal(exp) {
		t.Errorf("refreshes %d, expires %v", ts.Refreshes(), ts.ExpiresOn())
	}

	// Without exp it is served as is.
	ts = staticTokenSource("no-exp", time.Time{}, clock.Now, logs.logger())
	clock.Add(1000 * time.Hour)
	if got := mustToken(t, ts); got != "no-exp" {
		t.Errorf("no exp: %q", got)
	}
}

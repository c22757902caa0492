package connect

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

// acquireFunc gets a new token from the identity provider. fresh asks it
// to bypass any cache of its own (after the service refused a token).
type acquireFunc func(ctx context.Context, fresh bool) (token string, expiresOn time.Time, err error)

// TokenSource hands out a valid access token for every request and
// refreshes it ahead of expiry. Concurrent callers that find the token
// due share one refresh. It implements adminapi.Tokens.
type TokenSource struct {
	acquire acquireFunc // nil for a pre-acquired token
	now     func() time.Time
	logger  *slog.Logger

	mu         sync.Mutex
	token      string
	acquiredAt time.Time
	expiresOn  time.Time
	fresh      bool          // the next acquire must bypass the provider's cache
	inflight   *tokenRefresh // the refresh callers are waiting on, if any
	refreshes  int
	warned     bool // a static token's "expires soon" was logged
}

// tokenRefresh is one refresh shared by every caller waiting on it.
type tokenRefresh struct {
	done chan struct{}
	err  error
}

// acquireTimeout bounds one refresh; it runs detached from the caller
// that started it so another caller's cancellation cannot fail it for all.
const acquireTimeout = 2 * time.Minute

// maxMargin is how long before expiry a token is renewed at the latest.
// MSAL Go's cache also treats a token within 5 minutes of expiry as
// expired, so a refresh at that point really fetches a new one.
const maxMargin = 5 * time.Minute

func newTokenSource(acquire acquireFunc, now func() time.Time, logger *slog.Logger) *TokenSource {
	return &TokenSource{acquire: acquire, now: now, logger: logger}
}

// staticTokenSource serves a pre-acquired token until it expires.
func staticTokenSource(token string, expiresOn time.Time, now func() time.Time, logger *slog.Logger) *TokenSource {
	return &TokenSource{token: token, expiresOn: expiresOn, acquiredAt: now(), now: now, logger: logger}
}

// margin is how long before expiry the token counts as due: a quarter of
// its lifetime, at most maxMargin, so 5-second tokens work as well as
// 75-minute ones.
func (ts *TokenSource) margin() time.Duration {
	m := ts.expiresOn.Sub(ts.acquiredAt) / 4
	return min(m, maxMargin)
}

// Token returns a token valid for at least the refresh margin.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	if ts.acquire == nil {
		defer ts.mu.Unlock()
		return ts.staticToken()
	}
	now := ts.now()
	if ts.token != "" && now.Before(ts.expiresOn.Add(-ts.margin())) {
		t := ts.token
		ts.mu.Unlock()
		return t, nil
	}
	call := ts.inflight
	if call == nil {
		call = &tokenRefresh{done: make(chan struct{})}
		ts.inflight = call
		fresh := ts.fresh
		go ts.refresh(context.WithoutCancel(ctx), call, fresh)
	}
	ts.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if call.err != nil {
		// A token that is due but not yet expired still works.
		if ts.token != "" && ts.now().Before(ts.expiresOn) {
			ts.logger.Warn("token refresh failed; using the current token until it expires", "expires", ts.expiresOn.Format(time.RFC3339), "error", call.err)
			return ts.token, nil
		}
		return "", call.err
	}
	return ts.token, nil
}

func (ts *TokenSource) refresh(ctx context.Context, call *tokenRefresh, fresh bool) {
	ctx, cancel := context.WithTimeout(ctx, acquireTimeout)
	defer cancel()
	start := ts.now()
	token, exp, err := ts.acquireSafely(ctx, fresh)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if err == nil {
		ts.token, ts.acquiredAt, ts.expiresOn, ts.fresh = token, start, exp, false
		ts.refreshes++
		ts.logger.Debug("access token acquired", "expires", exp.UTC().Format(time.RFC3339))
	}
	call.err = err
	ts.inflight = nil
	close(call.done)
}

// acquireSafely is acquire on the refresh goroutine, where a panic (a bug
// here or in MSAL) would end the process: it fails this acquisition
// instead, and the call waiting for the token reports it.
func (ts *TokenSource) acquireSafely(ctx context.Context, fresh bool) (token string, exp time.Time, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error (a bug in exorun or MSAL) while acquiring a token: %v", v)
		}
	}()
	return ts.acquire(ctx, fresh)
}

// staticToken serves a pre-acquired token; ts.mu is held.
func (ts *TokenSource) staticToken() (string, error) {
	now := ts.now()
	if ts.expiresOn.IsZero() {
		return ts.token, nil
	}
	if !now.Before(ts.expiresOn) {
		return "", exitcode.New(exitcode.Auth, "the access token expired at %s; a pre-acquired token cannot be refreshed",
			ts.expiresOn.UTC().Format(time.RFC3339)).
			WithHint("connect with a certificate (thumbprint, certificate_file or certificate) so exorun can renew tokens itself")
	}
	if left := ts.expiresOn.Sub(now); left < maxMargin && !ts.warned {
		ts.warned = true
		ts.logger.Warn("the access token expires soon and cannot be refreshed", "expires", ts.expiresOn.UTC().Format(time.RFC3339), "left", left.Round(time.Second).String())
	}
	return ts.token, nil
}

// Invalidate drops token after the service refused it, so the next Token
// fetches a new one, bypassing MSAL's cache.
func (ts *TokenSource) Invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.acquire != nil && token == ts.token {
		ts.token, ts.fresh = "", true
	}
}

// ExpiresOn is when the current token expires (zero before the first).
func (ts *TokenSource) ExpiresOn() time.Time {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.expiresOn
}

// Refreshes counts the tokens acquired so far.
func (ts *TokenSource) Refreshes() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refreshes
}

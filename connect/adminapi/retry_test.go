package adminapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"5":                             5 * time.Second,
		"1.5":                           1500 * time.Millisecond,
		" 0.25 ":                        250 * time.Millisecond,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"Fri, 02 Jan 2026 03:04:00 GMT": 0, // in the past
	} {
		got, ok := retryAfter(http.Header{"Retry-After": {v}}, now)
		if !ok || got != want {
			t.Errorf("Retry-After %q: %v %v, want %v", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "soon", "-1", "NaN", "1e12"} {
		if _, ok := retryAfter(http.Header{"Retry-After": {v}}, now); ok {
			t.Errorf("Retry-After %q accepted", v)
		}
	}
}

// throttleThen answers n throttles (status, Retry-After ra) and then a page.
func throttleThen(n, status int, ra string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, i int) {
		if i < n {
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			writeError(w, status, "TooManyRequests", "|Throttled|slow down")
			return
		}
		writePage(w, []string{`{"Name":"ok"}`}, "")
	}
}

func invokeAll(t *testing.T, c *Client, r Request) ([]string, error) {
	t.Helper()
	s, err := c.Invoke(context.Background(), r)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return drain(t, s)
}

func TestThrottleHonoursRetryAfter(t *testing.T) {
	for name, tc := range map[string]struct {
		ra   string
		want time.Duration
	}{
		"seconds":   {"2", 2 * time.Second},
		"fraction":  {"1.5", 1500 * time.Millisecond},
		"http date": {"Fri, 02 Jan 2026 03:04:15 GMT", 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, throttleThen(2, 429, tc.ra))
			c, _, sl := newClient(t, srv, func(o *Options) { o.Rand = func() float64 { return 0 } })
			c.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
			got, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"})
			if err != nil || len(got) != 1 {
				t.Fatalf("%q %v", got, err)
			}
			if w := sl.all(); !slices.Equal(w, []time.Duration{tc.want, tc.want}) {
				t.Fatalf("waits %v, want 2 × %v", w, tc.want)
			}
			st := c.Stats()
			if st.Retries != 2 || st.Throttled != 2 || st.ThrottleWait != 2*tc.want || st.Requests != 3 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestRetryAfterJitterOnlyAdds(t *testing.T) {
	srv := newServer(t, throttleThen(1, 429, "10"))
	c, _, sl := newClient(t, srv, func(o *Options) { o.Rand = func() float64 { return 0.999 } })
	if _, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"}); err != nil {
		t.Fatal(err)
	}
	if w := sl.all()[0]; w < 10*time.Second || w > 12*time.Second {
		t.Fatalf("wait %v, want within [10s, 12s]", w)
	}
}

func TestExponentialBackoffWithoutRetryAfter(t *testing.T) {
	for name, tc := range map[string]struct {
		rand float64
		want []time.Duration
	}{
		"no jitter":  {0.5, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		"low jitter": {0, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, throttleThen(3, 503, ""))
			c, _, sl := newClient(t, srv, func(o *Options) { o.Rand = func() float64 { return tc.rand } })
			if _, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"}); err != nil {
				t.Fatal(err)
			}
			if w := sl.all(); !slices.Equal(w, tc.want) {
				t.Fatalf("waits %v, want %v", w, tc.want)
			}
		})
	}
}

func TestMaxAttempts(t *testing.T) {
	srv := newServer(t, throttleThen(1000, 503, ""))
	c, _, sl := newClient(t, srv, nil)
	_, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeUnavailable || e.Status != 503 || e.Attempts != 6 {
		t.Fatalf("%v", err)
	}
	if srv.count() != 6 || len(sl.all()) != 5 {
		t.Fatalf("%d requests, %d waits; want 6 and 5", srv.count(), len(sl.all()))
	}
	if exitcode.Of(err) != exitcode.Service {
		t.Fatalf("exit %d", exitcode.Of(err))
	}
	if c.Stats().Errors[CodeUnavailable] != 1 {
		t.Fatalf("stats %+v", c.Stats())
	}

	srv2 := newServer(t, throttleThen(1000, 503, ""))
	c2, _, _ := newClient(t, srv2, func(o *Options) { o.Retry.MaxAttempts = 1 })
	if _, err := invokeAll(t, c2, Request{Cmdlet: "Get-Mailbox"}); err == nil || srv2.count() != 1 {
		t.Fatalf("MaxAttempts 1: %v after %d requests", err, srv2.count())
	}
}

func TestMaxWaitCapsTotalWait(t *testing.T) {
	srv := newServer(t, throttleThen(1000, 429, "100"))
	c, _, sl := newClient(t, srv, func(o *Options) { o.Rand = func() float64 { return 0 } })
	_, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeThrottled || e.RetryAfter != 100*time.Second {
		t.Fatalf("%v", err)
	}
	if w := sl.all(); !slices.Equal(w, []time.Duration{100 * time.Second, 100 * time.Second, 100 * time.Second}) {
		t.Fatalf("waits %v: the 5 min budget allows three 100 s waits", w)
	}
	if srv.count() != 4 || exitcode.Of(err) != exitcode.Throttled {
		t.Fatalf("%d requests, exit %d", srv.count(), exitcode.Of(err))
	}
}

func TestRetryAfterBeyondBudgetFailsAtOnce(t *testing.T) {
	srv := newServer(t, throttleThen(1000, 429, "3600"))
	c, _, sl := newClient(t, srv, func(o *Options) { o.Rand = func() float64 { return 0 } })
	_, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeThrottled || e.RetryAfter != time.Hour || srv.count() != 1 || len(sl.all()) != 0 {
		t.Fatalf("%v after %d requests", err, srv.count())
	}
	if !strings.Contains(err.Error(), "retry after 1h0m0s") {
		t.Fatalf("error does not say how long: %v", err)
	}
}

func TestUnauthorizedReacquiresTokenOnce(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("Authorization") != "Bearer second-token-xyz" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, 401, "Unauthorized", "|Exorun.Emulator.InvalidTokenException|The access token has expired.")
			return
		}
		writePage(w, []string{`{"Name":"ok"}`}, "")
	})
	tok := newTokens("first-token-abc", "second-token-xyz")
	c, _, sl := newClient(t, srv, func(o *Options) { o.Tokens = tok })
	if _, err := invokeAll(t, c, Request{Cmdlet: "Set-Mailbox", Write: true}); err != nil {
		t.Fatal(err)
	}
	if d := tok.dropped(); !slices.Equal(d, []string{"first-token-abc"}) || srv.count() != 2 || len(sl.all()) != 0 {
		t.Fatalf("invalidated %q, %d requests, waits %v", d, srv.count(), sl.all())
	}

	// Refused again with the fresh token: one re-acquisition only.
	tok2 := newTokens("a-token-123456", "b-token-123456", "c-token-123456")
	c2, _, _ := newClient(t, srv, func(o *Options) { o.Tokens = tok2 })
	srv.mu.Lock()
	srv.reqs = nil
	srv.mu.Unlock()
	_, err := invokeAll(t, c2, Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeUnauthorized || e.Message != "The access token has expired." {
		t.Fatalf("%v", err)
	}
	if srv.count() != 2 || len(tok2.dropped()) != 1 || exitcode.Of(err) != exitcode.Auth {
		t.Fatalf("%d requests, invalidated %q", srv.count(), tok2.dropped())
	}
}

func TestTokenErrorKeepsItsExitCode(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { writePage(w, nil, "") })
	c, _, _ := newClient(t, srv, func(o *Options) { o.Tokens = failingTokens{} })
	_, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeUnauthorized || srv.count() != 0 {
		t.Fatalf("%v", err)
	}
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "certificate file missing") {
		t.Fatalf("exit %d: %v", exitcode.Of(err), err)
	}
}

type failingTokens struct{}

func (failingTokens) Token(context.Context) (string, error) {
	return "", exitcode.New(exitcode.Usage, "certificate file missing")
}
func (failingTokens) Invalidate(string) {}

func TestWriteNotRetriedAfterCut(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { cut(w) })
	c, _, _ := newClient(t, srv, nil)
	_, err := invokeAll(t, c, Request{Cmdlet: "Set-Mailbox", Write: true})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeWriteUncertain || !strings.Contains(e.Message, "the write may or may not have happened") {
		t.Fatalf("%v", err)
	}
	if srv.count() != 1 {
		t.Fatalf("write sent %d times", srv.count())
	}
	if exitcode.Of(err) != exitcode.Service || !strings.Contains(exitcode.HintOf(err), "state") {
		t.Fatalf("exit %d hint %q", exitcode.Of(err), exitcode.HintOf(err))
	}
}

func TestReadRetriedAfterCut(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			cut(w)
			return
		}
		writePage(w, []string{`{"Name":"a"}`, `{"Name":"b"}`}, "")
	})
	c, _, sl := newClient(t, srv, nil)
	got, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox"})
	if err != nil || len(got) != 2 || srv.count() != 2 || len(sl.all()) != 1 {
		t.Fatalf("%q %v, %d requests", got, err, srv.count())
	}
	if c.Stats().ThrottleWait != 0 || c.Stats().RetryWait != 2*time.Second {
		t.Fatalf("a network retry is not throttling: %+v", c.Stats())
	}
}

func TestWriteNotRetriedAfter503(t *testing.T) {
	for _, status := range []int{503, 504} {
		srv := newServer(t, throttleThen(1000, status, "1"))
		c, _, _ := newClient(t, srv, nil)
		_, err := invokeAll(t, c, Request{Cmdlet: "Set-Mailbox", Write: true})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeWriteUncertain || e.Status != status ||
			!strings.Contains(e.Message, "may or may not have happened") || srv.count() != 1 {
			t.Fatalf("%d: %v after %d requests", status, err, srv.count())
		}
	}
}

func TestWriteRetriedAfter429AndConcurrencyLimit(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 0:
			w.Header().Set("Retry-After", "1")
			writeError(w, 429, "TooManyRequests", "|Throttled|slow down")
		case 1:
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(429)
			fmt.Fprint(w, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again")
		default:
			writePage(w, nil, "")
		}
	})
	c, _, sl := newClient(t, srv, nil)
	if _, err := invokeAll(t, c, Request{Cmdlet: "Set-Mailbox", Write: true}); err != nil {
		t.Fatal(err)
	}
	if srv.count() != 3 || len(sl.all()) != 2 {
		t.Fatalf("%d requests, waits %v", srv.count(), sl.all())
	}
}

func TestTransientExceptionRetriedForReadsOnly(t *testing.T) {
	handler := func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			writeError(w, 500, "InternalServerError", "Ex1|Microsoft.Exchange.Data.Directory.DCOverloadedException|The domain controller is overloaded.")
			return
		}
		writePage(w, nil, "")
	}
	srv := newServer(t, handler)
	c, _, _ := newClient(t, srv, nil)
	if _, err := invokeAll(t, c, Request{Cmdlet: "Get-User"}); err != nil || srv.count() != 2 {
		t.Fatalf("read: %v after %d", err, srv.count())
	}
	srv2 := newServer(t, handler)
	c2, _, _ := newClient(t, srv2, nil)
	_, err := invokeAll(t, c2, Request{Cmdlet: "Set-User", Write: true})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeServerError || srv2.count() != 1 ||
		e.Exception != "Microsoft.Exchange.Data.Directory.DCOverloadedException" {
		t.Fatalf("write: %v after %d", err, srv2.count())
	}
}

// refuseOnce fails the first dial as a closed port does, before anything
// is written.
type refuseOnce struct {
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	count atomic.Int32
}

func (r *refuseOnce) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if r.count.Add(1) == 1 {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	return r.dial(ctx, network, addr)
}

func TestWriteRetriedWhenConnectionRefusedBeforeSending(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { writePage(w, []string{`{"Done":true}`}, "") })
	tr := srv.Client().Transport.(*http.Transport).Clone()
	ro := &refuseOnce{dial: (&net.Dialer{}).DialContext}
	tr.DialContext = ro.DialContext
	c, _, sl := newClient(t, srv, func(o *Options) { o.HTTPClient = &http.Client{Transport: tr} })
	got, err := invokeAll(t, c, Request{Cmdlet: "Set-Mailbox", Write: true})
	if err != nil || len(got) != 1 {
		t.Fatalf("%q %v", got, err)
	}
	if srv.count() != 1 || ro.count.Load() != 2 || len(sl.all()) != 1 || c.Stats().Retries != 1 {
		t.Fatalf("server saw %d, dials %d, waits %v", srv.count(), ro.count.Load(), sl.all())
	}
}

func TestWriteUncertainWhenConnectionDropsAfterSending(t *testing.T) {
	handler := func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		writePage(w, nil, "")
	}
	srv := newServer(t, handler)
	c, _, _ := newClient(t, srv, nil)
	_, err := invokeAll(t, c, Request{Cmdlet: "New-Mailbox", Write: true})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeWriteUncertain || srv.count() != 1 {
		t.Fatalf("%v after %d", err, srv.count())
	}
	srv2 := newServer(t, handler)
	c2, _, _ := newClient(t, srv2, nil)
	if _, err := invokeAll(t, c2, Request{Cmdlet: "Get-Mailbox"}); err != nil || srv2.count() != 2 {
		t.Fatalf("read: %v after %d", err, srv2.count())
	}
}

func TestNetworkErrorAfterRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused
	c, err := New(Options{BaseURL: "https://" + addr, TenantID: testTenant, Tokens: newTokens(),
		Sleep: (&sleeps{}).sleep, Retry: RetryPolicy{MaxAttempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNetwork || e.Attempts != 3 || !strings.Contains(e.Message, "could not be sent") {
		t.Fatalf("%v", err)
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	srv := newServer(t, throttleThen(1000, 429, "60"))
	c, _, _ := newClient(t, srv, func(o *Options) { o.Sleep = nil }) // the real timer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox"})
		done <- err
	}()
	for srv.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeCanceled || !errors.Is(err, context.Canceled) {
			t.Fatalf("%v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("cancel did not stop the 60 s backoff")
	}
	if srv.count() != 1 {
		t.Fatalf("%d requests", srv.count())
	}
}

// TestTimeoutBoundsTheCall lets Options.Timeout run out while the service
// holds the request: a read ends as timeout, a write as write_uncertain.
// Two things used to make it flaky. The timed call must reach the service
// within its budget, so it runs on a connection that a call without a
// timeout has just opened: no TLS handshake (slow under -race on a busy
// machine) eats the budget. And the held request must never be answered:
// a 200 sent when the client hangs up can still reach the client, which
// then decodes an empty page instead of timing out.
func TestTimeoutBoundsTheCall(t *testing.T) {
	const budget = 250 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		// Each round sends a warm-up call, then the timed one.
		if n%2 == 0 {
			writePage(w, []string{`{"Name":"contoso"}`}, "")
			return
		}
		// Still running the cmdlet when the client goes away: no answer.
		select {
		case <-r.Context().Done():
		case <-release:
		}
		panic(http.ErrAbortHandler)
	})
	for _, write := range []bool{false, true} {
		warm, _, _ := newClient(t, srv, nil) // the same *http.Client, so the same pool
		if _, err := invokeAll(t, warm, Request{Cmdlet: "Get-OrganizationConfig"}); err != nil {
			t.Fatal(err)
		}
		before := srv.count()
		c, _, _ := newClient(t, srv, func(o *Options) { o.Timeout = budget })
		start := time.Now()
		_, err := c.Invoke(context.Background(), Request{Cmdlet: "Set-Mailbox", Write: write})
		took := time.Since(start)
		var e *Error
		want := CodeTimeout
		if write {
			want = CodeWriteUncertain
		}
		if !errors.As(err, &e) || e.Code != want || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("write=%v: %v", write, err)
		}
		if got := srv.count() - before; got != 1 {
			t.Fatalf("write=%v: the service saw %d requests, want the one it held", write, got)
		}
		if took < budget {
			t.Fatalf("write=%v: ended after %v, before the timeout", write, took)
		}
	}
}

func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	const secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-body"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 0:
			w.Header().Set("Retry-After", "1")
			writeError(w, 429, "TooManyRequests", "|Throttled|slow down")
		case 1:
			writeError(w, 401, "Unauthorized", "|X|bad token "+r.Header.Get("Authorization"))
		case 2:
			cut(w)
		default:
			// A service that echoes the header back must not leak it.
			writeError(w, 400, "BadRequest", "|X|you sent "+r.Header.Get("Authorization"))
		}
	})
	var logs bytes.Buffer
	tok := newTokens(secret, secret+"-2")
	c, _, _ := newClient(t, srv, func(o *Options) {
		o.Tokens = tok
		o.Rand = func() float64 { return 0 }
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := invokeAll(t, c, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"Identity": "x"}})
	if err == nil {
		t.Fatal("no error")
	}
	for what, text := range map[string]string{"error": err.Error(), "%+v": fmt.Sprintf("%+v", err), "logs": logs.String()} {
		if strings.Contains(text, "secret-token-body") {
			t.Fatalf("token in %s: %s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "throttled by the service, waiting 1s (attempt 2/6)") {
		t.Fatalf("throttling not logged: %s", logs.String())
	}
}

func TestFailingSleepEndsTheCall(t *testing.T) {
	srv := newServer(t, throttleThen(1000, 429, "1"))
	c, _, _ := newClient(t, srv, func(o *Options) {
		o.Sleep = func(context.Context, time.Duration) error { return errors.New("no more waiting") }
	})
	_, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeCanceled || srv.count() != 1 {
		t.Fatalf("%v after %d", err, srv.count())
	}
}

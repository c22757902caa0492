package adminapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testTenant = "6f1c7e2a-0b8e-4a57-9d1e-3c2b1a000001"

// fakeTokens hands out tokens[i], moving on when the current one is
// invalidated.
type fakeTokens struct {
	mu          sync.Mutex
	tokens      []string
	i           int
	calls       int
	invalidated []string
}

func newTokens(tokens ...string) *fakeTokens {
	if len(tokens) == 0 {
		tokens = []string{"token-one-0123456789"}
	}
	return &fakeTokens{tokens: tokens}
}

func (f *fakeTokens) Token(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.tokens[min(f.i, len(f.tokens)-1)], nil
}

func (f *fakeTokens) Invalidate(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, token)
	if f.tokens[min(f.i, len(f.tokens)-1)] == token {
		f.i++
	}
}

func (f *fakeTokens) dropped() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.invalidated...)
}

// sleeps records waits without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// recorded is one request a test server saw.
type recorded struct {
	method string
	url    string // path and query
	header http.Header
	body   string
}

// server is an httptest TLS server that records requests and answers
// with handle(w, r, n), n counting requests from 0.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

func newServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{handle: handle}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.reqs)
		s.reqs = append(s.reqs, recorded{r.Method, r.URL.RequestURI(), r.Header.Clone(), string(body)})
		s.mu.Unlock()
		s.handle(w, r, n)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// newClient returns a client of srv with recorded sleeps and Rand 0.5
// (backoff without jitter); mutate adjusts the options.
func newClient(t *testing.T, srv *server, mutate func(*Options)) (*Client, *fakeTokens, *sleeps) {
	t.Helper()
	tok, sl := newTokens(), &sleeps{}
	opts := Options{
		BaseURL:    srv.URL,
		TenantID:   testTenant,
		Tokens:     tok,
		HTTPClient: srv.Client(),
		Sleep:      sl.sleep,
		Rand:       func() float64 { return 0.5 },
	}
	if mutate != nil {
		mutate(&opts)
	}
	if ft, ok := opts.Tokens.(*fakeTokens); ok {
		tok = ft
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, tok, sl
}

// writePage answers an InvokeCommand page.
func writePage(w http.ResponseWriter, values []string, next string, warnings ...string) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("request-id", fmt.Sprintf("rid-%d", time.Now().UnixNano()))
	var b strings.Builder
	b.WriteString(`{"@odata.context":"https://x/adminapi/beta/t/$metadata#Collection(Exchange.GenericHashTable)",`)
	b.WriteString(`"adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[`)
	for i, wn := range warnings {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", wn)
	}
	b.WriteString(`],"value":[`)
	b.WriteString(strings.Join(values, ","))
	b.WriteString("]")
	if next != "" {
		fmt.Fprintf(&b, `,"@odata.nextLink":%q`, next)
	}
	b.WriteString("}")
	io.WriteString(w, b.String())
}

// writeError answers an OData error.
func writeError(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":"Error executing cmdlet","details":[{"code":"Client","target":"","message":%q}]}}`,
		code, detail)
}

// cut sends a 200 with a Content-Length it never fulfils and drops the
// connection part-way through the body.
func cut(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "5000")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"value":[{"Name":"a"},{"Na`)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// drain reads a stream to its end.
func drain(t testing.TB, s *Stream) ([]string, error) {
	t.Helper()
	var out []string
	for {
		v, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(v))
	}
}

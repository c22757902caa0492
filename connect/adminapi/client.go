package adminapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/exorun/exorun/catalog"
)

// Tokens hands out bearer tokens for the service's resource. A Client calls
// it from several goroutines at once.
type Tokens interface {
	// Token returns a valid bearer token; the source refreshes it ahead of
	// expiry.
	Token(ctx context.Context) (string, error)
	// Invalidate drops token after the service refused it (401), so the
	// next Token call acquires a new one.
	Invalidate(token string)
}

// Defaults.
const (
	DefaultPageSize    = 1000
	DefaultTimeout     = 15 * time.Minute
	DefaultMaxAttempts = 6
	DefaultMaxWait     = 5 * time.Minute
	DefaultBackoff     = 2 * time.Second
	// ModuleVersion is the ExchangeOnlineManagement version exorun names
	// when it asks for the cmdlet list (PROTOCOL.md 3.9).
	ModuleVersion = "3.7.1"
	// systemMailbox is the routing anchor for app-only calls (PROTOCOL.md 3.2, 4).
	systemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"
	// maxPageBytes bounds one answer; a page of 1,000 mailboxes is a few MB.
	maxPageBytes = 256 << 20
	// maxRedirects bounds redirects followed for one request.
	maxRedirects = 3
)

// RetryPolicy bounds the retries of one request (one page). Zero fields
// take the defaults.
type RetryPolicy struct {
	// MaxAttempts is how many times one page request is sent, the first
	// included (default 6: the module's 5 retries). 1 disables retries.
	MaxAttempts int
	// MaxWait caps the total time waited between the attempts of one page
	// request (default 5 min). A Retry-After that would exceed what is
	// left fails the call at once, with Error.RetryAfter set.
	MaxWait time.Duration
	// Base is the first backoff when the service gives no Retry-After
	// (default 2 s); it doubles for each further attempt, with jitter.
	Base time.Duration
}

// Options configure a Client. BaseURL, TenantID and Tokens are required,
// and Organization for compliance; zero values elsewhere mean defaults.
type Options struct {
	// BaseURL is the service root: https://outlook.office365.com,
	// https://ps.compliance.protection.outlook.com, or the emulator's
	// exchange_url / compliance_url.
	BaseURL string
	// Service is Exchange (default) or Compliance; it decides the anchor
	// mailbox form.
	Service catalog.Service
	// TenantID is the tenant GUID (the token's tid); it goes in the URL.
	TenantID string
	// Organization is the tenant's initial .onmicrosoft.com domain, the
	// compliance anchor.
	Organization string
	Tokens       Tokens
	// HTTPClient sends the requests; nil means a client with sane
	// transport timeouts. The Client uses a shallow copy that never
	// follows redirects.
	HTTPClient *http.Client
	// PageSize is Prefer: odata.maxpagesize (default 1000).
	PageSize int
	// Timeout bounds one Invoke stream from the first request to the last
	// page (default 15 min, like the service).
	Timeout time.Duration
	Retry   RetryPolicy
	// Logger gets retries, throttling and cmdlet warnings; nil discards.
	// Tokens are never logged.
	Logger *slog.Logger
	// Sleep waits between attempts; nil means a timer that ctx cancels.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand is the jitter source, in [0, 1); nil means math/rand/v2.
	Rand func() float64
	// UserAgent is the User-Agent header (default "exorun").
	UserAgent string
}

// Client calls cmdlets through InvokeCommand. It is safe for concurrent use.
type Client struct {
	opts     Options
	hc       *http.Client
	base     string                 // configured service root, no trailing slash
	regional atomic.Pointer[string] // base learned from a redirect
	tenant   string                 // path-escaped
	anchor   string
	connID   string
	log      *slog.Logger
	now      func() time.Time
	stats    stats
	// pages recycles page buffers (*[]byte): a page of 1,000 mailboxes
	// is about 6 MB, which a fresh allocation would zero every time.
	pages sync.Pool
	// gzips recycles gzip readers (*gzip.Reader) and their windows.
	gzips sync.Pool
	// gate holds requests under the tenant's concurrency limit once the
	// service has refused one for it.
	gate gate
	// poison makes release overwrite a buffer it is given, so a test sees
	// any use of a page's bytes after the page was let go.
	poison bool
}

// New checks opts and returns a Client.
func New(opts Options) (*Client, error) {
	if opts.Service == "" {
		opts.Service = catalog.Exchange
	}
	if opts.Service != catalog.Exchange && opts.Service != catalog.Compliance {
		return nil, fmt.Errorf("adminapi: unknown service %q (want %q or %q)", opts.Service, catalog.Exchange, catalog.Compliance)
	}
	u, err := url.Parse(strings.TrimSuffix(opts.BaseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("adminapi: base URL %q is not an absolute http(s) URL", opts.BaseURL)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("adminapi: base URL %q must use https: tokens are never sent in clear text", opts.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("adminapi: base URL %q must not have a query or fragment", opts.BaseURL)
	}
	if strings.TrimSpace(opts.TenantID) == "" {
		return nil, errors.New("adminapi: a tenant id is required")
	}
	if opts.Tokens == nil {
		return nil, errors.New("adminapi: a token source is required")
	}
	if opts.Service == catalog.Compliance && opts.Organization == "" {
		return nil, errors.New("adminapi: compliance needs the organization (the initial .onmicrosoft.com domain) for its anchor mailbox")
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Retry.MaxAttempts <= 0 {
		opts.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Retry.MaxWait <= 0 {
		opts.Retry.MaxWait = DefaultMaxWait
	}
	if opts.Retry.Base <= 0 {
		opts.Retry.Base = DefaultBackoff
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "exorun"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		opts:   opts,
		base:   u.String(),
		tenant: url.PathEscape(opts.TenantID),
		connID: uuid.NewString(),
		log:    log.With("service", opts.Service.Key()),
		now:    time.Now,
	}
	if opts.Service == catalog.Compliance {
		c.anchor = "UPN:" + systemMailbox + opts.Organization
	} else {
		c.anchor = "APP:" + systemMailbox + opts.TenantID
	}
	c.hc = noRedirects(opts.HTTPClient)
	return c, nil
}

// noRedirects returns a shallow copy of hc (or a default client) that hands
// redirects back: a followed 302 would turn the POST into a GET, and the
// token must only go where this package decides.
func noRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			// No ResponseHeaderTimeout: a cmdlet may run for minutes
			// before the first byte; Options.Timeout bounds the call.
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// IsLoopback reports whether host names this machine: the one place a
// bearer token may go over plain HTTP (a test's server, the emulator).
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is the service root calls go to: the configured one, or the
// regional one a redirect named.
func (c *Client) BaseURL() string {
	if p := c.regional.Load(); p != nil {
		return *p
	}
	return c.base
}

// call is one logical request: a page of InvokeCommand, or EXOModuleFile.
type call struct {
	method string
	// path is relative to the base (page 1, EXOModuleFile); url is
	// absolute (a nextLink, or a redirect's Location) and wins.
	path   string
	url    string
	body   []byte
	cmdlet string // for errors, logs and X-CmdletName
	write  bool
	header http.Header // extra headers
	// sizeHint is the expected answer size (the previous page's), so
	// reading a multi-MB page does not regrow its buffer a dozen times.
	sizeHint int
}

// outcome is what one HTTP exchange gave.
type outcome struct {
	status int
	header http.Header
	body   []byte
	// buf holds body, from Client.pages: a page gives it back
	// (Client.release) when its objects are used; other answers leave it
	// to the garbage collector.
	buf       *[]byte
	requestID string // the service's request-id, else ours
	err       error  // transport failure, or a body cut part-way
	// sent says the request may have reached the service: the transport
	// wrote all of it. False means provably not (dial failed, connection
	// refused, write failed part-way).
	sent bool
	cut  bool // the failure came while reading the body
	// tooBig: the answer passed maxPageBytes and was not read to its end.
	tooBig bool
}

// roundTrip sends one request with token and reads the whole answer.
func (c *Client) roundTrip(ctx context.Context, op *call, target, token string) *outcome {
	ourID := uuid.NewString()
	out := &outcome{requestID: ourID}
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	}
	var body io.Reader
	if op.body != nil {
		body = bytes.NewReader(op.body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), op.method, target, body)
	if err != nil {
		out.err = err
		return out
	}
	h := req.Header
	h.Set("Authorization", "Bearer "+token)
	h.Set("Accept", "application/json")
	// Set by hand, so the transport hands the body over as sent and a body
	// that does not match its Content-Encoding can still be read.
	h.Set("Accept-Encoding", "gzip")
	h.Set("User-Agent", c.opts.UserAgent)
	h.Set("X-AnchorMailbox", c.anchor)
	h.Set("X-ClientApplication", "exorun")
	h.Set("X-ResponseFormat", "json")
	h.Set("client-request-id", ourID)
	h.Set("connection-id", c.connID)
	if op.body != nil {
		h.Set("Content-Type", "application/json")
		h.Set("X-CmdletName", op.cmdlet)
		h.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(c.opts.PageSize))
	}
	for k, v := range op.header {
		h[k] = v
	}
	c.stats.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		out.err = err
		out.sent = wrote.Load() && !isDialError(err)
		return out
	}
	defer resp.Body.Close()
	// An answer came, so the service had the request: whatever goes
	// wrong from here (a cut body, the deadline) leaves a write uncertain.
	out.sent = true
	out.status, out.header = resp.StatusCode, resp.Header
	if id := resp.Header.Get("request-id"); id != "" {
		out.requestID = id
	}
	buf, err := c.readBody(resp, op.sizeHint)
	if err != nil {
		out.err, out.cut = err, true
		return out
	}
	if len(*buf) > maxPageBytes {
		out.tooBig = true
		return out
	}
	out.body, out.buf = *buf, buf
	return out
}

// readBody reads the answer (at most maxPageBytes+1 bytes of it, after
// decompression) into a pooled buffer, expecting about hint bytes. A gzip
// body is decompressed as it arrives, not read whole first; one that is
// declared gzip but is not (PROTOCOL.md 3.6: empty, NUL bytes, plain
// JSON) is taken as it came. An error is returned only for a cut answer:
// the connection failed, or a gzip stream ended early. A complete body
// that does not inflate (a bad checksum, bytes after the stream) gives
// what did inflate, for the status and the envelope check to judge.
func (c *Client) readBody(resp *http.Response, hint int) (*[]byte, error) {
	body := &transportReader{r: resp.Body}
	var src io.Reader = body
	if strings.Contains(strings.ToLower(resp.Header.Get("Content-Encoding")), "gzip") {
		var head [2]byte
		n, err := io.ReadFull(body, head[:])
		if body.err != nil {
			return nil, body.err
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		src = io.MultiReader(bytes.NewReader(head[:n]), body)
		if n == 2 && head[0] == 0x1f && head[1] == 0x8b {
			zr, err := c.gzipReader(src)
			if err != nil {
				if body.err != nil {
					return nil, body.err
				}
				return nil, err // a header cut short
			}
			defer c.gzips.Put(zr)
			// One member, as the service sends; bytes after it are not
			// JSON. They are read off (a little of them) so the
			// connection can serve the next request.
			zr.Multistream(false)
			defer func() { _, _ = io.CopyN(io.Discard, body, 64<<10) }()
			src = zr
		}
	} else if resp.ContentLength > 0 {
		hint = int(min(resp.ContentLength, maxPageBytes))
	}
	buf := c.buffer(hint)
	b := (*buf)[:0]
	r := io.LimitReader(src, maxPageBytes+1)
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, max(cap(b), 64<<10))
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			*buf = b
			if body.err != nil || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, err // cut: the transport failed, or the stream stopped short
			}
			break // the body came whole but does not inflate
		}
	}
	*buf = b
	return buf, nil
}

// transportReader remembers the error reading the connection gave, so a
// cut answer can be told from a whole one that does not decompress.
type transportReader struct {
	r   io.Reader
	err error
}

func (t *transportReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		t.err = err
	}
	return n, err
}

// gzipReader is a pooled gzip reader reset to r.
func (c *Client) gzipReader(r io.Reader) (*gzip.Reader, error) {
	if zr, ok := c.gzips.Get().(*gzip.Reader); ok {
		if err := zr.Reset(r); err != nil {
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(r)
}

// buffer is a page buffer of at least hint bytes' capacity, from the
// pool when one is there.
func (c *Client) buffer(hint int) *[]byte {
	hint = max(hint, 4<<10)
	if buf, ok := c.pages.Get().(*[]byte); ok {
		if cap(*buf) < hint {
			*buf = slices.Grow((*buf)[:0], hint)
		}
		return buf
	}
	b := make([]byte, 0, hint)
	return &b
}

// release gives a page's buffer back once nothing refers to its bytes.
func (c *Client) release(buf *[]byte) {
	if buf == nil {
		return
	}
	if c.poison {
		b := (*buf)[:cap(*buf)]
		for i := range b {
			b[i] = 'X'
		}
	}
	*buf = (*buf)[:0]
	c.pages.Put(buf)
}

// isDialError says the connection was never made.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// ModuleCmdlets returns the cmdlets the caller may run, from
// GET {base}/adminapi/v1.0/{tenant}/EXOModuleFile?Version=... with
// CommandName: * (PROTOCOL.md 3.9), sorted and without repeats.
func (c *Client) ModuleCmdlets(ctx context.Context) ([]string, error) {
	c.stats.calls.Add(1)
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	op := &call{
		method: http.MethodGet,
		path:   "/adminapi/v1.0/" + c.tenant + "/EXOModuleFile?Version=" + ModuleVersion,
		cmdlet: "EXOModuleFile",
		header: http.Header{"CommandName": {"*"}},
	}
	out, err := c.fetch(ctx, op)
	if err != nil {
		c.stats.countError(err)
		return nil, err
	}
	var doc struct {
		Value []struct {
			ExportedCmdlets string `json:"exportedCmdlets"`
		} `json:"value"`
	}
	if err := json.Unmarshal(out.body, &doc); err != nil {
		e := badResponse(op, out, "the cmdlet list is not the expected JSON: "+err.Error())
		c.stats.countError(e)
		return nil, e
	}
	seen := map[string]bool{}
	var names []string
	for _, v := range doc.Value {
		for n := range strings.SplitSeq(v.ExportedCmdlets, ",") {
			n = strings.TrimSpace(n)
			if n != "" && !seen[strings.ToLower(n)] {
				seen[strings.ToLower(n)] = true
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names, nil
}

// badResponse is the error for an answer that is not what the protocol says.
func badResponse(op *call, out *outcome, msg string) *Error {
	return &Error{Code: CodeBadResponse, Status: out.status, Cmdlet: op.cmdlet, Message: msg,
		RequestID: out.requestID, Body: cleanText(out.body, maxBodyText)}
}

// callTimeout is the cause of a call's context when Options.Timeout ran
// out, so it can be told from the caller's own deadline.
type callTimeout struct{ d time.Duration }

func (t *callTimeout) Error() string { return "the call did not finish within " + t.d.String() }
func (t *callTimeout) Unwrap() error { return context.DeadlineExceeded }

func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, c.opts.Timeout, &callTimeout{c.opts.Timeout})
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

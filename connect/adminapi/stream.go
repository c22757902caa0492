package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Invoke runs a cmdlet. It sends the request for the first page and returns
// its failure, if any; later pages arrive through the Stream. The Stream
// must be closed.
func (c *Client) Invoke(ctx context.Context, r Request) (*Stream, error) {
	c.stats.calls.Add(1)
	fail := func(err error) (*Stream, error) {
		c.stats.countError(err)
		return nil, err
	}
	if strings.TrimSpace(r.Cmdlet) == "" {
		return fail(&Error{Code: CodeBadParameter, Message: "no cmdlet name"})
	}
	body, err := encodeBody(r.Cmdlet, r.Parameters)
	if err != nil {
		return fail(&Error{Code: CodeBadParameter, Cmdlet: r.Cmdlet, Message: err.Error()})
	}
	sel, err := selectQuery(r.Select)
	if err != nil {
		return fail(&Error{Code: CodeBadParameter, Cmdlet: r.Cmdlet, Message: err.Error()})
	}
	sctx, cancel := c.callContext(ctx)
	s := &Stream{
		c:         c,
		parent:    ctx,
		ctx:       sctx,
		cancel:    cancel,
		cmdlet:    r.Cmdlet,
		write:     r.Write,
		body:      body,
		pageAhead: r.PageAhead,
		started:   c.now(),
	}
	p, err := c.fetchPage(sctx, s.op(""), sel)
	if err != nil {
		cancel()
		return fail(err)
	}
	s.accept(p)
	return s, nil
}

// page is one decoded InvokeCommand answer.
type page struct {
	size      int // body bytes
	objects   []json.RawMessage
	next      string
	warnings  []string
	errors    []string
	requestID string
}

// fetchPage gets one page; url is "" for the first page (then sel is its
// query) or a nextLink.
func (c *Client) fetchPage(ctx context.Context, op *call, sel string) (*page, error) {
	if op.url == "" {
		op.path = "/adminapi/beta/" + c.tenant + "/InvokeCommand" + sel
	}
	start := c.now()
	out, err := c.fetch(ctx, op)
	if err != nil {
		return nil, err
	}
	// The objects are copies (splitArray): the body's buffer can serve
	// the next page as soon as the page is decoded.
	defer c.release(out.buf)
	p, err := decodePage(op, out)
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.contextError(ctx, op, out, 1)
		}
		return nil, err
	}
	c.stats.pages.Add(1)
	c.stats.objects.Add(int64(len(p.objects)))
	c.log.Debug("page", "cmdlet", op.cmdlet, "objects", len(p.objects), "more", p.next != "",
		"request_id", p.requestID, "took", c.now().Sub(start).Round(time.Millisecond))
	return p, nil
}

// decodePage reads the envelope of PROTOCOL.md 3.4. Objects stay raw, with
// their annotations, for the decoder.
func decodePage(op *call, out *outcome) (*page, error) {
	p := &page{requestID: out.requestID, size: len(out.body)}
	if out.status == http.StatusNoContent {
		return p, nil
	}
	env, err := parseEnvelope(out.body)
	if err != nil {
		msg := "the answer is not the InvokeCommand JSON envelope: " + err.Error()
		if len(strings.TrimSpace(string(out.body))) == 0 {
			msg = "the service answered " + http.StatusText(out.status) + " with an empty body"
		} else if text := cleanText(out.body, 512); looksHTML(text) {
			msg = "the service answered " + http.StatusText(out.status) + " with an HTML page: " + shorten(htmlText(text), 300)
		}
		return nil, badResponse(op, out, msg)
	}
	p.objects, p.next, p.warnings = env.value, env.next, env.warnings
	for _, e := range env.errors {
		p.errors = append(p.errors, nonTerminating(e))
	}
	return p, nil
}

// nonTerminating is the text of one @adminapi.errors entry: its message
// if it has one, else its JSON.
func nonTerminating(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			if strings.EqualFold(k, "message") || strings.EqualFold(k, "Exception") {
				if t := rawText(v); t != "" {
					return t
				}
			}
		}
	}
	return cleanText(raw, maxBodyText)
}

// Stream hands out a cmdlet's output objects, page by page. Next, Warnings,
// Errors, RequestIDs and Close must be called from one goroutine at a time.
// Memory holds at most the current page and, with PageAhead, the next.
type Stream struct {
	c *Client
	// parent is the context later pages are fetched under (see Resume);
	// ctx is the call's, derived from it with the call timeout.
	parent    context.Context
	ctx       context.Context
	cancel    context.CancelFunc
	cmdlet    string
	write     bool
	body      []byte
	pageAhead bool
	started   time.Time
	lastSize  int // the last page's body size, a hint for the next

	cur  []json.RawMessage
	pos  int
	next string // nextLink not yet requested
	// ahead delivers the page being fetched in the background; it is
	// buffered so the fetching goroutine never blocks, and aheadDone
	// closes when that goroutine has returned.
	ahead     chan aheadResult
	aheadDone chan struct{}
	aheadURL  string // the page being fetched ahead

	warnings   []string
	errors     []string
	requestIDs []string
	pages      int
	objects    int
	err        error
	closed     bool
}

type aheadResult struct {
	p   *page
	err error
}

// op is the call for a page at url ("" for the first page).
func (s *Stream) op(url string) *call {
	return &call{method: http.MethodPost, url: url, body: s.body, cmdlet: s.cmdlet, write: s.write,
		sizeHint: s.lastSize + s.lastSize/8}
}

// accept makes p the current page and, with PageAhead, starts fetching the
// one after it.
func (s *Stream) accept(p *page) {
	s.cur, s.pos, s.next = p.objects, 0, p.next
	s.lastSize = p.size
	s.pages++
	s.objects += len(p.objects)
	s.requestIDs = append(s.requestIDs, p.requestID)
	for _, w := range p.warnings {
		s.c.log.Warn("cmdlet warning", "cmdlet", s.cmdlet, "warning", w, "request_id", p.requestID)
	}
	for _, e := range p.errors {
		s.c.log.Warn("cmdlet reported an error", "cmdlet", s.cmdlet, "error", e, "request_id", p.requestID)
	}
	s.warnings = append(s.warnings, p.warnings...)
	s.errors = append(s.errors, p.errors...)
	if s.pageAhead && s.next != "" {
		s.startAhead()
	}
}

func (s *Stream) startAhead() {
	op, ctx := s.op(s.next), s.ctx
	s.aheadURL, s.next = s.next, ""
	ch, done := make(chan aheadResult, 1), make(chan struct{})
	s.ahead, s.aheadDone = ch, done
	go func() {
		defer close(done)
		defer func() {
			// A bug met fetching the page ahead fails the stream, not
			// the process.
			if v := recover(); v != nil {
				ch <- aheadResult{err: fmt.Errorf("internal error (a bug in exorun) fetching the next page: %v", v)}
			}
		}()
		p, err := s.c.fetchPage(ctx, op, "")
		ch <- aheadResult{p, err}
	}()
}

// Resume makes the stream fetch its later pages under ctx when the
// context it was made under has ended (cancelled, not timed out): the REPL
// reads in one chunk a stream a previous chunk made, and each chunk has a
// context of its own that ends with it. A page fetched ahead under the old
// context is kept if it arrived and fetched again if the end of the old
// context cut it off. Resume does nothing while the old context lives, for
// a stream that has ended, or when ctx is the old context.
func (s *Stream) Resume(ctx context.Context) {
	if ctx == s.parent || s.closed || s.err != nil || s.parent.Err() == nil {
		return
	}
	var timeout *callTimeout
	if errors.As(context.Cause(s.ctx), &timeout) {
		return // the call's own limit ended it
	}
	if s.ahead != nil {
		r := <-s.ahead
		if r.err != nil {
			s.ahead, s.next = nil, s.aheadURL
		} else {
			kept := make(chan aheadResult, 1)
			kept <- r
			s.ahead = kept
		}
	}
	s.cancel()
	s.parent = ctx
	// The call's deadline stays the one it was given at Invoke: reading
	// a stream over many chunks does not lift its timeout.
	if deadline, ok := s.ctx.Deadline(); ok {
		s.ctx, s.cancel = context.WithDeadlineCause(ctx, deadline, &callTimeout{s.c.opts.Timeout})
		return
	}
	s.ctx, s.cancel = s.c.callContext(ctx)
}

// Next returns the next output object, io.EOF after the last, or the error
// that ended the stream (an *Error). Each object is one element of the
// answer's value array, annotations included.
func (s *Stream) Next() (json.RawMessage, error) {
	for s.pos >= len(s.cur) {
		if s.err != nil {
			return nil, s.err
		}
		if s.closed {
			return nil, io.EOF
		}
		var (
			p   *page
			err error
		)
		switch {
		case s.ahead != nil:
			r := <-s.ahead
			s.ahead = nil
			p, err = r.p, r.err
		case s.next != "":
			url := s.next
			s.next = ""
			p, err = s.c.fetchPage(s.ctx, s.op(url), "")
		default:
			s.end(io.EOF)
			return nil, io.EOF
		}
		if err != nil {
			s.c.stats.countError(err)
			s.end(err)
			return nil, err
		}
		s.cur = nil // let the old page go before the next is kept
		s.accept(p)
	}
	v := s.cur[s.pos]
	s.cur[s.pos] = nil
	s.pos++
	return v, nil
}

// end records how the stream ended and releases its context.
func (s *Stream) end(err error) {
	if err == io.EOF {
		s.c.log.Debug("cmdlet done", "cmdlet", s.cmdlet, "pages", s.pages, "objects", s.objects,
			"took", s.c.now().Sub(s.started).Round(time.Millisecond))
		s.closed = true
	} else {
		s.err = err
	}
	s.cur = nil
	s.cancel()
}

// Warnings returns the @adminapi.warnings of the pages read so far.
func (s *Stream) Warnings() []string { return s.warnings }

// Errors returns the non-terminating @adminapi.errors of the pages read
// so far, as text.
func (s *Stream) Errors() []string { return s.errors }

// RequestIDs returns the service's request id of each page read so far.
func (s *Stream) RequestIDs() []string { return s.requestIDs }

// Pages returns how many pages have been read so far.
func (s *Stream) Pages() int { return s.pages }

// Close stops a page fetch in flight, waits for it to return and releases
// the stream. Next then returns io.EOF (or the error that ended the
// stream). Close is idempotent and always returns nil.
func (s *Stream) Close() error {
	if s.err == nil {
		s.closed = true
	}
	s.cancel()
	if s.ahead != nil {
		<-s.aheadDone
		s.ahead = nil
	}
	s.cur, s.next = nil, ""
	return nil
}

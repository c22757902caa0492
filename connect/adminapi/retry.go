package adminapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// action is what to do after one attempt.
type action int

const (
	actDone     action = iota // a 2xx answer, fully read
	actFail                   // stop with the error
	actRetry                  // wait and send again
	actReauth                 // drop the token, get a new one, send again
	actRedirect               // send to the Location
)

// verdict is the decision on one attempt.
type verdict struct {
	act      action
	err      *Error // the error to return if this is the last word
	throttle bool   // the service said to slow down
	// concurrency: the service refused for its per-tenant limit of
	// requests in flight (the gate learns the limit from it).
	concurrency bool
	wait        time.Duration // Retry-After, 0 when absent
	location    string        // actRedirect: where to send
}

// fetch sends op until it succeeds or the rules of the package
// documentation say to stop. It returns the successful answer.
func (c *Client) fetch(ctx context.Context, op *call) (*outcome, error) {
	var (
		attempt   = 1
		waited    time.Duration
		reauthed  bool
		redirects int
		pol       = c.opts.Retry
	)
	for {
		if ctx.Err() != nil {
			return nil, c.contextError(ctx, op, nil, attempt)
		}
		target := op.url
		if target == "" {
			target = c.BaseURL() + op.path
		}
		out, token, v := c.attempt(ctx, op, target, attempt)
		if v.err != nil {
			redact(v.err, token)
		}
		switch v.act {
		case actDone:
			return out, nil
		case actFail:
			return nil, v.err
		case actRedirect:
			redirects++
			if redirects > maxRedirects {
				v.err.Message = "too many redirects; last to " + v.location
				return nil, v.err
			}
			op.url = v.location
			continue
		case actReauth:
			if reauthed {
				return nil, v.err
			}
			reauthed = true
			c.opts.Tokens.Invalidate(token)
			c.stats.retries.Add(1)
			c.log.Info("the service refused the token, getting a new one",
				"cmdlet", op.cmdlet, "request_id", out.requestID)
			continue
		}

		// actRetry.
		v.err.Attempts = attempt
		if attempt >= pol.MaxAttempts {
			return nil, v.err
		}
		wait := c.backoff(attempt, v.wait)
		if waited+wait > pol.MaxWait {
			v.err.RetryAfter = wait
			v.err.Message += fmt.Sprintf(" (waiting %s more would pass the %s retry budget)",
				round(wait), pol.MaxWait)
			return nil, v.err
		}
		if v.throttle {
			c.stats.throttleWait.Add(int64(wait))
			c.log.Info(fmt.Sprintf("throttled by the service, waiting %s (attempt %d/%d)",
				round(wait), attempt+1, pol.MaxAttempts),
				"cmdlet", op.cmdlet, "status", out.status, "request_id", out.requestID)
		} else {
			c.log.Info(fmt.Sprintf("%s, retrying in %s (attempt %d/%d)",
				v.err.Message, round(wait), attempt+1, pol.MaxAttempts),
				"cmdlet", op.cmdlet, "status", out.status, "request_id", out.requestID)
		}
		c.stats.retryWait.Add(int64(wait))
		c.stats.retries.Add(1)
		if err := c.opts.Sleep(ctx, wait); err != nil || ctx.Err() != nil {
			return nil, c.contextError(ctx, op, nil, attempt)
		}
		waited += wait
		attempt++
	}
}

// attempt sends op once, in a place of the gate (the tenant's learned
// concurrency limit), and judges the answer. The token is taken once the
// place is had, so a long wait cannot stale it; the place is given back
// whatever happens, a panic included.
func (c *Client) attempt(ctx context.Context, op *call, target string, attempt int) (out *outcome, token string, v verdict) {
	if err := c.gate.enter(ctx); err != nil {
		return nil, "", verdict{act: actFail, err: c.contextError(ctx, op, nil, attempt)}
	}
	refused := false
	defer func() {
		if limit := c.gate.leave(refused); limit > 0 {
			c.log.Debug("the tenant's limit of requests in flight, as learned", "limit", limit, "cmdlet", op.cmdlet)
		}
	}()
	token, err := c.opts.Tokens.Token(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", verdict{act: actFail, err: c.contextError(ctx, op, nil, attempt)}
		}
		return nil, "", verdict{act: actFail, err: &Error{Code: CodeUnauthorized, Cmdlet: op.cmdlet,
			Message: "no token for the service: " + err.Error(), Err: err}}
	}
	out = c.roundTrip(ctx, op, target, token)
	v = c.judge(ctx, op, out, target, attempt)
	refused = v.concurrency
	return out, token, v
}

// judge applies the retry rules to one attempt's outcome.
func (c *Client) judge(ctx context.Context, op *call, out *outcome, target string, attempt int) verdict {
	ok := out.err == nil && out.status >= 200 && out.status < 300
	if !ok && ctx.Err() != nil {
		// Whatever came back, the call was abandoned: an answer racing
		// the cancellation says nothing.
		return verdict{act: actFail, err: c.contextError(ctx, op, out, attempt)}
	}
	if out.err != nil {
		if op.write && out.sent {
			return verdict{act: actFail, err: uncertain(op, out, connectionText(out))}
		}
		return verdict{act: actRetry, err: &Error{Code: CodeNetwork, Cmdlet: op.cmdlet,
			Message: connectionText(out), RequestID: out.requestID, Err: out.err}}
	}
	if out.tooBig {
		return verdict{act: actFail, err: badResponse(op, out,
			fmt.Sprintf("the answer is larger than %d MB", maxPageBytes>>20))}
	}
	if ok {
		return verdict{act: actDone}
	}
	if isRedirect(out.status) {
		return c.redirect(op, out, target)
	}

	e := serviceError(out.status, out.header, out.body)
	e.Cmdlet, e.RequestID = op.cmdlet, out.requestID
	ra, hasRA := retryAfter(out.header, c.now())
	if hasRA {
		e.RetryAfter = ra
	}
	concurrency := strings.Contains(e.Message, concurrencyText) || strings.Contains(e.Body, concurrencyText)
	switch {
	case out.status == http.StatusUnauthorized:
		return verdict{act: actReauth, err: e}
	case out.status == http.StatusTooManyRequests || concurrency:
		// The service refused before running the cmdlet: safe to send
		// again, writes included.
		e.Code = CodeThrottled
		c.stats.throttled.Add(1)
		return verdict{act: actRetry, err: e, throttle: true, concurrency: concurrency, wait: ra}
	case out.status == http.StatusRequestTimeout:
		// 408: the service did not get the whole request (RFC 9110 15.5.9).
		return verdict{act: actRetry, err: e, wait: ra}
	case out.status == http.StatusServiceUnavailable || out.status == http.StatusGatewayTimeout:
		if op.write {
			return verdict{act: actFail, err: uncertain(op, out, fmt.Sprintf("the service answered %d %s (%s)",
				out.status, http.StatusText(out.status), e.Message))}
		}
		if out.status == http.StatusServiceUnavailable {
			c.stats.throttled.Add(1)
		}
		return verdict{act: actRetry, err: e, throttle: out.status == http.StatusServiceUnavailable, wait: ra}
	case !op.write && transient(e):
		return verdict{act: actRetry, err: e, wait: ra}
	}
	return verdict{act: actFail, err: e}
}

// redact removes the token from texts that came from the service, in case
// an answer echoes it.
func redact(e *Error, token string) {
	if len(token) < 8 {
		return
	}
	e.Message = strings.ReplaceAll(e.Message, token, "[token]")
	e.Body = strings.ReplaceAll(e.Body, token, "[token]")
	e.Target = strings.ReplaceAll(e.Target, token, "[token]")
}

// transient says the error names one of the exception classes the module
// retries.
func transient(e *Error) bool {
	for _, x := range transientExceptions {
		if strings.Contains(e.Exception, x) || strings.Contains(e.Message, x) {
			return true
		}
	}
	return false
}

// uncertain is the error for a write whose fate is unknown.
func uncertain(op *call, out *outcome, what string) *Error {
	return &Error{Code: CodeWriteUncertain, Status: out.status, Cmdlet: op.cmdlet, RequestID: out.requestID,
		Message: what + "; the write may or may not have happened, so it was not sent again", Err: out.err}
}

// connectionText describes a transport failure.
func connectionText(out *outcome) string {
	if out.cut {
		return "the connection broke while reading the answer: " + out.err.Error()
	}
	if !out.sent {
		return "the request could not be sent: " + out.err.Error()
	}
	return "the connection failed: " + out.err.Error()
}

// contextError is the error for a call whose context ended: timeout when
// Options.Timeout ran out, else canceled; a write that may have been sent
// is write_uncertain either way. out may be nil (ended while waiting).
func (c *Client) contextError(ctx context.Context, op *call, out *outcome, attempt int) *Error {
	cause := context.Cause(ctx)
	if cause == nil {
		// Options.Sleep failed with the context still alive.
		cause = errors.New("the wait between attempts was interrupted")
	}
	code, msg := CodeCanceled, "the call was canceled: "+cause.Error()
	var t *callTimeout
	if errors.As(cause, &t) {
		code, msg = CodeTimeout, t.Error()
	}
	e := &Error{Code: code, Cmdlet: op.cmdlet, Message: msg, Err: cause, Attempts: attempt}
	if out != nil {
		e.RequestID = out.requestID
		if op.write && out.sent {
			e.Code = CodeWriteUncertain
			e.Message = msg + " while the request was with the service; the write may or may not have happened"
		}
	}
	return e
}

// backoff is the wait before attempt+1: Retry-After × (1 + 0.2×rand) when
// the service gave one, else Base × 2^(attempt-1) × (0.5 + rand).
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	r := c.opts.Rand()
	if retryAfter > 0 {
		return retryAfter + time.Duration(float64(retryAfter)*0.2*r)
	}
	d := float64(c.opts.Retry.Base) * math.Pow(2, float64(attempt-1)) * (0.5 + r)
	if d > float64(math.MaxInt64/2) {
		d = float64(math.MaxInt64 / 2)
	}
	return time.Duration(d)
}

// retryAfter reads Retry-After: seconds (fractions allowed, as the module
// parses a double) or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || math.IsNaN(s) || s > 365*24*3600 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// round makes a wait readable in logs.
func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

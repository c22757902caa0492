package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exorun/exorun/internal/exitcode"
)

// Error codes. They are stable: bindings turn them into Lua error values and
// scripts branch on them.
const (
	// CodeNotFound: 404, the object (or the tenant in the URL) does not exist.
	CodeNotFound = "not_found"
	// CodeBadRequest: 400 and other 4xx answers, e.g. an unknown or invalid
	// parameter.
	CodeBadRequest = "bad_request"
	// CodeNotAllowed: 401 saying the app's roles do not allow the cmdlet
	// ("User is not allowed to call X", an unsupported directory role, no
	// Exchange.ManageAsApp).
	CodeNotAllowed = "not_allowed"
	// CodeUnauthorized: 401 about the token itself (missing, invalid,
	// expired, wrong audience or tenant), still refused after one fresh
	// token; or no token could be had.
	CodeUnauthorized = "unauthorized"
	// CodeForbidden: 403 other than an unknown cmdlet.
	CodeForbidden = "forbidden"
	// CodeUnknownCmdlet: 403 with PowerShell's CommandNotFoundException.
	CodeUnknownCmdlet = "unknown_cmdlet"
	// CodeThrottled: 429 or the per-tenant concurrency limit, still
	// refused when the retry budget ran out.
	CodeThrottled = "throttled"
	// CodeUnavailable: 503 or 504, still so when the retry budget ran out.
	CodeUnavailable = "unavailable"
	// CodeServerError: another 5xx answer.
	CodeServerError = "server_error"
	// CodeNotImplemented: 501, e.g. a cmdlet the emulator does not model.
	CodeNotImplemented = "not_implemented"
	// CodeWriteUncertain: a write cmdlet whose request may have reached
	// the service and whose outcome is unknown; never retried.
	CodeWriteUncertain = "write_uncertain"
	// CodeTimeout: Options.Timeout elapsed, or the service answered 408
	// until the retry budget ran out.
	CodeTimeout = "timeout"
	// CodeNetwork: the connection failed (read cmdlets: on every attempt).
	CodeNetwork = "network"
	// CodeBadResponse: an answer that is not what the protocol says (not
	// JSON, not the envelope, a redirect to a host exorun does not send
	// tokens to). Body keeps the text.
	CodeBadResponse = "bad_response"
	// CodeBadParameter: a parameter value exorun cannot encode; nothing
	// was sent.
	CodeBadParameter = "bad_parameter"
	// CodeCanceled: the caller's context ended; Unwrap gives its error.
	CodeCanceled = "canceled"
)

// Error is a failed cmdlet call.
type Error struct {
	Code   string // one of the Code* constants
	Status int    // HTTP status; 0 when there was no answer
	Cmdlet string // as the caller named it
	// Message is the service's text: details[0].message's text part, else
	// innererror.internalexception.message, else error.message, else the
	// body's text; or exorun's own explanation.
	Message string
	// Exception is the service's exception class, e.g.
	// Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException.
	Exception string
	// ErrorID is the first part of details[0].message, e.g. Ex6F9304.
	ErrorID string
	// ServiceCode is error.code, e.g. NotFound.
	ServiceCode string
	// Target is details[0].target, when the service names one.
	Target string
	// RequestID is the service's request-id header, else the
	// client-request-id exorun sent.
	RequestID string
	// RetryAfter is how long the service asked to wait, when it did.
	RetryAfter time.Duration
	// Attempts is how many requests were sent for the failing page.
	Attempts int
	// Body is the answer's text (cleaned, at most a few KB) when it was not
	// the OData error shape.
	Body string
	// Err is the underlying cause (a network or context error), if any.
	Err error
}

// Error reads like
// "Get-Mailbox: not_found: The operation couldn't be performed ... (request 5c1e...)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Cmdlet != "" {
		b.WriteString(e.Cmdlet)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	b.WriteString(": ")
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" {
		msg = "no detail"
	}
	b.WriteString(msg)
	var extra []string
	if e.RequestID != "" {
		extra = append(extra, "request "+e.RequestID)
	}
	if e.Attempts > 1 {
		extra = append(extra, "after "+strconv.Itoa(e.Attempts)+" attempts")
	}
	if e.RetryAfter > 0 {
		extra = append(extra, "retry after "+e.RetryAfter.String())
	}
	if len(extra) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(extra, ", "))
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause, so errors.Is(err, context.Canceled) works.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the process exit code this error stands for: Permission for
// not_allowed and forbidden, Auth for unauthorized, Throttled for
// throttled, Script for bad_parameter, Service for the rest. A canceled
// call has none (OK): the caller decides what its cancellation means.
func (e *Error) ExitCode() exitcode.Code {
	switch e.Code {
	case CodeNotAllowed, CodeForbidden:
		return exitcode.Permission
	case CodeUnauthorized:
		return exitcode.Auth
	case CodeThrottled:
		return exitcode.Throttled
	case CodeBadParameter:
		return exitcode.Script
	case CodeCanceled:
		return exitcode.OK
	}
	return exitcode.Service
}

// hint says what to do next, for exitcode.HintOf.
func (e *Error) hint() string {
	switch e.Code {
	case CodeNotAllowed:
		return "assign the app a directory role that grants the cmdlet (PROTOCOL.md 2.4), then connect again"
	case CodeUnauthorized:
		return "check the app's certificate, its Exchange.ManageAsApp permission and the admin consent"
	case CodeThrottled:
		return "run fewer calls in parallel or try again later"
	case CodeWriteUncertain:
		return "check the object's current state before running the write again"
	}
	return ""
}

// As lets exitcode.Of and exitcode.HintOf find the exit code: a target of
// type **exitcode.Error gets one (unless the cause already carries one, e.g.
// from the token source). Its Err is a plain copy of the message, so
// walking it never comes back here.
func (e *Error) As(target any) bool {
	p, ok := target.(**exitcode.Error)
	if !ok {
		return false
	}
	if e.Err != nil && errors.As(e.Err, p) {
		return true
	}
	code := e.ExitCode()
	if code == exitcode.OK {
		return false
	}
	*p = &exitcode.Error{Code: code, Err: errors.New(e.Error()), Hint: e.hint()}
	return true
}

// Retryable exception classes (PROTOCOL.md 3.7), retried for reads only.
var transientExceptions = [...]string{
	"DCOverloadedException",
	"SuitabilityDirectoryException",
	"ServerInMMException",
	"ADServerSettingsChangedException",
	"StorageTransientException",
}

// concurrencyText is in the answer when the tenant has too many requests in
// flight, whatever the status (PROTOCOL.md 3.7).
const concurrencyText = "You have reached the maximum number of concurrent requests per tenant"

// maxBodyText bounds the text kept from a body that is not an OData error.
const maxBodyText = 4 << 10

// serviceError builds the error for a non-2xx answer. It never fails:
// whatever the body holds, the result has a code and a message.
func serviceError(status int, hdr http.Header, body []byte) *Error {
	e := &Error{Status: status, Exception: strings.TrimSpace(hdr.Get("x-ExceptionType"))}
	if !parseODataError(e, body) {
		text := cleanText(body, maxBodyText)
		switch {
		case text == "":
			e.Message = fmt.Sprintf("the service answered %d %s with an empty body", status, http.StatusText(status))
		case looksHTML(text):
			e.Message = fmt.Sprintf("the service answered %d %s with an HTML page: %s",
				status, http.StatusText(status), shorten(htmlText(text), 300))
			e.Body = text
		case strings.Contains(text, concurrencyText):
			e.Message = shorten(text, 300)
		default:
			e.Message = fmt.Sprintf("the service answered %d %s: %s", status, http.StatusText(status), shorten(text, 300))
			e.Body = text
		}
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("the service answered %d %s without an error message", status, http.StatusText(status))
	}
	e.Code = codeFor(status, hdr, e)
	return e
}

// codeFor maps a status and what the answer said to an error code.
func codeFor(status int, hdr http.Header, e *Error) string {
	switch {
	case status == http.StatusUnauthorized:
		if permissionRefusal(e.Message) || strings.Contains(hdr.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
			return CodeNotAllowed
		}
		return CodeUnauthorized
	case status == http.StatusForbidden:
		if strings.HasSuffix(e.Exception, "CommandNotFoundException") ||
			strings.Contains(e.Message, "is not recognized as the name of a cmdlet") {
			return CodeUnknownCmdlet
		}
		return CodeForbidden
	case status == http.StatusNotFound:
		return CodeNotFound
	case status == http.StatusRequestTimeout:
		return CodeTimeout
	case status == http.StatusTooManyRequests || strings.Contains(e.Message, concurrencyText):
		return CodeThrottled
	case status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return CodeUnavailable
	case status == http.StatusNotImplemented:
		return CodeNotImplemented
	case status >= 500:
		return CodeServerError
	case status >= 300 && status < 400:
		return CodeBadResponse
	}
	return CodeBadRequest
}

// permissionRefusal says whether a 401's text is about the app's rights
// rather than its token; a new token does not change rights, a new role
// assignment does.
func permissionRefusal(msg string) bool {
	return strings.HasPrefix(msg, "User is not allowed to call") ||
		strings.Contains(msg, "isn't supported in this scenario") ||
		strings.EqualFold(strings.TrimSpace(msg), "UnAuthorized") ||
		strings.Contains(msg, "Exchange.ManageAsApp")
}

// parseODataError reads the OData error of PROTOCOL.md 3.6 into e. It is
// this client's own view of the wire shape (never shared with the
// emulator).
func parseODataError(e *Error, body []byte) bool {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	var w struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Code    json.RawMessage `json:"code"`
				Target  json.RawMessage `json:"target"`
				Message string          `json:"message"`
			} `json:"details"`
			InnerError *struct {
				Message           string `json:"message"`
				Type              string `json:"type"`
				InternalException *struct {
					Message string `json:"message"`
					Type    string `json:"type"`
				} `json:"internalexception"`
			} `json:"innererror"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &w) != nil || w.Error == nil {
		return false
	}
	oe := w.Error
	e.ServiceCode = oe.Code
	if len(oe.Details) > 0 {
		d := oe.Details[0]
		e.Target = rawText(d.Target)
		id, class, text := splitDetail(d.Message)
		e.ErrorID = id
		if class != "" {
			e.Exception = class
		}
		e.Message = text
	}
	if ie := oe.InnerError; ie != nil && ie.InternalException != nil {
		if e.Message == "" {
			e.Message = ie.InternalException.Message
		}
		if e.Exception == "" {
			e.Exception = ie.InternalException.Type
		}
	}
	if e.Message == "" {
		e.Message = oe.Message
	}
	if e.Message == "" && oe.InnerError != nil {
		e.Message = oe.InnerError.Message
	}
	e.Message = strings.TrimSpace(e.Message)
	return true
}

// splitDetail splits details[0].message: "ErrorId|ExceptionClass|Text", or
// a JSON string with ClassName, Message and localizedString.stringId, or
// plain text.
func splitDetail(m string) (id, class, text string) {
	m = strings.TrimSpace(m)
	if strings.HasPrefix(m, "{") {
		if id, class, text, ok := jsonDetail(m); ok {
			return id, class, text
		}
	}
	parts := strings.SplitN(m, "|", 3)
	if len(parts) == 3 && isClassName(parts[1]) {
		return strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
	}
	return "", "", m
}

// jsonDetail reads the JSON-string form of details[0].message. Keys are
// matched case-insensitively; the text may itself be in the pipe form.
func jsonDetail(m string) (id, class, text string, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(m), &obj) != nil {
		return "", "", "", false
	}
	get := func(o map[string]json.RawMessage, key string) json.RawMessage {
		for k, v := range o {
			if strings.EqualFold(k, key) {
				return v
			}
		}
		return nil
	}
	class = rawText(get(obj, "ClassName"))
	text = rawText(get(obj, "Message"))
	if ls := get(obj, "localizedString"); ls != nil {
		var inner map[string]json.RawMessage
		if json.Unmarshal(ls, &inner) == nil {
			id = rawText(get(inner, "stringId"))
		}
	}
	if class == "" && text == "" {
		return "", "", "", false
	}
	if i2, c2, t2 := splitDetail(text); c2 != "" {
		if id == "" {
			id = i2
		}
		if class == "" {
			class = c2
		}
		text = t2
	}
	return id, class, text, true
}

// isClassName accepts a .NET class name such as
// Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException.
func isClassName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '_' || r == '`' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// rawText is a JSON string's value or another JSON value's text.
func rawText(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}

// cleanText makes body bytes printable: invalid UTF-8 and control
// characters (NULs included) go, white space collapses, and the result is
// cut to max bytes.
func cleanText(body []byte, max int) string {
	var b strings.Builder
	space := false
	for len(body) > 0 && b.Len() < max {
		r, n := utf8.DecodeRune(body)
		body = body[n:]
		switch {
		case r == utf8.RuneError && n <= 1, r == 0:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func looksHTML(text string) bool {
	l := strings.ToLower(text[:min(len(text), 512)])
	return strings.HasPrefix(l, "<!doctype html") || strings.HasPrefix(l, "<html") || strings.Contains(l, "<body")
}

// htmlText is an HTML page's title, else its text without tags.
func htmlText(text string) string {
	l := strings.ToLower(text)
	if i := strings.Index(l, "<title>"); i >= 0 {
		if j := strings.Index(l[i:], "</title>"); j > len("<title>") {
			return strings.TrimSpace(text[i+len("<title>") : i+j])
		}
	}
	var b strings.Builder
	in := false
	for _, r := range text {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

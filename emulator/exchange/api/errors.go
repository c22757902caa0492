package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/exorun/exorun/emulator/exchange"
)

// innerType is the innererror.type every admin API error carries
// (PROTOCOL.md 3.6).
const innerType = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"

// executingCmdlet is the service's error.message for a cmdlet failure;
// the detail is in details[0] and innererror.internalexception.
const executingCmdlet = "Error executing cmdlet"

// Exception classes for errors the emulator raises itself. Where the real
// class is known (CommandNotFoundException is PowerShell's own) it is
// used; the rest live under "Exorun.Emulator" so nobody mistakes an
// invented name for one the service sends.
const (
	excCommandNotFound = "System.Management.Automation.CommandNotFoundException"
	excInvalidToken    = "Exorun.Emulator.InvalidTokenException"
	excAccessDenied    = "Exorun.Emulator.AccessDeniedException"
	excTenantNotFound  = "Exorun.Emulator.TenantNotFoundException"
	excBadRequest      = "Exorun.Emulator.BadRequestException"
	excNotFound        = "Exorun.Emulator.ResourceNotFoundException"
	excNotModelled     = "Exorun.Emulator.NotModelledException"
	excThrottled       = "Exorun.Emulator.ThrottledException"
	excUnavailable     = "Exorun.Emulator.ServiceUnavailableException"
	excInternal        = "Exorun.Emulator.InternalErrorException"
)

// failure is one error response.
type failure struct {
	status  int
	code    string // error.code
	message string // error.message and innererror.message
	// The detail: details[0].message is "errorID|exception|detail" and
	// innererror.internalexception is {detail, exception}. An empty
	// detail means message.
	errorID   string
	exception string
	detail    string
	target    string
	// bare is the shape observed for "User is not allowed to call X"
	// (PROTOCOL.md 3.6): no details, innererror without internalexception.
	bare bool
	// plain sends message alone as text/plain (the concurrency limit).
	plain bool
	// challenge is the WWW-Authenticate value of a 401.
	challenge string
	// retryAfter, when > 0, is the Retry-After header in seconds.
	retryAfter int
}

// fromError turns a Backend error into a failure.
func fromError(err error, cmdlet, tenant string) *failure {
	var xe *exchange.Error
	switch {
	case errors.As(err, &xe):
		status := xe.Status
		if status < 400 || status > 599 {
			status = http.StatusInternalServerError
		}
		code := xe.Code
		if code == "" {
			code = codeFor(status)
		}
		return &failure{status: status, code: code, message: executingCmdlet,
			errorID: xe.ErrorID, exception: xe.Exception, detail: xe.Message, target: xe.Target}
	case errors.Is(err, exchange.ErrUnknownTenant):
		// The same answer as a URL naming no tenant (auth.go): the token
		// may be fine, so not a 401; and not a 500, which clients retry.
		return tenantNotFound(tenant)
	case errors.Is(err, exchange.ErrNotModelled):
		// Never a fake success: the caller learns the emulator, not the
		// service, lacks the cmdlet.
		msg := "The exorun emulator does not model the cmdlet " + cmdlet + "."
		return &failure{status: http.StatusNotImplemented, code: "NotImplemented", message: msg,
			exception: excNotModelled}
	default:
		return &failure{status: http.StatusInternalServerError, code: "InternalServerError",
			message: executingCmdlet, exception: excInternal,
			detail: "The exorun emulator failed running " + cmdlet + ": " + err.Error()}
	}
}

// tenantNotFound is the answer for a URL tenant the emulator has no
// tenant (or no Exchange data) for.
func tenantNotFound(tenant string) *failure {
	return &failure{status: http.StatusNotFound, code: "NotFound",
		message: "The tenant '" + tenant + "' was not found.", exception: excTenantNotFound}
}

// codeFor is the OData error code the service uses for status.
func codeFor(status int) string {
	switch status {
	case 400:
		return "BadRequest"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "NotFound"
	case 429:
		return "TooManyRequests"
	case 501:
		return "NotImplemented"
	case 503:
		return "ServiceUnavailable"
	}
	if status >= 500 {
		return "InternalServerError"
	}
	return "BadRequest"
}

// shortName is a class name without its namespace, for x-ExceptionType.
func shortName(class string) string {
	return class[strings.LastIndexByte(class, '.')+1:]
}

func (h *Handler) writeFailure(w http.ResponseWriter, f *failure) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-cache")
	if f.exception != "" {
		hdr.Set("x-ExceptionType", shortName(f.exception))
	}
	if f.challenge != "" {
		hdr.Set("WWW-Authenticate", f.challenge)
	}
	if f.retryAfter > 0 {
		hdr.Set("Retry-After", strconv.Itoa(f.retryAfter))
	}
	if f.plain {
		hdr.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.message))
		return
	}
	hdr.Set("Content-Type", contentType)
	hdr.Set("OData-Version", "4.0")
	w.WriteHeader(f.status)
	_, _ = w.Write(appendFailure(nil, f))
}

// appendFailure encodes the OData error of PROTOCOL.md 3.6.
func appendFailure(b []byte, f *failure) []byte {
	b = append(b, `{"error":{"code":`...)
	b = appendString(b, f.code)
	b = append(b, `,"message":`...)
	b = appendString(b, f.message)
	if f.bare {
		b = append(b, `,"innererror":{"message":`...)
		b = appendString(b, f.message)
		b = append(b, `,"type":`...)
		b = appendString(b, innerType)
		return append(b, "}}}"...)
	}
	detail := f.detail
	if detail == "" {
		detail = f.message
	}
	side := "Client"
	if f.status >= 500 {
		side = "Server"
	}
	b = append(b, `,"details":[{"code":`...)
	b = appendString(b, side)
	b = append(b, `,"target":`...)
	b = appendString(b, f.target)
	b = append(b, `,"message":`...)
	b = appendString(b, f.errorID+"|"+f.exception+"|"+detail)
	b = append(b, `}],"innererror":{"message":`...)
	b = appendString(b, f.message)
	b = append(b, `,"type":`...)
	b = appendString(b, innerType)
	b = append(b, `,"stacktrace":"","internalexception":{"message":`...)
	b = appendString(b, detail)
	b = append(b, `,"type":`...)
	b = appendString(b, f.exception)
	return append(b, `,"stacktrace":""}}}}`...)
}

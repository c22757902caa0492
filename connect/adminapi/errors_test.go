package adminapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

func TestServiceErrorShapes(t *testing.T) {
	notFound := `{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"x",` +
		`"message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found on 'DC1'."}],` +
		`"innererror":{"message":"Error executing cmdlet","type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException","stacktrace":"",` +
		`"internalexception":{"message":"inner text","type":"Inner.Type","stacktrace":""}}}}`
	jsonDetail := `{"error":{"code":"BadRequest","message":"Error executing cmdlet","details":[{"code":7,"message":` +
		`"{\"localizedString\":{\"stringId\":\"ErrorParameterNotFound\"},\"ClassName\":\"System.Management.Automation.ParameterBindingException\",\"Message\":\"A parameter cannot be found that matches parameter name 'Bogus'.\"}"}]}}`
	jsonDetailPipe := `{"error":{"code":"BadRequest","message":"x","details":[{"message":` +
		`"{\"ClassName\":\"\",\"Message\":\"Ex41BAF5|Microsoft.Exchange.Data.StoreObjectNotFoundException|The specified mailbox doesn't exist.\"}"}]}}`
	notAllowed := `{"error":{"code":"Unauthorized","message":"User is not allowed to call Get-Mailbox",` +
		`"innererror":{"message":"User is not allowed to call Get-Mailbox","type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException"}}}`
	internalOnly := `{"error":{"code":"InternalServerError","message":"Error executing cmdlet",` +
		`"innererror":{"message":"Error executing cmdlet","type":"T","internalexception":{"message":"The backend failed.","type":"Microsoft.Exchange.Data.Storage.StorageTransientException"}}}}`
	messageOnly := `{"error":{"code":"BadRequest","message":"Invalid InvokeCommand request."}}`
	unknownCmdlet := `{"error":{"code":"Forbidden","message":"The term 'Get-Mailboxx' is not recognized","details":[{"code":"Client","target":"Get-Mailboxx",` +
		`"message":"|System.Management.Automation.CommandNotFoundException|The term 'Get-Mailboxx' is not recognized as the name of a cmdlet, function, script file, or operable program."}]}}`

	cases := []struct {
		name                        string
		status                      int
		hdr                         http.Header
		body                        string
		code, exception, msg, errID string
		target                      string
		bodyKept                    bool
		exit                        exitcode.Code
	}{
		{name: "pipe detail", status: 404, body: notFound, code: CodeNotFound,
			exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
			msg:       "The operation couldn't be performed because object 'x' couldn't be found on 'DC1'.",
			errID:     "Ex6F9304", target: "x", exit: exitcode.Service},
		{name: "json string detail", status: 400, body: jsonDetail, code: CodeBadRequest,
			exception: "System.Management.Automation.ParameterBindingException",
			msg:       "A parameter cannot be found that matches parameter name 'Bogus'.",
			errID:     "ErrorParameterNotFound", exit: exitcode.Service},
		{name: "json string detail holding the pipe form", status: 404, body: jsonDetailPipe, code: CodeNotFound,
			exception: "Microsoft.Exchange.Data.StoreObjectNotFoundException", msg: "The specified mailbox doesn't exist.",
			errID: "Ex41BAF5", exit: exitcode.Service},
		{name: "not allowed (bare 401)", status: 401, body: notAllowed, code: CodeNotAllowed,
			msg: "User is not allowed to call Get-Mailbox", exit: exitcode.Permission},
		{name: "token refused", status: 401, hdr: http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}},
			body: `{"error":{"code":"Unauthorized","message":"The access token has expired."}}`,
			code: CodeUnauthorized, msg: "The access token has expired.", exit: exitcode.Auth},
		{name: "insufficient scope challenge", status: 401,
			hdr:  http.Header{"Www-Authenticate": {`Bearer error="insufficient_scope", error_description="no"`}},
			body: `{"error":{"code":"Unauthorized","message":"Something new"}}`,
			code: CodeNotAllowed, msg: "Something new", exit: exitcode.Permission},
		{name: "internalexception fallback", status: 500, body: internalOnly, code: CodeServerError,
			exception: "Microsoft.Exchange.Data.Storage.StorageTransientException", msg: "The backend failed.", exit: exitcode.Service},
		{name: "error.message fallback", status: 400, body: messageOnly, code: CodeBadRequest,
			msg: "Invalid InvokeCommand request.", exit: exitcode.Service},
		{name: "unknown cmdlet", status: 403, body: unknownCmdlet, code: CodeUnknownCmdlet,
			exception: "System.Management.Automation.CommandNotFoundException", target: "Get-Mailboxx", exit: exitcode.Service,
			msg: "The term 'Get-Mailboxx' is not recognized as the name of a cmdlet, function, script file, or operable program."},
		{name: "403 NULs with a false gzip", status: 403, hdr: http.Header{"Content-Encoding": {"gzip"}},
			body: "\x00\x00\x00\x00", code: CodeForbidden, msg: "the service answered 403 Forbidden with an empty body",
			exit: exitcode.Permission},
		{name: "403 empty", status: 403, body: "", code: CodeForbidden,
			msg: "the service answered 403 Forbidden with an empty body", exit: exitcode.Permission},
		{name: "html", status: 502, body: "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>",
			code: CodeServerError, msg: "the service answered 502 Bad Gateway with an HTML page: 502 Bad Gateway",
			bodyKept: true, exit: exitcode.Service},
		{name: "plain text", status: 500, body: "oops\r\n  broken", code: CodeServerError,
			msg: "the service answered 500 Internal Server Error: oops broken", bodyKept: true, exit: exitcode.Service},
		{name: "concurrency text", status: 429,
			body: "You have reached the maximum number of concurrent requests per tenant. Please wait and try again",
			code: CodeThrottled, msg: "You have reached the maximum number of concurrent requests per tenant. Please wait and try again",
			exit: exitcode.Throttled},
		{name: "concurrency text under another status", status: 500,
			body: "You have reached the maximum number of concurrent requests per tenant. Please wait and try again",
			code: CodeThrottled, msg: "You have reached the maximum number of concurrent requests per tenant. Please wait and try again",
			exit: exitcode.Throttled},
		{name: "503", status: 503, body: `{"error":{"code":"ServiceUnavailable","message":"down"}}`, code: CodeUnavailable, msg: "down", exit: exitcode.Service},
		{name: "504", status: 504, body: ``, code: CodeUnavailable, msg: "the service answered 504 Gateway Timeout with an empty body", exit: exitcode.Service},
		{name: "501", status: 501, body: `{"error":{"code":"NotImplemented","message":"not modelled"}}`, code: CodeNotImplemented, msg: "not modelled", exit: exitcode.Service},
		{name: "json but not odata", status: 400, body: `{"foo":1}`, code: CodeBadRequest,
			msg: `the service answered 400 Bad Request: {"foo":1}`, bodyKept: true, exit: exitcode.Service},
		{name: "exception header", status: 500, hdr: http.Header{"X-Exceptiontype": {"UnableToWriteToAadException"}},
			body: `{"error":{"code":"InternalServerError","message":"aad"}}`, code: CodeServerError,
			exception: "UnableToWriteToAadException", msg: "aad", exit: exitcode.Service},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.hdr
			if hdr == nil {
				hdr = http.Header{}
			}
			e := serviceError(tc.status, hdr, []byte(tc.body))
			if e.Code != tc.code || e.Message != tc.msg || e.Exception != tc.exception || e.ErrorID != tc.errID ||
				e.Target != tc.target || e.Status != tc.status {
				t.Fatalf("got code=%q msg=%q exc=%q id=%q target=%q status=%d\nwant code=%q msg=%q exc=%q id=%q target=%q",
					e.Code, e.Message, e.Exception, e.ErrorID, e.Target, e.Status, tc.code, tc.msg, tc.exception, tc.errID, tc.target)
			}
			if (e.Body != "") != tc.bodyKept {
				t.Fatalf("body kept = %q, want kept %v", e.Body, tc.bodyKept)
			}
			if got := exitcode.Of(fmt.Errorf("wrapped: %w", e)); got != tc.exit {
				t.Fatalf("exit code %d, want %d", got, tc.exit)
			}
		})
	}
}

func TestServiceErrorNeverPanicsAndBoundsText(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	e := serviceError(500, http.Header{}, []byte(huge))
	if len(e.Body) > maxBodyText || len(e.Message) > 400 {
		t.Fatalf("text not bounded: body %d, message %d", len(e.Body), len(e.Message))
	}
	for _, body := range []string{"{", `{"error":5}`, `{"error":{"details":"x"}}`, "\xff\xfe\x00", `{"error":{"details":[{"message":"{\"ClassName\":5}"}]}}`} {
		e := serviceError(400, http.Header{}, []byte(body))
		if e.Code == "" || e.Message == "" {
			t.Errorf("%q: empty code or message: %+v", body, e)
		}
	}
}

func TestErrorFormatAndUnwrap(t *testing.T) {
	e := &Error{Code: CodeNotFound, Cmdlet: "Get-Mailbox", Message: "object 'x' not found", RequestID: "1234"}
	if got, want := e.Error(), "Get-Mailbox: not_found: object 'x' not found (request 1234)"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	e = &Error{Code: CodeThrottled, Cmdlet: "Get-Mailbox", Message: "slow down", RequestID: "r", Attempts: 6, RetryAfter: 30 * time.Second}
	if got, want := e.Error(), "Get-Mailbox: throttled: slow down (request r, after 6 attempts, retry after 30s)"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	c := &Error{Code: CodeCanceled, Cmdlet: "Get-Mailbox", Message: "canceled", Err: context.Canceled}
	if !errors.Is(c, context.Canceled) {
		t.Fatal("canceled does not unwrap to context.Canceled")
	}
	if exitcode.Of(c) != exitcode.Script {
		// No code of its own: exitcode.Of falls back to its default.
		t.Fatalf("canceled carries exit code %d", exitcode.Of(c))
	}
	if h := exitcode.HintOf(&Error{Code: CodeNotAllowed}); !strings.Contains(h, "role") {
		t.Fatalf("hint %q", h)
	}
	if h := exitcode.HintOf(&Error{Code: CodeNotFound}); h != "" {
		t.Fatalf("hint %q for not_found", h)
	}
	// A cause that carries its own exit code wins (e.g. the token source's).
	inner := exitcode.New(exitcode.Auth, "certificate expired")
	if got := exitcode.Of(&Error{Code: CodeUnauthorized, Err: inner}); got != exitcode.Auth {
		t.Fatalf("exit %d", got)
	}
	if got := exitcode.Of(&Error{Code: CodeServerError, Err: exitcode.New(exitcode.Usage, "x")}); got != exitcode.Usage {
		t.Fatalf("inner exit code lost: %d", got)
	}
}

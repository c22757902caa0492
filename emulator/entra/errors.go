package entra

import (
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// oauthError is one failure as Entra reports it: the OAuth error, the
// AADSTS code and its message.
type oauthError struct {
	status int
	err    string // OAuth error value: invalid_client, invalid_scope, ...
	code   int    // AADSTS number
	msg    string
}

func (e *oauthError) Error() string { return fmt.Sprintf("%s: AADSTS%d: %s", e.err, e.code, e.msg) }

// HTTPStatus is the status Entra answers the failure with, for callers
// of IssueFor that relay it.
func (e *oauthError) HTTPStatus() int { return e.status }

// fail builds an error answered with 400, or 401 for invalid_client
// (PROTOCOL.md 1.6).
func fail(err string, code int, format string, args ...any) *oauthError {
	status := http.StatusBadRequest
	if err == "invalid_client" {
		status = http.StatusUnauthorized
	}
	return &oauthError{status: status, err: err, code: code, msg: fmt.Sprintf(format, args...)}
}

func missingParam(name string) *oauthError {
	return fail("invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

// errorBody is Entra's error JSON, fields in Entra's order.
type errorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	URI           string `json:"error_uri"`
}

// writeError answers with e. The description ends in the trace id,
// correlation id and timestamp, space-separated like current Entra
// responses; the correlation id echoes the client's client-request-id so a
// client log and the answer can be matched.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	trace := uuid.NewString()
	corr := r.Header.Get("client-request-id")
	if uuid.Validate(corr) != nil {
		corr = uuid.NewString()
	}
	ts := s.now().UTC().Format("2006-01-02 15:04:05Z")
	w.Header().Set("x-ms-request-id", trace)
	s.writeJSON(w, r, e.status, errorBody{
		Error:         e.err,
		Description:   fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", e.code, e.msg, trace, corr, ts),
		Codes:         []int{e.code},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: corr,
		URI:           fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.code),
	})
}

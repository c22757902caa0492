package msi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Identity is one managed identity attached to the emulated host.
type Identity struct {
	ClientID       string // application (client) id: client_id selector, and the response's client_id
	ObjectID       string // service principal object id: object_id / principal_id selector
	ResourceID     string // Azure resource id of a user-assigned identity: mi_res_id / msi_res_id selector; "" for system-assigned
	SystemAssigned bool
}

// Host is what the endpoint serves: the identities attached to it and a token signer.
type Host interface {
	// Identities lists the identities attached to the host now (it may change while serving).
	Identities() []Identity
	// Issue signs an access token for id and resource (no "/.default"; e.g. https://outlook.office365.com).
	// An error that is a *msi.IssueError carries the HTTP status and message to answer with (e.g. unknown resource 400);
	// any other error is a 500.
	Issue(ctx context.Context, id Identity, resource string) (token string, expiresOn time.Time, err error)
}

// IssueError is a Host.Issue failure the client should see as it is.
type IssueError struct {
	Status  int
	Message string
}

func (e *IssueError) Error() string {
	return fmt.Sprintf("managed identity token: %d %s", e.Status, e.Message)
}

// apiVersion is the only api-version served: the one MSAL sends for App Service.
const apiVersion = "2019-08-01"

// headerName carries the IDENTITY_HEADER secret.
const headerName = "X-IDENTITY-HEADER"

const (
	msgNoIdentity = "No Managed Identity found for specified ClientId/ResourceId/PrincipalId."
	msgForbidden  = "The request is missing a valid X-IDENTITY-HEADER."
	msgNoResource = "The 'resource' query parameter is required."
	msgSelectors  = "Only one of client_id, mi_res_id, object_id or principal_id may be specified."
	msgInternal   = "An unexpected error occurred while fetching the AAD Token."
)

// selectors are the user-assigned identity query parameters, and which
// Identity field each one names.
var selectors = []struct {
	param string
	field func(Identity) string
}{
	{"client_id", func(id Identity) string { return id.ClientID }},
	{"object_id", func(id Identity) string { return id.ObjectID }},
	{"principal_id", func(id Identity) string { return id.ObjectID }},
	{"mi_res_id", func(id Identity) string { return id.ResourceID }},
	{"msi_res_id", func(id Identity) string { return id.ResourceID }},
}

// Handler serves GET requests on any path (the emulator mounts it at /msi/token on its own loopback HTTP listener;
// IDENTITY_ENDPOINT is that full URL). header is the IDENTITY_HEADER secret the request must carry as X-IDENTITY-HEADER.
func Handler(host Host, header string) http.Handler {
	return &handler{host: host, header: header}
}

type handler struct {
	host   Host
	header string
}

// tokenResponse is App Service's success body; field order as the real one.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresOn   string `json:"expires_on"`
	Resource    string `json:"resource"`
	TokenType   string `json:"token_type"`
	ClientID    string `json:"client_id"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Nothing here may be cached: a success holds a bearer token.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")

	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()

	// API versioning runs before the endpoint itself, as it does in front of
	// the real one, so these two answers come first and in their own shape.
	versions := q["api-version"]
	if len(versions) == 0 {
		writeVersionError(w, "ApiVersionUnspecified", "An API version is required, but was not specified.")
		return
	}
	for _, v := range versions {
		if v != apiVersion {
			writeVersionError(w, "UnsupportedApiVersion", fmt.Sprintf(
				"The HTTP resource that matches the request URI '%s' does not support the API version '%s'.",
				requestURI(r), strings.Join(versions, ", ")))
			return
		}
	}

	if !h.headerOK(r.Header.Values(headerName)) {
		writeError(w, http.StatusForbidden, msgForbidden)
		return
	}

	resource := q.Get("resource")
	if resource == "" {
		writeError(w, http.StatusBadRequest, msgNoResource)
		return
	}
	if h.host == nil {
		writeError(w, http.StatusInternalServerError, msgInternal)
		return
	}
	id, status, msg := pick(h.host.Identities(), q)
	if status != 0 {
		writeError(w, status, msg)
		return
	}

	token, expiresOn, err := h.host.Issue(r.Context(), id, resource)
	if err != nil {
		var ie *IssueError
		if errors.As(err, &ie) && ie.Status >= 400 && ie.Status <= 599 {
			writeError(w, ie.Status, ie.Message)
			return
		}
		// Any other error's text stays on the server: it is not the client's
		// business and could carry anything.
		writeError(w, http.StatusInternalServerError, msgInternal)
		return
	}
	if token == "" {
		writeError(w, http.StatusInternalServerError, msgInternal)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: token,
		ExpiresOn:   strconv.FormatInt(expiresOn.Unix(), 10),
		Resource:    resource,
		TokenType:   "Bearer",
		ClientID:    id.ClientID,
	})
}

// headerOK reports whether the request carries exactly the configured secret.
// Both sides are hashed first so the comparison's time depends on neither
// value nor length.
func (h *handler) headerOK(got []string) bool {
	if h.header == "" || len(got) != 1 {
		return false
	}
	want := sha256.Sum256([]byte(h.header))
	have := sha256.Sum256([]byte(got[0]))
	return subtle.ConstantTimeCompare(want[:], have[:]) == 1
}

// pick finds the identity a request names: the system-assigned one when it
// names none. A non-zero status is the answer to give instead.
func pick(ids []Identity, q map[string][]string) (Identity, int, string) {
	var value string
	var field func(Identity) string
	for _, s := range selectors {
		vs, ok := q[s.param]
		if !ok {
			continue
		}
		if field != nil || len(vs) != 1 {
			return Identity{}, http.StatusBadRequest, msgSelectors
		}
		value, field = vs[0], s.field
	}
	if field == nil {
		for _, id := range ids {
			if id.SystemAssigned {
				return id, 0, ""
			}
		}
		return Identity{}, http.StatusBadRequest, msgNoIdentity
	}
	// Ids are GUIDs and ARM resource ids, both case-insensitive. An empty
	// value never matches, so client_id= cannot select an identity whose
	// field is unset (a system-assigned identity has no resource id).
	for _, id := range ids {
		if f := field(id); value != "" && strings.EqualFold(f, value) {
			return id, 0, ""
		}
	}
	return Identity{}, http.StatusBadRequest, msgNoIdentity
}

// requestURI rebuilds the URI the versioning error quotes. It holds only what
// the client put in the URL, never a header.
func requestURI(r *http.Request) string {
	return "http://" + r.Host + r.URL.RequestURI()
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, struct {
		StatusCode    int    `json:"statusCode"`
		Message       string `json:"message"`
		CorrelationID string `json:"correlationId"`
	}{status, message, uuid.NewString()})
}

func writeVersionError(w http.ResponseWriter, code, message string) {
	type apiError struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError any    `json:"innerError"`
	}
	writeJSON(w, http.StatusBadRequest, struct {
		Error apiError `json:"error"`
	}{apiError{Code: code, Message: message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Resource URLs and request URIs read as the real service writes them.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only plain strings and ints are encoded here; this cannot happen,
		// but an empty 500 is still better than a half-written body.
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

// NewHeader returns a fresh random IDENTITY_HEADER value (crypto/rand, 32 bytes, hex or base64url).
func NewHeader() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("msi: generating IDENTITY_HEADER: %w", err)
	}
	return hex.EncodeToString(b), nil
}

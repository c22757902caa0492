package connect

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/exorun/exorun/internal/exitcode"
)

// msalErr is an error shaped like MSAL Go's for a refused token request:
// the reply's JSON body, with Entra's "\r\n"-separated trace lines.
func msalErr(code int, desc string) error {
	return fmt.Errorf(`http call(https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token)(POST) error: reply status code was 400:
{"error":"invalid_client","error_description":"AADSTS%d: %s\r\nTrace ID: 0b5c\r\nCorrelation ID: 9f1e\r\nTimestamp: 2026-11-01 09:00:00Z","error_codes":[%d]}`, code, desc, code)
}

func TestTokenFailureSteps(t *testing.T) {
	env, _ := LookupEnvironment("")
	cert := newCert(t)
	p := &plan{
		settings:  Settings{AppID: appGUID, Organization: "contoso.onmicrosoft.com"},
		env:       env,
		authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
		resource:  "https://outlook.office365.com",
		cert:      cert,
	}
	secretPlan := *p
	secretPlan.cert = nil
	for _, tc := range []struct {
		code int
		p    *plan
		step string
		want string
	}{
		{90002, p, StepTenant, `tenant "contoso.onmicrosoft.com" was not found in O365Default`},
		{900023, p, StepTenant, "was not found"},
		{700016, p, StepApp, "app " + appGUID + " is not registered in tenant contoso.onmicrosoft.com"},
		{700027, p, StepUpload, "certificate " + cert.Thumbprint() + " is not registered on app " + appGUID},
		{700027, &secretPlan, StepUpload, "the credential is not registered"},
		{700024, p, StepClock, "outside its valid time range"},
		{7000215, &secretPlan, StepUpload, "client secret of app " + appGUID + " is invalid or expired"},
		{7000222, &secretPlan, StepUpload, "invalid or expired"},
		{7000112, p, StepApp, "is disabled in tenant"},
		{500011, p, StepTenant, "has no https://outlook.office365.com resource"},
		{50049, p, StepAuthority, "does not know the authority"},
		{1002012, p, StepToken, "entra id refused the token request: AADSTS1002012: Some description."},
	} {
		err := tokenFailure(msalErr(tc.code, "Some description."), tc.p)
		if err.Step != tc.step || err.Code != exitcode.Auth || !strings.Contains(err.Msg, tc.want) || err.Fix == "" {
			t.Errorf("AADSTS%d: step %q code %d msg %q fix %q; want %q, %q", tc.code, err.Step, err.Code, err.Msg, err.Fix, tc.step, tc.want)
		}
		// The underlying error is the description alone, without trace ids
		// or the rest of the JSON.
		if got, want := err.Err.Error(), fmt.Sprintf("AADSTS%d: Some description.", tc.code); got != want {
			t.Errorf("AADSTS%d: Err = %q, want %q", tc.code, got, want)
		}
		if exitcode.Of(err) != exitcode.Auth || exitcode.HintOf(err) != err.Fix {
			t.Errorf("AADSTS%d: exitcode %d hint %q", tc.code, exitcode.Of(err), exitcode.HintOf(err))
		}
	}
	// Unknown codes point at Microsoft's lookup page.
	if err := tokenFailure(msalErr(9999999, "x"), p); !strings.Contains(err.Fix, "error?code=9999999") {
		t.Errorf("fix %q", err.Fix)
	}
}

func TestAADDescription(t *testing.T) {
	for in, want := range map[string]string{
		`AADSTS700016: App not found.\r\nTrace ID: x`:    "AADSTS700016: App not found.",
		"AADSTS700016: App not found.\r\nTrace ID: x":    "AADSTS700016: App not found.",
		"x AADSTS700016: App not found. Trace ID: 1":     "AADSTS700016: App not found.",
		`"error_description":"AADSTS90002: Gone.\",\"x"`: "AADSTS90002: Gone.",
		"AADSTS50049: Unknown or invalid instance.":      "AADSTS50049: Unknown or invalid instance.",
	} {
		code := aadstsRE.FindString(in)
		if got := aadDescription(in, code); got != want {
			t.Errorf("aadDescription(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNetworkFailure(t *testing.T) {
	p := &plan{authority: "https://login.example/contoso.onmicrosoft.com"}
	for _, tc := range []struct {
		err  error
		step string
		want string
	}{
		{fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), StepAuthority, "cannot verify the TLS certificate of https://login.example/contoso.onmicrosoft.com"},
		{errors.New(`Post "https://x": tls: failed to verify certificate: x509: certificate signed by unknown authority`), StepAuthority, "cannot verify the TLS certificate"},
		{&net.DNSError{Err: "no such host", Name: "login.example"}, StepAuthority, "cannot reach entra id at https://login.example/contoso.onmicrosoft.com"},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, StepAuthority, "cannot reach entra id"},
		{errors.New("something else"), StepToken, "token request failed: something else"},
	} {
		err := networkFailure(tc.err, p)
		if err.Step != tc.step || exitcode.Of(err) != exitcode.Auth || !strings.Contains(err.Msg, tc.want) || !errors.Is(err, tc.err) {
			t.Errorf("%v: step %q msg %q", tc.err, err.Step, err.Msg)
		}
	}
}

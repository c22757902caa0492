package connect

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/exorun/exorun/internal/exitcode"
)

// The onboarding steps of app-only access, in the order an admin takes
// them (Microsoft's "App-only authentication" guide) and the order doctor
// checks them. A StepError names the first one that is missing.
const (
	StepSettings   = "settings"   // app id, organization and a credential are known
	StepCredential = "credential" // the certificate, secret or federated token loads and is valid
	StepIdentity   = "identity"   // the managed identity endpoint answers with a token
	StepAuthority  = "authority"  // the Entra ID endpoint answers
	StepTenant     = "tenant"     // the organization is a tenant of that cloud
	StepApp        = "app"        // the app is registered in (or consented to by) the tenant
	StepUpload     = "upload"     // the certificate, secret or federated credential is registered on the app
	StepClock      = "clock"      // the signed assertion is inside its validity window
	StepToken      = "token"      // Entra ID issued a token
	StepPermission = "permission" // Exchange.ManageAsApp is granted and consented
	StepRole       = "role"       // a directory role the service honours is assigned
	StepService    = "service"    // the service accepts the token
)

// StepError is a failed onboarding step with its fix. Its exit code says
// auth (no token) or permission (a token without the rights).
type StepError struct {
	Step string
	Code exitcode.Code
	Msg  string
	Fix  string
	Err  error // the underlying error, if any; never holds a secret
}

func (e *StepError) Error() string { return e.Msg }
func (e *StepError) Unwrap() []error {
	ex := &exitcode.Error{Code: e.Code, Err: errors.New(e.Msg), Hint: e.Fix}
	if e.Err != nil {
		return []error{ex, e.Err}
	}
	return []error{ex}
}

func stepErr(step string, code exitcode.Code, fix string, format string, args ...any) *StepError {
	return &StepError{Step: step, Code: code, Msg: fmt.Sprintf(format, args...), Fix: fix}
}

// aadstsRE finds Entra ID's error code in a token endpoint reply.
var aadstsRE = regexp.MustCompile(`AADSTS(\d+)`)

// tokenFailure turns MSAL's error into the onboarding step that is
// missing, from the AADSTS codes of PROTOCOL.md 1.7.
func tokenFailure(err error, c *plan) *StepError {
	var own *StepError
	if errors.As(err, &own) {
		// The federated token source failed before Entra ID was asked.
		return own
	}
	text := err.Error()
	m := aadstsRE.FindStringSubmatch(text)
	if m == nil {
		return networkFailure(err, c)
	}
	code, _ := strconv.Atoi(m[1])
	desc := aadDescription(text, m[0])
	var s *StepError
	if c.federated != nil {
		s = federatedFailure(code, c)
	}
	if s == nil {
		s = commonTokenFailure(code, m[1], desc, c)
	}
	s.Err = fmt.Errorf("%s", desc)
	return s
}

// commonTokenFailure maps the AADSTS codes every credential kind can get.
func commonTokenFailure(code int, number, desc string, c *plan) *StepError {
	auth := exitcode.Auth
	var s *StepError
	switch code {
	case 90002, 900023, 90013:
		s = stepErr(StepTenant, auth, fmt.Sprintf("check organization: use the tenant's primary .onmicrosoft.com domain or its GUID; for a government or China tenant set environment (now %s)", c.env.Name),
			"tenant %q was not found in %s", c.settings.Organization, c.env.Name)
	case 700016:
		s = stepErr(StepApp, auth, "check app_id against the app registration's Application (client) ID; a multi-tenant app also needs admin consent in this tenant",
			"app %s is not registered in tenant %s", c.settings.AppID, c.settings.Organization)
	case 700027:
		if c.cert != nil {
			s = stepErr(StepUpload, auth, "upload the certificate's public part under the app registration's Certificates & secrets: the .cer file 'exorun cert new' wrote, or the certificate alone as .cer or .pem (for one in the store, the cert.pem in the folder 'exorun cert import' printed); never a file that holds the key",
				"certificate %s is not registered on app %s (or its signature does not verify)", c.cert.Thumbprint(), c.settings.AppID)
		} else {
			s = stepErr(StepUpload, auth, "register the credential on the app registration", "the credential is not registered on app %s", c.settings.AppID)
		}
	case 700024:
		s = stepErr(StepClock, auth, "check this machine's clock (NTP): the client assertion is signed with its time",
			"entra id rejected the client assertion as outside its valid time range; is the clock right?")
	case 7000215, 7000222:
		s = stepErr(StepUpload, auth, "create a new client secret under the app's Certificates & secrets (or better, use a certificate)",
			"the client secret of app %s is invalid or expired", c.settings.AppID)
	case 7000112:
		s = stepErr(StepApp, auth, "enable sign-in for the app's enterprise application (service principal) in the tenant",
			"app %s is disabled in tenant %s", c.settings.AppID, c.settings.Organization)
	case 500011:
		s = stepErr(StepTenant, auth, "the tenant has no Exchange Online (or Security & Compliance) service; check organization and environment",
			"tenant %s has no %s resource", c.settings.Organization, c.resource)
	case 50049:
		s = stepErr(StepAuthority, auth, "check authority and environment", "entra id does not know the authority %s", c.authority)
	default:
		s = stepErr(StepToken, auth, "see https://login.microsoftonline.com/error?code="+number, "entra id refused the token request: %s", desc)
	}
	return s
}

// aadDescription cuts the error description (without Trace and
// Correlation ids) out of MSAL's error text.
func aadDescription(text, code string) string {
	i := strings.Index(text, code)
	d := text[i:]
	for _, stop := range []string{"\\r\\n", "\r\n", "\n", " Trace ID:", "\\\""} {
		if j := strings.Index(d, stop); j > 0 {
			d = d[:j]
		}
	}
	return strings.TrimSpace(d)
}

// networkFailure explains a token request that got no Entra ID answer.
func networkFailure(err error, c *plan) *StepError {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), strings.Contains(err.Error(), "x509:"):
		return &StepError{Step: StepAuthority, Code: exitcode.Auth, Err: err,
			Msg: fmt.Sprintf("cannot verify the TLS certificate of %s", c.authority),
			Fix: "for a private endpoint give its CA with ca_file (--ca-file, EXORUN_CA_FILE)"}
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return &StepError{Step: StepAuthority, Code: exitcode.Auth, Err: err,
			Msg: fmt.Sprintf("cannot reach entra id at %s: %v", c.authority, err),
			Fix: "check the network, proxy (HTTPS_PROXY) and the authority setting"}
	}
	return &StepError{Step: StepToken, Code: exitcode.Auth, Err: err,
		Msg: fmt.Sprintf("token request failed: %v", err)}
}

package connect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

// checkIdentity asserts what every session with the emulator's demo
// tenant and an Exchange Administrator app says.
func checkIdentity(t *testing.T, sess *Session, ep emulator.Endpoints, appID, credential string) {
	t.Helper()
	id := sess.Identity
	if id.TenantID != ep.TenantID || id.AppID != appID {
		t.Errorf("identity tenant %s app %s, want %s %s", id.TenantID, id.AppID, ep.TenantID, appID)
	}
	if !id.HasManageAsApp() || !id.AppOnly {
		t.Errorf("ManageAsApp %v, AppOnly %v (permissions %v)", id.HasManageAsApp(), id.AppOnly, id.Permissions)
	}
	if got := id.RoleNames(); !slices.Equal(got, []string{"Exchange Administrator"}) {
		t.Errorf("roles %v", got)
	}
	if len(id.UnknownRoleIDs) != 0 {
		t.Errorf("unknown roles %v", id.UnknownRoleIDs)
	}
	if id.Audience != "https://outlook.office365.com" {
		t.Errorf("audience %q", id.Audience)
	}
	if id.ExpiresOn.Before(time.Now()) {
		t.Errorf("expires %v", id.ExpiresOn)
	}
	if sess.Credential != credential || sess.Service != catalog.Exchange || sess.Environment.Name != DefaultEnvironment {
		t.Errorf("credential %q service %q environment %q", sess.Credential, sess.Service, sess.Environment.Name)
	}
	if sess.Client == nil || sess.Tokens == nil {
		t.Fatal("session without client or tokens")
	}
	// The session works: one cmdlet.
	st, err := sess.Client.Invoke(context.Background(), adminapi.Request{Cmdlet: "Get-OrganizationConfig"})
	if err != nil {
		t.Fatalf("Get-OrganizationConfig: %v", err)
	}
	defer st.Close()
	if obj, err := st.Next(); err != nil || len(obj) == 0 {
		t.Errorf("Get-OrganizationConfig: %s, %v", obj, err)
	}
}

func TestOpenCertificateSources(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	app := newApp(t, em, appSetup{})
	cert := app.Cert
	const pfxPassword = "correct horse battery staple"

	pfx, err := cert.PFX(pfxPassword)
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := cert.PFXLegacy(pfxPassword)
	if err != nil {
		t.Fatal(err)
	}
	pemData, err := cert.PEM()
	if err != nil {
		t.Fatal(err)
	}
	// The key alone, from the combined PEM.
	var keyPEM []byte
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			keyPEM = pem.EncodeToMemory(b)
		}
	}
	if keyPEM == nil {
		t.Fatal("no key in the PEM")
	}
	store := &certificate.Store{Dir: dir + "/store", FS: osStoreFS{}}
	if _, err := store.Import(cert); err != nil {
		t.Fatal(err)
	}
	secret, _, err := em.Directory().AddClientSecret(ep.TenantID, app.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	base := emuSettings(ep, app.ID)
	with := func(f func(*Settings)) Settings { s := base; f(&s); return s }
	cases := []struct {
		name     string
		s        Settings
		store    *certificate.Store
		appID    string
		credKind string
	}{
		{"demo PEM file", with(func(s *Settings) { s.AppID = ep.AppID; s.CertificateFile = ep.CertificateFile }), nil, ep.AppID, "certificate"},
		{"PFX with password", with(func(s *Settings) {
			s.CertificateFile = writeFile(t, dir, "app.pfx", pfx)
			s.CertificatePassword = pfxPassword
		}), nil, app.ID, "certificate"},
		{"legacy PFX", with(func(s *Settings) {
			s.CertificateFile = writeFile(t, dir, "legacy.p12", legacy)
			s.CertificatePassword = pfxPassword
		}), nil, app.ID, "certificate"},
		{"DER cer and key file", with(func(s *Settings) {
			s.CertificateFile = writeFile(t, dir, "app.cer", cert.CertDER())
			s.CertificateKeyFile = writeFile(t, dir, "app.key", keyPEM)
		}), nil, app.ID, "certificate"},
		{"base64 PFX bytes", with(func(s *Settings) {
			s.Certificate = base64.StdEncoding.EncodeToString(pfx)
			s.CertificatePassword = pfxPassword
		}), nil, app.ID, "certificate"},
		{"raw PEM bytes", with(func(s *Settings) { s.Certificate = string(pemData) }), nil, app.ID, "certificate"},
		{"thumbprint in the store", with(func(s *Settings) { s.Thumbprint = strings.ToLower(cert.Thumbprint()) }), store, app.ID, "certificate"},
		{"client secret", with(func(s *Settings) { s.ClientSecret = secret }), nil, app.ID, "client secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sess := mustOpen(t, tc.s, Options{ReadFile: os.ReadFile, Store: tc.store})
			checkIdentity(t, sess, ep, tc.appID, tc.credKind)
			if tc.credKind == "certificate" {
				want := cert.Thumbprint()
				if tc.appID == ep.AppID {
					want = ep.Thumbprint
				}
				if sess.Certificate == nil || sess.Certificate.Thumbprint() != want {
					t.Errorf("session certificate %v, want %s", sess.Certificate, want)
				}
			} else if sess.Certificate != nil {
				t.Error("a secret session has a certificate")
			}
			if len(sess.Warnings) != 0 {
				t.Errorf("warnings: %v", sess.Warnings)
			}
			info := sess.Info()
			if info.TenantID != sess.Identity.TenantID || info.Credential != sess.Credential || !info.ManageAsApp ||
				(sess.Certificate != nil) != (info.Thumbprint != "") {
				t.Errorf("Info() %+v does not describe the session", info)
			}
		})
	}

	t.Run("access token", func(t *testing.T) {
		donor := mustOpen(t, with(func(s *Settings) { s.ClientSecret = secret }), Options{ReadFile: os.ReadFile})
		tok, err := donor.Tokens.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// Only the token and the endpoints: no app id, no organization.
		s := Settings{AccessToken: tok, ExchangeURL: ep.ExchangeURL, CAFile: ep.CAFile}
		sess := mustOpen(t, s, Options{ReadFile: os.ReadFile})
		checkIdentity(t, sess, ep, app.ID, "access token")
		if got, _ := sess.Tokens.Token(context.Background()); got != tok {
			t.Error("the session does not hand out the given token")
		}
		if info, _ := json.Marshal(sess.Info()); strings.Contains(string(info), tok) {
			t.Error("Info() holds the access token")
		}
	})
}

func TestOpenCompliance(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	app := newApp(t, em, appSetup{role: "Compliance Administrator"})
	s := emuSettings(ep, app.ID)
	s.Certificate = pemOf(t, app.Cert)
	s.Service = "compliance"
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile})
	if sess.Service != catalog.Compliance || sess.Identity.Audience != "https://ps.compliance.protection.outlook.com" {
		t.Errorf("service %s audience %s", sess.Service, sess.Identity.Audience)
	}
	// The demo app's Exchange Administrator role is not honoured by
	// Security & Compliance.
	demo := emuSettings(ep, ep.AppID)
	demo.CertificateFile = ep.CertificateFile
	demo.Service = "compliance"
	_, err := Open(context.Background(), demo, Options{ReadFile: os.ReadFile})
	checkStep(t, err, StepRole, exitcode.Permission, "isn't supported by Security & Compliance")
}

func pemOf(t testing.TB, c *certificate.Credential) string {
	t.Helper()
	p, err := c.PEM()
	if err != nil {
		t.Fatal(err)
	}
	return string(p)
}

// checkStep asserts err is a *StepError of step with code, whose message
// contains want.
func checkStep(t *testing.T, err error, step string, code exitcode.Code, want string) *StepError {
	t.Helper()
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *StepError", err, err)
	}
	if se.Step != step || exitcode.Of(err) != code || !strings.Contains(err.Error(), want) {
		t.Errorf("step %q code %d msg %q; want %q %d %q", se.Step, exitcode.Of(err), err, step, code, want)
	}
	return se
}

func TestOpenRefusals(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	app := newApp(t, em, appSetup{})
	pfx, err := app.Cert.PFX("right-password")
	if err != nil {
		t.Fatal(err)
	}
	pfxFile := writeFile(t, dir, "app.pfx", pfx)
	expired, err := certificate.New(certificate.NewOptions{Subject: "CN=old", Now: time.Now().AddDate(-2, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	base := emuSettings(ep, app.ID)
	with := func(f func(*Settings)) Settings { s := base; f(&s); return s }

	for _, tc := range []struct {
		name  string
		s     Settings
		o     Options
		step  string
		code  exitcode.Code
		want  string
		isErr error
	}{
		{"wrong PFX password", with(func(s *Settings) { s.CertificateFile = pfxFile; s.CertificatePassword = "wrong-password" }),
			Options{ReadFile: os.ReadFile}, StepCredential, exitcode.Auth, "password", certificate.ErrWrongPassword},
		{"PFX password missing", with(func(s *Settings) { s.CertificateFile = pfxFile }),
			Options{ReadFile: os.ReadFile}, StepCredential, exitcode.Auth, "password", nil},
		{"missing file", with(func(s *Settings) { s.CertificateFile = dir + "/nope.pfx" }),
			Options{ReadFile: os.ReadFile}, StepCredential, exitcode.Auth, "nope.pfx", fs.ErrNotExist},
		{"expired certificate", with(func(s *Settings) { s.Certificate = pemOf(t, expired) }),
			Options{ReadFile: os.ReadFile}, StepCredential, exitcode.Auth, "expired", certificate.ErrExpired},
		{"thumbprint without store", with(func(s *Settings) { s.Thumbprint = app.Cert.Thumbprint() }),
			Options{ReadFile: os.ReadFile}, StepCredential, exitcode.Usage, "no certificate store", nil},
		{"thumbprint not in store", with(func(s *Settings) { s.Thumbprint = app.Cert.Thumbprint() }),
			Options{ReadFile: os.ReadFile, Store: &certificate.Store{Dir: dir + "/empty", FS: osStoreFS{}}}, StepCredential, exitcode.Auth, app.Cert.Thumbprint(), certificate.ErrNotInStore},
		{"no app id", with(func(s *Settings) { s.AppID = ""; s.CertificateFile = pfxFile }),
			Options{}, StepSettings, exitcode.Usage, "no app id", nil},
		{"no organization", with(func(s *Settings) { s.Organization = ""; s.CertificateFile = pfxFile }),
			Options{}, StepSettings, exitcode.Usage, "no organization", nil},
		{"no credential", base, Options{}, StepSettings, exitcode.Usage, "no credential", nil},
		{"unknown environment", with(func(s *Settings) { s.Environment = "O365Germany" }),
			Options{}, StepSettings, exitcode.Usage, `unknown environment "O365Germany"`, nil},
		{"unknown service", with(func(s *Settings) { s.Service = "sharepoint" }),
			Options{}, StepSettings, exitcode.Usage, `service "sharepoint"`, nil},
		{"http authority", with(func(s *Settings) { s.Authority = "http://login.example"; s.ClientSecret = "x" }),
			Options{}, StepSettings, exitcode.Usage, "https://", nil},
		{"http exchange url", with(func(s *Settings) { s.ExchangeURL = "http://outlook.example" }),
			Options{}, StepSettings, exitcode.Usage, "https://", nil},
		{"compliance without compliance_url", with(func(s *Settings) { s.Service = "compliance"; s.ComplianceURL = "" }),
			Options{}, StepSettings, exitcode.Usage, "compliance_url", nil},
		{"ca file missing", with(func(s *Settings) { s.ClientSecret = "x"; s.CAFile = dir + "/no-ca.pem" }),
			Options{ReadFile: os.ReadFile}, StepSettings, exitcode.Usage, "ca_file", nil},
		{"ca file not PEM", with(func(s *Settings) { s.ClientSecret = "x"; s.CAFile = pfxFile }),
			Options{ReadFile: os.ReadFile}, StepSettings, exitcode.Usage, "no PEM certificate", nil},
		{"CA not trusted", with(func(s *Settings) {
			s.CertificateFile = pfxFile
			s.CertificatePassword = "right-password"
			s.CAFile = ""
		}),
			Options{ReadFile: os.ReadFile}, StepAuthority, exitcode.Auth, "TLS certificate", nil},
		{"malformed access token", Settings{AccessToken: "not-a-jwt-secret", ExchangeURL: ep.ExchangeURL},
			Options{}, StepToken, exitcode.Auth, "not a JWT", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sess, err := Open(context.Background(), tc.s, tc.o)
			if sess != nil {
				t.Fatal("a session despite the error")
			}
			se := checkStep(t, err, tc.step, tc.code, tc.want)
			if tc.isErr != nil && !errors.Is(err, tc.isErr) {
				t.Errorf("err does not wrap %v: %v", tc.isErr, err)
			}
			if se.Fix == "" && tc.step != StepCredential && !strings.Contains(tc.want, "https") {
				t.Errorf("no fix for %s", tc.name)
			}
			if exitcode.HintOf(err) != se.Fix {
				t.Errorf("HintOf = %q, Fix = %q", exitcode.HintOf(err), se.Fix)
			}
			for _, secret := range []string{"right-password", "wrong-password", "not-a-jwt-secret"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(se.Fix, secret) {
					t.Errorf("error shows a secret: %v / %s", err, se.Fix)
				}
			}
		})
	}
}

func TestOpenCancelled(t *testing.T) {
	t.Parallel()
	_, ep := sharedEmulator(t)
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, s, Options{ReadFile: os.ReadFile})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestOpenWarnings(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	if err := em.Directory().AddDomain(ep.TenantID, "contoso.example"); err != nil {
		t.Fatal(err)
	}
	// A certificate expiring within certificate.ExpiryWarning warns.
	soon, err := certificate.New(certificate.NewOptions{Subject: "CN=soon", Now: time.Now().AddDate(-1, 0, 10)})
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t, em, appSetup{cert: soon})
	var logs logBuffer
	s := emuSettings(ep, app.ID)
	s.Organization = "contoso.example"
	s.Certificate = pemOf(t, soon)
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, Logger: logs.logger()})
	if len(sess.Warnings) != 2 {
		t.Fatalf("warnings = %q", sess.Warnings)
	}
	if !strings.Contains(sess.Warnings[0], `organization "contoso.example"`) {
		t.Errorf("warning 0: %s", sess.Warnings[0])
	}
	for _, w := range sess.Warnings {
		if !strings.Contains(logs.String(), strings.Fields(w)[0]) {
			t.Errorf("warning %q not logged", w)
		}
	}
	if sess.Identity.TenantID != ep.TenantID {
		t.Errorf("vanity domain reached tenant %s", sess.Identity.TenantID)
	}
	// The tenant GUID is a fine organization.
	s.Organization = ep.TenantID
	if sess := mustOpen(t, s, Options{ReadFile: os.ReadFile}); len(sess.Warnings) != 1 {
		t.Errorf("GUID organization warnings: %q", sess.Warnings)
	}
}

func TestOpenAccessTokenExpiry(t *testing.T) {
	t.Parallel()
	_, ep := sharedEmulator(t)
	claims := func(exp time.Time) map[string]any {
		return map[string]any{"tid": ep.TenantID, "appid": ep.AppID, "aud": "https://outlook.office365.com",
			"exp": exp.Unix(), "roles": []string{"Exchange.ManageAsApp"}, "wids": []string{exAdmin}}
	}
	// An expired pre-acquired token can never work: Open says so at once
	// rather than handing out a session whose first cmdlet fails.
	expired := makeJWT(t, claims(time.Now().Add(-time.Minute)))
	s := Settings{AccessToken: expired, ExchangeURL: ep.ExchangeURL, CAFile: ep.CAFile}
	sess, err := Open(context.Background(), s, Options{ReadFile: os.ReadFile})
	if sess != nil {
		t.Fatal("Open returned a session for an expired access token")
	}
	checkStep(t, err, StepToken, exitcode.Auth, "cannot be refreshed")
	if exitcode.HintOf(err) == "" || strings.Contains(err.Error(), expired) {
		t.Errorf("hint %q, err %v", exitcode.HintOf(err), err)
	}
	checks, _, err := Doctor(context.Background(), s, Options{ReadFile: os.ReadFile})
	if got := steps(checks); !slices.Equal(got, []string{StepSettings, StepCredential, "!" + StepToken}) || exitcode.Of(err) != exitcode.Auth {
		t.Errorf("Doctor: %v, %v", got, err)
	}

	// One that expires within minutes works, with a warning at Open.
	var logs logBuffer
	s.AccessToken = makeJWT(t, claims(time.Now().Add(3*time.Minute)))
	mustOpen(t, s, Options{ReadFile: os.ReadFile, Logger: logs.logger()})
	if !strings.Contains(logs.String(), "expires soon and cannot be refreshed") {
		t.Errorf("no warning at Open: %s", logs.String())
	}
}

package connect

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

// steps lists the checks' steps, marking failures with "!".
func steps(checks []Check) []string {
	var out []string
	for _, c := range checks {
		s := c.Step
		if !c.OK {
			s = "!" + s
		}
		out = append(out, s)
	}
	return out
}

func TestDoctorDiagnoses(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	d := em.Directory()
	good := newApp(t, em, appSetup{})
	notUploaded := newApp(t, em, appSetup{noUpload: true})
	notGranted := newApp(t, em, appSetup{noGrant: true})
	notConsented := newApp(t, em, appSetup{noConsent: true})
	noRole := newApp(t, em, appSetup{role: "-"})
	unhonouredRole := newApp(t, em, appSetup{role: "Directory Readers"})
	disabled := newApp(t, em, appSetup{})
	if err := d.DisableApp(ep.TenantID, disabled.ID); err != nil {
		t.Fatal(err)
	}
	revoked := newApp(t, em, appSetup{})
	if err := d.RevokeConsent(ep.TenantID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	secretApp := newApp(t, em, appSetup{noUpload: true})
	if _, _, err := d.AddClientSecret(ep.TenantID, secretApp.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	expiredSecretApp := newApp(t, em, appSetup{noUpload: true})
	expiredSecret, _, err := d.AddClientSecret(ep.TenantID, expiredSecretApp.ID, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	withCert := func(app testApp) Settings {
		s := emuSettings(ep, app.ID)
		s.Certificate = pemOf(t, app.Cert)
		return s
	}
	nosuch := withCert(good)
	nosuch.Organization = "nosuch.onmicrosoft.com"
	unregistered := withCert(good)
	unregistered.AppID = "0a1b2c3d-0000-4000-8000-0123456789ab"
	wrongSecret := emuSettings(ep, secretApp.ID)
	wrongSecret.ClientSecret = "not~the~right~secret"
	oldSecret := emuSettings(ep, expiredSecretApp.ID)
	oldSecret.ClientSecret = expiredSecret

	pre := []string{StepSettings, StepCredential}
	upToToken := append(slices.Clone(pre), StepTenant, StepApp, StepUpload, StepToken)
	for _, tc := range []struct {
		name  string
		s     Settings
		steps []string
		code  exitcode.Code
		want  []string // in the failed check's Detail
	}{
		{"unknown tenant", nosuch, append(slices.Clone(pre), "!"+StepTenant), exitcode.Auth, []string{`"nosuch.onmicrosoft.com"`, "not found"}},
		{"app not registered", unregistered, append(slices.Clone(pre), StepTenant, "!"+StepApp), exitcode.Auth, []string{unregistered.AppID, "not registered"}},
		{"certificate not uploaded", withCert(notUploaded), append(slices.Clone(pre), StepTenant, "!"+StepUpload), exitcode.Auth, []string{notUploaded.Cert.Thumbprint(), "not registered on app"}},
		{"wrong client secret", wrongSecret, append(slices.Clone(pre), StepTenant, "!"+StepUpload), exitcode.Auth, []string{"client secret", "invalid or expired"}},
		{"expired client secret", oldSecret, append(slices.Clone(pre), StepTenant, "!"+StepUpload), exitcode.Auth, []string{"client secret", "invalid or expired"}},
		{"app disabled", withCert(disabled), append(slices.Clone(pre), StepTenant, "!"+StepApp), exitcode.Auth, []string{disabled.ID, "disabled"}},
		{"ManageAsApp not granted", withCert(notGranted), append(slices.Clone(upToToken), "!"+StepPermission), exitcode.Permission, []string{"Exchange.ManageAsApp", "permissions: none"}},
		{"granted, not consented", withCert(notConsented), append(slices.Clone(upToToken), "!"+StepPermission), exitcode.Permission, []string{"not granted, or granted but not consented"}},
		{"consent revoked", withCert(revoked), append(slices.Clone(upToToken), "!"+StepPermission), exitcode.Permission, []string{"Exchange.ManageAsApp"}},
		{"no role", withCert(noRole), append(slices.Clone(upToToken), StepPermission, "!"+StepRole), exitcode.Permission, []string{"isn't supported", "directory roles: none"}},
		{"role Exchange does not honour", withCert(unhonouredRole), append(slices.Clone(upToToken), StepPermission, "!"+StepRole), exitcode.Permission, []string{"Directory Readers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checks, sess, err := Doctor(context.Background(), tc.s, Options{ReadFile: os.ReadFile})
			if err == nil || sess != nil {
				t.Fatalf("Doctor passed: %v", steps(checks))
			}
			if got := steps(checks); !slices.Equal(got, tc.steps) {
				t.Errorf("steps %v, want %v", got, tc.steps)
			}
			last := checks[len(checks)-1]
			var se *StepError
			if !errors.As(err, &se) || se.Step != last.Step || se.Msg != last.Detail || se.Fix != last.Fix {
				t.Errorf("error %v does not match the last check %+v", err, last)
			}
			if exitcode.Of(err) != tc.code {
				t.Errorf("exit code %d, want %d", exitcode.Of(err), tc.code)
			}
			if last.Fix == "" {
				t.Error("no fix")
			}
			for _, w := range tc.want {
				if !strings.Contains(last.Detail, w) {
					t.Errorf("detail %q lacks %q", last.Detail, w)
				}
			}
			// Open fails at the same step.
			_, openErr := Open(context.Background(), tc.s, Options{ReadFile: os.ReadFile})
			var ose *StepError
			if last.Step != StepTenant && (!errors.As(openErr, &ose) || ose.Step != last.Step) {
				t.Errorf("Open: %v, want step %s", openErr, last.Step)
			}
		})
	}

	t.Run("all good", func(t *testing.T) {
		checks, sess, err := Doctor(context.Background(), withCert(good), Options{ReadFile: os.ReadFile})
		if err != nil {
			t.Fatalf("%v: %v", err, steps(checks))
		}
		want := append(slices.Clone(upToToken), StepPermission, StepRole, StepService)
		if got := steps(checks); !slices.Equal(got, want) {
			t.Errorf("steps %v, want %v", got, want)
		}
		last := checks[len(checks)-1]
		if last.Step != StepService || !last.OK || !strings.Contains(last.Detail, "cmdlets") {
			t.Errorf("last check %+v", last)
		}
		if !strings.Contains(checks[1].Detail, good.Cert.Thumbprint()) {
			t.Errorf("credential check %q lacks the thumbprint", checks[1].Detail)
		}
		if sess == nil || sess.Identity.AppID != good.ID {
			t.Errorf("session %+v", sess)
		}
	})

	t.Run("access token", func(t *testing.T) {
		donor := mustOpen(t, withCert(good), Options{ReadFile: os.ReadFile})
		tok, _ := donor.Tokens.Token(context.Background())
		checks, _, err := Doctor(context.Background(), Settings{AccessToken: tok, ExchangeURL: ep.ExchangeURL, CAFile: ep.CAFile}, Options{ReadFile: os.ReadFile})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{StepSettings, StepCredential, StepToken, StepPermission, StepRole, StepService}
		if got := steps(checks); !slices.Equal(got, want) {
			t.Errorf("steps %v, want %v", got, want)
		}
	})

	t.Run("vanity domain warns", func(t *testing.T) {
		if err := d.AddDomain(ep.TenantID, "fabrikam.example"); err != nil {
			t.Fatal(err)
		}
		s := withCert(good)
		s.Organization = "fabrikam.example"
		checks, _, err := Doctor(context.Background(), s, Options{ReadFile: os.ReadFile})
		if err != nil {
			t.Fatal(err)
		}
		if checks[1].Step != "warning" || !checks[1].OK || !strings.Contains(checks[1].Detail, "fabrikam.example") {
			t.Errorf("checks %+v", checks)
		}
	})

	t.Run("settings", func(t *testing.T) {
		s := withCert(good)
		s.AppID = ""
		checks, _, err := Doctor(context.Background(), s, Options{})
		if got := steps(checks); !slices.Equal(got, []string{"!" + StepSettings}) || exitcode.Of(err) != exitcode.Usage {
			t.Errorf("steps %v, err %v", got, err)
		}
	})
}

// TestDoctorClockSkew runs the emulator an hour ahead of this machine:
// Entra ID then sees MSAL's client assertion (valid for ten minutes) as
// expired, AADSTS700024.
func TestDoctorClockSkew(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	app := newApp(t, em, appSetup{})
	s := emuSettings(ep, app.ID)
	s.Certificate = pemOf(t, app.Cert)
	checks, _, err := Doctor(context.Background(), s, Options{ReadFile: os.ReadFile})
	if got, want := steps(checks), []string{StepSettings, StepCredential, StepTenant, "!" + StepClock}; !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v (%v)", got, want, err)
	}
	if exitcode.Of(err) != exitcode.Auth || !strings.Contains(checks[3].Fix, "clock") {
		t.Errorf("clock: %v, fix %q", err, checks[3].Fix)
	}
}

func TestDoctorCertificateRemovedLater(t *testing.T) {
	t.Parallel()
	// A certificate that worked and was then removed from the app: a new
	// session fails at the upload step, naming the thumbprint.
	em, ep := startEmulator(t, emulator.Options{})
	app := newApp(t, em, appSetup{})
	s := emuSettings(ep, app.ID)
	s.Certificate = pemOf(t, app.Cert)
	mustOpen(t, s, Options{ReadFile: os.ReadFile})
	if err := em.Directory().RemoveCertificate(ep.TenantID, app.ID, app.Cert.Thumbprint()); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), s, Options{ReadFile: os.ReadFile})
	checkStep(t, err, StepUpload, exitcode.Auth, app.Cert.Thumbprint())
}

// TestDoctorServiceRefuses hands the Exchange service a token for
// Security & Compliance: Entra ID's steps pass, the service refuses.
func TestDoctorServiceRefuses(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	app := newApp(t, em, appSetup{role: "Compliance Administrator"})
	s := emuSettings(ep, app.ID)
	s.Certificate = pemOf(t, app.Cert)
	s.Service = "compliance"
	donor := mustOpen(t, s, Options{ReadFile: os.ReadFile})
	tok, _ := donor.Tokens.Token(context.Background())

	checks, _, err := Doctor(context.Background(), Settings{AccessToken: tok, ExchangeURL: ep.ExchangeURL, CAFile: ep.CAFile}, Options{ReadFile: os.ReadFile})
	want := []string{StepSettings, StepCredential, StepToken, StepPermission, StepRole, "!" + StepService}
	if got := steps(checks); !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v (%v)", got, want, err)
	}
	last := checks[len(checks)-1]
	if c := exitcode.Of(err); c != exitcode.Auth && c != exitcode.Permission && c != exitcode.Service {
		t.Errorf("exit code %d", c)
	}
	if !strings.Contains(last.Detail, "refused the session") || last.Fix == "" || strings.Contains(last.Detail, tok) {
		t.Errorf("service check %+v", last)
	}
}

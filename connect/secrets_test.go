package connect

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

// TestSecretsNeverInOutput runs failing and succeeding Opens and Doctors
// with a Debug logger and looks for every secret in everything they say.
func TestSecretsNeverInOutput(t *testing.T) {
	t.Parallel()
	em, ep := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	const pfxPassword = "pfx-Password-7c1e93"
	good := newApp(t, em, appSetup{})
	notUploaded := newApp(t, em, appSetup{noUpload: true})
	secret, _, err := em.Directory().AddClientSecret(ep.TenantID, good.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := good.Cert.PFX(pfxPassword)
	if err != nil {
		t.Fatal(err)
	}
	pfxFile := writeFile(t, dir, "good.pfx", pfx)
	pfx2, err := notUploaded.Cert.PFX(pfxPassword)
	if err != nil {
		t.Fatal(err)
	}
	notUploadedFile := writeFile(t, dir, "not-uploaded.pfx", pfx2)

	secrets := []string{pfxPassword, secret, "wrong-" + pfxPassword, "wrong~client~secret~value"}
	var logs logBuffer
	var texts []string // errors, hints, checks
	noteErr := func(err error) {
		if err != nil {
			texts = append(texts, err.Error(), exitcode.HintOf(err))
		}
	}
	noteChecks := func(checks []Check) {
		for _, c := range checks {
			texts = append(texts, c.Detail, c.Fix)
		}
	}
	o := Options{ReadFile: os.ReadFile, Logger: logs.logger()}
	ctx := context.Background()
	run := func(s Settings, wantOK bool) *Session {
		t.Helper()
		sess, err := Open(ctx, s, o)
		noteErr(err)
		if (err == nil) != wantOK {
			t.Fatalf("Open: %v", err)
		}
		checks, dsess, err := Doctor(ctx, s, o)
		noteErr(err)
		noteChecks(checks)
		if (err == nil) != wantOK {
			t.Fatalf("Doctor: %v", err)
		}
		for _, ss := range []*Session{sess, dsess} {
			if ss == nil {
				continue
			}
			tok, err := ss.Tokens.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, tok)
			// Exercise the client's debug logging too.
			st, err := ss.Client.Invoke(ctx, adminapi.Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"ResultSize": 2}})
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := st.Next(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			// A refused token and its refresh.
			ss.Tokens.Invalidate(tok)
			tok2, err := ss.Tokens.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, tok2)
			info, err := json.Marshal(ss.Info())
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, string(info))
		}
		return sess
	}

	base := emuSettings(ep, good.ID)
	with := func(f func(*Settings)) Settings { s := base; f(&s); return s }
	// Failing: wrong password, certificate not uploaded, wrong secret.
	run(with(func(s *Settings) { s.CertificateFile = pfxFile; s.CertificatePassword = "wrong-" + pfxPassword }), false)
	run(with(func(s *Settings) {
		s.AppID = notUploaded.ID
		s.CertificateFile = notUploadedFile
		s.CertificatePassword = pfxPassword
	}), false)
	run(with(func(s *Settings) { s.ClientSecret = "wrong~client~secret~value" }), false)
	// Succeeding: PFX with password, client secret, access token.
	run(with(func(s *Settings) { s.CertificateFile = pfxFile; s.CertificatePassword = pfxPassword }), true)
	sess := run(with(func(s *Settings) { s.ClientSecret = secret }), true)
	tok, _ := sess.Tokens.Token(ctx)
	run(Settings{AccessToken: tok, ExchangeURL: ep.ExchangeURL, CAFile: ep.CAFile}, true)
	// An expired access token fails without showing it.
	expired := makeJWT(t, map[string]any{"tid": ep.TenantID, "appid": good.ID, "exp": time.Now().Add(-time.Hour).Unix(),
		"roles": []string{"Exchange.ManageAsApp"}, "wids": []string{exAdmin}})
	secrets = append(secrets, expired)
	_, err = Open(ctx, Settings{AccessToken: expired, ExchangeURL: ep.ExchangeURL, CAFile: ep.CAFile}, o)
	noteErr(err)
	if exitcode.Of(err) != exitcode.Auth {
		t.Errorf("expired access token: %v", err)
	}

	out := logs.String()
	if !strings.Contains(out, "level=DEBUG") {
		t.Error("nothing logged at debug level; the test sees nothing")
	}
	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %q too short to search for", s)
		}
		for _, part := range strings.Split(s, ".") {
			if len(part) < 16 && part != s {
				continue
			}
			if strings.Contains(out, part) {
				t.Errorf("the log shows a secret (%.12s…)", part)
			}
			if strings.Contains(all, part) {
				t.Errorf("an error, hint or check shows a secret (%.12s…)", part)
			}
		}
	}
	if testing.Verbose() {
		t.Log(out)
	}
	t.Logf("%d secrets checked against %d bytes of log and %d texts", len(secrets), len(out), len(texts))
}

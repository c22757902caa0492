package cli

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/google/uuid"
)

// runIn runs exorun with args and returns its exit code, stdout and
// stderr.
func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	env, stdout, stderr := testEnv(t, args...)
	code := Main(env)
	return code, stdout.String(), stderr.String()
}

func TestEmulatorAdminIdentitiesAndFederatedCredentials(t *testing.T) {
	state := t.TempDir()
	em := emulatortest.Start(t, emulator.Options{StateDir: state})
	ep := em.Endpoints()
	admin := func(args ...string) (int, string, string) {
		t.Helper()
		return runIn(t, append([]string{"emulator", "admin", "--state", state}, args...)...)
	}

	// identity create: the client id on the first line, a user-assigned
	// identity's resource id on the second, nothing else on stdout.
	code, out, errOut := admin("identity", "create", "contoso", "exorun-host")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 1 || uuid.Validate(lines[0]) != nil || !strings.Contains(errOut, "permission grant contoso.onmicrosoft.com "+lines[0]) {
		t.Fatalf("identity create: %d %q %q", code, out, errOut)
	}
	system := lines[0]
	code, out, _ = admin("identity", "create", "--user-assigned", "contoso", "reports-runner")
	lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || uuid.Validate(lines[0]) != nil ||
		lines[1] != "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/exorun-emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reports-runner" {
		t.Fatalf("identity create --user-assigned: %d %q", code, out)
	}
	if code, out, _ := admin("permission", "grant", "contoso", system); code != 0 || !strings.Contains(out, "the assignment is the consent") {
		t.Fatalf("permission grant to an identity: %d %q", code, out)
	}

	// federated add defaults to the emulator's test issuer.
	const subject = "repo:contoso/reports:environment:Prod"
	code, out, errOut = admin("federated", "add", "contoso", ep.AppID, "--subject", subject)
	want := "added federated credential repo-contoso-reports-environment-Prod to app " + ep.AppID + " in contoso.onmicrosoft.com: issuer " + ep.OIDCIssuer + ", subject " + subject + ", audience api://AzureADTokenExchange\n"
	if code != 0 || out != want {
		t.Fatalf("federated add: %d %q %s, want %q", code, out, errOut, want)
	}
	code, out, _ = admin("federated", "list", "contoso", ep.AppID)
	if code != 0 || out != "repo-contoso-reports-environment-Prod\t"+ep.OIDCIssuer+"\t"+subject+"\tapi://AzureADTokenExchange\n" {
		t.Fatalf("federated list: %d %q", code, out)
	}

	// federated-token prints a JWT the app signs in with, through MSAL.
	code, out, errOut = admin("federated-token", "--subject", subject)
	jwt := strings.TrimSpace(out)
	if code != 0 || strings.Count(jwt, ".") != 2 || errOut != "" {
		t.Fatalf("federated-token: %d %q %q", code, out, errOut)
	}
	signIn := func() error {
		cred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) { return jwt, nil })
		app, err := confidential.New(ep.Authority+"/"+ep.Organization, ep.AppID, cred,
			confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(emulatortest.Client(t, ep)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.AcquireTokenByCredential(context.Background(), []string{"https://outlook.office365.com/.default"})
		return err
	}
	if err := signIn(); err != nil {
		t.Fatalf("sign-in with the federated token: %v", err)
	}
	if code, out, _ := admin("federated", "remove", "contoso", ep.AppID, "repo-contoso-reports-environment-Prod"); code != 0 || !strings.HasPrefix(out, "removed federated credential ") {
		t.Fatalf("federated remove: %d %q", code, out)
	}
	if err := signIn(); err == nil || !strings.Contains(err.Error(), "AADSTS70021") {
		t.Fatalf("after removing the credential: %v", err)
	}

	for _, args := range [][]string{
		{"identity", "create", "contoso", "second-host"}, // one system-assigned identity per tenant
		{"identity", "create", "contoso"},
		{"identity", "create", "contoso", "a b", "--user-assigned"},
		{"federated", "add", "contoso", ep.AppID},
		{"federated", "add", "contoso", ep.AppID, "--subject", "s", "--issuer", "http://insecure.example"},
		{"federated", "add", "contoso", "no-such-app", "--subject", "s"},
		{"federated", "remove", "contoso", ep.AppID, "never-added"},
		{"federated", "list", "contoso"},
		{"federated"},
		{"federated-token"},
		{"federated-token", "--subject", "s", "--lifetime", "0s"},
		{"federated-token", "--subject", "s", "--lifetime", "25h"},
		{"federated-token", "--subject", "s", "extra"},
		{"cert", "upload", "contoso", system, ep.CertificateFile},
	} {
		if code, out, errOut := admin(args...); code != int(exitcode.Usage) || errOut == "" {
			t.Errorf("%q: exit %d, %q %q", args, code, out, errOut)
		}
	}

	// Before any emulator served a state folder its issuer is unknown.
	fresh := t.TempDir()
	if code, _, errOut := runIn(t, "emulator", "admin", "--state", fresh, "federated", "add", "contoso", ep.AppID, "--subject", "s"); code != int(exitcode.Usage) || !strings.Contains(errOut, "give --issuer") {
		t.Errorf("federated add in a never-served state: %d %s", code, errOut)
	}
	if code, _, errOut := runIn(t, "emulator", "admin", "--state", fresh, "federated-token", "--subject", "s"); code != int(exitcode.Usage) || !strings.Contains(errOut, "start the emulator once") {
		t.Errorf("federated-token in a never-served state: %d %s", code, errOut)
	}
}

func TestEmulatorEnvSecretless(t *testing.T) {
	state := t.TempDir()
	em := emulatortest.Start(t, emulator.Options{StateDir: state})
	ep := em.Endpoints()
	const subject = "repo:contoso/reports:environment:Prod"

	code, out, errOut := runIn(t, "emulator", "env", "--state", state, "--shell", "sh", "--managed-identity", "--github-actions", subject)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	identity, _ := emulator.IdentityEnv(state, ep)
	actions, _ := emulator.GitHubActionsEnv(state, ep, subject)
	for _, line := range []string{
		"export EXORUN_APP_ID='" + ep.AppID + "'",
		"export IDENTITY_ENDPOINT='" + ep.IdentityEndpoint + "'",
		"export IDENTITY_HEADER='" + identity[1][1] + "'",
		"export ACTIONS_ID_TOKEN_REQUEST_URL='" + ep.ActionsIDTokenURL + "?subject=" + url.QueryEscape(subject) + "'",
		"export ACTIONS_ID_TOKEN_REQUEST_TOKEN='" + actions[1][1] + "'",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("env lacks %s:\n%s", line, out)
		}
	}
	// No identity yet: a note on stderr says how to make one.
	if !strings.Contains(errOut, "has no managed identity yet: exorun emulator admin --state") {
		t.Errorf("stderr %q", errOut)
	}

	code, out, _ = runIn(t, "emulator", "env", "--state", state, "--shell", "powershell", "--managed-identity")
	if code != 0 || !strings.Contains(out, "$env:IDENTITY_HEADER = '"+identity[1][1]+"'\n") || strings.Contains(out, "ACTIONS_") {
		t.Errorf("powershell: %d\n%s", code, out)
	}
	code, out, _ = runIn(t, "emulator", "env", "--state", state, "--shell", "sh")
	if code != 0 || strings.Contains(out, "IDENTITY_") || strings.Contains(out, "ACTIONS_") {
		t.Errorf("without the flags: %d\n%s", code, out)
	}
	if code, _, errOut := runIn(t, "emulator", "env", "--state", state, "--github-actions", ""); code != int(exitcode.Usage) || !strings.Contains(errOut, "--github-actions") {
		t.Errorf("empty subject: %d %s", code, errOut)
	}
}

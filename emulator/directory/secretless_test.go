package directory_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/directory"
)

const ghIssuer = "https://token.actions.githubusercontent.com"

func TestFederatedCredentialsAreAddedListedRemovedAndPersisted(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	ten, app := mustApp(t, d)

	fc, err := d.AddFederatedCredential(ten.ID, app.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: "repo:Contoso/Reports:environment:Prod"})
	if err != nil {
		t.Fatal(err)
	}
	want := directory.FederatedCredential{Name: "repo-Contoso-Reports-environment-Prod", Issuer: ghIssuer, Subject: "repo:Contoso/Reports:environment:Prod", Audiences: []string{"api://AzureADTokenExchange"}}
	if !reflect.DeepEqual(fc, want) {
		t.Fatalf("added %+v, want %+v", fc, want)
	}
	// Another subject that makes the same name gets a number; the same
	// issuer and subject again are refused.
	fc2, err := d.AddFederatedCredential(ten.InitialDomain, app.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: "repo:Contoso/Reports:environment/Prod", Audiences: []string{"custom-aud"}})
	if err != nil || fc2.Name != want.Name+"-2" || fc2.Audiences[0] != "custom-aud" {
		t.Fatalf("second credential: %+v %v", fc2, err)
	}
	if _, err := d.AddFederatedCredential(ten.ID, app.AppID, directory.FederatedCredential{Name: "other", Issuer: ghIssuer, Subject: want.Subject}); !errors.Is(err, directory.ErrExists) {
		t.Fatalf("same issuer and subject: %v", err)
	}
	if _, err := d.AddFederatedCredential(ten.ID, app.AppID, directory.FederatedCredential{Name: strings.ToUpper(want.Name), Issuer: ghIssuer, Subject: "x"}); !errors.Is(err, directory.ErrExists) {
		t.Fatalf("same name in other case: %v", err)
	}
	// Subjects differing in case only are different credentials: matching
	// is case-sensitive.
	if _, err := d.AddFederatedCredential(ten.ID, app.AppID, directory.FederatedCredential{Name: "lower", Issuer: ghIssuer, Subject: strings.ToLower(want.Subject)}); err != nil {
		t.Fatalf("subject in other case: %v", err)
	}

	// A restart finds them.
	list, err := open(t, dir).FederatedCredentials(ten.ID, app.AppID)
	if err != nil || len(list) != 3 || !reflect.DeepEqual(list[0], want) {
		t.Fatalf("after reopening: %+v %v", list, err)
	}
	if err := d.RemoveFederatedCredential(ten.ID, app.AppID, "LOWER"); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveFederatedCredential(ten.ID, app.AppID, "lower"); !errors.Is(err, directory.ErrFederatedCredentialNotFound) {
		t.Fatalf("removing twice: %v", err)
	}
	if list, _ := open(t, dir).FederatedCredentials(ten.ID, app.AppID); len(list) != 2 {
		t.Fatalf("after removing: %+v", list)
	}
	if _, err := d.FederatedCredentials(ten.ID, "no-such-app"); !errors.Is(err, directory.ErrAppNotFound) {
		t.Fatalf("unknown app: %v", err)
	}
}

func TestFederatedCredentialRules(t *testing.T) {
	d := open(t, "")
	ten, app := mustApp(t, d)
	for _, tc := range []struct {
		fc   directory.FederatedCredential
		want string
	}{
		{directory.FederatedCredential{Subject: "s"}, "issuer is empty"},
		{directory.FederatedCredential{Issuer: "http://issuer.example", Subject: "s"}, "https URL"},
		{directory.FederatedCredential{Issuer: "issuer.example", Subject: "s"}, "https URL"},
		{directory.FederatedCredential{Issuer: ghIssuer}, "subject is empty"},
		{directory.FederatedCredential{Issuer: ghIssuer, Subject: "s "}, "spaces"},
		{directory.FederatedCredential{Issuer: ghIssuer, Subject: strings.Repeat("s", 601)}, "at most 600"},
		{directory.FederatedCredential{Issuer: ghIssuer, Subject: "s", Name: "a"}, "3 to 120"},
		{directory.FederatedCredential{Issuer: ghIssuer, Subject: "s", Name: "has space"}, "3 to 120"},
		{directory.FederatedCredential{Issuer: ghIssuer, Subject: "s", Audiences: []string{"a", "b"}}, "exactly one"},
		{directory.FederatedCredential{Issuer: ghIssuer, Subject: "s", Audiences: []string{""}}, "audience"},
	} {
		if _, err := d.AddFederatedCredential(ten.ID, app.AppID, tc.fc); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error with %q", tc.fc, err, tc.want)
		}
	}
	for i := range directory.MaxFederatedCredentials {
		if _, err := d.AddFederatedCredential(ten.ID, app.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: fmt.Sprint("sub-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.AddFederatedCredential(ten.ID, app.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: "one too many"}); err == nil || !strings.Contains(err.Error(), "20") {
		t.Fatalf("21st credential: %v", err)
	}
}

func TestManagedIdentities(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	ten, err := d.CreateTenant("contoso")
	if err != nil {
		t.Fatal(err)
	}
	ua, err := d.CreateManagedIdentity(ten.ID, "reports-runner", true)
	if err != nil {
		t.Fatal(err)
	}
	const uaID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/exorun-emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reports-runner"
	if !ua.IsManagedIdentity() || ua.ManagedIdentity.SystemAssigned || ua.ManagedIdentity.ResourceID != uaID || ua.DisplayName != "reports-runner" {
		t.Fatalf("user-assigned: %+v %+v", ua, ua.ManagedIdentity)
	}
	if _, err := d.CreateManagedIdentity(ten.ID, "Reports-Runner", true); !errors.Is(err, directory.ErrExists) {
		t.Fatalf("same resource id in other case: %v", err)
	}
	sa, err := d.CreateManagedIdentity(ten.ID, "exorun-host", false)
	if err != nil || !sa.ManagedIdentity.SystemAssigned || !strings.HasSuffix(sa.ManagedIdentity.ResourceID, "/providers/Microsoft.Web/sites/exorun-host") {
		t.Fatalf("system-assigned: %+v %v", sa, err)
	}
	if _, err := d.CreateManagedIdentity(ten.ID, "second-host", false); err == nil || !strings.Contains(err.Error(), "already has the system-assigned identity") {
		t.Fatalf("second system-assigned: %v", err)
	}
	if _, err := d.CreateManagedIdentity(ten.ID, "a b", true); err == nil {
		t.Fatal("a name with a space was accepted")
	}

	// No certificates or secrets; federated credentials on the
	// user-assigned one only.
	if _, err := d.UploadCertificate(ten.ID, ua.AppID, validCert(t)); err == nil || !strings.Contains(err.Error(), "managed identity") {
		t.Fatalf("certificate on an identity: %v", err)
	}
	if _, _, err := d.AddClientSecret(ten.ID, ua.AppID, time.Time{}); err == nil || !strings.Contains(err.Error(), "managed identity") {
		t.Fatalf("secret on an identity: %v", err)
	}
	if _, err := d.AddFederatedCredential(ten.ID, ua.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: "s"}); err != nil {
		t.Fatalf("federated credential on a user-assigned identity: %v", err)
	}
	if _, err := d.AddFederatedCredential(ten.ID, sa.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: "s"}); err == nil || !strings.Contains(err.Error(), "system-assigned") {
		t.Fatalf("federated credential on the system-assigned identity: %v", err)
	}

	// The app role assignment is the consent; removing it removes both.
	if err := d.GrantManageAsApp(ten.ID, ua.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AssignRole(ten.ID, ua.AppID, "Exchange Administrator"); err != nil {
		t.Fatal(err)
	}
	got, _ := open(t, dir).App(ten.ID, ua.AppID)
	if !got.HasManageAsApp() || len(got.Roles) != 1 || got.ManagedIdentity == nil || got.ManagedIdentity.ResourceID != uaID {
		t.Fatalf("after grant and reopening: %+v", got)
	}
	if err := d.RevokeConsent(ten.ID, ua.AppID); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.App(ten.ID, ua.AppID); got.ManageAsAppGranted || got.ManageAsAppConsented {
		t.Fatalf("after revoke: %+v", got)
	}

	mis, err := d.ManagedIdentities(ten.InitialDomain)
	if err != nil || len(mis) != 2 || mis[0].AppID != sa.AppID || mis[1].AppID != ua.AppID {
		t.Fatalf("ManagedIdentities: %v %v", mis, err)
	}
	// Changing what a listing returned does not change the directory.
	mis[0].ManagedIdentity.ResourceID = "changed"
	if again, _ := d.ManagedIdentities(ten.ID); again[0].ManagedIdentity.ResourceID == "changed" {
		t.Fatal("ManagedIdentities shares memory with the directory")
	}
}

func TestFederatedCredentialsBelongToTheRegistration(t *testing.T) {
	d := open(t, "")
	home, app := mustApp(t, d)
	guest, err := d.CreateTenant("fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddServicePrincipal(guest.ID, home.ID, app.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddFederatedCredential(guest.ID, app.AppID, directory.FederatedCredential{Issuer: ghIssuer, Subject: "s"}); err == nil || !strings.Contains(err.Error(), "registered in tenant") {
		t.Fatalf("credential on a multi-tenant app's service principal: %v", err)
	}
}

package directory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/exorun/exorun/emulator/directory"
)

func TestServicePrincipalOfAMultiTenantApp(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	home, reg := mustApp(t, d)
	if _, err := d.UploadCertificate(home.ID, reg.AppID, validCert(t)); err != nil {
		t.Fatal(err)
	}
	guest, err := d.CreateTenant("fabrikam", directory.WithMailboxes(40))
	if err != nil || guest.Mailboxes != 40 {
		t.Fatalf("create with mailboxes: %v %+v", err, guest)
	}

	sp, err := d.AddServicePrincipal("fabrikam.onmicrosoft.com", home.InitialDomain, reg.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if sp.AppID != reg.AppID || sp.ObjectID == reg.ObjectID || sp.HomeTenant != home.ID || sp.HasManageAsApp() || len(sp.Roles) != 0 {
		t.Fatalf("service principal %+v of registration %+v", sp, reg)
	}
	if _, err := d.AddServicePrincipal(guest.ID, home.ID, reg.AppID); !errors.Is(err, directory.ErrExists) {
		t.Fatalf("second service principal: %v", err)
	}
	if _, err := d.AddServicePrincipal(home.ID, home.ID, reg.AppID); err == nil {
		t.Fatal("a service principal in the home tenant: want an error")
	}
	if _, err := d.AddServicePrincipal(guest.ID, home.ID, "00000000-0000-0000-0000-000000000001"); !errors.Is(err, directory.ErrAppNotFound) {
		t.Fatalf("unknown app: %v", err)
	}
	// Credentials belong to the registration.
	if _, err := d.UploadCertificate(guest.ID, reg.AppID, validCert(t)); err == nil || !strings.Contains(err.Error(), "registered in tenant") {
		t.Fatalf("certificate on a service principal: %v", err)
	}
	creds, err := d.Credentials(sp)
	if err != nil || len(creds.Certificates) != 1 || creds.HomeTenant != "" {
		t.Fatalf("credentials of the service principal: %v %+v", err, creds)
	}

	// Consent and roles are per tenant.
	if err := d.GrantManageAsApp(guest.ID, reg.AppID); err != nil {
		t.Fatal(err)
	}
	if err := d.Consent(guest.ID, reg.AppID); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.App(guest.ID, reg.AppID); !got.HasManageAsApp() {
		t.Fatalf("guest after consent: %+v", got)
	}
	if got, _ := d.App(home.ID, reg.AppID); got.HasManageAsApp() {
		t.Fatalf("consent in the guest tenant changed the home registration: %+v", got)
	}

	// It survives a reopen.
	again := open(t, dir)
	if got, err := again.App("fabrikam.onmicrosoft.com", reg.AppID); err != nil || got.HomeTenant != home.ID || !got.HasManageAsApp() {
		t.Fatalf("after reopen: %v %+v", err, got)
	}
	if got, _ := again.Tenant(guest.ID); got.Mailboxes != 40 {
		t.Fatalf("mailboxes after reopen: %+v", got)
	}
}

func TestEnsureGuests(t *testing.T) {
	d := open(t, t.TempDir())
	home, reg := mustApp(t, d)
	tenants, err := d.EnsureGuests(home.ID, reg.AppID, "Exchange Administrator", []string{"tenant02", "Tenant03.onmicrosoft.com"}, directory.WithMailboxes(25))
	if err != nil {
		t.Fatal(err)
	}
	if len(tenants) != 2 || tenants[0].InitialDomain != "tenant02.onmicrosoft.com" || tenants[1].InitialDomain != "tenant03.onmicrosoft.com" || tenants[1].Mailboxes != 25 {
		t.Fatalf("tenants %+v", tenants)
	}
	sp, err := d.App("tenant03.onmicrosoft.com", reg.AppID)
	if err != nil || !sp.HasManageAsApp() || sp.HomeTenant != home.ID || len(sp.Roles) != 1 {
		t.Fatalf("ready service principal: %v %+v", err, sp)
	}
	// An admin's change survives the next start's EnsureGuests.
	if err := d.RevokeConsent("tenant03.onmicrosoft.com", reg.AppID); err != nil {
		t.Fatal(err)
	}
	again, err := d.EnsureGuests(home.ID, reg.AppID, "Exchange Administrator", []string{"tenant03"})
	if err != nil || again[0].ID != tenants[1].ID {
		t.Fatalf("second EnsureGuests: %v %+v", err, again)
	}
	if sp, _ := d.App(tenants[1].ID, reg.AppID); sp.HasManageAsApp() {
		t.Fatalf("EnsureGuests undid a revoked consent: %+v", sp)
	}
	for _, bad := range [][]string{{"no.dots"}, {home.InitialDomain}} {
		if _, err := d.EnsureGuests(home.ID, reg.AppID, "Exchange Administrator", bad); err == nil {
			t.Errorf("EnsureGuests(%q): want an error", bad)
		}
	}
	if n := len(d.Tenants()); n != 3 {
		t.Fatalf("%d tenants after refused calls, want 3 (nothing half-made)", n)
	}
}

package directory

import (
	"testing"
)

// TestSeesChangesFromAnotherProcess: the emulator's Directory and the one
// `exorun emulator admin` opens share the file; a change through one is
// visible through the other without a restart.
func TestSeesChangesFromAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	running, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := running.CreateTenant("fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	app, err := admin.RegisterApp(tenant.ID, "nightly report")
	if err != nil {
		t.Fatal(err)
	}
	got, err := running.App(tenant.ID, app.AppID)
	if err != nil || got.DisplayName != "nightly report" {
		t.Fatalf("running directory does not see the new app: %v %+v", err, got)
	}
	if err := running.DisableApp(tenant.ID, app.AppID); err != nil {
		t.Fatal(err)
	}
	if got, _ := admin.App(tenant.ID, app.AppID); !got.Disabled {
		t.Fatal("admin directory does not see the running one's change")
	}
}

package api

import (
	"strings"
	"testing"
	"time"
)

func TestTenantTheBackendLacksIsNotFound(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/adminapi/beta/"+domainA+"/InvokeCommand", "admin", `{"CmdletInput":{"CmdletName":"Get-User","Parameters":{"Identity":"unprovisioned"}}}`)
	if r.status != 404 {
		t.Fatalf("status %d, want 404: %s", r.status, r.body)
	}
	wantField(t, r, "code", "NotFound")
	wantHeader(t, r, "x-ExceptionType", "TenantNotFoundException")
	if !strings.Contains(string(r.body), "The tenant '"+domainA+"' was not found.") {
		t.Errorf("body %s", r.body)
	}
}

func TestTenantFaultsOverrideGlobal(t *testing.T) {
	e := newEnv(t)
	// Tenant B's faults, kept by GUID, apply to a URL naming it by domain.
	e.h.SetTenantFaults(tenantB, Faults{Unavailable: 1})
	if r := e.do("POST", "/adminapi/beta/"+domainB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 503 {
		t.Fatalf("tenant B: %d, want 503", r.status)
	}
	if r := e.invoke("admin", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Fatalf("tenant A: %d, want 200", r.status)
	}
	if r := e.do("POST", "/adminapi/beta/"+domainB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Fatalf("tenant B after its burst: %d", r.status)
	}
	if got := e.h.TenantFaults(tenantA); got != (Faults{}) {
		t.Errorf("tenant A's faults %+v", got)
	}

	// A per-tenant concurrency limit counts that tenant only.
	e.h.ClearTenantFaults(tenantB)
	e.h.SetTenantFaults(tenantA, Faults{ConcurrencyLimit: 1})
	gate := make(chan struct{})
	e.be.hold(gate)
	held := make(chan int, 1)
	go func() { held <- e.invoke("admin", cmdlet("Get-MailboxStatistics")).status }()
	deadline := time.Now().Add(10 * time.Second)
	for e.be.maxInFlight() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the held request never reached the backend")
		}
		time.Sleep(time.Millisecond)
	}
	if r := e.invoke("admin", cmdlet("Get-Mailbox")); r.status != 429 || string(r.body) != concurrencyText {
		t.Errorf("tenant A over its limit: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/adminapi/beta/"+tenantB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Errorf("tenant B beside A's limit: %d", r.status)
	}
	close(gate)
	if status := <-held; status != 200 {
		t.Errorf("held request: %d", status)
	}
}

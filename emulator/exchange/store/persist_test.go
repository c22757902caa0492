package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/exchange/store/tenant"
	"github.com/exorun/exorun/emulator/fixture"
)

func openStore(t *testing.T, dir string, opts ...Option) *Store {
	t.Helper()
	s, err := New(dir, append([]Option{WithClock(tenant.ReferenceTime)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	if err := s.AddTenant(fixture.Demo().Tenant(testTenant, testOrg)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "exchange-"+testTenant+".jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("AddTenant did not save: %v", err)
	}
	invoke(t, s, "Set-Mailbox", P{"Identity": "GradyA", "ForwardingSmtpAddress": "grady@proton.me"})
	invoke(t, s, "New-DistributionGroup", P{"Name": "Night Shift", "Members": "AdeleV"})
	invoke(t, s, "Add-MailboxPermission", P{"Identity": "Sales", "User": "PattiF", "AccessRights": "FullAccess"})
	invoke(t, s, "New-TransportRule", P{"Name": "Tag partners", "SenderDomainIs": []any{"fabrikam.com"}, "SetSCL": -1.0})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(t.Context(), call("Get-Mailbox", P{})); err != ErrClosed {
		t.Fatalf("after Close: %v", err)
	}

	s2 := openStore(t, dir)
	defer s2.Close()
	if m := mailbox(t, s2, "GradyA"); m["ForwardingSmtpAddress"] != "smtp:grady@proton.me" {
		t.Errorf("forwarding lost: %v", m["ForwardingSmtpAddress"])
	}
	wantNames(t, invoke(t, s2, "Get-DistributionGroupMember", P{"Identity": "Night Shift"}), "AdeleV")
	if res := invoke(t, s2, "Get-MailboxPermission", P{"Identity": "Sales", "User": "PattiF"}); res.Count != 1 {
		t.Errorf("permission lost")
	}
	if o := invoke(t, s2, "Get-TransportRule", P{"Identity": "Tag partners"}).Object(0); get(t, o, "SetSCL") != int64(-1) {
		t.Errorf("rule setting after reload: %#v", get(t, o, "SetSCL"))
	}
	res := invoke(t, s2, "Search-AdminAuditLog", P{"ResultSize": 4.0})
	if got := values(t, res, "CmdletName"); strings.Join(got, ",") != "New-TransportRule,Add-MailboxPermission,New-DistributionGroup,Set-Mailbox" {
		t.Errorf("audit after reload %v", got)
	}
	if get(t, res.Object(0), "Caller") != testOrg+"/"+testApp {
		t.Errorf("caller %v", get(t, res.Object(0), "Caller"))
	}
	// GUIDs of created objects keep counting from where they were.
	g1 := get(t, invoke(t, s2, "New-DistributionGroup", P{"Name": "Second"}).Object(0), "Guid")
	if g1 == get(t, invoke(t, s2, "Get-DistributionGroup", P{"Identity": "Night Shift"}).Object(0), "Guid") {
		t.Error("GUID reused after reload")
	}
	if err := s2.AddTenant(fixture.Demo().Tenant(testTenant, testOrg)); err == nil {
		t.Error("adding a tenant twice succeeded")
	}
}

func TestSavesAreCoalescedAndFlushed(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, WithSaveDelay(time.Hour))
	if err := s.AddTenant(fixture.Demo().Tenant(testTenant, testOrg)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "exchange-"+testTenant+".jsonl")
	before, _ := os.ReadFile(path)
	for _, name := range []string{"AdeleV", "AlexW", "DiegoS"} {
		invoke(t, s, "Set-Mailbox", P{"Identity": name, "AuditEnabled": false})
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, before) {
		t.Fatal("saved before the delay although a flush was not asked for")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if bytes.Equal(after, before) || bytes.Count(after, []byte(`"cmdletName":"Set-Mailbox"`)) != 4 {
		t.Fatal("Flush did not write the changes")
	}
	invoke(t, s, "Set-Mailbox", P{"Identity": "PattiF", "AuditEnabled": false})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openStore(t, dir)
	defer s2.Close()
	if m := mailbox(t, s2, "PattiF"); m["AuditEnabled"] != false {
		t.Error("Close did not write the pending change")
	}

	// The background saver writes on its own after the delay.
	dir2 := t.TempDir()
	s3 := openStore(t, dir2, WithSaveDelay(10*time.Millisecond))
	defer s3.Close()
	if err := s3.AddTenant(fixture.Demo().Tenant(testTenant, testOrg)); err != nil {
		t.Fatal(err)
	}
	invoke(t, s3, "Set-Mailbox", P{"Identity": "AdeleV", "DisplayName": "Adele V."})
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(dir2, "exchange-"+testTenant+".jsonl"))
		if bytes.Contains(data, []byte(`"Adele V."`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("background save did not happen")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCorruptStateFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	if err := s.AddTenant(fixture.Demo().Tenant(testTenant, testOrg)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := filepath.Join(dir, "exchange-"+testTenant+".jsonl")
	good, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimSpace(good), []byte("\n"))

	cases := map[string][]byte{
		"garbage":      []byte("this is not json\n"),
		"bad line":     bytes.Replace(good, []byte(`"name":"AdeleV"`), []byte(`"name":AdeleV"`), 1),
		"truncated":    bytes.Join(lines[:len(lines)/2], []byte("\n")),
		"no end":       append(bytes.Join(lines[:len(lines)-1], []byte("\n")), '\n'),
		"bad guid":     bytes.Replace(good, []byte(`"guid":"`), []byte(`"guid":"zz`), 1),
		"unknown kind": bytes.Replace(good, []byte(`"kind":"UserMailbox"`), []byte(`"kind":"Castle"`), 1),
		"empty":        {},
	}
	for name, data := range cases {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(dir)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v does not name %s", name, err, path)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
			t.Errorf("%s: the corrupt file was replaced", name)
		}
	}
	// A file whose name and content disagree is refused too.
	os.WriteFile(path, good, 0o600)
	other := filepath.Join(dir, "exchange-someone-else.jsonl")
	os.WriteFile(other, good, 0o600)
	if _, err := New(dir); err == nil || !strings.Contains(err.Error(), other) {
		t.Errorf("mismatched file name: %v", err)
	}
	os.Remove(other)
	s2, err := New(dir)
	if err != nil {
		t.Fatalf("restored file: %v", err)
	}
	if s2.MailboxCount(testTenant) != 12 {
		t.Errorf("mailboxes after reload %d", s2.MailboxCount(testTenant))
	}
	if err := s2.RemoveTenant(testTenant); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("RemoveTenant left the file: %v", err)
	}
	s2.Close()
}

func TestGeneratedTenantRoundTrips(t *testing.T) {
	t1 := tenant.Generate("gen-1", "fabrikam.onmicrosoft.com", 2000, 7)
	var a, b bytes.Buffer
	if err := tenant.Encode(&a, t1); err != nil {
		t.Fatal(err)
	}
	t2, err := tenant.Decode(bytes.NewReader(a.Bytes()), normalizeRuleSettings)
	if err != nil {
		t.Fatal(err)
	}
	if err := tenant.Encode(&b, t2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("encode(decode(encode(t))) differs from encode(t)")
	}
	if _, err := tenant.NewState(t2); err != nil {
		t.Fatal(err)
	}
}

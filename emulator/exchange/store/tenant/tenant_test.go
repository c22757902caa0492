package tenant

import (
	"bytes"
	"strings"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	for _, x := range []struct {
		w    *bytes.Buffer
		seed int64
	}{{&a, 42}, {&b, 42}, {&c, 43}} {
		if err := Encode(x.w, Generate("g", "fabrikam.onmicrosoft.com", 500, x.seed)); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different tenants")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("different seeds, same tenant")
	}
}

// TestUUIDText pins the GUID text form: NameUUID's bytes formatted by
// google/uuid as Exchange shows them, and parsing that accepts braces but
// not the urn: or 32-digit forms Exchange refuses.
func TestUUIDText(t *testing.T) {
	u := NameUUID("exorun-created", "t", "audit", "1")
	s := u.String()
	if len(s) != 36 || s != strings.ToLower(s) || s[14] != '5' {
		t.Fatalf("NameUUID text %q: want 36 lower-case characters, version 5", s)
	}
	for _, in := range []string{s, strings.ToUpper(s), "{" + s + "}"} {
		if v, ok := ParseUUID(in); !ok || v != u {
			t.Errorf("ParseUUID(%q) = %v, %v", in, v, ok)
		}
	}
	for _, in := range []string{"urn:uuid:" + s, strings.ReplaceAll(s, "-", ""), s[:35] + "g", ""} {
		if _, ok := ParseUUID(in); ok {
			t.Errorf("ParseUUID(%q) accepted it", in)
		}
	}
}

// TestStateRefusesBadTenants: NewState checks what the indexes and the
// state file name rely on.
func TestStateRefusesBadTenants(t *testing.T) {
	if _, err := NewState(Generate("ok", "contoso.onmicrosoft.com", MinGenerated, 1)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*Tenant{nil, {ID: "../x", Organization: "a"}, {ID: "x"}} {
		if _, err := NewState(bad); err == nil {
			t.Errorf("NewState(%+v) accepted it", bad)
		}
	}
}

package connect

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog"
)

// lookupMap is an environment lookup over a map.
func lookupMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFieldsAreComplete(t *testing.T) {
	// Every Settings field is declared exactly once in Fields, and each
	// key, flag and variable is unique.
	typ := reflect.TypeFor[Settings]()
	if got, want := len(Fields()), typ.NumField(); got != want {
		t.Fatalf("Fields() has %d entries, Settings has %d fields", got, want)
	}
	seen := map[string]bool{}
	for i, f := range Fields() {
		var s Settings
		f.Set(&s, "x")
		set := 0
		v := reflect.ValueOf(s)
		for j := range v.NumField() {
			if v.Field(j).String() == "x" {
				set++
			}
		}
		if set != 1 {
			t.Errorf("field %d (%s) sets %d Settings fields", i, f.Key, set)
		}
		if f.Get(&s) != "x" {
			t.Errorf("%s: Get after Set = %q", f.Key, f.Get(&s))
		}
		for _, name := range []string{"key:" + f.Key, "flag:" + f.Flag, "env:" + f.Env} {
			if strings.HasSuffix(name, ":") {
				continue
			}
			if seen[name] {
				t.Errorf("duplicate %s", name)
			}
			seen[name] = true
		}
		if f.Env != "" && !strings.HasPrefix(f.Env, "EXORUN_") {
			t.Errorf("%s: env %q lacks the EXORUN_ prefix", f.Key, f.Env)
		}
		if f.Secret && f.Flag != "" && !f.FlagNamesEnv {
			t.Errorf("%s: a secret must not take its value on the command line", f.Key)
		}
		if fb, ok := FieldByKey(f.Key); !ok || fb.Key != f.Key {
			t.Errorf("FieldByKey(%q) = %v, %v", f.Key, fb.Key, ok)
		}
	}
	if _, ok := FieldByKey("nope"); ok {
		t.Error("FieldByKey found an unknown key")
	}
	if !slices.IsSorted(Keys()) || len(Keys()) != len(Fields()) {
		t.Errorf("Keys() = %v", Keys())
	}
}

func TestMergePrecedence(t *testing.T) {
	lua := Settings{AppID: "lua-app"}
	flags := Settings{AppID: "flag-app", Organization: "flag.onmicrosoft.com"}
	env := Settings{AppID: "env-app", Organization: "env.onmicrosoft.com", Thumbprint: "ENVTP"}
	profile := Settings{AppID: "prof-app", Organization: "prof.onmicrosoft.com", Thumbprint: "PROFTP", Environment: "O365China"}
	got := Merge(lua, flags, env, profile)
	want := Settings{AppID: "lua-app", Organization: "flag.onmicrosoft.com", Thumbprint: "ENVTP", Environment: "O365China"}
	if got != want {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	if got := Merge(); got != (Settings{}) {
		t.Errorf("Merge() = %+v", got)
	}
	// Every field takes part.
	for _, f := range Fields() {
		var low, high Settings
		f.Set(&low, "low")
		f.Set(&high, "high")
		m := Merge(Settings{}, low)
		if f.Get(&m) != "low" {
			t.Errorf("%s: lower layer lost", f.Key)
		}
		m = Merge(high, low)
		if f.Get(&m) != "high" {
			t.Errorf("%s: higher layer lost", f.Key)
		}
	}
}

func TestFromEnvReadsEveryVariable(t *testing.T) {
	env := map[string]string{}
	for _, f := range Fields() {
		if f.Env != "" {
			env[f.Env] = "  value-of-" + f.Key + "\n"
		}
	}
	s := FromEnv(lookupMap(env))
	for _, f := range Fields() {
		got := f.Get(&s)
		switch {
		case f.Env == "" && got != "":
			t.Errorf("%s has no variable but got %q", f.Key, got)
		case f.Key == "certificate_password" && got != "  value-of-"+f.Key+"\n":
			t.Errorf("%s from %s = %q (a password is taken as is)", f.Key, f.Env, got)
		case f.Env != "" && f.Key != "certificate_password" && got != "value-of-"+f.Key:
			t.Errorf("%s from %s = %q (want trimmed value)", f.Key, f.Env, got)
		}
	}
	if s := FromEnv(lookupMap(nil)); s != (Settings{}) {
		t.Errorf("empty environment gave %+v", s)
	}
	// The documented names.
	for _, name := range []string{"EXORUN_APP_ID", "EXORUN_ORGANIZATION", "EXORUN_CERTIFICATE_THUMBPRINT",
		"EXORUN_CERTIFICATE_FILE", "EXORUN_CERTIFICATE_KEY_FILE", "EXORUN_CERTIFICATE_PASSWORD", "EXORUN_CERTIFICATE",
		"EXORUN_CLIENT_SECRET", "EXORUN_ACCESS_TOKEN", "EXORUN_ENVIRONMENT", "EXORUN_AUTHORITY", "EXORUN_EXCHANGE_URL",
		"EXORUN_COMPLIANCE_URL", "EXORUN_CA_FILE", "EXORUN_PROFILE"} {
		if _, ok := env[name]; !ok {
			t.Errorf("%s is not a setting's variable", name)
		}
	}
}

func TestParseProfile(t *testing.T) {
	lookup := lookupMap(map[string]string{"PFX_PW": "pw-from-env", "APP_SECRET": "secret-from-env"})
	s, err := ParseProfile("prod", []byte(`{
		"app_id": "11111111-2222-3333-4444-555555555555",
		"organization": "contoso.onmicrosoft.com",
		"certificate_file": "/etc/exorun/app.pfx",
		"certificate_password_env": "PFX_PW",
		"client_secret_env": "APP_SECRET",
		"environment": "O365USGovGCCHigh"
	}`), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProfile("prod", []byte(`{"access_token_env": "UNSET_VAR"}`), lookup); err == nil || !strings.Contains(err.Error(), "UNSET_VAR, which is not set") {
		t.Errorf("unset variable: %v", err)
	}
	want := Settings{AppID: "11111111-2222-3333-4444-555555555555", Organization: "contoso.onmicrosoft.com",
		CertificateFile: "/etc/exorun/app.pfx", CertificatePassword: "pw-from-env", ClientSecret: "secret-from-env",
		Environment: "O365USGovGCCHigh"}
	if s != want {
		t.Errorf("ParseProfile = %+v, want %+v", s, want)
	}

	for _, tc := range []struct{ name, data, want string }{
		{"unknown key", `{"app_idd": "x"}`, `unknown key "app_idd"`},
		{"profile in a profile", `{"profile": "other"}`, `unknown key "profile"`},
		{"env of a non-secret", `{"app_id_env": "X"}`, `unknown key "app_id_env"`},
		{"env of nothing", `{"nothing_env": "X"}`, `unknown key "nothing_env"`},
		{"not an object", `["app_id"]`, "want a JSON object of strings"},
		{"not strings", `{"app_id": 5}`, "want a JSON object of strings"},
	} {
		_, err := ParseProfile("p", []byte(tc.data), lookup)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}

	// Every secret is refused, with the _env hint, and not echoed.
	for _, f := range Fields() {
		if !f.Secret {
			continue
		}
		_, err := ParseProfile("p", []byte(`{"`+f.Key+`": "hunter2-secret"}`), lookup)
		if err == nil {
			t.Errorf("%s: a secret in a profile was accepted", f.Key)
			continue
		}
		if !strings.Contains(err.Error(), `"`+f.Key+`_env"`) || !strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error lacks the _env hint: %v", f.Key, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error echoes the secret: %v", f.Key, err)
		}
	}
}

func TestProfileName(t *testing.T) {
	for _, ok := range []string{"prod", "a", "eu-west_2.backup", "0"} {
		if err := ProfileName(ok); err != nil {
			t.Errorf("ProfileName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".hidden", "../x", "a/b", `a\b`, "a b", "-x"} {
		if ProfileName(bad) == nil {
			t.Errorf("ProfileName(%q) accepted", bad)
		}
	}
}

func TestRedactedHidesEverySecret(t *testing.T) {
	var s Settings
	for _, f := range Fields() {
		f.Set(&s, "value-"+f.Key)
	}
	r := s.Redacted()
	for _, f := range Fields() {
		got := f.Get(&r)
		if f.Secret && got != "(set)" {
			t.Errorf("%s: redacted to %q", f.Key, got)
		}
		if !f.Secret && got != "value-"+f.Key {
			t.Errorf("%s: non-secret changed to %q", f.Key, got)
		}
	}
	printed := fmt.Sprintf("%+v %#v", r, r)
	for _, f := range Fields() {
		if f.Secret && strings.Contains(printed, "value-"+f.Key+`"`) || f.Secret && strings.Contains(printed, "value-"+f.Key+" ") {
			t.Errorf("redacted settings print %s: %s", f.Key, printed)
		}
	}
	// Unset secrets stay empty; the original is untouched.
	if got := (Settings{AppID: "a"}).Redacted(); got != (Settings{AppID: "a"}) {
		t.Errorf("Redacted of no secrets = %+v", got)
	}
	if s.ClientSecret != "value-client_secret" {
		t.Error("Redacted changed its receiver")
	}
	// The secret fields are exactly these.
	var secrets []string
	for _, f := range Fields() {
		if f.Secret {
			secrets = append(secrets, f.Key)
		}
	}
	if want := []string{"certificate_password", "certificate", "client_secret", "access_token"}; !slices.Equal(secrets, want) {
		t.Errorf("secrets = %v, want %v", secrets, want)
	}
}

func TestEnvironments(t *testing.T) {
	// PROTOCOL.md 1.1 (login hosts), 3.11 (Exchange hosts), 4 (compliance hosts).
	want := map[string][3]string{
		"O365Default":      {"https://login.microsoftonline.com", "https://outlook.office365.com", "https://ps.compliance.protection.outlook.com"},
		"O365USGovGCCHigh": {"https://login.microsoftonline.us", "https://outlook.office365.us", "https://ps.compliance.protection.office365.us"},
		"O365USGovDoD":     {"https://login.microsoftonline.us", "https://outlook-dod.office365.us", "https://ps.compliance.protection.office365.us"},
		"O365China":        {"https://login.partner.microsoftonline.cn", "https://partner.outlook.cn", "https://ps.compliance.protection.partner.outlook.cn"},
	}
	for name, hosts := range want {
		for _, spelled := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
			e, err := LookupEnvironment(spelled)
			if err != nil {
				t.Fatalf("LookupEnvironment(%q): %v", spelled, err)
			}
			if e.Name != name || e.Login != hosts[0] || e.Resource(catalog.Exchange) != hosts[1] || e.Resource(catalog.Compliance) != hosts[2] {
				t.Errorf("%s = %+v, want hosts %v", spelled, e, hosts)
			}
			if !trustedLogin(hosts[0]) || !trustedLogin(hosts[0]+"/") {
				t.Errorf("%s is not a trusted login host", hosts[0])
			}
		}
	}
	def, err := LookupEnvironment("")
	if err != nil || def.Name != DefaultEnvironment {
		t.Errorf(`LookupEnvironment("") = %+v, %v`, def, err)
	}
	_, err = LookupEnvironment("O365Germany")
	if err == nil || !strings.Contains(err.Error(), `unknown environment "O365Germany"`) || !strings.Contains(err.Error(), "O365China, O365Default") {
		t.Errorf("unknown environment err = %v", err)
	}
	if trustedLogin("https://127.0.0.1:8443") || trustedLogin("https://login.microsoftonline.com.evil.example") {
		t.Error("an unknown authority is trusted for instance discovery")
	}
}

func TestOrganizationWarning(t *testing.T) {
	for _, quiet := range []string{
		"contoso.onmicrosoft.com", "Contoso.OnMicrosoft.com", "agency.onmicrosoft.us", "corp.partner.onmschina.cn",
		"0b1f9b4e-6c5a-4a43-9f57-2d3c4b5a6e7f", "0B1F9B4E-6C5A-4A43-9F57-2D3C4B5A6E7F",
	} {
		if w := organizationWarning(quiet); w != "" {
			t.Errorf("organizationWarning(%q) = %q", quiet, w)
		}
	}
	for _, vanity := range []string{"contoso.com", "mail.contoso.com", "onmicrosoft.com.evil.example", "0b1f9b4e6c5a4a439f572d3c4b5a6e7f"} {
		w := organizationWarning(vanity)
		if w == "" || !strings.Contains(w, vanity) || !strings.Contains(w, ".onmicrosoft.com") {
			t.Errorf("organizationWarning(%q) = %q", vanity, w)
		}
	}
}

func TestCheckURL(t *testing.T) {
	if err := checkURL("authority", "https://login.example/"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"http://login.example", "login.example", "https://", "://x", "ftp://x"} {
		if err := checkURL("authority", bad); err == nil {
			t.Errorf("checkURL(%q) accepted", bad)
		}
	}
}

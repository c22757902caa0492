package connect

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Settings say which tenant to reach as which app with which credential.
// The zero value means "not set" for every field, so layers merge by
// taking the first non-empty value (Merge).
type Settings struct {
	AppID        string
	Organization string
	// Certificate sources, in the order Open tries them: bytes handed in
	// at run time, a file (with an optional separate key file), a
	// thumbprint in the certificate store.
	Certificate         string // base64 or raw PFX/PEM bytes (secret)
	CertificateFile     string
	CertificateKeyFile  string
	CertificatePassword string // secret
	Thumbprint          string
	ClientSecret        string // secret
	AccessToken         string // secret; cannot be refreshed
	// Secretless sources (identity.go): a managed identity of the Azure
	// resource the job runs on ("true" for its system-assigned identity,
	// or a user-assigned one's client id, resource id or
	// "object_id:GUID"), or a file holding a federated token (Kubernetes
	// workload identity) exchanged for an Entra ID token.
	ManagedIdentity    string
	FederatedTokenFile string
	Environment        string
	Service            string // "exchange" (default) or "compliance"
	// Custom endpoints, for a private cloud or the emulated tenant.
	Authority     string
	ExchangeURL   string
	ComplianceURL string
	CAFile        string
	// TokenCache is a file for MSAL's token cache; empty means none.
	TokenCache string
	Profile    string
}

// Field declares one setting once: its Lua and profile key, its flag,
// its environment variable, whether it is a secret, and its help text.
// Flags, environment lookups, the connect{} table, profiles and docs all
// derive from Fields.
type Field struct {
	Key  string // Lua connect{} key and profile key
	Flag string // command-line flag, "" if none
	// FlagNamesEnv: the flag's value is the name of an environment
	// variable holding the setting (secrets never go on a command line,
	// where ps and shell history see them).
	FlagNamesEnv bool
	// Switch: the flag may be given bare (meaning "true"), and connect{}
	// takes a boolean as well as a string.
	Switch bool
	Env    string // environment variable, "" if none
	// AzureEnv is the variable Azure's own tools set for the setting
	// (AZURE_CLIENT_ID, ...): read below profiles, as the last layer, so
	// a pod or runner set up for Azure SDKs works as is and never
	// overrides what exorun was told.
	AzureEnv string
	Secret   bool // never printed, never stored in a profile
	Usage    string
	ptr      func(*Settings) *string
}

// Get returns the field's value in s.
func (f Field) Get(s *Settings) string { return *f.ptr(s) }

// Set stores v as the field's value in s.
func (f Field) Set(s *Settings, v string) { *f.ptr(s) = v }

// Fields lists every setting in the order docs show them.
func Fields() []Field {
	return []Field{
		{Key: "app_id", Flag: "app-id", Env: "EXORUN_APP_ID", AzureEnv: "AZURE_CLIENT_ID", Usage: "application (client) id of the Entra ID app",
			ptr: func(s *Settings) *string { return &s.AppID }},
		{Key: "organization", Flag: "organization", Env: "EXORUN_ORGANIZATION", AzureEnv: "AZURE_TENANT_ID", Usage: "tenant: its primary .onmicrosoft.com domain or its GUID",
			ptr: func(s *Settings) *string { return &s.Organization }},
		{Key: "thumbprint", Flag: "certificate-thumbprint", Env: "EXORUN_CERTIFICATE_THUMBPRINT", Usage: "SHA-1 thumbprint of a certificate in the store (exorun cert import)",
			ptr: func(s *Settings) *string { return &s.Thumbprint }},
		{Key: "certificate_file", Flag: "certificate-file", Env: "EXORUN_CERTIFICATE_FILE", Usage: "certificate file: .pfx/.p12, .pem or DER .cer",
			ptr: func(s *Settings) *string { return &s.CertificateFile }},
		{Key: "certificate_key_file", Flag: "certificate-key-file", Env: "EXORUN_CERTIFICATE_KEY_FILE", Usage: "private key file when the certificate file holds none",
			ptr: func(s *Settings) *string { return &s.CertificateKeyFile }},
		{Key: "certificate_password", Flag: "certificate-password-env", FlagNamesEnv: true, Env: "EXORUN_CERTIFICATE_PASSWORD", Secret: true,
			Usage: "password of the PFX or encrypted key", ptr: func(s *Settings) *string { return &s.CertificatePassword }},
		{Key: "certificate", Env: "EXORUN_CERTIFICATE", Secret: true, Usage: "certificate and key as bytes (PFX or PEM, raw or base64), e.g. from a secret store",
			ptr: func(s *Settings) *string { return &s.Certificate }},
		{Key: "client_secret", Flag: "client-secret-env", FlagNamesEnv: true, Env: "EXORUN_CLIENT_SECRET", Secret: true,
			Usage: "client secret of the app (a certificate is the safer choice)", ptr: func(s *Settings) *string { return &s.ClientSecret }},
		{Key: "managed_identity", Flag: "managed-identity", Switch: true, Env: "EXORUN_MANAGED_IDENTITY",
			Usage: "sign in as the Azure resource's managed identity: true for the system-assigned one, or a user-assigned one's client `ID`, resource id or object_id:GUID",
			ptr:   func(s *Settings) *string { return &s.ManagedIdentity }},
		{Key: "federated_token_file", Flag: "federated-token-file", Env: "EXORUN_FEDERATED_TOKEN_FILE",
			Usage: "`FILE` holding a federated token (Kubernetes workload identity), re-read at every renewal",
			ptr:   func(s *Settings) *string { return &s.FederatedTokenFile }},
		{Key: "access_token", Env: "EXORUN_ACCESS_TOKEN", Secret: true, Usage: "a pre-acquired access token (cannot be refreshed)",
			ptr: func(s *Settings) *string { return &s.AccessToken }},
		{Key: "environment", Flag: "environment", Env: "EXORUN_ENVIRONMENT", Usage: "cloud: O365Default, O365USGovGCCHigh, O365USGovDoD or O365China",
			ptr: func(s *Settings) *string { return &s.Environment }},
		{Key: "service", Env: "", Usage: `"exchange" (default) or "compliance" (Security & Compliance)`,
			ptr: func(s *Settings) *string { return &s.Service }},
		{Key: "authority", Flag: "authority", Env: "EXORUN_AUTHORITY", Usage: "custom Entra ID authority `URL`",
			ptr: func(s *Settings) *string { return &s.Authority }},
		{Key: "exchange_url", Flag: "exchange-url", Env: "EXORUN_EXCHANGE_URL", Usage: "custom Exchange Online admin API root `URL`",
			ptr: func(s *Settings) *string { return &s.ExchangeURL }},
		{Key: "compliance_url", Flag: "compliance-url", Env: "EXORUN_COMPLIANCE_URL", Usage: "custom Security & Compliance admin API root `URL`",
			ptr: func(s *Settings) *string { return &s.ComplianceURL }},
		{Key: "ca_file", Flag: "ca-file", Env: "EXORUN_CA_FILE", Usage: "extra CA certificate `FILE` (PEM) to trust",
			ptr: func(s *Settings) *string { return &s.CAFile }},
		{Key: "token_cache", Flag: "token-cache", Env: "", Usage: "keep MSAL's token cache in this `FILE` (mode 0600); off by default",
			ptr: func(s *Settings) *string { return &s.TokenCache }},
		{Key: "profile", Flag: "profile", Env: "EXORUN_PROFILE", Usage: "named profile in the config folder (profiles/NAME.json)",
			ptr: func(s *Settings) *string { return &s.Profile }},
	}
}

// FieldByKey finds a field by its Lua/profile key.
func FieldByKey(key string) (Field, bool) {
	for _, f := range Fields() {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Keys lists the Lua/profile keys, sorted.
func Keys() []string {
	var keys []string
	for _, f := range Fields() {
		keys = append(keys, f.Key)
	}
	sort.Strings(keys)
	return keys
}

// Merge returns the settings with, field by field, the first non-empty
// value of layers (highest priority first).
func Merge(layers ...Settings) Settings {
	var out Settings
	for _, f := range Fields() {
		for i := range layers {
			if v := f.Get(&layers[i]); v != "" {
				f.Set(&out, v)
				break
			}
		}
	}
	return out
}

// FromEnv reads the settings' environment variables through lookup.
func FromEnv(lookup func(string) (string, bool)) Settings {
	return fromVariables(lookup, func(f Field) string { return f.Env })
}

// FromAzureEnv reads the variables Azure's tools set (Field.AzureEnv)
// through lookup: the lowest layer, below the profile.
func FromAzureEnv(lookup func(string) (string, bool)) Settings {
	return fromVariables(lookup, func(f Field) string { return f.AzureEnv })
}

// fromVariables reads each field from the variable name gives it, if any.
func fromVariables(lookup func(string) (string, bool), name func(Field) string) Settings {
	var s Settings
	for _, f := range Fields() {
		variable := name(f)
		if variable == "" {
			continue
		}
		if v, ok := lookup(variable); ok {
			if f.Key != "certificate_password" {
				// A stray newline from a shell or secret file is
				// trimmed; a password is taken as is, spaces may be
				// part of it.
				v = strings.TrimSpace(v)
			}
			f.Set(&s, v)
		}
	}
	return s
}

// ParseProfile reads a profile: a JSON object with setting keys. A profile
// stores where secrets are, never secrets: "certificate_password_env" and
// "client_secret_env" name environment variables read through lookup.
func ParseProfile(name string, data []byte, lookup func(string) (string, bool)) (Settings, error) {
	var values map[string]any
	if err := json.Unmarshal(data, &values); err != nil {
		return Settings{}, fmt.Errorf("profile %s: %w (want a JSON object of strings)", name, err)
	}
	raw := make(map[string]string, len(values))
	for k, v := range values {
		switch v := v.(type) {
		case string:
			raw[k] = v
		case bool:
			// A switch ("managed_identity": true) may be a boolean, as
			// in connect{}.
			if f, ok := FieldByKey(k); ok && f.Switch {
				raw[k] = strconv.FormatBool(v)
				continue
			}
			return Settings{}, fmt.Errorf("profile %s: %s wants a string, got a boolean", name, k)
		default:
			return Settings{}, fmt.Errorf("profile %s: %s wants a string (want a JSON object of strings)", name, k)
		}
	}
	var s Settings
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		if envKey, ok := strings.CutSuffix(k, "_env"); ok {
			f, found := FieldByKey(envKey)
			if !found || !f.Secret {
				return Settings{}, fmt.Errorf("profile %s: unknown key %q", name, k)
			}
			got, ok := lookup(v)
			if !ok {
				return Settings{}, fmt.Errorf("profile %s: %s names the environment variable %s, which is not set", name, k, v)
			}
			f.Set(&s, got)
			continue
		}
		f, ok := FieldByKey(k)
		switch {
		case !ok || k == "profile":
			return Settings{}, fmt.Errorf("profile %s: unknown key %q (known: %s)", name, k, strings.Join(Keys(), ", "))
		case f.Secret:
			return Settings{}, fmt.Errorf("profile %s: %q is a secret and a profile stores none; use %q to name an environment variable instead", name, k, k+"_env")
		}
		f.Set(&s, v)
	}
	return s, nil
}

// ProfileName checks a profile name: letters, digits, '.', '-' and '_',
// so it is always one file name in the profiles folder.
func ProfileName(name string) error {
	if !profileNameRE.MatchString(name) {
		return fmt.Errorf("profile name %q: use letters, digits, '.', '-' and '_'", name)
	}
	return nil
}

var profileNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

// Redacted returns s with every secret replaced by "(set)", for display.
func (s Settings) Redacted() Settings {
	for _, f := range Fields() {
		if f.Secret && f.Get(&s) != "" {
			f.Set(&s, "(set)")
		}
	}
	return s
}

// guidRE matches a GUID in its usual 8-4-4-4-12 form.
var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// organizationWarning says why an organization value is risky, or "".
// Microsoft's app-only docs require the primary .onmicrosoft.com domain;
// a vanity domain gets a token but can lead to "cryptic permission
// issues" in the service.
func organizationWarning(org string) string {
	o := strings.ToLower(org)
	if guidRE.MatchString(o) || strings.HasSuffix(o, ".onmicrosoft.com") ||
		strings.HasSuffix(o, ".onmicrosoft.us") || strings.HasSuffix(o, ".partner.onmschina.cn") {
		return ""
	}
	return fmt.Sprintf("organization %q is neither the tenant's .onmicrosoft.com domain nor its GUID; Microsoft's app-only docs require the .onmicrosoft.com domain, and other names can lead to cryptic permission errors", org)
}

// checkURL validates a custom endpoint.
func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%s %q: want an https:// URL", name, raw)
	}
	return nil
}

package directory

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Tenant is one Entra ID tenant.
type Tenant struct {
	ID string `json:"id"` // GUID, lower case
	// InitialDomain is the tenant's {name}.onmicrosoft.com domain, the
	// value app-only sessions must pass as -Organization.
	InitialDomain string `json:"initialDomain"`
	// Domains are the extra verified domains, lower case.
	Domains     []string `json:"domains,omitempty"`
	DisplayName string   `json:"displayName"`
	Apps        []App    `json:"apps,omitempty"`
	// Mailboxes > 0 asks the emulator serving the tenant to generate
	// Exchange data of that many mailboxes when it first needs them; 0
	// means the small fixture tenant. It lives here because the process
	// that creates a tenant (exorun emulator admin) is not the one that
	// serves it.
	Mailboxes int `json:"mailboxes,omitempty"`
}

// Matches reports whether key names the tenant: its GUID, its initial
// domain or a verified domain, case-insensitively.
func (t Tenant) Matches(key string) bool {
	key = strings.TrimSuffix(strings.TrimSpace(key), ".")
	if strings.EqualFold(t.ID, key) || strings.EqualFold(t.InitialDomain, key) {
		return true
	}
	return slices.ContainsFunc(t.Domains, func(d string) bool { return strings.EqualFold(d, key) })
}

// App finds an app registration by its application (client) id.
func (t Tenant) App(appID string) (App, bool) {
	i := t.appIndex(appID)
	if i < 0 {
		return App{}, false
	}
	return t.Apps[i], true
}

func (t Tenant) appIndex(appID string) int {
	return slices.IndexFunc(t.Apps, func(a App) bool { return strings.EqualFold(a.AppID, strings.TrimSpace(appID)) })
}

// App is an app registration together with its service principal in the
// tenant; the emulator keeps the two as one object because app-only auth
// never needs them apart.
type App struct {
	AppID       string `json:"appId"`    // application (client) id
	ObjectID    string `json:"objectId"` // service principal object id: oid and sub of tokens
	DisplayName string `json:"displayName"`
	Disabled    bool   `json:"disabled,omitempty"`
	// HomeTenant is set on the service principal of a multi-tenant app
	// registered in another tenant: that tenant's GUID. The registration,
	// and with it the certificates and secrets, stays in the home
	// tenant; consent and roles are this tenant's, as in Entra ID.
	HomeTenant string `json:"homeTenant,omitempty"`

	Certificates []Certificate `json:"certificates,omitempty"`
	Secrets      []Secret      `json:"secrets,omitempty"`
	// FederatedCredentials are the external identity providers' tokens
	// the app accepts as its client assertion (workload identity
	// federation).
	FederatedCredentials []FederatedCredential `json:"federatedCredentials,omitempty"`

	// ManagedIdentity is set when the service principal is a managed
	// identity's rather than an app registration's (Entra's
	// servicePrincipalType "ManagedIdentity").
	ManagedIdentity *ManagedIdentity `json:"managedIdentity,omitempty"`

	// Exchange.ManageAsApp is configured on the app (Granted) and approved
	// by an admin (Consented) in two separate portal steps; a token carries
	// the permission only when both happened.
	ManageAsAppGranted   bool `json:"manageAsAppGranted,omitempty"`
	ManageAsAppConsented bool `json:"manageAsAppConsented,omitempty"`

	// Roles are the template ids of the directory roles assigned to the
	// service principal, lower case.
	Roles []string `json:"roles,omitempty"`
}

// IsManagedIdentity reports whether the service principal is a managed
// identity's.
func (a App) IsManagedIdentity() bool { return a.ManagedIdentity != nil }

// ManagedIdentity is what a managed identity's service principal has
// beyond an app's. It has no app registration behind it, so no
// certificates or client secrets: its host's identity endpoint signs it in.
type ManagedIdentity struct {
	// SystemAssigned is the identity of the emulated host itself, at
	// most one per tenant; otherwise it is a user-assigned identity, an
	// Azure resource of its own.
	SystemAssigned bool `json:"systemAssigned,omitempty"`
	// ResourceID is the Azure resource id the identity is known by
	// (the xms_mirid claim of its tokens): the user-assigned identity's
	// own, or for the system-assigned one, its host's.
	ResourceID string `json:"resourceId"`
}

// FederatedCredential is a federated identity credential: the app
// accepts, as its client assertion, a token of Issuer about Subject for
// one of Audiences. Entra compares all three case-sensitively.
type FederatedCredential struct {
	Name      string   `json:"name"` // unique per app, case-insensitively
	Issuer    string   `json:"issuer"`
	Subject   string   `json:"subject"`
	Audiences []string `json:"audiences"`
}

// HasManageAsApp reports whether tokens for the app carry
// Exchange.ManageAsApp: granted and consented.
func (a App) HasManageAsApp() bool { return a.ManageAsAppGranted && a.ManageAsAppConsented }

// CertificateByThumbprint finds a registered certificate by the raw bytes
// of its SHA-1 (20 bytes, header x5t) or SHA-256 (32 bytes, x5t#S256)
// thumbprint.
func (a App) CertificateByThumbprint(sum []byte) (Certificate, bool) {
	want := strings.ToUpper(hex.EncodeToString(sum))
	for _, c := range a.Certificates {
		if c.Thumbprint == want || c.ThumbprintSHA256 == want {
			return c, true
		}
	}
	return Certificate{}, false
}

// MatchSecret finds the client secret whose value is text, expired or not;
// the caller decides what an expired match means.
func (a App) MatchSecret(text string) (Secret, bool) {
	for _, s := range a.Secrets {
		if s.matches(text) {
			return s, true
		}
	}
	return Secret{}, false
}

// Certificate is the public part of an uploaded certificate. Only DER is
// stored; the other fields are derived from it on upload and on load, so
// the file cannot hold a thumbprint that disagrees with its certificate.
type Certificate struct {
	DER []byte
	// Thumbprint is the upper-case hex SHA-1 of DER, as the portal and
	// Connect-ExchangeOnline -CertificateThumbprint show it.
	Thumbprint       string
	ThumbprintSHA256 string
	Subject          string
	NotBefore        time.Time
	NotAfter         time.Time
}

// X509 parses the certificate, for its public key.
func (c Certificate) X509() (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(c.DER)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %s: %w", c.Thumbprint, err)
	}
	return cert, nil
}

// ValidAt reports whether t lies within the certificate's validity period.
func (c Certificate) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

func newCertificate(cert *x509.Certificate) Certificate {
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	return Certificate{
		DER:              slices.Clone(cert.Raw),
		Thumbprint:       strings.ToUpper(hex.EncodeToString(s1[:])),
		ThumbprintSHA256: strings.ToUpper(hex.EncodeToString(s256[:])),
		Subject:          cert.Subject.String(),
		NotBefore:        cert.NotBefore.UTC(),
		NotAfter:         cert.NotAfter.UTC(),
	}
}

// certificateFile is a certificate in directory.json: the derived fields
// are written for people reading the file and ignored when it is read.
type certificateFile struct {
	DER              []byte    `json:"der"`
	Thumbprint       string    `json:"thumbprint,omitempty"`
	ThumbprintSHA256 string    `json:"thumbprintSHA256,omitempty"`
	Subject          string    `json:"subject,omitempty"`
	NotBefore        time.Time `json:"notBefore"`
	NotAfter         time.Time `json:"notAfter"`
}

// MarshalJSON writes the DER and, for readers of the file, what it holds.
func (c Certificate) MarshalJSON() ([]byte, error) {
	return json.Marshal(certificateFile(c))
}

// UnmarshalJSON reads the DER and derives everything else from it.
func (c *Certificate) UnmarshalJSON(b []byte) error {
	var f certificateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(f.DER)
	if err != nil {
		return fmt.Errorf("certificate %s: bad der: %w", f.Thumbprint, err)
	}
	*c = newCertificate(cert)
	return nil
}

// Secret is a client secret. The value is never stored: only a salted
// SHA-256 of it. A fast hash is enough because the value is generated with
// 170 bits of entropy; slow hashes protect guessable passwords, not these.
type Secret struct {
	ID      string    `json:"id"`   // key id, GUID
	Hint    string    `json:"hint"` // first 3 characters, as the portal shows
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Salt    []byte    `json:"salt"`
	SHA256  []byte    `json:"sha256"` // SHA-256(Salt || value)
}

func (s Secret) matches(text string) bool {
	sum := secretHash(s.Salt, text)
	return subtle.ConstantTimeCompare(sum, s.SHA256) == 1
}

func secretHash(salt []byte, text string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(text))
	return h.Sum(nil)
}

func (t Tenant) clone() Tenant {
	t.Domains = slices.Clone(t.Domains)
	t.Apps = slices.Clone(t.Apps)
	for i := range t.Apps {
		t.Apps[i] = t.Apps[i].clone()
	}
	return t
}

func (a App) clone() App {
	a.Certificates = slices.Clone(a.Certificates)
	for i := range a.Certificates {
		a.Certificates[i].DER = slices.Clone(a.Certificates[i].DER)
	}
	a.Secrets = slices.Clone(a.Secrets)
	for i := range a.Secrets {
		a.Secrets[i].Salt = slices.Clone(a.Secrets[i].Salt)
		a.Secrets[i].SHA256 = slices.Clone(a.Secrets[i].SHA256)
	}
	a.Roles = slices.Clone(a.Roles)
	a.FederatedCredentials = slices.Clone(a.FederatedCredentials)
	for i := range a.FederatedCredentials {
		a.FederatedCredentials[i].Audiences = slices.Clone(a.FederatedCredentials[i].Audiences)
	}
	if a.ManagedIdentity != nil {
		mi := *a.ManagedIdentity
		a.ManagedIdentity = &mi
	}
	return a
}

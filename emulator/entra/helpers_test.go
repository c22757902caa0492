package entra_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/entra"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const (
	exchange = "https://outlook.office365.com"
	marker   = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"
	exAdmin  = "29232cdf-9323-42fd-ade2-1d097af3e4de"
)

// credential is a certificate with its private key, as a client holds it.
type credential struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// Test keys: generating an RSA 2048 key takes from a tenth of a second to
// several seconds (more under -race), and every fixture needs two, so the
// process generates a few once and tests pick distinct ones by role.
const (
	keyApp          = iota // the fixture app's certificate
	keySigning             // the service's token-signing key
	keyStranger            // a certificate the app never registered
	keyExpired             // an expired certificate
	keyOtherSigning        // another emulator's token-signing key
	keyIssuer              // an external OIDC issuer's signing key
	keyOtherIssuer         // a key that issuer never published
	numTestKeys
)

var testKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, numTestKeys)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err) // crypto/rand does not fail (Go 1.24+)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	return keys
})

// newCredential makes a certificate valid from nb to na for the test key
// of the given role.
func newCredential(t *testing.T, role int, nb, na time.Time) credential {
	t.Helper()
	key := testKeys()[role]
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "exorun automation"},
		NotBefore:    nb,
		NotAfter:     na,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return credential{cert, key}
}

// fixture is an emulator on a real TLS listener with one tenant (contoso)
// and one app holding cred. skew shifts the service's clock.
type fixture struct {
	srv    *httptest.Server
	svc    *entra.Service
	dir    *directory.Directory
	tenant directory.Tenant
	app    directory.App
	cred   credential
	skew   *atomic.Int64
}

func newFixture(t *testing.T, opts entra.Options) *fixture {
	t.Helper()
	return newFixtureSignedBy(t, opts, keySigning)
}

// newFixtureSignedBy is newFixture with the test key of role signing
// tokens.
func newFixtureSignedBy(t *testing.T, opts entra.Options, signing int) *fixture {
	t.Helper()
	f := &fixture{skew: new(atomic.Int64)}
	var err error
	if f.dir, err = directory.Open("", nil); err != nil {
		t.Fatal(err)
	}
	if f.tenant, err = f.dir.CreateTenant("contoso"); err != nil {
		t.Fatal(err)
	}
	if err := f.dir.AddDomain(f.tenant.ID, "contoso.com"); err != nil {
		t.Fatal(err)
	}
	if f.app, err = f.dir.RegisterApp(f.tenant.ID, "exorun reports"); err != nil {
		t.Fatal(err)
	}
	f.cred = newCredential(t, keyApp, time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour))
	if _, err := f.dir.UploadCertificate(f.tenant.ID, f.app.AppID, f.cred.cert.Raw); err != nil {
		t.Fatal(err)
	}
	key := testKeys()[signing] // LoadOrCreateSigningKey has its own tests
	// The listener exists before the server starts, so the service can be
	// built with the server's URL as its base.
	f.srv = httptest.NewUnstartedServer(nil)
	opts.BaseURL = "https://" + f.srv.Listener.Addr().String()
	opts.Now = func() time.Time { return time.Now().Add(time.Duration(f.skew.Load())) }
	if f.svc, err = entra.New(f.dir, key, opts); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = f.svc
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) tokenURL(tenant string, v1 bool) string {
	if v1 {
		return f.srv.URL + "/" + tenant + "/oauth2/token"
	}
	return f.srv.URL + "/" + tenant + "/oauth2/v2.0/token"
}

// assertion signs a client assertion as MSAL Go does (PS256, x5t#S256 in
// standard base64), after edit changes its header or claims.
func (f *fixture) assertion(t *testing.T, cred credential, aud string, edit func(h map[string]any, c jwt.MapClaims)) string {
	t.Helper()
	now := time.Now()
	sum := sha256.Sum256(cred.cert.Raw)
	tok := jwt.NewWithClaims(jwt.SigningMethodPS256, jwt.MapClaims{
		"aud": aud, "iss": f.app.AppID, "sub": f.app.AppID, "jti": uuid.NewString(),
		"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	})
	tok.Header = map[string]any{"alg": "PS256", "typ": "JWT", "x5t#S256": base64.StdEncoding.EncodeToString(sum[:])}
	if edit != nil {
		edit(tok.Header, tok.Claims.(jwt.MapClaims))
	}
	method := jwt.GetSigningMethod(tok.Header["alg"].(string))
	tok.Method = method
	var key any = cred.key
	if _, ok := method.(*jwt.SigningMethodHMAC); ok {
		key = []byte("a shared secret")
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// certForm is a v2 token request with a client assertion.
func (f *fixture) certForm(assertion string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {f.app.AppID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {exchange + "/.default openid offline_access profile"},
		"client_info":           {"1"},
	}
}

// post sends a form and decodes the JSON answer.
func (f *fixture) post(t *testing.T, u string, form url.Values, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for k, v := range header {
		req.Header[k] = v
	}
	return f.do(t, req)
}

func (f *fixture) get(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %v", req.Method, req.URL, resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

// payload decodes a JWT's claims on its own, without the service's types,
// so a wrong claim name or shape cannot hide behind shared code.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func header(t *testing.T, token string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// strs turns a JSON array into strings.
func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

package secrets

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// The fake secrets are assembled at run time, so that this file does not
// itself look like it leaks credentials to secret scanners.

func b64(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func fakePEM(typ string, headers map[string]string) string {
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: b}))
}

func fakeJWT(header string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(`{"aud":"https://outlook.office365.com","exp":1700000000}`)) + "." + enc(make([]byte, 64))
}

var (
	entraSecret = "abc8" + "Q~" + "Zx9_Lm.Qr-Tu~Vw1Yz2Ab3Cd4Ef5Gh6Ij7"
	awsKey      = "AKIA" + "IOSFODNN7EXAMPLE"
	githubPAT   = "gh" + "p_" + strings.Repeat("aB3", 12)
	githubOAuth = "gh" + "o_" + strings.Repeat("Zq9", 12)
	fineGrained = "github" + "_pat_" + strings.Repeat("11ABCDEFG0", 8)
	jwt         = fakeJWT(`{"alg":"RS256","typ":"JWT","kid":"abc"}`)
)

type finding struct {
	file   string
	data   string
	line   int
	reason string // a part of the reason
	secret string // must not appear in the reason; "" to skip
}

func checkFindings(t *testing.T, tests []finding) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.reason, func(t *testing.T) {
			got := Scan(tt.file, []byte(tt.data))
			if len(got) == 0 {
				t.Fatalf("Scan(%q) = nothing; want line %d %q", tt.file, tt.line, tt.reason)
			}
			f := got[0]
			if f.File != tt.file || f.Line != tt.line || !strings.Contains(f.Reason, tt.reason) {
				t.Errorf("Scan(%q) = %v; want line %d with %q", tt.file, got, tt.line, tt.reason)
			}
			for _, f := range got {
				if tt.secret != "" && strings.Contains(f.Reason, tt.secret) {
					t.Errorf("reason %q repeats the secret", f.Reason)
				}
			}
		})
	}
}

func checkClean(t *testing.T, tests []struct{ file, data string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.data, func(t *testing.T) {
			if got := Scan(tt.file, []byte(tt.data)); got != nil {
				t.Errorf("Scan(%q, %q) = %v; want nothing", tt.file, tt.data, got)
			}
		})
	}
}

func TestByName(t *testing.T) {
	checkFindings(t, []finding{
		{file: "keys/app.pfx", data: "", reason: "PKCS#12 (PFX)"},
		{file: "cert.P12", data: "", reason: "PKCS#12 (PFX)"},
		{file: "vault.kdbx", data: "", reason: "KeePass"},
		{file: "Contoso.PublishSettings", data: "<xml/>", reason: "publish settings"},
		{file: "putty.ppk", data: "", reason: "PuTTY"},
		{file: ".env", data: "", reason: ".env file"},
		{file: "config/.env.local", data: "DEBUG=1\n", reason: ".env file"},
		{file: "prod.env", data: "", reason: ".env file"},
		{file: "id_rsa", data: "", reason: "SSH private key"},
		{file: ".ssh/id_ed25519", data: "", reason: "SSH private key"},
		{file: `keys\id_ecdsa`, data: "", reason: "SSH private key"},
		{file: "server.key", data: "\x30\x82\x01\x00\x02\x01\x00", reason: "DER-encoded private key"},
	})
	checkClean(t, []struct{ file, data string }{
		{"id_rsa.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI admin@host\n"},
		{"environment.lua", "return {}\n"},
		{"env.lua", "return {}\n"},
		{".envrc.md", "notes\n"},
		{"license.key", "XXXX-YYYY-ZZZZ\n"},
		{"keys/README.txt", "put your keys elsewhere\n"},
	})
}

func TestPEMPrivateKey(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	realKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	encrypted := fakePEM("RSA PRIVATE KEY", map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"})
	inJSON := strings.ReplaceAll(realKey, "\n", `\n`)
	body := strings.Split(realKey, "\n")[1]
	checkFindings(t, []finding{
		{file: "keys/app.pem", data: realKey, line: 1, reason: "PEM private key (PRIVATE KEY)", secret: body},
		{file: "app.key", data: fakePEM("RSA PRIVATE KEY", nil), line: 1, reason: "(RSA PRIVATE KEY)"},
		{file: "ec.pem", data: fakePEM("EC PRIVATE KEY", nil), line: 1, reason: "(EC PRIVATE KEY)"},
		{file: "enc.pem", data: fakePEM("ENCRYPTED PRIVATE KEY", nil), line: 1, reason: "(ENCRYPTED PRIVATE KEY)"},
		{file: "legacy.pem", data: encrypted, line: 1, reason: "(RSA PRIVATE KEY)"},
		{file: "deploy", data: fakePEM("OPENSSH PRIVATE KEY", nil), line: 1, reason: "(OPENSSH PRIVATE KEY)"},
		{file: "secring.asc", data: "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n" + b64(200) + "\n", line: 1, reason: "PGP PRIVATE KEY BLOCK"},
		{file: "both.pem", data: fakePEM("CERTIFICATE", nil) + fakePEM("PRIVATE KEY", nil), line: 10, reason: "PEM private key"},
		{file: "notes.txt", data: "# key for the lab\n\n" + realKey, line: 3, reason: "PEM private key"},
		{file: "main.lua", data: "local key = \"" + inJSON + "\"\n", line: 1, reason: "PEM private key"},
		{file: "concat.lua", data: "local key = \"-----BEGIN PRIVATE KEY-----\\n\" ..\n  \"" + b64(48) + "\"\n", line: 1, reason: "PEM private key"},
		{file: "sa.json", data: "{\n  \"type\": \"service_account\",\n  \"private_key\": \"" + inJSON + "\"\n}\n", line: 3, reason: "private key material in JSON"},
	})
	checkClean(t, []struct{ file, data string }{
		{"cert.pem", fakePEM("CERTIFICATE", nil) + fakePEM("CERTIFICATE", nil)},
		{"pub.pem", fakePEM("PUBLIC KEY", nil)},
		{"cert.crt", fakePEM("CERTIFICATE", nil)},
		{"scan.lua", "if body:find(\"-----BEGIN RSA PRIVATE KEY-----\", 1, true) then\n  log.warn(\"a private key was mailed\")\nend\n"},
		{"doc.txt", "A key file starts with -----BEGIN PRIVATE KEY----- and ends with its END line.\n"},
	})
}

// pfx builds the start of a PKCS#12 file as DER: version 3, then an
// authSafe of type pkcs7-data, with opaque content.
func pfx(t *testing.T) []byte {
	t.Helper()
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	payload := make([]byte, 500)
	for i := range payload {
		payload[i] = byte(i*131 + 7)
	}
	der, err := asn1.Marshal(struct {
		Version  int
		AuthSafe contentInfo
	}{3, contentInfo{
		ContentType: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1},
		Content:     asn1.RawValue{Tag: asn1.TagOctetString, Bytes: payload},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func selfSignedDER(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "exorun test"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestPKCS12Content(t *testing.T) {
	p := pfx(t)
	indefinite := append([]byte{0x30, 0x80}, p[4:]...) // BER, as some old tools write
	for _, name := range []string{"cert.bin", "data/blob", "report.lua"} {
		got := Scan(name, p)
		if len(got) != 1 || got[0].Line != 0 || got[0].Reason != reasonPFX {
			t.Errorf("Scan(%q, pfx) = %v; want the PKCS#12 finding", name, got)
		}
	}
	if got := Scan("x.bin", indefinite); len(got) != 1 {
		t.Errorf("Scan(BER pfx) = %v; want the PKCS#12 finding", got)
	}
	if got := Scan("app.pfx", p); len(got) != 1 {
		t.Errorf("Scan(app.pfx) = %v; want one finding, not one per rule", got)
	}

	cert := selfSignedDER(t)
	random := make([]byte, 1000)
	for i := range random {
		random[i] = byte(i*i + 3)
	}
	notPFX := map[string][]byte{
		"cert.cer":    cert,
		"cert.der":    cert,
		"truncated":   p[:10],
		"version 2":   append(append([]byte{}, p[:6]...), append([]byte{0x02}, p[7:]...)...),
		"random.bin":  random,
		"short":       {0x30},
		"long length": {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03},
		// The same bytes as text are valid UTF-8: never sniffed.
		"text.txt": []byte("0\x10\x02\x01\x030\x0b\x06\x09*\x05H\x06w\x0d\x01\x07\x01"),
	}
	for name, data := range notPFX {
		if got := Scan(name, data); got != nil {
			t.Errorf("Scan(%q) = %v; want nothing", name, got)
		}
	}
}

func TestTokens(t *testing.T) {
	checkFindings(t, []finding{
		{file: "run.lua", data: "-- test\nlocal token = \"" + jwt + "\"\n", line: 2, reason: "looks like a JWT (token)", secret: jwt},
		{file: "curl.txt", data: "Authorization: Bearer " + jwt + "\n", line: 1, reason: "JWT", secret: jwt},
		{file: "jwe.json", data: `{"t":"` + fakeJWT(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + `.` + b64(20) + `"}`, line: 1, reason: "JWT"},
		{file: "app.lua", data: "connect{ app_id = \"x\", client_credential = \"" + entraSecret + "\" }\n", line: 1, reason: "Entra ID (Azure AD) client secret", secret: entraSecret},
		{file: "s.csv", data: "AppId,Value\n1," + entraSecret + "\n", line: 2, reason: "client secret", secret: entraSecret},
		{file: "aws.ini", data: "[default]\naws_access_key_id = " + awsKey + "\n", line: 2, reason: "AWS access key ID", secret: awsKey},
		{file: "gh.lua", data: "local h = { Authorization = \"token " + githubPAT + "\" }\n", line: 1, reason: "GitHub token", secret: githubPAT},
		{file: "gh.json", data: `{"oauth": "` + githubOAuth + `"}`, line: 1, reason: "GitHub token"},
		{file: "gh.txt", data: fineGrained, line: 1, reason: "GitHub token"},
	})
	checkClean(t, []struct{ file, data string }{
		{"a.lua", "local t = \"eyJhbGciOiJIUzI1NiJ9\"\n"},                                    // header alone
		{"b.lua", "local t = \"" + fakeJWT(`{"typ":"JWT","kid":"abc"}`) + "\"\n"},            // no alg
		{"c.lua", "local t = \"eyJzdGF0dXMiOiJvayJ9x.aaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb\"\n"}, // header not JSON with alg
		{"d.lua", "local t = \"" + strings.Split(jwt, ".")[0] + ".e30.\"\n"},                 // unsigned, short
		{"e.lua", "local s = \"abc8Q~tooShort\"\n"},
		{"f.lua", "local s = \"abcQ~" + strings.Repeat("x", 34) + "\"\n"},                         // no digit
		{"g.lua", "local s = \"xx" + entraSecret + "\"\n"},                                        // inside a longer run
		{"h.lua", "local id = \"AKIA" + "123\"\nlocal s = \"akia" + "iosfodnn7example\"\n"},       // short, lower case
		{"i.lua", "local p = \"ghp_short\"\nlocal q = \"ghx_" + strings.Repeat("a", 36) + "\"\n"}, // short, unknown prefix
	})
}

func TestConnectionStrings(t *testing.T) {
	storage := "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=" + b64(64) + ";EndpointSuffix=core.windows.net"
	bus := "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=" + b64(32)
	sasConn := "BlobEndpoint=https://contoso.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=r&sig=" + url.QueryEscape(b64(32))
	sasURL := "https://contoso.blob.core.windows.net/reports/x.csv?sv=2022-11-02&sr=b&sp=r&sig=" + url.QueryEscape(b64(32))
	checkFindings(t, []finding{
		{file: "upload.lua", data: "local conn = \"" + storage + "\"\n", line: 1, reason: "AccountKey=", secret: b64(64)},
		{file: "bus.json", data: `{"conn": "` + bus + `"}`, line: 1, reason: "account key"},
		{file: "sas.lua", data: "local c = '" + sasConn + "'\n", line: 1, reason: "shared access signature"},
		{file: "links.txt", data: "report:\n" + sasURL + "\n", line: 2, reason: "shared access signature"},
	})
	checkClean(t, []struct{ file, data string }{
		{"a.lua", "local conn = \"DefaultEndpointsProtocol=https;AccountName=x;AccountKey=\" .. os.getenv(\"KEY\")\n"},
		{"b.lua", "local conn = \"UseDevelopmentStorage=true\"\n"},
		{"c.lua", "local url = base .. \"?sv=2022&sig=\" .. sig\nlocal sig=hash(x)\n"},
	})
}

func TestAssignments(t *testing.T) {
	const pw = "Welcome2024!"
	checkFindings(t, []finding{
		{file: "app.lua", data: "connect{ client_secret = \"" + pw + "\" }\n", line: 1, reason: "looks like a client secret (client_secret is set to a literal string)", secret: pw},
		{file: "app.lua", data: "local password = '" + pw + "'\n", line: 1, reason: "looks like a password (password", secret: pw},
		{file: "app.lua", data: "connect{\n  app_id = \"x\",\n  certificate_password = \"" + pw + "\",\n}\n", line: 3, reason: "password (certificate_password", secret: pw},
		{file: "app.lua", data: "local t = { [\"access_token\"] = \"" + pw + "\" }\n", line: 1, reason: "access token (access_token"},
		{file: "app.lua", data: "local secret = [[" + pw + "]]\n", line: 1, reason: "looks like a secret (secret"},
		{file: "app.lua", data: "cfg.db_password = \"" + pw + "\"\n", line: 1, reason: "password (cfg.db_password"},
		{file: "app.lua", data: "-- old: password = \"" + pw + "\"\n", line: 1, reason: "password"},
		{file: "app.lua", data: "print(\"password: \" .. p) ; local password = \"" + pw + "\"\n", line: 1, reason: "password"},
		{file: "cfg.json", data: "{\n  \"user\": \"svc\",\n  \"password\": \"" + pw + "\"\n}\n", line: 3, reason: "password (password", secret: pw},
		{file: "cfg.json", data: `{"clientSecret":"` + pw + `"}`, line: 1, reason: "client secret (clientSecret"},
		{file: "cfg.yaml", data: "auth:\n  password: '" + pw + "'\n", line: 2, reason: "password"},
		{file: "cfg.ini", data: "[db]\npassword=" + pw + "\n", line: 2, reason: "password (password is set to a literal value)", secret: pw},
		{file: "app.conf", data: "db_password = " + pw + "   # prod\n", line: 1, reason: "password (db_password"},
		{file: "setup.ps1", data: "$Password = \"" + pw + "\"\n", line: 1, reason: "password (Password"},
		{file: "utf16.txt", data: utf16LE("note\r\npassword = \"" + pw + "\"\r\n"), line: 2, reason: "password"},
		{file: "latin1.lua", data: "-- caf\xe9\nlocal password = \"" + pw + "\"\n", line: 2, reason: "password"},
	})
	checkClean(t, []struct{ file, data string }{
		{"a.lua", `connect{certificate_password_env = "PFX_PASSWORD"}`},
		{"a.lua", `local password = os.getenv("EXO_PASSWORD")`},
		{"a.lua", `log.secret("client secret rotated for " .. app)`},
		{"a.lua", `log.secret(value)`},
		{"a.lua", "-- password rotation report\n"},
		{"a.lua", `local password = "short"`},
		{"a.lua", `local password = "${PFX_PASSWORD}"`},
		{"a.lua", `local password = "%PFX_PASSWORD%"`},
		{"a.lua", `local password = "<your password here>"`},
		{"a.lua", `local password = "********"`},
		{"a.lua", `local t = { Password = "[REDACTED]", Secret = "*** redacted ***" }`},
		{"a.lua", `local secret = "{{ client_secret }}"`},
		{"a.lua", `local password = "PFX_PASSWORD"`},
		{"a.lua", `local password = "env:PFX_PASSWORD"`},
		{"a.lua", `if password == "something-long" then end`},
		{"a.lua", `if password ~= "something-long" then end`},
		{"a.lua", `print("password: " .. p .. " and more text")`},
		{"a.lua", `out.print("Password: " .. m.Password .. " (rotated)")`},
		{"a.lua", `local password = secretvalue123`},
		{"a.lua", `local password_policy = "complex-required"`},
		{"a.lua", `local secret_name = "exorun-app-secret"`},
		{"a.lua", `local token = "function"`},
		{"a.lua", `local p = params.declare{ password = { type = "string", help = "the account password to set" } }`},
		{"a.json", `{"PasswordLastSet": "2024-05-01T10:00:00Z", "SecretName": "exorun-app"}`},
		{"a.csv", "Name,PasswordLastSet\nalice,2024-05-01T10:00:00Z\n"},
		{"a.txt", "Password: see the wiki for the rotation procedure\n"},
	})
}

func TestCSV(t *testing.T) {
	const pw = "Spring2025!x"
	checkFindings(t, []finding{
		{file: "users.csv", data: "UserPrincipalName,Password\nalice@contoso.com,short\nbob@contoso.com," + pw + "\n", line: 3, reason: `password (column "Password" holds a value)`, secret: pw},
		{file: "users.csv", data: "\"Name\",\"Client Secret\"\n\"app\",\"" + pw + "\"\n", line: 2, reason: `client secret (column "Client Secret"`},
		{file: "settings.csv", data: "Name,Value\ntenant,contoso\nclient_secret," + pw + "\n", line: 3, reason: `client secret ("client_secret" is set to a literal value)`},
	})
	checkClean(t, []struct{ file, data string }{
		{"users.csv", "UserPrincipalName,Password\nalice@contoso.com,\nbob@contoso.com,********\n"},
		{"settings.csv", "Name,Value\npassword_policy,complex-required\n"},
		{"broken.csv", "a,\"b\nc"},
	})
}

func TestFindingString(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{File: "keys/app.pfx", Reason: reasonPFX}, "keys/app.pfx: a PKCS#12 (PFX) file holds a private key"},
		{Finding{File: "report.lua", Line: 12, Reason: "looks like a client secret"}, "report.lua:12: looks like a client secret"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestScanReport(t *testing.T) {
	// Several rules on one line: one finding. Findings come in line order,
	// and a file full of secrets gives a bounded list.
	line := "local password = \"" + jwt + "\"\n"
	got := Scan("a.lua", []byte("x = 1\n"+line))
	if len(got) != 1 || got[0].Line != 2 {
		t.Errorf("Scan = %v; want one finding on line 2", got)
	}
	got = Scan("keys/id_rsa", []byte("\n"+fakePEM("OPENSSH PRIVATE KEY", nil)))
	if len(got) != 2 || got[0].Line != 0 || got[1].Line != 2 {
		t.Errorf("Scan = %v; want the name finding, then line 2", got)
	}
	got = Scan("tokens.txt", []byte(strings.Repeat(jwt+"\n", 1000)))
	if len(got) != maxFindings {
		t.Errorf("Scan gave %d findings for 1000 tokens; want %d", len(got), maxFindings)
	}
	if got := Scan("empty.lua", nil); got != nil {
		t.Errorf("Scan(empty) = %v", got)
	}
}

// TestExamples holds the rules to the scripts exorun ships: ordinary Lua,
// CSV and JSON must pass.
func TestExamples(t *testing.T) {
	root := filepath.Join("..", "..", "scripts", "examples")
	scanned := 0
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				walk(p)
				continue
			}
			switch filepath.Ext(p) {
			case ".lua", ".csv", ".json":
			default:
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			scanned++
			if got := Scan(filepath.ToSlash(p), data); got != nil {
				t.Errorf("%s flagged: %v", p, got)
			}
		}
	}
	walk(root)
	if scanned == 0 {
		t.Fatal("no example scripts found")
	}
}

func utf16LE(s string) string {
	units := utf16.Encode([]rune(s))
	b := []byte{0xff, 0xfe}
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return string(b)
}

package bundle_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/exorun/exorun/bundle"
	"github.com/exorun/exorun/bundle/archive"
	"github.com/exorun/exorun/bundle/signature"
	"github.com/exorun/exorun/internal/exitcode"
)

var builtins = []string{"csv", "json", "log", "out", "params", "fs", "time"}

const manifestJSON = `{
  "format": 1,
  "name": "audit",
  "version": "1.2.0",
  "description": "test bundle",
  "entry": "audit.lua",
  "cmdlets": [
    {"name": "Get-Mailbox", "access": "read"},
    {"name": "get-mailboxpermission", "access": "read"}
  ]
}`

const auditLua = `local params = require("params")
local util = require("lib.util")
local p = params.declare{
  top = {type = "integer", default = 5, help = "how many"},
  tags = {type = "list", default = {"a", "b"}},
}
local exo = connect()
for m in exo.get_mailbox{ResultSize = p.top} do
  util.show(exo.parallel("Get-MailboxPermission", {{Identity = m.Alias}}))
end
`

// folder is a bundle folder that packs.
func folder() fstest.MapFS {
	return fstest.MapFS{
		"manifest.json":   {Data: []byte(manifestJSON)},
		"audit.lua":       {Data: []byte(auditLua)},
		"lib/util.lua":    {Data: []byte("local M = {}\nfunction M.show(x) print(x) end\nreturn M\n")},
		"data/groups.csv": {Data: []byte("Name\nSales\n")},
		"README.md":       {Data: []byte("# audit\n")},
		".git/config":     {Data: []byte("[core]\n")},
		"old/audit.exob":  {Data: []byte("PK")},
	}
}

func pack(t *testing.T, dir fstest.MapFS, o bundle.PackOptions) *bundle.Packed {
	t.Helper()
	o.Builtins = builtins
	p, err := bundle.Pack(dir, "audit", o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPackDerivesTheManifest(t *testing.T) {
	p := pack(t, folder(), bundle.PackOptions{})
	m := p.Manifest
	var files []string
	for _, f := range m.Files {
		files = append(files, f.Path)
	}
	if want := []string{"README.md", "audit.lua", "data/groups.csv", "lib/util.lua"}; !slices.Equal(files, want) {
		t.Errorf("files %v, want %v (no .git, no earlier bundle, no manifest)", files, want)
	}
	if want := []string{"old/audit.exob"}; !slices.Equal(p.Skipped, want) {
		t.Errorf("skipped %v, want %v", p.Skipped, want)
	}
	if m.Cmdlets[1].Name != "Get-MailboxPermission" {
		t.Errorf("declared names are not put in catalog spelling: %+v", m.Cmdlets)
	}
	if want := []string{"Global Reader"}; !slices.Equal(m.Roles, want) {
		t.Errorf("roles %v, want %v", m.Roles, want)
	}
	if want := []string{"Exchange Online"}; !slices.Equal(m.Services, want) {
		t.Errorf("services %v, want %v", m.Services, want)
	}
	top, ok := m.Parameters["top"]
	if !ok || top.Type != "integer" || top.Default != float64(5) || top.Help != "how many" {
		t.Errorf("parameters not taken from the script's params.declare: %+v", m.Parameters)
	}
	if tags := m.Parameters["tags"]; !slices.Equal(tags.Default.([]any), []any{"a", "b"}) {
		t.Errorf("list default %v", tags.Default)
	}
}

// The same folder gives the same bytes, whatever the order files are met.
func TestPackIsDeterministic(t *testing.T) {
	first := pack(t, folder(), bundle.PackOptions{}).Data
	for range 5 {
		if again := pack(t, folder(), bundle.PackOptions{}).Data; !bytes.Equal(first, again) {
			t.Fatal("two packs of one folder differ")
		}
	}
	changed := folder()
	changed["README.md"] = &fstest.MapFile{Data: []byte("# audit!\n")}
	if bytes.Equal(first, pack(t, changed, bundle.PackOptions{}).Data) {
		t.Fatal("a changed file gives the same bundle")
	}
}

func TestPackHoldsTheManifestAgainstTheScripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(fstest.MapFS)
		want   []string
	}{
		{"undeclared call", func(f fstest.MapFS) {
			f["lib/util.lua"] = &fstest.MapFile{Data: []byte("local M = {}\nfunction M.show(x) local exo = connect()\n exo[\"Set-Mailbox\"]{Identity = x} end\nreturn M\n")}
		}, []string{`lib/util.lua:3: exo["Set-Mailbox"] calls Set-Mailbox, which the manifest does not declare (add {"name": "Set-Mailbox", "access": "write"})`}},
		{"declared, never called", func(f fstest.MapFS) {
			f["manifest.json"] = &fstest.MapFile{Data: []byte(strings.Replace(manifestJSON, `{"name": "Get-Mailbox", "access": "read"},`, `{"name": "Get-Mailbox", "access": "read"}, {"name": "Get-Recipient", "access": "read"},`, 1))}
		}, []string{"declares Get-Recipient, which no script calls"}},
		{"write declared read", func(f fstest.MapFS) {
			f["manifest.json"] = &fstest.MapFile{Data: []byte(strings.Replace(manifestJSON, `{"name": "Get-Mailbox", "access": "read"},`, `{"name": "Get-Mailbox", "access": "read"}, {"name": "Set-Mailbox", "access": "read"},`, 1))}
			f["audit.lua"] = &fstest.MapFile{Data: []byte(auditLua + "exo.set_mailbox{Identity = 'x'}\n")}
		}, []string{`Set-Mailbox writes; declare it "access": "write"`}},
		{"dynamic call undeclared", func(f fstest.MapFS) {
			f["audit.lua"] = &fstest.MapFile{Data: []byte(auditLua + "local name = 'Get-' .. 'User'\nexo.invoke(name)\n")}
		}, []string{`audit.lua:12: exo.invoke(name) calls a cmdlet by a computed name; declare every cmdlet it may call with "dynamic": true`}},
		{"connection settings", func(f fstest.MapFS) {
			f["audit.lua"] = &fstest.MapFile{Data: []byte(strings.Replace(auditLua, "connect()", `connect{service = "exchange", authority = "https://evil.example/"}`, 1))}
			f["lib/util.lua"] = &fstest.MapFile{Data: []byte("local M = {}\nlocal s = {}\nfunction M.show(x) return connect(s) end\nreturn M\n")}
		}, []string{`audit.lua:7: connect{authority = ...}: a bundle may set only service`, "lib/util.lua:3: connect with settings pack cannot see"}},
		{"missing module", func(f fstest.MapFS) { delete(f, "lib/util.lua") }, []string{`audit.lua:2: require("lib.util"): no lib/util.lua in the bundle`}},
		{"parameters differ", func(f fstest.MapFS) {
			f["manifest.json"] = &fstest.MapFile{Data: []byte(strings.Replace(manifestJSON, `"entry"`, `"parameters": {"top": {"type": "string"}}, "entry"`, 1))}
		}, []string{`"parameters" differ from what audit.lua:3 declares`}},
		{"secrets", func(f fstest.MapFS) {
			f["certs/app.pfx"] = &fstest.MapFile{Data: []byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03}}
			f[".env"] = &fstest.MapFile{Data: []byte("EXORUN_CLIENT_SECRET=x\n")}
			f["keys/app.pem"] = &fstest.MapFile{Data: []byte("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")}
		}, []string{"refused to pack", "certs/app.pfx", ".env", "keys/app.pem"}},
		{"other files", func(f fstest.MapFS) { f["tool.exe"] = &fstest.MapFile{Data: []byte("MZ")} }, []string{"tool.exe: a bundle carries Lua, CSV, TSV, JSON, text and Markdown files only"}},
		{"no manifest", func(f fstest.MapFS) { delete(f, "manifest.json") }, []string{"no manifest.json in the folder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := folder()
			tc.change(f)
			_, err := bundle.Pack(f, "audit", bundle.PackOptions{Builtins: builtins})
			for _, want := range tc.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got %v\nwant it to contain %q", err, want)
				}
			}
			if exitcode.Of(err) != exitcode.Bundle {
				t.Errorf("exit code %d, want bundle (9)", exitcode.Of(err))
			}
		})
	}
}

func TestParseManifestRefuses(t *testing.T) {
	for manifest, want := range map[string]string{
		`{"format": 1, "name": "a", "version": "1.0", "entry": "a.lua", "cmdlets": []}`:                                    `version "1.0" is not a semantic version`,
		`{"format": 2, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": []}`:                                  "format 2 is newer than this exorun reads",
		`{"format": 1, "name": "A B", "version": "1.0.0", "entry": "a.lua", "cmdlets": []}`:                                `name "A B"`,
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "../a.lua", "cmdlets": []}`:                               `entry "../a.lua"`,
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "lib/a.lua", "cmdlets": []}`:                              "must be at the bundle's root",
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": [{"name": "Get-X", "access": "rw"}]}`: `access must be "read" or "write"`,
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": [], "owner": "x"}`:                    `unknown field "owner"`,
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": []} {}`:                               "data after",
		"{\"format\": 1,\n\"name\": 7}": "line 2",
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": [], "parameters": {"n": {"type": "int"}}}`:                                   `unknown type "int"`,
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": [], "files": [{"path": "a.lua", "size": 1, "sha256": "00"}]}`:                "sha256 must be 64",
		`{"format": 1, "name": "a", "version": "1.0.0", "entry": "a.lua", "cmdlets": [{"name": "Get-X", "access": "read"}, {"name": "get-x", "access": "read"}]}`: "declared twice",
	} {
		_, err := bundle.ParseManifest([]byte(manifest))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\ngot %v, want %q", manifest, err, want)
		}
	}
}

func TestSmallestRoles(t *testing.T) {
	for _, tc := range []struct {
		cmdlets []bundle.Cmdlet
		want    []string
	}{
		{[]bundle.Cmdlet{{Name: "Get-Mailbox"}}, []string{"Global Reader"}},
		{[]bundle.Cmdlet{{Name: "Get-Mailbox"}, {Name: "Get-DlpCompliancePolicy"}}, []string{"Global Reader"}},
		{[]bundle.Cmdlet{{Name: "Get-Mailbox"}, {Name: "Set-Mailbox"}}, []string{"Exchange Recipient Administrator"}},
		// One role granting both beats two that each grant one.
		{[]bundle.Cmdlet{{Name: "Set-Mailbox"}, {Name: "New-DlpCompliancePolicy"}}, []string{"Global Administrator"}},
		// A cmdlet both services run is granted on the one declared.
		{[]bundle.Cmdlet{{Name: "Add-RoleGroupMember"}}, []string{"Exchange Administrator"}},
		{[]bundle.Cmdlet{{Name: "Add-RoleGroupMember", Service: "compliance"}}, []string{"Security Administrator"}},
	} {
		got, err := bundle.SmallestRoles(tc.cmdlets)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: roles %v, want %v", tc.cmdlets, got, tc.want)
		}
	}
}

// identity is a self-signed signing certificate, as exorun cert new makes.
func identity(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Contoso Automation"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func signedBundle(t *testing.T) (*bundle.Packed, *x509.Certificate) {
	t.Helper()
	cert, key := identity(t)
	p := pack(t, folder(), bundle.PackOptions{Sign: func(m []byte) ([]byte, error) {
		return signature.Sign(m, cert, key, nil, time.Now())
	}})
	return p, cert
}

func TestOpenChecksEveryFile(t *testing.T) {
	p, cert := signedBundle(t)
	b, err := bundle.Open(p.Data, "audit.exob")
	if err != nil {
		t.Fatal(err)
	}
	s, err := signature.Verify(b.ManifestData, b.SignatureData)
	if err != nil || s.Thumbprint != signature.Thumbprint(cert) {
		t.Fatalf("signature: %v, %+v", err, s)
	}
	entries, err := archive.Read(p.Data, archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// One flipped bit anywhere in any file is a hash mismatch; anywhere
	// in the manifest, a manifest that does not parse or a signature that
	// does not match.
	// Every byte; under -short (the race detector's run, where each
	// check is many times slower) every 13th.
	step := 1
	if testing.Short() {
		step = 13
	}
	for i, e := range entries {
		for pos := 0; pos < len(e.Data); pos += step {
			changed := slices.Clone(entries)
			changed[i].Data = slices.Clone(e.Data)
			changed[i].Data[pos] ^= 0x20
			var buf bytes.Buffer
			if err := archive.Write(&buf, changed); err != nil {
				t.Fatal(err)
			}
			b, err := bundle.Open(buf.Bytes(), "audit.exob")
			switch {
			case e.Name == bundle.SignatureFile:
				// CMS leaves some bytes unsigned (the embedded
				// certificate, version fields): a flip there may
				// still verify, but never as the trusted signer.
				if err == nil {
					var s *signature.Signer
					if s, err = signature.Verify(b.ManifestData, b.SignatureData); err == nil {
						var trust signature.Trust
						trust.Add("signer", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
						if ok, _ := trust.Check(s, time.Now()); !ok || s.Certificate.Equal(cert) {
							continue
						}
						t.Fatalf("signature byte %d flipped: trusted as another certificate", pos)
					}
				}
			case e.Name == bundle.ManifestFile:
				if err == nil {
					_, err = signature.Verify(b.ManifestData, b.SignatureData)
				}
			default:
				if err != nil && !strings.Contains(err.Error(), e.Name+": its SHA-256 does not match the manifest") {
					t.Fatalf("%s byte %d: %v", e.Name, pos, err)
				}
			}
			if err == nil {
				t.Fatalf("%s: byte %d flipped, and the bundle still checks", e.Name, pos)
			}
		}
	}
	// A file added or taken away.
	extra := append(slices.Clone(entries), archive.Entry{Name: "extra.lua", Data: []byte("x")})
	var buf bytes.Buffer
	if err := archive.Write(&buf, extra); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Open(buf.Bytes(), "a"); err == nil || !strings.Contains(err.Error(), "extra.lua: in the bundle but not listed") {
		t.Errorf("extra file: %v", err)
	}
	fewer := slices.DeleteFunc(slices.Clone(entries), func(e archive.Entry) bool { return e.Name == "lib/util.lua" })
	buf.Reset()
	if err := archive.Write(&buf, fewer); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Open(buf.Bytes(), "a"); err == nil || !strings.Contains(err.Error(), "lib/util.lua: listed in the manifest but missing") {
		t.Errorf("missing file: %v", err)
	}
}

func TestOpenServesTheFiles(t *testing.T) {
	p := pack(t, folder(), bundle.PackOptions{})
	b, err := bundle.Open(p.Data, "audit.exob")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(b.FS(), "audit.lua", "lib/util.lua", "data/groups.csv", "manifest.json"); err != nil {
		t.Fatal(err)
	}
	src, err := b.Entry()
	if err != nil || string(src) != auditLua {
		t.Fatalf("entry: %v", err)
	}
	if b.Signed() {
		t.Error("an unsigned bundle says it is signed")
	}
	var m map[string]any
	if err := json.Unmarshal(b.ManifestData, &m); err != nil || m["name"] != "audit" {
		t.Fatalf("manifest %v %v", m, err)
	}
}

// A standard tool checks the signature: openssl cms -verify accepts the
// manifest with its detached signature, and refuses a changed manifest.
func TestOpenSSLVerifiesTheSignature(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	p, cert := signedBundle(t)
	b, err := bundle.Open(p.Data, "audit.exob")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	manifest := write("manifest.json", b.ManifestData)
	sig := write("manifest.p7s", b.SignatureData)
	ca := write("signer.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	verify := func() ([]byte, error) {
		return exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
			"-content", manifest, "-CAfile", ca, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
	}
	if out, err := verify(); err != nil {
		t.Fatalf("openssl cms -verify refuses the signature: %v\n%s", err, out)
	}
	write("manifest.json", bytes.Replace(b.ManifestData, []byte(`"1.2.0"`), []byte(`"1.2.1"`), 1))
	if out, err := verify(); err == nil {
		t.Fatalf("openssl cms -verify accepts a changed manifest\n%s", out)
	}
}

// replaceManifest rebuilds a bundle with other manifest bytes.
func replaceManifest(t *testing.T, data []byte, change func([]byte) []byte) []byte {
	t.Helper()
	entries, err := archive.Read(data, archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if e.Name == bundle.ManifestFile {
			entries[i].Data = change(e.Data)
		}
	}
	var buf bytes.Buffer
	if err := archive.Write(&buf, entries); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Open takes only the manifest pack writes: JSON that other tools read
// otherwise (a key repeated in another case: Go takes the last one) or a
// manifest that understates its roles is not shown one way and run another.
func TestOpenRefusesManifestsNotAsPackWritesThem(t *testing.T) {
	p := pack(t, folder(), bundle.PackOptions{})
	for name, change := range map[string]func([]byte) []byte{
		"repeated key": func(m []byte) []byte {
			return bytes.Replace(m, []byte(`"cmdlets": [`), []byte(`"CMDLETS": [{"name": "Set-Mailbox", "access": "write"}], "cmdlets": [`), 1)
		},
		"reformatted": func(m []byte) []byte { return bytes.ReplaceAll(m, []byte("  "), []byte("\t")) },
	} {
		data := replaceManifest(t, p.Data, change)
		if _, err := bundle.Open(data, "a.exob"); err == nil || !strings.Contains(err.Error(), "not as exorun bundle pack writes it") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Roles overstated (with the bytes still canonical): Open derives
	// them again, and so would an understatement.
	m := *p.Manifest
	m.Roles = []string{"Global Administrator"}
	canonical, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(replaceManifest(t, p.Data, func([]byte) []byte { return canonical }), "a.exob")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Manifest.Roles, []string{"Global Reader"}) || len(b.Notes) != 1 || !strings.Contains(b.Notes[0], "names the roles Global Administrator; this exorun derives Global Reader") {
		t.Errorf("roles %v, notes %q", b.Manifest.Roles, b.Notes)
	}
}

func TestManifestRefusesControlCharacters(t *testing.T) {
	for _, text := range []string{"report\x1b[8m", "a\u202eb", "tab\there"} {
		m := bundle.Manifest{Format: 1, Name: "a", Version: "1.0.0", Entry: "a.lua", Description: text}
		if err := m.Check(); err == nil || !strings.Contains(err.Error(), "description holds a control or invisible character") {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestPackWarnsOfDynamicCmdletsItCannotSee(t *testing.T) {
	f := folder()
	f["manifest.json"] = &fstest.MapFile{Data: []byte(strings.Replace(manifestJSON, `{"name": "Get-Mailbox", "access": "read"},`, `{"name": "Get-Mailbox", "access": "read"}, {"name": "Get-User", "access": "read", "dynamic": true},`, 1))}
	p := pack(t, f, bundle.PackOptions{})
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], `Get-User declared "dynamic", but pack found no call by a computed name`) {
		t.Errorf("warnings %q", p.Warnings)
	}
}

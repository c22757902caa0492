package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/internal/exitcode"
)

const (
	certTestPassword = "Pa55-cert-test-5e1d"
	certTestWrong    = "Pa55-not-it-0b7c"
)

// certEnv is a test Env that writes files and keeps its certificate store
// under a temporary folder, with vars as its environment.
func certEnv(t *testing.T, vars map[string]string, args ...string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	env, stdout, stderr := testEnv(t, args...)
	env.ConfigDir = t.TempDir()
	env.WriteFile = writeFileAtomic
	env.StoreFS = osStoreFS{}
	env.LookupEnv = func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	return env, stdout, stderr
}

// runCert runs exorun with args and returns its exit code, stdout and
// stderr; stdout and stderr must never hold a test password.
func runCert(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	env, stdout, stderr := certEnv(t, vars, args...)
	code := Main(env)
	for _, out := range []string{stdout.String(), stderr.String()} {
		if strings.Contains(out, certTestPassword) || strings.Contains(out, certTestWrong) {
			t.Fatalf("exorun %s printed a password:\n%s", strings.Join(args, " "), out)
		}
	}
	return code, stdout.String(), stderr.String()
}

// newCert runs cert new into a temporary folder and returns the files'
// common path (without extension) and cert new's stdout.
func newCert(t *testing.T, passwordArgs ...string) (string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "app")
	args := append([]string{"cert", "new", "--subject", "CN=cert test", "--out", out}, passwordArgs...)
	code, stdout, stderr := runCert(t, map[string]string{"PW": certTestPassword}, args...)
	if code != 0 {
		t.Fatalf("cert new: exit %d\n%s", code, stderr)
	}
	return out, stdout
}

func TestCertNewEncryptsThePEMKeyWithThePassword(t *testing.T) {
	out, stdout := newCert(t, "--password-env", "PW")
	pemData, err := os.ReadFile(out + ".pem")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pemData, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")) || bytes.Contains(pemData, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatalf("app.pem does not hold the key encrypted:\n%s", pemData)
	}
	if !strings.Contains(stdout, "the private key in "+out+".pfx and "+out+".pem is encrypted with the password") {
		t.Errorf("cert new does not say the key files are encrypted:\n%s", stdout)
	}

	// The PEM opens with the PFX's password only, and holds the PFX's key.
	fromPEM, err := certificate.LoadFile(out+".pem", "", certTestPassword, os.ReadFile)
	if err != nil {
		t.Fatalf("the PEM does not load with its password: %v", err)
	}
	fromPFX, err := certificate.LoadFile(out+".pfx", "", certTestPassword, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	if !fromPEM.Key.Equal(fromPFX.Key) {
		t.Error("app.pem and app.pfx hold different keys")
	}
	if _, err := certificate.LoadFile(out+".pem", "", certTestWrong, os.ReadFile); !errors.Is(err, certificate.ErrWrongPassword) {
		t.Errorf("a wrong password: got %v, want ErrWrongPassword", err)
	}
	if _, err := certificate.LoadFile(out+".cer", out+".pem", "", os.ReadFile); !errors.Is(err, certificate.ErrPasswordNeeded) {
		t.Errorf("as a key file without a password: got %v, want ErrPasswordNeeded", err)
	}

	// cert import stores it with --password-env.
	code, stdout, stderr := runCert(t, map[string]string{"PW": certTestPassword}, "cert", "import", "--password-env", "PW", out+".pem")
	if code != 0 || !strings.HasPrefix(stdout, "imported "+fromPEM.Thumbprint()) {
		t.Errorf("cert import of the encrypted PEM: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestCertNewWithoutPasswordSaysTheKeyIsUnprotected(t *testing.T) {
	out, stdout := newCert(t, "--no-password")
	pemData, err := os.ReadFile(out + ".pem")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pemData, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatalf("app.pem does not hold an unencrypted key:\n%s", pemData)
	}
	for _, want := range []string{
		"protection:  NONE: the private key in " + out + ".pfx and " + out + ".pem is not encrypted",
		"the store's copy ('exorun cert import') is unencrypted, mode 0600",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("cert new --no-password does not say %q:\n%s", want, stdout)
		}
	}
}

var (
	hintFlagRE = regexp.MustCompile(`--[a-z][a-z-]*[a-z]`)
	hintEnvRE  = regexp.MustCompile(`\bEXORUN_[A-Z_]+\b`)
)

// flagsOf is the flag names the command at words declares.
func flagsOf(t *testing.T, words ...string) map[string]bool {
	t.Helper()
	c := commands()
	for rest := words; c != nil && len(rest) > 0; {
		c, rest = c.verb(rest)
	}
	if c == nil || c.flags == nil {
		t.Fatalf("no command %q with flags in the tree", strings.Join(words, " "))
	}
	names := map[string]bool{}
	for _, name := range hintFlagRE.FindAllString(c.flags().FlagUsages(), -1) {
		names[name] = true
	}
	return names
}

// certHint runs exorun with args, which must fail with exit 3, and
// returns the hint it printed.
func certHint(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	code, _, stderr := runCert(t, vars, args...)
	if code != int(exitcode.Auth) {
		t.Fatalf("exorun %s: exit %d, want %d\n%s", strings.Join(args, " "), code, exitcode.Auth, stderr)
	}
	_, hint, ok := strings.Cut(stderr, "\nhint: ")
	if !ok {
		t.Fatalf("exorun %s printed no hint:\n%s", strings.Join(args, " "), stderr)
	}
	return strings.TrimSpace(hint)
}

// cert import reads neither --certificate-key-file nor
// EXORUN_CERTIFICATE_PASSWORD: its hints name its own flags, and every flag
// they name is one it has.
func TestCertImportHintsNameItsOwnFlags(t *testing.T) {
	out, _ := newCert(t, "--password-env", "PW")
	importFlags := flagsOf(t, "cert", "import")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"PFX without password", []string{out + ".pfx"}, "--password-env VAR"},
		{"PFX, wrong password", []string{"--password-env", "BAD", out + ".pfx"}, "--password-env VAR"},
		{"encrypted PEM without password", []string{out + ".pem"}, "--password-env VAR"},
		{"certificate without key", []string{out + ".cer"}, "--key-file FILE"},
		{"missing file", []string{out + ".nope"}, "--key-file FILE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hint := certHint(t, map[string]string{"BAD": certTestWrong}, append([]string{"cert", "import"}, tt.args...)...)
			if !strings.Contains(hint, tt.want) {
				t.Errorf("hint %q does not name %s", hint, tt.want)
			}
			for _, flag := range hintFlagRE.FindAllString(hint, -1) {
				if !importFlags[flag] {
					t.Errorf("hint %q names %s, which cert import does not have", hint, flag)
				}
			}
			if env := hintEnvRE.FindString(hint); env != "" {
				t.Errorf("hint %q names %s, which cert import does not read", hint, env)
			}
		})
	}
}

// The commands that connect take the connection settings: their hints name
// those flags and variables, and each one exists on whoami, doctor and run.
func TestCertHintsOfConnectingCommandsNameRealSettings(t *testing.T) {
	out, _ := newCert(t, "--password-env", "PW")
	envs := map[string]bool{}
	for _, f := range connect.Fields() {
		envs[f.Env] = true
	}
	commandsFlags := map[string]map[string]bool{"whoami": flagsOf(t, "whoami"), "doctor": flagsOf(t, "doctor"), "run": flagsOf(t, "run")}
	connection := []string{"whoami", "--app-id", "6f1c0b6a-0f3e-4f7e-9c1a-2b3c4d5e6f70", "--organization", "contoso.onmicrosoft.com"}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"PFX without password", []string{"--certificate-file", out + ".pfx"}, "--certificate-password-env"},
		{"encrypted PEM, wrong password", []string{"--certificate-file", out + ".pem", "--certificate-password-env", "BAD"}, "EXORUN_CERTIFICATE_PASSWORD"},
		{"certificate without key", []string{"--certificate-file", out + ".cer"}, "--certificate-key-file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hint := certHint(t, map[string]string{"BAD": certTestWrong}, append(connection, tt.args...)...)
			if !strings.Contains(hint, tt.want) {
				t.Errorf("hint %q does not name %s", hint, tt.want)
			}
			for _, flag := range hintFlagRE.FindAllString(hint, -1) {
				for name, flags := range commandsFlags {
					if !flags[flag] {
						t.Errorf("hint %q names %s, which %s does not have", hint, flag, name)
					}
				}
			}
			for _, env := range hintEnvRE.FindAllString(hint, -1) {
				if !envs[env] {
					t.Errorf("hint %q names %s, which is no connection setting", hint, env)
				}
			}
		})
	}
}

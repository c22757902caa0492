package certificate

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/exorun/exorun/internal/exitcode"
)

// Kinds of failure. Errors from this package wrap one of them, so callers
// can branch with errors.Is while the message says exactly what happened.
var (
	// ErrUnreadable: the data is not a certificate format this package
	// reads, or it is damaged.
	ErrUnreadable = errors.New("not a certificate exorun can read")
	// ErrPasswordNeeded: the data is encrypted and no password was given.
	ErrPasswordNeeded = errors.New("a password is needed")
	// ErrWrongPassword: the data is encrypted with another password.
	ErrWrongPassword = errors.New("wrong password")
	// ErrNoCertificate: there is a key but no certificate.
	ErrNoCertificate = errors.New("no certificate")
	// ErrNoPrivateKey: there is a certificate but no private key.
	ErrNoPrivateKey = errors.New("no private key")
	// ErrKeyMismatch: the private key belongs to another certificate.
	ErrKeyMismatch = errors.New("the private key does not match the certificate")
	// ErrNotRSA: the key is not RSA, which Entra ID app-only auth needs.
	ErrNotRSA = errors.New("not an RSA key")
	// ErrKeyTooShort: the RSA key has fewer than MinKeyBits bits.
	ErrKeyTooShort = errors.New("RSA key too short")
	// ErrExpired: the certificate's NotAfter has passed.
	ErrExpired = errors.New("certificate expired")
	// ErrNotYetValid: the certificate's NotBefore is still to come.
	ErrNotYetValid = errors.New("certificate not yet valid")
	// ErrNotInStore: the store has no certificate with that thumbprint.
	ErrNotInStore = errors.New("not in the certificate store")
)

// Hints tell the user what to do next. They name settings, never values.
const (
	hintFormat = "give a .pfx/.p12, a PEM file holding the certificate and its key, " +
		"or a DER .cer with a key file; base64 of a .pfx or PEM is accepted too"
	hintNoCert     = "give the certificate (.cer, .pem or .pfx) as well as the key"
	hintMismatch   = "pair the certificate with the key it was created with: the certificate's and the key's public modulus must be equal"
	hintNewRSA     = "create an RSA certificate of 2048 bits or more, upload its .cer to the app registration in Entra ID, and use it instead"
	hintExpired    = "create a new certificate, upload its .cer to the app registration in Entra ID, and use it instead"
	hintNotYet     = "check this machine's clock, or wait until the certificate becomes valid"
	hintImport     = "import it first: exorun cert import FILE"
	hintPFXWithKey = "a .pfx/.p12 holds its own private key: give no key file with it"
)

// Names says how the caller's user gives what loading may ask for, so a
// hint names a flag or variable that exists where the user is: run,
// whoami and doctor take --certificate-password-env and
// --certificate-key-file, cert import takes --password-env and --key-file.
// The package reads no flags, so each caller words these from its own flag
// declarations. An empty field means the connection settings' name
// (connect.Fields), which is what Load, LoadFile and Store.Load say.
type Names struct {
	// CertFile is where the certificate file's path came from, e.g.
	// "the FILE argument".
	CertFile string
	// KeyFile is how a separate key file is given, e.g. "--key-file".
	KeyFile string
	// Password is how the password is given, e.g. "the environment
	// variable named by --password-env".
	Password string
}

// The connection settings' names: the fallback for an empty Names field.
const (
	settingCertFile = "certificate_file / --certificate-file"
	settingKeyFile  = "certificate_key_file / --certificate-key-file"
	settingPassword = "EXORUN_CERTIFICATE_PASSWORD, or the variable named by --certificate-password-env"
)

func (n Names) passwordHint() string {
	return "give the password the certificate was exported with (" + cmp.Or(n.Password, settingPassword) + ")"
}

func (n Names) noKeyHint() string {
	return "use a .pfx that holds the private key, or give the key file (" + cmp.Or(n.KeyFile, settingKeyFile) + ")"
}

func (n Names) pathHint() string {
	return "check the path given in " + cmp.Or(n.CertFile, settingCertFile) + " or " + cmp.Or(n.KeyFile, settingKeyFile)
}

// problem is one specific failure: its text says exactly what went wrong,
// and errors.Is matches it to kind, the sentinel naming the sort of failure.
type problem struct {
	kind error
	text string
}

func (p *problem) Error() string { return p.text }
func (p *problem) Unwrap() error { return p.kind }

// refuse builds the error for a credential problem: "subject: text", where
// text is the formatted detail (kind's own text when format is empty),
// carrying exitcode.Auth and hint. Nothing passed here may hold a secret.
func refuse(subject string, kind error, hint, format string, args ...any) error {
	p := &problem{kind: kind, text: kind.Error()}
	if format != "" {
		p.text = fmt.Sprintf(format, args...)
	}
	return exitcode.New(exitcode.Auth, "%s: %w", subject, p).WithHint(hint)
}

// invalid builds the error for a bad argument (an option to New, a
// malformed thumbprint): the caller's mistake, not the credential's.
func invalid(format string, args ...any) error {
	return exitcode.New(exitcode.Usage, format, args...)
}

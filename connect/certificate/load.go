package certificate

import (
	"errors"
	"io/fs"

	"github.com/exorun/exorun/internal/exitcode"
)

// Load reads a credential from bytes handed in at run time, e.g. a secret
// fetched from Key Vault: a PKCS#12 file, PEM text holding the certificate
// chain and the key, or base64 of either (standard or URL-safe alphabet,
// padded or not, wrapped or not). The format is sniffed from the bytes.
//
// password opens a PFX or an encrypted key; it may be empty. source names
// the bytes in messages and becomes Credential.Source: a noun phrase that
// reads after "certificate ", such as "EXORUN_CERTIFICATE".
//
// Load only parses: it refuses a credential that could never authenticate
// (see checkKey) but does not look at the clock. Whether the certificate
// is valid now is the caller's question, asked once with its own clock
// through Check, so a pinned or fake clock is the only one consulted.
func Load(data []byte, password, source string) (*Credential, error) {
	if source == "" {
		source = "data"
	}
	b, err := decode(data, access{password: password}, "certificate "+source)
	if err != nil {
		return nil, err
	}
	return finish(b, source, Names{})
}

// LoadFile reads a credential from a certificate file (.pfx/.p12, PEM,
// DER .cer, or base64 of a PFX or PEM) and, when keyPath is not empty, a
// separate key file (PEM or DER; PKCS#1, PKCS#8 or encrypted PKCS#8).
// password opens whichever of them is encrypted.
//
// readFile is how files are read (cmd/exorun/cli passes os.ReadFile); the
// package never opens a file itself. A missing file gives an error that
// matches fs.ErrNotExist.
//
// Like Load, LoadFile does not look at the clock; run Check before use.
func LoadFile(path, keyPath, password string, readFile func(string) ([]byte, error)) (*Credential, error) {
	return LoadFileNamed(path, keyPath, password, Names{}, readFile)
}

// LoadFileNamed is LoadFile for a caller whose user gives the files and
// the password some other way than the connection settings: its hints say
// what names says (cert import's --key-file and --password-env).
func LoadFileNamed(path, keyPath, password string, names Names, readFile func(string) ([]byte, error)) (*Credential, error) {
	a := access{password: password, names: names}
	switch {
	case path == "":
		return nil, invalid("certificate: no certificate file given")
	case readFile == nil:
		return nil, invalid("certificate file %s: no way to read files was given", path)
	}
	certSubject := "certificate file " + path
	data, err := readInput(readFile, path, certSubject, names)
	if err != nil {
		return nil, err
	}
	b, err := decode(data, a, certSubject)
	if err != nil {
		return nil, err
	}
	if keyPath == "" {
		return finish(b, "file "+path, names)
	}
	if b.format == formatPKCS12 {
		return nil, exitcode.New(exitcode.Usage, "%s: a PKCS#12 file holds its own key, and key file %s was given too", certSubject, keyPath).
			WithHint(hintPFXWithKey)
	}

	keySubject := "key file " + keyPath
	keyData, err := readInput(readFile, keyPath, keySubject, names)
	if err != nil {
		return nil, err
	}
	k, err := decode(keyData, a, keySubject)
	if err != nil {
		return nil, err
	}
	if k.key == nil {
		return nil, refuse(keySubject, ErrNoPrivateKey, names.noKeyHint(), "holds no private key")
	}
	// The key file's key wins over one the certificate file may hold;
	// certificates from both count, so a key file may carry the chain.
	b.key = k.key
	b.certs = append(b.certs, k.certs...)
	return finish(b, "file "+path+" with key file "+keyPath, names)
}

// finish assembles a credential and refuses it when it could never
// authenticate, whatever the time: those refusals belong to loading, as
// the bytes alone decide them. The validity window is left to Check.
// names words the hints.
func finish(b bundle, source string, names Names) (*Credential, error) {
	c, err := assemble(b, source, names)
	if err != nil {
		return nil, err
	}
	if err := checkKey(c); err != nil {
		return nil, err
	}
	return c, nil
}

// readInput reads one file, saying "file not found" rather than repeating
// the path the subject already names.
func readInput(readFile func(string) ([]byte, error), path, subject string, names Names) ([]byte, error) {
	data, err := readFile(path)
	if err == nil {
		return data, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, refuse(subject, err, names.pathHint(), "file not found")
	}
	cause := err
	if pathErr, ok := errors.AsType[*fs.PathError](err); ok {
		cause = pathErr.Err
	}
	return nil, refuse(subject, err, names.pathHint(), "cannot read it: %v", cause)
}

package certificate

import (
	"cmp"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/exorun/exorun/internal/exitcode"
)

// StoreFS is the filesystem a Store works through. Its methods have the
// signatures of package os's functions of the same names, so the CLI's
// implementation forwards to them; tests use a temporary folder.
type StoreFS interface {
	ReadFile(name string) ([]byte, error)
	// WriteFile must leave the file with exactly perm, also when it
	// replaces an existing file (os.WriteFile keeps an old file's mode;
	// write a temporary file and rename it over).
	WriteFile(name string, data []byte, perm fs.FileMode) error
	ReadDir(name string) ([]fs.DirEntry, error)
	MkdirAll(name string, perm fs.FileMode) error
	RemoveAll(name string) error
}

// Store is a certificate store that works the same on every OS: the
// portable stand-in for Windows' Cert:\CurrentUser\My, so a job can name
// its certificate by thumbprint, as Connect-ExchangeOnline
// -CertificateThumbprint does, instead of carrying a file path.
//
// Layout: one folder per certificate, named by its SHA-1 thumbprint:
//
//	{Dir}/{THUMBPRINT}/cert.pem   the chain, leaf first (mode 0644)
//	{Dir}/{THUMBPRINT}/key.pem    the key, unencrypted PKCS#8 (mode 0600)
//
// The key is stored unencrypted, like ~/.ssh/id_rsa: the protection is
// the folders' mode 0700 and the files' 0600, so an unattended job needs
// no password. Folders that already exist keep their mode.
type Store struct {
	Dir string
	FS  StoreFS
}

// Entry describes one certificate in a Store.
type Entry struct {
	Thumbprint string
	Subject    string
	NotBefore  time.Time
	NotAfter   time.Time
	KeyType    string // "RSA"
	KeyBits    int
}

const (
	storeCertFile = "cert.pem"
	storeKeyFile  = "key.pem"
)

// Import stores c under its thumbprint and returns the thumbprint.
// Importing the same certificate again rewrites it. Import refuses a
// credential that could never authenticate (no key, a key that does not
// match, a key too short) but not one outside its validity window: a
// successor may be imported before it becomes valid, and the caller that
// uses it checks dates with Check.
func (s *Store) Import(c *Credential) (thumbprint string, err error) {
	if err := s.usable(); err != nil {
		return "", err
	}
	if err := checkKey(c); err != nil {
		return "", err
	}
	key, err := c.keyPEM()
	if err != nil {
		return "", err
	}
	thumbprint = c.Thumbprint()
	folder := filepath.Join(s.Dir, thumbprint)
	if err := s.FS.MkdirAll(folder, 0o700); err != nil {
		return "", storeError(thumbprint, "create its folder", err)
	}
	// The key goes first: List shows only folders with a cert.pem, so an
	// import cut short never lists a certificate without its key.
	if err := s.FS.WriteFile(filepath.Join(folder, storeKeyFile), key, 0o600); err != nil {
		return "", storeError(thumbprint, "write the key", err)
	}
	if err := s.FS.WriteFile(filepath.Join(folder, storeCertFile), c.chainPEM(), 0o644); err != nil {
		return "", storeError(thumbprint, "write the certificate", err)
	}
	return thumbprint, nil
}

// List describes the stored certificates, sorted by subject, then
// thumbprint. An empty or missing store lists nothing.
func (s *Store) List() ([]Entry, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	dirents, err := s.FS.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Auth, fmt.Errorf("certificate store %s: %w", s.Dir, err))
	}
	var entries []Entry
	for _, d := range dirents {
		thumbprint, err := ParseThumbprint(d.Name())
		if !d.IsDir() || err != nil || thumbprint != d.Name() {
			continue // not ours: the store ignores what it did not write
		}
		chain, err := s.readChain(thumbprint)
		if errors.Is(err, ErrNotInStore) {
			continue // an import cut short before cert.pem was written
		}
		if err != nil {
			return nil, err
		}
		leaf := chain[0]
		entries = append(entries, Entry{
			Thumbprint: thumbprint,
			Subject:    leaf.Subject.String(),
			NotBefore:  leaf.NotBefore,
			NotAfter:   leaf.NotAfter,
			KeyType:    keyAlgorithm(leaf),
			KeyBits:    publicKeyBits(leaf),
		})
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		return cmp.Or(strings.Compare(a.Subject, b.Subject), strings.Compare(a.Thumbprint, b.Thumbprint))
	})
	return entries, nil
}

// Load reads the certificate with this thumbprint (any case; spaces,
// colons and the invisible marks Windows' certificate dialog copies along
// are ignored). Like Load it does not look at the clock; run Check before
// use.
func (s *Store) Load(thumbprint string) (*Credential, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	tp, err := ParseThumbprint(thumbprint)
	if err != nil {
		return nil, err
	}
	chain, err := s.readChain(tp)
	if err != nil {
		return nil, err
	}
	source := "store " + tp
	keyData, err := s.FS.ReadFile(filepath.Join(s.Dir, tp, storeKeyFile))
	var b bundle
	switch {
	case errors.Is(err, fs.ErrNotExist):
		b = bundle{certs: chain} // assemble says "no private key"
	case err != nil:
		return nil, storeError(tp, "read the key", err)
	default:
		if b, err = decodePEM(keyData, access{}, "certificate "+source); err != nil {
			return nil, err
		}
		b.certs = chain
	}
	c, err := finish(b, source, Names{})
	if err != nil {
		return nil, err
	}
	if c.Thumbprint() != tp {
		return nil, refuse("certificate "+source, ErrUnreadable, "remove it and import the certificate again",
			"the store folder holds certificate %s instead", c.Thumbprint())
	}
	return c, nil
}

// Remove deletes the certificate with this thumbprint from the store.
func (s *Store) Remove(thumbprint string) error {
	if err := s.usable(); err != nil {
		return err
	}
	tp, err := ParseThumbprint(thumbprint)
	if err != nil {
		return err
	}
	folder := filepath.Join(s.Dir, tp)
	if _, err := s.FS.ReadDir(folder); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return s.notFound(tp)
		}
		return storeError(tp, "read its folder", err)
	}
	if err := s.FS.RemoveAll(folder); err != nil {
		return storeError(tp, "remove it", err)
	}
	return nil
}

// readChain reads and parses {thumbprint}/cert.pem; a missing file is an
// ErrNotInStore error.
func (s *Store) readChain(tp string) ([]*x509.Certificate, error) {
	data, err := s.FS.ReadFile(filepath.Join(s.Dir, tp, storeCertFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, s.notFound(tp)
	}
	if err != nil {
		return nil, storeError(tp, "read the certificate", err)
	}
	b, err := decodePEM(data, access{}, "certificate store "+tp)
	if err != nil {
		return nil, err
	}
	if len(b.certs) == 0 {
		return nil, refuse("certificate store "+tp, ErrNoCertificate, hintImport, "%s holds no certificate", storeCertFile)
	}
	return b.certs, nil
}

func (s *Store) notFound(tp string) error {
	return refuse("certificate "+tp, ErrNotInStore, hintImport, "not in the certificate store %s", s.Dir)
}

func (s *Store) usable() error {
	if s == nil || s.Dir == "" || s.FS == nil {
		return invalid("certificate store: no folder configured")
	}
	return nil
}

// storeError reports a filesystem failure in the store; like every failure
// to get at the credential it is an authentication problem for the run.
func storeError(tp, doing string, err error) error {
	return exitcode.Wrap(exitcode.Auth, fmt.Errorf("certificate store %s: %s: %w", tp, doing, err))
}

// ParseThumbprint normalises a SHA-1 thumbprint as people paste it (any
// case, with spaces, colons, or the invisible left-to-right mark Windows'
// certificate dialog copies along) to 40 upper-case hex digits.
func ParseThumbprint(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == ':' || r == '\t' || unicode.Is(unicode.Cf, r):
			continue
		case '0' <= r && r <= '9', 'a' <= r && r <= 'f', 'A' <= r && r <= 'F':
			b.WriteRune(unicode.ToUpper(r))
		default:
			return "", invalid("certificate thumbprint %q: %q is not a hexadecimal digit", s, r)
		}
	}
	switch b.Len() {
	case 40:
		return b.String(), nil
	case 64:
		return "", invalid("certificate thumbprint %q is a SHA-256 thumbprint; the store is keyed by the SHA-1 thumbprint (40 hexadecimal digits)", s)
	default:
		return "", invalid("certificate thumbprint %q has %d hexadecimal digits; a SHA-1 thumbprint has 40", s, b.Len())
	}
}

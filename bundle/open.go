package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/exorun/exorun/bundle/archive"
)

// Bundle is a bundle read and checked: every file present and matching
// its hash, nothing unlisted. Whether it is signed, and by whom, is
// Signature's question.
type Bundle struct {
	Manifest *Manifest
	// ManifestData is manifest.json as stored: what the signature covers.
	ManifestData []byte
	// SignatureData is manifest.p7s, nil when the bundle is unsigned.
	SignatureData []byte
	// SHA256 is the hash of the whole bundle file, hex.
	SHA256 string
	// Notes are where this exorun reads the manifest otherwise than its
	// author's exorun did: the roles and services it derives from the
	// cmdlets, which replace the manifest's own.
	Notes []string
	files *zip.Reader
}

// Open reads and checks a bundle file's bytes; name names it in errors.
func Open(data []byte, name string) (*Bundle, error) {
	b, err := open(data)
	return b, named(err, name)
}

func open(data []byte) (*Bundle, error) {
	entries, err := archive.Read(data, archive.DefaultLimits())
	if err != nil {
		return nil, &Error{Msg: err.Error(), Hint: "the file is damaged or is no exorun bundle; ask its author for it again"}
	}
	b := &Bundle{SHA256: hexHash(sha256.Sum256(data))}
	stored := map[string][]byte{}
	for _, e := range entries {
		switch e.Name {
		case ManifestFile:
			b.ManifestData = e.Data
		case SignatureFile:
			b.SignatureData = e.Data
		default:
			stored[e.Name] = e.Data
		}
	}
	if b.ManifestData == nil {
		return nil, &Error{Msg: "no manifest.json: not an exorun bundle"}
	}
	if b.Manifest, err = ParseManifest(b.ManifestData); err != nil {
		return nil, err
	}
	// Only the form pack writes is accepted: JSON that other tools read
	// one way and Go another (a key repeated in another case, say) must
	// not show one manifest to an admin and enforce another.
	if canonical, err := b.Manifest.Marshal(); err != nil || !bytes.Equal(canonical, b.ManifestData) {
		return nil, &Error{Msg: "manifest.json is not as exorun bundle pack writes it (edited by hand?)", Hint: "do not run it; ask its author for the bundle again"}
	}
	if err := b.rederive(); err != nil {
		return nil, err
	}
	var problems []string
	listed := map[string]bool{}
	for _, f := range b.Manifest.Files {
		listed[f.Path] = true
		data, ok := stored[f.Path]
		switch {
		case !ok:
			problems = append(problems, f.Path+": listed in the manifest but missing")
		case int64(len(data)) != f.Size || hexHash(sha256.Sum256(data)) != f.SHA256:
			problems = append(problems, f.Path+": its SHA-256 does not match the manifest (the file was changed after packing)")
		}
	}
	for _, name := range sortedKeys(stored) {
		if !listed[name] {
			problems = append(problems, name+": in the bundle but not listed in the manifest")
		}
	}
	if !listed[b.Manifest.Entry] {
		problems = append(problems, "entry "+b.Manifest.Entry+" is not among the files")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, &Error{Msg: "damaged bundle:\n  " + strings.Join(problems, "\n  "), Hint: "do not run it; ask its author for the bundle again"}
	}
	// The checked entries are served through archive/zip's fs.FS over
	// the same bytes: a deflate stream whose CRC matched decodes the same
	// way again.
	if b.files, err = zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, &Error{Msg: fmt.Sprintf("reading the archive: %v", err)}
	}
	return b, nil
}

// rederive holds the manifest's claims against the catalog: a write
// declared read is refused, and the roles and services are derived again
// and replace the manifest's where they differ (a manifest may neither
// understate what it needs nor ask for more).
func (b *Bundle) rederive() error {
	m := b.Manifest
	for _, c := range m.Cmdlets {
		if c.Access == Read && effectOf(c.Name) == Write {
			return manifestError("%s writes, but the manifest declares it read", c.Name)
		}
	}
	// Derived every time (a few milliseconds): a manifest naming roles
	// that grant more than needed would have an admin assign them.
	roles, err := SmallestRoles(m.Cmdlets)
	if err != nil {
		return manifestError("%v", err)
	}
	if !slices.Equal(roles, m.Roles) {
		b.Notes = append(b.Notes, fmt.Sprintf("the manifest names the roles %s; this exorun derives %s from its cmdlets, and uses that", orNone(m.Roles), orNone(roles)))
		m.Roles = roles
	}
	return b.rederiveServices()
}

// rederiveServices derives the services from the cmdlets again.
func (b *Bundle) rederiveServices() error {
	m := b.Manifest
	if services := Services(m.Cmdlets); !slices.Equal(services, m.Services) {
		b.Notes = append(b.Notes, fmt.Sprintf("the manifest names the services %s; this exorun derives %s", orNone(m.Services), orNone(services)))
		m.Services = services
	}
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// FS is the bundle's files, read-only: what require and the fs module
// see. manifest.json is among them, the signature too when there is one;
// both are public anyway.
func (b *Bundle) FS() fs.FS { return b.files }

// Entry is the entry script's source.
func (b *Bundle) Entry() ([]byte, error) { return fs.ReadFile(b.files, b.Manifest.Entry) }

// Signed reports whether the bundle carries a signature.
func (b *Bundle) Signed() bool { return b.SignatureData != nil }

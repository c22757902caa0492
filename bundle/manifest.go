package bundle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/stdlib/params"
)

// The names a bundle's zip holds besides its files.
const (
	// ManifestFile is the manifest, at the zip's root.
	ManifestFile = "manifest.json"
	// SignatureFile is the detached CMS signature over ManifestFile.
	SignatureFile = "manifest.p7s"
	// Extension is a bundle file's.
	Extension = ".exob"
	// FormatVersion is the manifest format this exorun writes and reads.
	FormatVersion = 1
)

// Access is what a declared cmdlet does: "read" or "write".
type Access string

const (
	Read  Access = "read"
	Write Access = "write"
)

// effectOf is whether a cmdlet reads or writes: the catalog's effect,
// or for a name it does not know, its verb's.
func effectOf(name string) Access {
	effect := catalog.EffectOf(name)
	if c, ok := catalog.Lookup(name); ok {
		effect = c.Effect
	}
	if effect == catalog.Write {
		return Write
	}
	return Read
}

// Effect is the catalog's word for a.
func (a Access) Effect() catalog.Effect {
	if a == Read {
		return catalog.Read
	}
	return catalog.Write
}

// Manifest is manifest.json. The author writes the descriptive fields and
// the cmdlets; Pack fills Roles, Services and Files (and Parameters when
// the entry script declares them with a literal table).
type Manifest struct {
	Format      int    `json:"format"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
	Author      string `json:"author,omitempty"`
	// MinExorun is the oldest exorun release that runs the bundle.
	MinExorun string `json:"min_exorun,omitempty"`
	// Entry is the script run, a .lua file in the bundle.
	Entry      string      `json:"entry"`
	Parameters params.Spec `json:"parameters,omitempty"`
	Cmdlets    []Cmdlet    `json:"cmdlets"`
	// Roles is the smallest set of directory roles granting every cmdlet.
	Roles []string `json:"roles,omitempty"`
	// Services are the services the cmdlets run in.
	Services []string `json:"services,omitempty"`
	Files    []File   `json:"files,omitempty"`
}

// Cmdlet is one declared cmdlet.
type Cmdlet struct {
	Name   string `json:"name"`
	Access Access `json:"access"`
	// Service is "exchange" or "compliance", for a cmdlet both services
	// run; "" means the first service that runs it (Exchange). A session
	// of the other service may not call it.
	Service string `json:"service,omitempty"`
	// Dynamic marks a cmdlet the scripts call in a way the analysis
	// cannot see (a computed name, exo[name], exo.invoke(name), or a
	// session it does not follow): the author declares it, and inspect
	// flags it.
	Dynamic bool `json:"dynamic,omitempty"`
}

// ServiceOf is the service a declared cmdlet is granted and sent for.
func (c Cmdlet) ServiceOf() catalog.Service {
	if s, err := catalog.ParseService(c.Service); err == nil && c.Service != "" {
		return s
	}
	if cc, ok := catalog.Lookup(c.Name); ok {
		return cc.Services[0]
	}
	return catalog.Exchange
}

// File is one file of the bundle and its checksum.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

var (
	nameRule   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })
	semverRule = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$`)
	})
	hashRule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })
)

// ParseManifest reads manifest.json strictly: unknown fields, trailing
// data and a format newer than this exorun's are refused, and every field
// is checked (Check).
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, manifestError("%s", jsonProblem(data, err))
	}
	if dec.More() {
		return nil, manifestError("data after the manifest's JSON object")
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// jsonProblem says where a JSON error is, by line.
func jsonProblem(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// Check reports the first problem of a manifest: missing or malformed
// fields, duplicate cmdlets or files, an entry that is not a listed .lua
// file, parameters params.declare would refuse.
func (m *Manifest) Check() error {
	if err := m.checkText(); err != nil {
		return err
	}
	if m.Format != FormatVersion {
		if m.Format > FormatVersion {
			return manifestError("format %d is newer than this exorun reads (%d): update exorun", m.Format, FormatVersion)
		}
		return manifestError("format must be %d, not %d", FormatVersion, m.Format)
	}
	if !nameRule().MatchString(m.Name) {
		return manifestError("name %q: use lower-case letters, digits, '.', '-' and '_' (at most 64, starting with a letter or digit)", m.Name)
	}
	if !semverRule().MatchString(m.Version) {
		return manifestError("version %q is not a semantic version such as 1.0.0", m.Version)
	}
	if m.MinExorun != "" && !semverRule().MatchString(strings.TrimPrefix(m.MinExorun, "v")) {
		return manifestError("min_exorun %q is not a semantic version such as 0.4.0", m.MinExorun)
	}
	if err := checkPath(m.Entry); err != nil || !strings.HasSuffix(m.Entry, ".lua") {
		return manifestError("entry %q must be the path of a .lua file in the bundle", m.Entry)
	}
	if strings.Contains(m.Entry, "/") {
		// require and fs resolve from the entry's folder, which for a
		// bundle is its root.
		return manifestError("entry %q must be at the bundle's root, beside manifest.json", m.Entry)
	}
	if m.Parameters != nil {
		if err := m.Parameters.Check(); err != nil {
			return manifestError("parameters: %v", err)
		}
	}
	seen := map[string]bool{}
	for i, c := range m.Cmdlets {
		if !strings.Contains(c.Name, "-") || strings.ContainsAny(c.Name, " \t\r\n\"'") {
			return manifestError("cmdlets[%d]: %q is not a cmdlet name such as Get-Mailbox", i, c.Name)
		}
		if c.Access != Read && c.Access != Write {
			return manifestError("cmdlets[%d] %s: access must be \"read\" or \"write\", not %q", i, c.Name, c.Access)
		}
		if c.Service != "" {
			svc, err := catalog.ParseService(c.Service)
			if err != nil || c.Service != svc.Key() {
				return manifestError("cmdlets[%d] %s: service must be \"exchange\" or \"compliance\", not %q", i, c.Name, c.Service)
			}
			if cc, ok := catalog.Lookup(c.Name); ok && !cc.Runs(svc) {
				return manifestError("cmdlets[%d]: %s does not run in %s", i, c.Name, svc)
			}
		}
		key := strings.ToLower(c.Name)
		if seen[key] {
			return manifestError("cmdlet %s is declared twice", c.Name)
		}
		seen[key] = true
	}
	seen = map[string]bool{}
	for i, f := range m.Files {
		if err := checkPath(f.Path); err != nil {
			return manifestError("files[%d]: %v", i, err)
		}
		if f.Path == ManifestFile || f.Path == SignatureFile {
			return manifestError("files[%d]: %s is not a file of the bundle's own", i, f.Path)
		}
		if !hashRule().MatchString(f.SHA256) {
			return manifestError("files[%d] %s: sha256 must be 64 lower-case hex digits", i, f.Path)
		}
		if f.Size < 0 {
			return manifestError("files[%d] %s: negative size", i, f.Path)
		}
		key := strings.ToLower(f.Path)
		if seen[key] {
			return manifestError("file %s is listed twice", f.Path)
		}
		seen[key] = true
	}
	if len(m.Files) > 0 && !seen[strings.ToLower(m.Entry)] {
		return manifestError("entry %s is not among the bundle's files", m.Entry)
	}
	return nil
}

// checkText refuses control and format characters in any text of the
// manifest: inspect and --help print it to a terminal, where an escape
// sequence could hide or fake what an admin reads before running it.
func (m *Manifest) checkText() error {
	texts := map[string]string{"name": m.Name, "version": m.Version, "description": m.Description,
		"author": m.Author, "min_exorun": m.MinExorun, "entry": m.Entry}
	for i, c := range m.Cmdlets {
		texts[fmt.Sprintf("cmdlets[%d]", i)] = c.Name + c.Service + string(c.Access)
	}
	for i, f := range m.Files {
		texts[fmt.Sprintf("files[%d]", i)] = f.Path
	}
	for name, p := range m.Parameters {
		texts["parameter "+strconv.QuoteToASCII(name)] = name + p.Type + p.Help + fmt.Sprint(p.Default)
	}
	for _, field := range sortedKeys(texts) {
		for _, r := range texts[field] {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
				return manifestError("%s holds a control or invisible character (%U); a manifest is plain text", field, r)
			}
		}
	}
	return nil
}

// checkPath accepts a clean, relative, slash-separated path.
func checkPath(p string) error {
	if p == "" || !fs.ValidPath(p) || p == "." || strings.ContainsAny(p, "\\:\x00") {
		return fmt.Errorf("%q is not a clean relative path inside the bundle", p)
	}
	return nil
}

// Marshal is the manifest as the bundle stores it: indented, cmdlets and
// files sorted, so the same manifest gives the same bytes.
func (m *Manifest) Marshal() ([]byte, error) {
	c := *m
	c.Cmdlets = slices.Clone(m.Cmdlets)
	slices.SortFunc(c.Cmdlets, func(a, b Cmdlet) int { return strings.Compare(a.Name, b.Name) })
	c.Files = slices.Clone(m.Files)
	slices.SortFunc(c.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	data, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Cmdlet finds a declared cmdlet, any case.
func (m *Manifest) Cmdlet(name string) (Cmdlet, bool) {
	for _, c := range m.Cmdlets {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Cmdlet{}, false
}

// hexHash is a SHA-256 sum as the manifest writes it.
func hexHash(sum [32]byte) string { return hex.EncodeToString(sum[:]) }

// NeedsNewer reports whether the bundle asks for a newer exorun than
// running; a running version that is no release (a development build,
// "dev" or a pseudo-version) runs every bundle.
func (m *Manifest) NeedsNewer(running string) bool {
	if m.MinExorun == "" {
		return false
	}
	have, ok := parseRelease(strings.TrimPrefix(running, "v"))
	if !ok {
		return false
	}
	min, _, _ := strings.Cut(strings.TrimPrefix(m.MinExorun, "v"), "-")
	min, _, _ = strings.Cut(min, "+")
	want, _ := parseRelease(min)
	return slices.Compare(have, want) < 0
}

// parseRelease is a release version's three numbers; ok is false for
// anything else (a pre-release or pseudo-version included).
func parseRelease(v string) ([]int, bool) {
	if !semverRule().MatchString(v) || strings.ContainsAny(v, "-+") {
		return nil, false
	}
	parts := strings.Split(v, ".")
	out := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/exorun/exorun/bundle/archive"
	"github.com/exorun/exorun/bundle/luascan"
	"github.com/exorun/exorun/bundle/secrets"
	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/stdlib/params"
)

// PackOptions configure Pack.
type PackOptions struct {
	// Builtins are the modules require finds without a file (csv,
	// json, ...): the CLI's list, the one scripts get.
	Builtins []string
	// Sign, when not nil, returns a detached signature over the
	// manifest's bytes (signature.Sign with the admin's certificate).
	Sign func(manifest []byte) ([]byte, error)
}

// Packed is a bundle Pack made.
type Packed struct {
	Data     []byte
	Manifest *Manifest
	// Dynamic are the calls by a computed name: at run time they reach
	// only declared cmdlets, like every call; shown to the author.
	Dynamic []luascan.Dynamic
	// Skipped are files left out (earlier bundles in the folder).
	Skipped []string
	// Warnings are what the author should look at; they do not stop
	// the pack.
	Warnings []string
}

// shippable reports whether a bundle may carry a file of this name:
// Lua, static data and documentation. Anything else is refused, so a
// stray binary, key store or archive never ships by accident.
func shippable(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".lua", ".csv", ".tsv", ".json", ".txt", ".md":
		return true
	}
	return false
}

// versionControl reports whether a folder or file entry belongs to a
// version control system (.git is a file in a worktree): left out.
func versionControl(base string) bool {
	switch base {
	case ".git", ".hg", ".svn", ".gitignore", ".gitattributes":
		return true
	}
	return false
}

// Pack builds a bundle from dir, whose root holds manifest.json; name
// names dir in errors. The same folder gives the same bytes.
func Pack(dir fs.FS, name string, o PackOptions) (*Packed, error) {
	p, err := pack(dir, o)
	return p, named(err, name)
}

func pack(dir fs.FS, o PackOptions) (*Packed, error) {
	raw, err := fs.ReadFile(dir, ManifestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Msg: "no manifest.json in the folder", Hint: "exorun bundle init DIR writes one to start from"}
	}
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("manifest.json: %v", err)}
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, err
	}
	files, skipped, err := collect(dir)
	if err != nil {
		return nil, err
	}
	if _, ok := files[m.Entry]; !ok {
		return nil, manifestError("entry %s is not in the folder", m.Entry)
	}
	lua := map[string][]byte{}
	for name, data := range files {
		if strings.HasSuffix(name, ".lua") {
			lua[name] = data
		}
	}
	scan, err := luascan.Scan(lua)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	if err := checkRequires(scan, files, o.Builtins); err != nil {
		return nil, err
	}
	warnings, err := checkCalls(m, scan)
	if err != nil {
		return nil, err
	}
	if err := deriveParameters(m, scan); err != nil {
		return nil, err
	}
	if m.Roles, err = SmallestRoles(m.Cmdlets); err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	m.Services = Services(m.Cmdlets)

	m.Files = m.Files[:0]
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	entries := make([]archive.Entry, 0, len(files)+2)
	for _, name := range names {
		data := files[name]
		m.Files = append(m.Files, File{Path: name, Size: int64(len(data)), SHA256: hexHash(sha256.Sum256(data))})
		entries = append(entries, archive.Entry{Name: name, Data: data})
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	manifest, err := m.Marshal()
	if err != nil {
		return nil, fmt.Errorf("writing manifest.json: %w", err)
	}
	entries = append(entries, archive.Entry{Name: ManifestFile, Data: manifest})
	if o.Sign != nil {
		sig, err := o.Sign(manifest)
		if err != nil {
			return nil, fmt.Errorf("signing the manifest: %w", err)
		}
		entries = append(entries, archive.Entry{Name: SignatureFile, Data: sig})
	}
	var buf bytes.Buffer
	if err := archive.Write(&buf, entries); err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	if lim := archive.DefaultLimits(); int64(buf.Len()) > lim.MaxArchiveSize {
		return nil, &Error{Msg: fmt.Sprintf("the bundle would be %d bytes; at most %d can be shared", buf.Len(), lim.MaxArchiveSize)}
	}
	return &Packed{Data: buf.Bytes(), Manifest: m, Dynamic: scan.Dynamic, Skipped: skipped, Warnings: warnings}, nil
}

// collect reads the folder's files: regular files only, none carrying a
// secret, only data extensions, within the archive's limits. Every
// refusal is listed at once, so one pack run shows all there is to fix.
func collect(dir fs.FS) (files map[string][]byte, skipped []string, err error) {
	files = map[string][]byte{}
	lim := archive.DefaultLimits()
	var problems []string
	var total int64
	err = fs.WalkDir(dir, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if versionControl(d.Name()) && name != "." {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch {
		case name == ManifestFile:
			return nil // rewritten by Pack
		case d.Type()&fs.ModeSymlink != 0:
			problems = append(problems, name+": a symbolic link; a bundle holds only regular files")
			return nil
		case !d.Type().IsRegular():
			problems = append(problems, name+": not a regular file")
			return nil
		case strings.HasSuffix(name, Extension):
			skipped = append(skipped, name)
			return nil
		}
		data, err := fs.ReadFile(dir, name)
		if err != nil {
			return err
		}
		if found := secrets.Scan(name, data); len(found) > 0 {
			for _, f := range found {
				problems = append(problems, f.String())
			}
			return nil
		}
		if !shippable(name) {
			problems = append(problems, fmt.Sprintf("%s: a bundle carries Lua, CSV, TSV, JSON, text and Markdown files only", name))
			return nil
		}
		if int64(len(data)) > lim.MaxFileSize {
			problems = append(problems, fmt.Sprintf("%s: %d bytes, over the %d a bundle's file may have", name, len(data), lim.MaxFileSize))
			return nil
		}
		total += int64(len(data))
		files[name] = data
		return nil
	})
	if err != nil {
		return nil, nil, &Error{Msg: fmt.Sprintf("reading the folder: %v", err)}
	}
	switch {
	case len(files)+2 > lim.MaxEntries:
		problems = append(problems, fmt.Sprintf("%d files, over the %d a bundle may hold", len(files), lim.MaxEntries-2))
	case total > lim.MaxTotalSize:
		problems = append(problems, fmt.Sprintf("%d bytes in all, over the %d a bundle may hold", total, lim.MaxTotalSize))
	}
	if len(problems) > 0 {
		return nil, nil, &Error{Msg: "refused to pack:\n  " + strings.Join(problems, "\n  "),
			Hint: "move keys, certificates and secrets out of the folder: a bundle is meant to be shared, and connection settings never belong in it"}
	}
	return files, skipped, nil
}

// checkRequires holds each require against the built-in modules and the
// bundle's files: a bundle can load nothing from outside itself.
func checkRequires(scan *luascan.Result, files map[string][]byte, builtins []string) error {
	var problems []string
	for _, r := range scan.Requires {
		if slices.Contains(builtins, r.Module) {
			continue
		}
		file := strings.ReplaceAll(r.Module, ".", "/") + ".lua"
		if _, ok := files[file]; !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: require(%q): no %s in the bundle", r.Site.File, r.Site.Line, r.Module, file))
		}
	}
	for _, s := range scan.RequiresDynamic {
		problems = append(problems, fmt.Sprintf("%s:%d: require with a computed name; a bundle's requires must be string constants", s.File, s.Line))
	}
	if len(problems) > 0 {
		return &Error{Msg: "refused to pack:\n  " + strings.Join(problems, "\n  ")}
	}
	return nil
}

// checkCalls holds the cmdlets the scripts call against the ones the
// manifest declares, both ways, and puts the declared names in catalog
// spelling.
func checkCalls(m *Manifest, scan *luascan.Result) (warnings []string, err error) {
	var problems []string
	for _, p := range scan.Problems {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", p.Site.File, p.Site.Line, p.Message))
	}
	for _, c := range scan.Connects {
		if !c.Constant {
			problems = append(problems, fmt.Sprintf("%s: connect with settings pack cannot see; a bundle calls connect() or connect{service = \"...\"}", c.Site))
		}
		for _, k := range c.Keys {
			if k != "service" {
				problems = append(problems, fmt.Sprintf("%s: connect{%s = ...}: a bundle may set only service; the connection settings come from whoever runs it", c.Site, k))
			}
		}
	}
	called := map[string]luascan.Call{} // lower-case name -> first call
	for _, c := range scan.Calls {
		key := strings.ToLower(c.Cmdlet)
		if _, ok := called[key]; !ok {
			called[key] = c
		}
	}
	var dynamic []string
	for i := range m.Cmdlets {
		d := &m.Cmdlets[i]
		if c, known := catalog.Lookup(d.Name); known {
			d.Name = c.Name
			if c.AppOnly.Unsupported {
				problems = append(problems, fmt.Sprintf("manifest.json: %s never runs app-only: %s", c.Name, c.AppOnly.Reason))
			}
		}
		if effectOf(d.Name) == Write && d.Access == Read {
			problems = append(problems, fmt.Sprintf("manifest.json: %s writes; declare it \"access\": \"write\"", d.Name))
		}
		_, isCalled := called[strings.ToLower(d.Name)]
		switch {
		case d.Dynamic:
			dynamic = append(dynamic, d.Name)
		case !isCalled:
			problems = append(problems, fmt.Sprintf("manifest.json: declares %s, which no script calls; remove it, or mark it \"dynamic\": true if a script calls it in a way pack cannot see (a computed name, a session kept in a table field)", d.Name))
		}
	}
	for _, key := range sortedKeys(called) {
		c := called[key]
		if _, ok := m.Cmdlet(c.Cmdlet); !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: %s calls %s, which the manifest does not declare (add {\"name\": %q, \"access\": %q})", c.Site.File, c.Site.Line, c.Via, c.Cmdlet, c.Cmdlet, effectOf(c.Cmdlet)))
		}
	}
	if len(scan.Dynamic) > 0 && len(dynamic) == 0 {
		for _, d := range scan.Dynamic {
			problems = append(problems, fmt.Sprintf("%s:%d: %s calls a cmdlet by a computed name; declare every cmdlet it may call with \"dynamic\": true", d.Site.File, d.Site.Line, d.Via))
		}
	}
	if len(dynamic) > 0 && len(scan.Dynamic) == 0 {
		warnings = append(warnings, fmt.Sprintf("manifest.json: %s declared \"dynamic\", but pack found no call by a computed name: check that a script does call it", strings.Join(dynamic, ", ")))
	}
	if len(problems) > 0 {
		return nil, &Error{Msg: "the manifest does not match the scripts:\n  " + strings.Join(problems, "\n  ")}
	}
	return warnings, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// deriveParameters takes the entry script's literal params.declare table
// into the manifest, then holds every literal declaration of every script
// against the manifest: one declaration, in the script, serves both, and
// a module declaring other parameters would fail the run.
func deriveParameters(m *Manifest, scan *luascan.Result) error {
	if i := slices.IndexFunc(scan.AllParams, func(d luascan.ParamsDecl) bool { return d.Site.File == m.Entry }); i >= 0 && m.Parameters == nil {
		decl := &scan.AllParams[i]
		switch {
		case decl.Empty:
			return manifestError("%s calls params.declare() with no table, so the manifest must declare the parameters", decl.Site)
		case !decl.Constant:
			return manifestError("%s declares parameters with a table built at run time; declare them in manifest.json's \"parameters\" too", decl.Site)
		}
		spec, err := literalSpec(decl)
		if err != nil {
			return err
		}
		m.Parameters = spec
	}
	for i := range scan.AllParams {
		decl := &scan.AllParams[i]
		if !decl.Constant || decl.Empty {
			continue // params.declare() takes the manifest's; a computed table is checked at run time
		}
		spec, err := literalSpec(decl)
		if err != nil {
			return err
		}
		if m.Parameters == nil || !sameSpec(m.Parameters, spec) {
			return manifestError("\"parameters\" differ from what %s declares; drop them from the manifest (pack copies the entry script's) or make the two agree", decl.Site)
		}
	}
	return nil
}

// literalSpec is a literal params.declare table as a checked Spec.
func literalSpec(decl *luascan.ParamsDecl) (params.Spec, error) {
	data, err := json.Marshal(decl.Spec)
	if err != nil {
		return nil, fmt.Errorf("%s: params.declare: %w", decl.Site, err)
	}
	var spec params.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, manifestError("%s: params.declare: %v", decl.Site, err)
	}
	if err := spec.Check(); err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s: params.declare: %v", decl.Site, err)}
	}
	return spec, nil
}

// sameSpec compares two specs as JSON, so 30 and 30.0 agree.
func sameSpec(a, b params.Spec) bool {
	norm := func(s params.Spec) any {
		data, _ := json.Marshal(s)
		var v any
		_ = json.Unmarshal(data, &v)
		return v
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

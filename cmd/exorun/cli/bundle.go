package cli

import (
	"cmp"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/bundle"
	"github.com/exorun/exorun/bundle/archive"
	"github.com/exorun/exorun/bundle/signature"
	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/stdlib/out"
)

// bundleCommand is `exorun bundle`: make, check and trust shareable
// script bundles. Running one is `exorun run FILE.exob`.
func bundleCommand() *command {
	return &command{name: "bundle", usage: "exorun bundle init|pack|inspect|verify ...", summary: "share scripts as signed bundles; trust their signers",
		verbs: []*command{
			{name: "init", usage: "exorun bundle init DIR [--name NAME]", summary: "start a bundle folder: manifest.json and a script",
				flags: func() *pflag.FlagSet { return bundleInitFlags(&bundleInitOptions{}) }, run: cmdBundleInit,
				examples: []string{
					`exorun bundle init mailbox-report                       # mailbox-report/manifest.json and main.lua`,
					`exorun bundle init ./reports/forwarding --name fwd-audit   # name it other than its folder`,
				}},
			{name: "pack", usage: "exorun bundle pack DIR [-o FILE] [--sign-with THUMBPRINT | --sign-cert FILE]", summary: "check a bundle folder and pack it into NAME.exob, signed or not",
				flags: func() *pflag.FlagSet { return bundlePackFlags(&bundlePackOptions{}) }, run: cmdBundlePack,
				examples: []string{
					`exorun bundle pack mailbox-report                       # unsigned: mailbox-report.exob`,
					`exorun bundle pack mailbox-report --sign-with 624FD3A1DB6AF675A95DCB595914DC4E0D84B10A   # signed with a stored certificate`,
					`exorun bundle pack mailbox-report -o dist/report.exob --sign-cert signer.pfx --password-env PFX_PASSWORD`,
				}},
			{name: "inspect", usage: "exorun bundle inspect FILE [-o " + strings.Join(recordFormats(), "|") + "]", summary: "show a bundle's manifest, parameters, cmdlets, roles, signer and checksums",
				flags: func() *pflag.FlagSet { return bundleInspectFlags(&bundleInspectOptions{}) }, run: cmdBundleInspect,
				examples: []string{
					`exorun bundle inspect report.exob                        # read it before you run it`,
					`exorun bundle inspect report.exob -o json | jq '.manifest.cmdlets'   # what it may call`,
				}},
			{name: "verify", usage: "exorun bundle verify FILE [--trust FILE|DIR]...", summary: "check every hash and the signature, and whether the signer is trusted",
				flags: func() *pflag.FlagSet { return bundleVerifyFlags(&bundleVerifyOptions{}) }, run: cmdBundleVerify,
				examples: []string{
					`exorun bundle verify report.exob                         # exit 0 only if intact and signed by a trusted signer`,
					`exorun bundle verify report.exob --trust team-signers/   # also trust the certificates in that folder`,
				}},
			{name: "trust", usage: "exorun bundle trust add|list|remove ...", summary: "manage the certificates whose bundles you trust",
				examples: []string{
					`exorun bundle trust add alice.cer     # trust bundles Alice signs`,
					`exorun bundle trust list              # what is trusted, and from which file`,
				},
				verbs: []*command{
					{name: "add", usage: "exorun bundle trust add CERT [--ca]", summary: "trust bundles signed with CERT (.cer, .pem or .crt), or with --ca by any certificate the CA CERT issued",
						flags: func() *pflag.FlagSet { return trustAddFlags(&trustAddOptions{}) }, run: cmdTrustAdd,
						examples: []string{
							`exorun bundle trust add alice.cer            # the certificate its signer sent you`,
							`exorun bundle trust add corp-signing-ca.pem --ca   # every certificate this CA issued`,
						}},
					{name: "list", usage: "exorun bundle trust list [-o table|json|csv]", summary: "list the trusted certificates", run: cmdTrustList,
						flags: func() *pflag.FlagSet { return trustListFlags(new(string)) },
						examples: []string{
							`exorun bundle trust list    # thumbprint, subject, expiry and file of each`,
						}},
					{name: "remove", usage: "exorun bundle trust remove THUMBPRINT", summary: "stop trusting a certificate", run: cmdTrustRemove,
						examples: []string{
							`exorun bundle trust remove 624FD3A1DB6AF675A95DCB595914DC4E0D84B10A   # as bundle trust list shows it`,
						}},
				}},
		}}
}

// trustedDir is where `bundle trust add` keeps certificates.
func (e *Env) trustedDir() (string, error) {
	if e.ConfigDir == "" {
		return "", usageError("no config folder on this machine for trusted certificates")
	}
	return filepath.Join(e.ConfigDir, "trusted"), nil
}

type bundleInitOptions struct{ Name string }

func bundleInitFlags(o *bundleInitOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle init", pflag.ContinueOnError)
	fs.StringVar(&o.Name, "name", "", "bundle `NAME` (default: the folder's name)")
	return fs
}

var notNameChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9._-]+`) })

// cmdBundleInit writes a manifest and an entry script that already pack:
// the script's one cmdlet is declared, its parameters are declared in it.
func cmdBundleInit(env *Env, c *command, args []string) error {
	o := &bundleInitOptions{}
	fs := bundleInitFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("bundle init: want exactly one DIR")
	}
	dir := fs.Arg(0)
	name := o.Name
	if name == "" {
		name = strings.Trim(notNameChars().ReplaceAllString(strings.ToLower(filepath.Base(filepath.Clean(dir))), "-"), "-._")
	}
	m := &bundle.Manifest{Format: bundle.FormatVersion, Name: name, Version: "0.1.0",
		Description: "What the bundle does, in a sentence.", Author: "",
		Entry: "main.lua", Cmdlets: []bundle.Cmdlet{{Name: "Get-Mailbox", Access: bundle.Read}}}
	if err := m.Check(); err != nil {
		return usageError("bundle init: %v (choose one with --name)", err)
	}
	manifest, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := env.MkdirAll(dir); err != nil {
		return usageError("bundle init: %v", err)
	}
	for _, f := range []string{bundle.ManifestFile, m.Entry} {
		if _, err := env.ReadFile(filepath.Join(dir, f)); err == nil {
			return usageError("bundle init: %s already exists; init starts a new bundle and overwrites nothing", filepath.Join(dir, f))
		}
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{bundle.ManifestFile, manifest}, {m.Entry, []byte(scaffoldScript)}} {
		if err := env.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return usageError("bundle init: %v", err)
		}
	}
	fmt.Fprintf(env.Stdout, "wrote %s and %s\n", filepath.Join(dir, bundle.ManifestFile), filepath.Join(dir, m.Entry))
	fmt.Fprintf(env.Stdout, "next: edit them, declare each cmdlet the script calls in manifest.json, then\n  exorun run --demo %s\n  exorun bundle pack %s\n", filepath.Join(dir, m.Entry), dir)
	return nil
}

// scaffoldScript is bundle init's entry script: parameters declared with
// a literal table (pack copies them into the manifest) and one read.
const scaffoldScript = `-- A bundle's entry script. Its parameters are declared here once; pack
-- copies them into manifest.json, and a run checks --param values
-- against them before the script starts.
local out = require("out")
local params = require("params")

local p = params.declare{
  top = { type = "integer", default = 10, help = "how many mailboxes to list" },
}

-- connect() takes its settings from the command line, the environment
-- or a profile: a bundle never carries them.
local exo = connect()

-- Every cmdlet called must be declared in manifest.json, with "read" or
-- "write"; the run refuses any other.
out.print(exo.get_mailbox{ResultSize = p.top}, {columns = {"DisplayName", "PrimarySmtpAddress", "RecipientTypeDetails"}})
`

type bundlePackOptions struct {
	Out         string
	SignWith    string
	SignCert    string
	KeyFile     string
	PasswordEnv string
}

func bundlePackFlags(o *bundlePackOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle pack", pflag.ContinueOnError)
	fs.StringVarP(&o.Out, "output", "o", "", "bundle `FILE` to write (default: NAME.exob in the current folder)")
	fs.StringVar(&o.SignWith, "sign-with", "", "sign with the certificate of this `THUMBPRINT` in the store (exorun cert import)")
	fs.StringVar(&o.SignCert, "sign-cert", "", "sign with this certificate `FILE` (.pfx, .pem, or .cer with --key-file)")
	fs.StringVar(&o.KeyFile, flagKeyFile, "", "private key `FILE` for --sign-cert when the certificate file holds none")
	fs.StringVar(&o.PasswordEnv, flagPasswordEnv, "", "environment `VAR` holding the PFX or key password for --sign-cert")
	return fs
}

func cmdBundlePack(env *Env, c *command, args []string) error {
	o := &bundlePackOptions{}
	fs := bundlePackFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 1:
		return usageError("bundle pack: want exactly one DIR (the folder with manifest.json)")
	case o.SignWith != "" && o.SignCert != "":
		return usageError("--sign-with and --sign-cert exclude each other")
	case (o.KeyFile != "" || o.PasswordEnv != "") && o.SignCert == "":
		return usageError("--key-file and --password-env go with --sign-cert")
	}
	dir := fs.Arg(0)
	if o.Out != "" && within(o.Out, dir) && !strings.HasSuffix(o.Out, bundle.Extension) {
		// pack leaves .exob files in the folder out of the bundle;
		// anything else written there would overwrite a source file.
		return usageError("bundle pack: -o %s is inside %s and is no %s file; it would overwrite what is packed", o.Out, dir, bundle.Extension)
	}
	root, err := env.OpenRoot(dir)
	if err != nil {
		return usageError("bundle pack: %v", err)
	}
	defer root.Close()
	var popts bundle.PackOptions
	popts.Builtins = builtinModules()
	var signer *certificate.Credential
	if o.SignWith != "" || o.SignCert != "" {
		if signer, err = signingCredential(env, o); err != nil {
			return err
		}
		popts.Sign = func(manifest []byte) ([]byte, error) {
			return signature.Sign(manifest, signer.Leaf(), signer.Key, signer.Chain[1:], env.clock()())
		}
	}
	packed, err := bundle.Pack(root.FS(), dir, popts)
	if err != nil {
		return err
	}
	m := packed.Manifest
	file := o.Out
	if file == "" {
		file = m.Name + bundle.Extension
	}
	// Read back before writing: a bundle that would not open is never
	// left behind.
	b, err := bundle.Open(packed.Data, file)
	if err != nil {
		return fmt.Errorf("bundle pack: the bundle made does not read back: %w", err)
	}
	if err := env.WriteFile(file, packed.Data, 0o644); err != nil {
		return usageError("bundle pack: %v", err)
	}
	for _, s := range packed.Skipped {
		fmt.Fprintf(env.Stderr, "note: left out %s (a bundle file)\n", s)
	}
	for _, d := range packed.Dynamic {
		fmt.Fprintf(env.Stderr, "warning: %s:%d: %s calls a cmdlet by a computed name; at run time it reaches only the declared cmdlets\n", d.Site.File, d.Site.Line, d.Via)
	}
	for _, w := range packed.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s %s, %d files, sha256 %s)\n", file, m.Name, m.Version, len(m.Files), b.SHA256)
	fmt.Fprintf(env.Stdout, "cmdlets: %s\n", cmdletList(m))
	fmt.Fprintf(env.Stdout, "roles:   %s\n", orNone(m.Roles))
	if signer != nil {
		fmt.Fprintf(env.Stdout, "signed:  %s (%s)\n", signature.Printable(signer.Leaf().Subject.String()), signer.Thumbprint())
	} else {
		fmt.Fprintln(env.Stdout, "signed:  no (sign with --sign-with THUMBPRINT or --sign-cert FILE; a run with --require-signed refuses it)")
	}
	return nil
}

// within reports whether path lies inside dir, by their cleaned absolute
// forms.
func within(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// signingCredential loads the certificate pack signs with, from the
// store or a file, and checks its dates against the real clock.
func signingCredential(env *Env, o *bundlePackOptions) (*certificate.Credential, error) {
	var cred *certificate.Credential
	var err error
	if o.SignWith != "" {
		st, serr := env.requireStore()
		if serr != nil {
			return nil, serr
		}
		cred, err = st.Load(o.SignWith)
	} else {
		password, perr := env.passwordFromEnv(o.PasswordEnv)
		if perr != nil {
			return nil, perr
		}
		// Hints name pack's own flags, not the connection settings.
		names := certImportNames()
		names.CertFile = "--sign-cert FILE"
		cred, err = certificate.LoadFileNamed(o.SignCert, o.KeyFile, password, names, env.ReadFile)
	}
	source := "--sign-cert " + o.SignCert
	if o.SignWith != "" {
		source = "--sign-with " + o.SignWith
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	warnings, err := certificate.Check(cred, env.clock()())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	return cred, nil
}

func cmdletList(m *bundle.Manifest) string {
	var parts []string
	for _, c := range m.Cmdlets {
		p := c.Name + " (" + string(c.Access)
		if c.Dynamic {
			p += ", dynamic"
		}
		parts = append(parts, p+")")
	}
	return orNone(parts)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// loadedBundle is a bundle file read and checked, with its signer and
// the trust decision.
type loadedBundle struct {
	path   string
	b      *bundle.Bundle
	signer *signature.Signer // nil when unsigned
	// trusted and why are the trust decision for a signed bundle.
	trusted bool
	why     string
}

// loadBundle reads a bundle file, checks every hash and, when signed, the
// signature (a bad one refuses the bundle whatever the policy), and
// decides trust from the trusted folder and the extra sources.
func loadBundle(env *Env, path string, extraTrust []string) (*loadedBundle, error) {
	// The size first: a multi-gigabyte file must be refused before it is
	// read into memory.
	if root, err := env.OpenRoot(filepath.Dir(path)); err == nil {
		info, err := root.Stat(filepath.Base(path))
		root.Close()
		switch max := archive.DefaultLimits().MaxArchiveSize; {
		case err == nil && info.IsDir():
			return nil, usageError("bundle %s: a folder, not a bundle file (to pack it: exorun bundle pack %s)", path, path)
		case err == nil && info.Size() > max:
			return nil, &bundle.Error{Bundle: path, Msg: fmt.Sprintf("%d bytes, over the %d a bundle may have", info.Size(), max)}
		}
	}
	data, err := env.ReadFile(path)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) {
			return nil, usageError("bundle %s: no such file", path)
		}
		return nil, usageError("bundle %s: %v", path, err)
	}
	b, err := bundle.Open(data, path)
	if err != nil {
		return nil, err
	}
	lb := &loadedBundle{path: path, b: b}
	if !b.Signed() {
		return lb, nil
	}
	if lb.signer, err = signature.Verify(b.ManifestData, b.SignatureData); err != nil {
		return nil, &bundle.Error{Bundle: path, Msg: "bad signature: " + err.Error(), Hint: "do not run it; ask its author for the bundle again"}
	}
	trust, err := loadTrust(env, extraTrust)
	if err != nil {
		return nil, err
	}
	lb.trusted, lb.why = trust.Check(lb.signer, env.clock()())
	return lb, nil
}

// loadTrust reads the trusted folder (CONFIG/exorun/trusted) and each
// --trust FILE or DIR.
func loadTrust(env *Env, extra []string) (*signature.Trust, error) {
	var t signature.Trust
	var sources []string
	if dir, err := env.trustedDir(); err == nil {
		sources = append(sources, dir)
	}
	for i, src := range append(sources, extra...) {
		explicit := i >= len(sources)
		if err := addTrustSource(env, &t, src, explicit); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

// addTrustSource adds a file, or every file of a folder, to t. The
// default trusted folder may be missing; a --trust source may not.
func addTrustSource(env *Env, t *signature.Trust, src string, explicit bool) error {
	files, err := folderFiles(env, src)
	if err == nil {
		for _, f := range files {
			if err := t.Add(f.path, f.data); err != nil {
				return usageError("trusted certificate %s: %v", f.path, err)
			}
		}
		return nil
	}
	if !errors.Is(err, errNotAFolder) {
		return usageError("--trust %s: %v", src, err)
	}
	data, rerr := env.ReadFile(src)
	switch {
	case rerr == nil:
		if err := t.Add(src, data); err != nil {
			return usageError("--trust %s: %v", src, err)
		}
		return nil
	case !explicit && errors.Is(rerr, iofs.ErrNotExist):
		return nil
	}
	return usageError("--trust %s: %v", src, rerr)
}

// errNotAFolder is folderFiles' answer for a path it cannot open as one.
var errNotAFolder = errors.New("not a folder")

type folderFile struct {
	path string
	data []byte
}

// folderFiles reads the regular, not hidden files directly in dir.
func folderFiles(env *Env, dir string) ([]folderFile, error) {
	root, err := env.OpenRoot(dir)
	if err != nil {
		return nil, errNotAFolder
	}
	defer root.Close()
	entries, err := iofs.ReadDir(root.FS(), ".")
	if err != nil {
		return nil, err
	}
	var out []folderFile
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := iofs.ReadFile(root.FS(), e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, folderFile{path: filepath.Join(dir, e.Name()), data: data})
	}
	return out, nil
}

// signerText is how the CLI names a bundle's signer and the trust
// decision.
func (lb *loadedBundle) signerText() string {
	if lb.signer == nil {
		return "unsigned"
	}
	state := "not trusted"
	if lb.trusted {
		state = "trusted"
	}
	return fmt.Sprintf("%s (%s), %s", lb.signer.Subject, lb.signer.Thumbprint, state)
}

type bundleInspectOptions struct{ Output string }

func bundleInspectFlags(o *bundleInspectOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle inspect", pflag.ContinueOnError)
	outputFlag(fs, &o.Output, recordFormats(), true)
	return fs
}

// inspection is `bundle inspect -o json`: one object.
type inspection struct {
	File     string            `json:"file"`
	SHA256   string            `json:"sha256"`
	Manifest *bundle.Manifest  `json:"manifest"`
	Signer   *signature.Signer `json:"signer"`
	Trusted  bool              `json:"trusted"`
	Trust    string            `json:"trust,omitempty"`
	// Notes say where this exorun reads the manifest otherwise.
	Notes []string `json:"notes,omitempty"`
}

func cmdBundleInspect(env *Env, c *command, args []string) error {
	o := &bundleInspectOptions{}
	fs := bundleInspectFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("bundle inspect: want exactly one FILE")
	}
	format, err := parseOutput(o.Output, recordFormats(), "bundle inspect's output")
	if err != nil {
		return err
	}
	lb, err := loadBundle(env, fs.Arg(0), nil)
	if err != nil {
		return err
	}
	if format == out.FormatJSON {
		return writeJSON(env.Stdout, inspection{File: lb.path, SHA256: lb.b.SHA256, Manifest: lb.b.Manifest,
			Signer: lb.signer, Trusted: lb.trusted, Trust: lb.why, Notes: lb.b.Notes})
	}
	writeInspection(env.Stdout, lb)
	return nil
}

// writeInspection is inspect's text: what a careful admin reads before
// running someone else's bundle.
func writeInspection(w io.Writer, lb *loadedBundle) {
	m := lb.b.Manifest
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("bundle", m.Name+" "+m.Version)
	row("description", m.Description)
	row("author", m.Author)
	if m.MinExorun != "" {
		row("needs", "exorun "+m.MinExorun+" or newer")
	}
	row("entry", m.Entry)
	row("sha256", lb.b.SHA256)
	row("services", strings.Join(m.Services, ", "))
	row("roles", orNone(m.Roles))
	if lb.signer == nil {
		row("signer", "none: the bundle is unsigned")
	} else {
		s := lb.signer
		row("signer", s.Subject)
		row("thumbprint", s.Thumbprint)
		row("valid", s.NotBefore.UTC().Format(time.DateOnly)+" to "+s.NotAfter.UTC().Format(time.DateOnly))
		if !s.SignedAt.IsZero() {
			row("signed at", s.SignedAt.UTC().Format(time.RFC3339))
		}
		row("trusted", yesNo(lb.trusted)+": "+lb.why)
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\nparameters:")
	if len(m.Parameters) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		fmt.Fprintln(w, strings.TrimPrefix(m.Parameters.Usage(), "parameters of this script:\n"))
	}
	fmt.Fprintln(w, "\ncmdlets:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range m.Cmdlets {
		note := ""
		if c.Dynamic {
			note = "dynamic: called in a way pack cannot see"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Name, c.Access, c.ServiceOf().Key(), note)
	}
	_ = tw.Flush()
	if len(lb.b.Notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range lb.b.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w, "\nfiles:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range m.Files {
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", f.Path, f.Size, f.SHA256)
	}
	_ = tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

type bundleVerifyOptions struct{ Trust []string }

func bundleVerifyFlags(o *bundleVerifyOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle verify", pflag.ContinueOnError)
	fs.StringArrayVar(&o.Trust, "trust", nil, "also trust the certificates or thumbprints in this `FILE` or folder (repeatable)")
	return fs
}

// cmdBundleVerify passes (exit 0) only for an intact bundle signed by a
// trusted signer. A run checks the same again by itself (with
// --require-signed it also refuses an untrusted one).
func cmdBundleVerify(env *Env, c *command, args []string) error {
	o := &bundleVerifyOptions{}
	fs := bundleVerifyFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("bundle verify: want exactly one FILE")
	}
	lb, err := loadBundle(env, fs.Arg(0), o.Trust)
	if err != nil {
		return err
	}
	m := lb.b.Manifest
	fmt.Fprintf(env.Stdout, "%s: %s %s, %d files, every SHA-256 matches the manifest\n", lb.path, m.Name, m.Version, len(m.Files))
	if err := lb.trustError(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "signature: valid, by %s (%s)\ntrusted: %s\n", lb.signer.Subject, lb.signer.Thumbprint, lb.why)
	return nil
}

// trustError is nil for a bundle signed by a trusted signer, and says
// what is missing otherwise.
func (lb *loadedBundle) trustError() error {
	if lb.signer == nil {
		return &bundle.Error{Bundle: lb.path, Msg: "unsigned: nothing says who made it",
			Hint: "ask its author for a signed bundle (exorun bundle pack --sign-with THUMBPRINT)"}
	}
	if !lb.trusted {
		return &bundle.Error{Bundle: lb.path, Msg: "the signature is valid, but " + lb.why,
			Hint: "if you trust the signer, get their certificate (.cer) from them directly and run: exorun bundle trust add CERT"}
	}
	return nil
}

type trustAddOptions struct{ CA bool }

func trustAddFlags(o *trustAddOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle trust add", pflag.ContinueOnError)
	fs.BoolVar(&o.CA, "ca", false, "CERT is a CA: trust every bundle signed by a certificate it issued")
	return fs
}

// cmdTrustAdd copies a certificate into the trusted folder under its
// thumbprint, after checking it is one. Only the file's first
// certificate is taken: a chain file must not make its CA trusted by
// accident, since trusting a CA trusts every certificate it issued.
func cmdTrustAdd(env *Env, c *command, args []string) error {
	o := &trustAddOptions{}
	fs := trustAddFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("bundle trust add: want exactly one CERT file (.cer, .pem or .crt)")
	}
	file := fs.Arg(0)
	data, err := env.ReadFile(file)
	if err != nil {
		return usageError("bundle trust add: %v", err)
	}
	var t signature.Trust
	if err := t.Add(file, data); err != nil {
		return usageError("bundle trust add: %v", err)
	}
	certs := t.Certificates()
	if len(certs) == 0 {
		return usageError("bundle trust add: %s holds no certificate", file)
	}
	cert := certs[0]
	if cert.IsCA && !o.CA {
		return usageError("bundle trust add: %s is a CA certificate (%s): trusting it trusts every bundle signed by any certificate it issued; add --ca if that is meant", file, signature.Printable(cert.Subject.String()))
	}
	dir, err := env.trustedDir()
	if err != nil {
		return err
	}
	if err := env.MkdirAll(dir); err != nil {
		return usageError("bundle trust add: %v", err)
	}
	tp := signature.Thumbprint(cert)
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := env.WriteFile(filepath.Join(dir, tp+".pem"), pemData, 0o644); err != nil {
		return usageError("bundle trust add: %v", err)
	}
	fmt.Fprintf(env.Stdout, "trusted %s (%s)\n", tp, signature.Printable(cert.Subject.String()))
	if len(certs) > 1 {
		fmt.Fprintf(env.Stderr, "note: %s holds %d more certificate%s, not trusted; trust a CA from a file of its own, with --ca\n", file, len(certs)-1, plural(len(certs)-1))
	}
	return nil
}

// trustedCerts lists what the trusted folder trusts, sorted by
// thumbprint.
func trustedCerts(env *Env) ([]trustedFile, error) {
	dir, err := env.trustedDir()
	if err != nil {
		return nil, err
	}
	files, err := folderFiles(env, dir)
	if errors.Is(err, errNotAFolder) {
		return nil, nil // nothing trusted yet
	}
	if err != nil {
		return nil, usageError("%s: %v", dir, err)
	}
	var out []trustedFile
	for _, f := range files {
		var t signature.Trust
		if err := t.Add(f.path, f.data); err != nil {
			return nil, usageError("%s: %v", f.path, err)
		}
		for _, c := range t.Certificates() {
			out = append(out, trustedFile{file: f.path, thumbprint: signature.Thumbprint(c), subject: c.Subject.String(), notAfter: c.NotAfter})
		}
		for _, tp := range t.Thumbprints() {
			out = append(out, trustedFile{file: f.path, thumbprint: tp})
		}
	}
	slices.SortFunc(out, func(a, b trustedFile) int {
		return cmp.Or(strings.Compare(a.thumbprint, b.thumbprint), strings.Compare(a.file, b.file))
	})
	return out, nil
}

type trustedFile struct {
	file, thumbprint, subject string
	notAfter                  time.Time
}

func trustListFlags(output *string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle trust list", pflag.ContinueOnError)
	outputFlag(fs, output, listFormats(), false)
	return fs
}

// trustRow is one trusted certificate of `bundle trust list -o json`;
// not_after is RFC 3339 UTC, "" when unknown.
type trustRow struct {
	Thumbprint string `json:"thumbprint"`
	Subject    string `json:"subject"`
	NotAfter   string `json:"not_after"`
	File       string `json:"file"`
}

func trustColumns() []column[trustRow] {
	return []column[trustRow]{
		{title: "Thumbprint", key: "thumbprint", cell: func(r trustRow) string { return r.Thumbprint }},
		{title: "Subject", key: "subject", cell: func(r trustRow) string { return r.Subject }},
		{title: "Not after", key: "not_after", cell: func(r trustRow) string { return strings.SplitN(r.NotAfter, "T", 2)[0] },
			csv: func(r trustRow) string { return r.NotAfter }},
		{title: "File", key: "file", cell: func(r trustRow) string { return r.File }},
	}
}

func cmdTrustList(env *Env, c *command, args []string) error {
	var output string
	fs := trustListFlags(&output)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("bundle trust list takes no arguments")
	}
	format, err := parseOutput(output, listFormats(), "the trust list")
	if err != nil {
		return err
	}
	certs, err := trustedCerts(env)
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		fmt.Fprintln(env.Stderr, "no trusted certificates; add one with 'exorun bundle trust add CERT'")
		if format == out.FormatTable {
			return nil
		}
	}
	rows := make([]trustRow, len(certs))
	for i, c := range certs {
		rows[i] = trustRow{Thumbprint: c.thumbprint, Subject: signature.Printable(c.subject), File: c.file}
		if !c.notAfter.IsZero() {
			rows[i].NotAfter = c.notAfter.UTC().Format(time.RFC3339)
		}
	}
	return writeList(env.Stdout, format, trustColumns(), rows)
}

func cmdTrustRemove(env *Env, _ *command, args []string) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usageError("bundle trust remove: want exactly one THUMBPRINT")
	}
	want, err := certificate.ParseThumbprint(args[0])
	if err != nil {
		return usageError("bundle trust remove: %v", err)
	}
	certs, err := trustedCerts(env)
	if err != nil {
		return err
	}
	// Every file that trusts it must go, or it stays trusted; a file that
	// trusts more than this one is the admin's to edit.
	var files, shared []string
	for _, c := range certs {
		if !strings.EqualFold(c.thumbprint, want) || slices.Contains(files, c.file) {
			continue
		}
		files = append(files, c.file)
		if filepath.Base(c.file) != c.thumbprint+".pem" {
			shared = append(shared, c.file)
		}
	}
	switch {
	case len(files) == 0:
		return usageError("bundle trust remove: %s is not trusted (see exorun bundle trust list)", want)
	case len(shared) > 0:
		return usageError("bundle trust remove: %s is also trusted through %s; edit or delete that by hand", want, strings.Join(shared, ", "))
	}
	for _, f := range files {
		if err := env.RemoveAll(f); err != nil {
			return usageError("bundle trust remove: %v", err)
		}
	}
	fmt.Fprintf(env.Stdout, "no longer trusted: %s\n", strings.ToUpper(want))
	return nil
}

// requireSigned reports whether policy demands signed, trusted bundles:
// --require-signed, EXORUN_REQUIRE_SIGNED, or "require_signed": true in
// the profile in use. Any one is enough; none switches another off, as
// an execution policy should not be.
func (o *scriptOptions) requireSigned(env *Env, flag bool) (bool, error) {
	if flag {
		return true, nil
	}
	switch strings.ToLower(strings.TrimSpace(env.getenv("EXORUN_REQUIRE_SIGNED"))) {
	case "", "0", "false", "no", "off":
	default:
		return true, nil
	}
	name := o.profileName(env)
	if name == "" {
		return false, nil
	}
	_, required, err := readProfile(env, name)
	return required, err
}

// builtinModules are the names require resolves without a file, taken
// from the modules a run gets (host.modules), so pack and run never
// disagree about them.
func builtinModules() []string {
	h := &host{env: &Env{}, opts: &scriptOptions{}, strays: &strayWarning{}}
	var names []string
	for _, m := range h.modules() {
		names = append(names, m.Name)
	}
	return names
}

package cli

import (
	"fmt"
	iofs "io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/stdlib/out"
)

// certCommand is `exorun cert`: create a certificate, and the thumbprint
// store's verbs.
func certCommand() *command {
	return &command{name: "cert", usage: "exorun cert new|import|list|remove ...", summary: "create a certificate, or manage the thumbprint store",
		verbs: []*command{
			{name: "new", usage: `exorun cert new --subject "CN=NAME" --out NAME [flags]`, summary: "create a self-signed certificate: NAME.pfx, NAME.cer (upload it), NAME.pem",
				flags: func() *pflag.FlagSet { return certNewFlags(&certNewOptions{}) }, run: cmdCertNew,
				examples: []string{
					`exorun cert new --subject "CN=exorun-reports" --out reports            # asks for a password; upload reports.cer to the app`,
					`exorun cert new --subject "CN=exorun-reports" --out reports --years 2 --password-env PFX_PASSWORD   # unattended`,
				}},
			{name: "import", usage: "exorun cert import FILE [--key-file FILE] [--password-env VAR]", summary: "store a certificate and its key under its thumbprint",
				flags: func() *pflag.FlagSet { return certImportFlags(&certImportOptions{}) }, run: cmdCertImport,
				examples: []string{
					`exorun cert import reports.pfx --password-env PFX_PASSWORD   # then connect with its thumbprint`,
					`exorun cert import reports.cer --key-file reports.key        # a certificate and its key in two files`,
				}},
			{name: "list", usage: "exorun cert list [-o " + strings.Join(listFormats(), "|") + "]", summary: "list the certificates in the store",
				flags: func() *pflag.FlagSet { return certListFlags(&certListOptions{}) }, run: cmdCertList,
				examples: []string{
					`exorun cert list                 # thumbprints, subjects and expiry dates`,
					`exorun cert list -o json | jq -r '.[] | select(.expired) | .thumbprint'   # the expired ones`,
				}},
			{name: "remove", usage: "exorun cert remove THUMBPRINT", summary: "delete a certificate from the store", run: cmdCertRemove,
				examples: []string{
					`exorun cert remove 624FD3A1DB6AF675A95DCB595914DC4E0D84B10A   # as cert list shows it`,
					`exorun cert remove '62 4f d3 a1 db 6a f6 75 a9 5d cb 59 59 14 dc 4e 0d 84 b1 0a'   # as Windows shows it`,
				}},
		}}
}

// Flag names that hints and messages repeat: one constant each, so a
// hint cannot name a flag the command does not have.
const (
	flagKeyFile     = "key-file"
	flagPasswordEnv = "password-env"
)

type certNewOptions struct {
	Subject     string
	Years       int
	KeySize     int
	Out         string
	PasswordEnv string
	NoPassword  bool
}

func certNewFlags(o *certNewOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cert new", pflag.ContinueOnError)
	fs.StringVar(&o.Subject, "subject", "", `certificate subject, e.g. "CN=exorun-reports"`)
	fs.IntVar(&o.Years, "years", 1, "validity in years")
	fs.IntVar(&o.KeySize, "key-size", 2048, "RSA key size: 2048, 3072 or 4096")
	fs.StringVar(&o.Out, "out", "", "output `NAME`: writes NAME.pfx, NAME.cer and NAME.pem")
	fs.StringVar(&o.PasswordEnv, flagPasswordEnv, "", "environment `VAR` holding the password for the PFX and the PEM key (default: prompt)")
	fs.BoolVar(&o.NoPassword, "no-password", false, "write the PFX and PEM key without a password")
	return fs
}

// cmdCertNew is New-SelfSignedCertificate plus the export steps of
// Microsoft's app-only guide: the PFX to keep, the .cer to upload.
func cmdCertNew(env *Env, c *command, args []string) error {
	o := &certNewOptions{}
	fs := certNewFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError("cert new takes no arguments (did you mean --out %s?)", fs.Arg(0))
	case o.Subject == "":
		return usageError(`cert new: --subject is required, e.g. --subject "CN=exorun-reports"`)
	case o.Out == "":
		return usageError("cert new: --out NAME is required")
	case o.Years < 1 || o.Years > 10:
		return usageError("--years %d: want 1 to 10", o.Years)
	case o.NoPassword && o.PasswordEnv != "":
		return usageError("--no-password and --password-env exclude each other")
	}
	password, err := newPassword(env, o)
	if err != nil {
		return err
	}
	cred, err := certificate.New(certificate.NewOptions{Subject: o.Subject, Years: o.Years, KeyBits: o.KeySize, Now: time.Now()})
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	pfx, err := cred.PFX(password)
	if err != nil {
		return err
	}
	// The PEM holds the same key as the PFX: with a password it is
	// encrypted too, or the PEM would be the PFX's unlocked copy.
	pem, err := cred.PEM()
	if password != "" {
		pem, err = cred.EncryptedPEM(password)
	}
	if err != nil {
		return err
	}
	keyCred, err := cred.KeyCredential()
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		perm iofs.FileMode
	}{
		{o.Out + ".pfx", pfx, 0o600},
		{o.Out + ".cer", cred.CertDER(), 0o644},
		{o.Out + ".pem", pem, 0o600},
	}
	for _, f := range files {
		if err := env.WriteFile(f.name, f.data, f.perm); err != nil {
			return usageError("cert new: %v", err)
		}
	}
	leaf := cred.Leaf()
	fmt.Fprintf(env.Stdout, "thumbprint:  %s\n", cred.Thumbprint())
	fmt.Fprintf(env.Stdout, "subject:     %s\n", leaf.Subject)
	fmt.Fprintf(env.Stdout, "valid:       %s to %s\n", leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	fmt.Fprintf(env.Stdout, "wrote:       %s.pfx (keep it secret), %s.cer (upload to the app registration), %s.pem (certificate and key; keep it secret)\n", o.Out, o.Out, o.Out)
	fmt.Fprintf(env.Stdout, "protection:  %s\n", keyProtection(o.Out, password))
	fmt.Fprintf(env.Stdout, "keyCredentials entry for the app manifest:\n%s\n", keyCred)
	return nil
}

// keyProtection says plainly what guards the private key in the files
// cert new wrote, and in the copy cert import keeps: the store holds its
// key unencrypted (mode 0600) however the file was protected, so that
// unattended jobs need no password.
func keyProtection(out, password string) string {
	const store = "\n             the store's copy ('exorun cert import') is unencrypted, mode 0600, so unattended jobs need no password"
	if password == "" {
		return fmt.Sprintf("NONE: the private key in %s.pfx and %s.pem is not encrypted; only file mode 0600 guards it (--%s VAR encrypts it)",
			out, out, flagPasswordEnv) + store
	}
	return fmt.Sprintf("the private key in %s.pfx and %s.pem is encrypted with the password (PEM: PKCS#8, AES-256-CBC)", out, out) + store
}

// newPassword gets the password for the PFX and the PEM key: from
// --password-env, a prompt, or none with --no-password. Both files are
// mode 0600 either way, like the certificate store.
func newPassword(env *Env, o *certNewOptions) (string, error) {
	switch {
	case o.NoPassword:
		return "", nil
	case o.PasswordEnv != "":
		p, ok := env.LookupEnv(o.PasswordEnv)
		if !ok || p == "" {
			return "", usageError("--password-env %s: that environment variable is not set", o.PasswordEnv)
		}
		return p, nil
	case env.ReadPassword == nil:
		return "", usageError("cert new: no terminal to ask for the PFX password; use --password-env VAR or --no-password")
	}
	p, err := env.ReadPassword("PFX password: ")
	if err != nil {
		return "", usageError("cert new: %v", err)
	}
	again, err := env.ReadPassword("again: ")
	if err != nil {
		return "", usageError("cert new: %v", err)
	}
	if p != again {
		return "", usageError("cert new: the passwords differ")
	}
	return p, nil
}

// passwordFromEnv is the password in the environment variable a
// --password-env flag names; "" when the flag was not given.
func (e *Env) passwordFromEnv(variable string) (string, error) {
	if variable == "" {
		return "", nil
	}
	p, ok := e.LookupEnv(variable)
	if !ok {
		return "", usageError("--password-env %s: that environment variable is not set", variable)
	}
	return p, nil
}

func (e *Env) requireStore() (*certificate.Store, error) {
	st := e.certStore()
	if st == nil {
		return nil, usageError("no config folder on this machine for the certificate store")
	}
	return st, nil
}

type certImportOptions struct {
	KeyFile     string
	PasswordEnv string
}

func certImportFlags(o *certImportOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cert import", pflag.ContinueOnError)
	fs.StringVar(&o.KeyFile, flagKeyFile, "", "private key `FILE` when the certificate file holds none (e.g. with a .cer)")
	fs.StringVar(&o.PasswordEnv, flagPasswordEnv, "", "environment `VAR` holding the PFX or key password")
	return fs
}

// certImportNames are cert import's own ways of giving the key file and
// the password, so the certificate package's hints name them instead of
// the connection settings (--certificate-key-file, EXORUN_CERTIFICATE_PASSWORD)
// that cert import does not read.
func certImportNames() certificate.Names {
	return certificate.Names{
		CertFile: "the FILE argument",
		KeyFile:  "--" + flagKeyFile + " FILE",
		Password: "--" + flagPasswordEnv + " VAR, naming the environment variable that holds it",
	}
}

// cmdCertImport stores a certificate and key under its thumbprint.
func cmdCertImport(env *Env, c *command, args []string) error {
	o := &certImportOptions{}
	fs := certImportFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("cert import: want exactly one FILE (.pfx, .pem or .cer with --key-file)")
	}
	password, err := env.passwordFromEnv(o.PasswordEnv)
	if err != nil {
		return err
	}
	st, err := env.requireStore()
	if err != nil {
		return err
	}
	cred, err := certificate.LoadFileNamed(fs.Arg(0), o.KeyFile, password, certImportNames(), env.ReadFile)
	if err != nil {
		return err
	}
	// LoadFile only parses; import has always refused a certificate
	// outside its validity window, so the dates are checked here, once.
	warnings, err := certificate.Check(cred, time.Now())
	if err != nil {
		return err
	}
	tp, err := st.Import(cred)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(env.Stdout, "imported %s (%s) into %s\n", tp, cred.Leaf().Subject, filepath.Join(st.Dir, tp))
	return nil
}

type certListOptions struct{ Output string }

func certListFlags(o *certListOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cert list", pflag.ContinueOnError)
	outputFlag(fs, &o.Output, listFormats(), false)
	return fs
}

// certRow is one certificate of `exorun cert list -o json` (and a CSV
// line); times are RFC 3339 UTC.
type certRow struct {
	Thumbprint string `json:"thumbprint"`
	Subject    string `json:"subject"`
	NotBefore  string `json:"not_before"`
	NotAfter   string `json:"not_after"`
	Expired    bool   `json:"expired"`
	KeyType    string `json:"key_type"`
	KeyBits    int    `json:"key_bits"`
}

func certColumns() []column[certRow] {
	// The table shows the dates only, which is what an admin compares;
	// CSV keeps the times JSON has.
	date := func(t string) string { return strings.SplitN(t, "T", 2)[0] }
	return []column[certRow]{
		{title: "Thumbprint", key: "thumbprint", cell: func(r certRow) string { return r.Thumbprint }},
		{title: "Subject", key: "subject", cell: func(r certRow) string { return r.Subject }},
		{title: "Not before", key: "not_before", cell: func(r certRow) string { return date(r.NotBefore) },
			csv: func(r certRow) string { return r.NotBefore }},
		{title: "Not after", key: "not_after", cell: func(r certRow) string { return date(r.NotAfter) },
			csv: func(r certRow) string { return r.NotAfter }},
		{title: "Expired", key: "expired", cell: func(r certRow) string { return yesNo(r.Expired) },
			csv: func(r certRow) string { return fmt.Sprint(r.Expired) }},
		{title: "Key type", key: "key_type", cell: func(r certRow) string { return r.KeyType }},
		{title: "Key bits", key: "key_bits", cell: func(r certRow) string { return fmt.Sprint(r.KeyBits) }},
	}
}

// cmdCertList prints the store's certificates.
func cmdCertList(env *Env, c *command, args []string) error {
	o := &certListOptions{}
	fs := certListFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("cert list takes no arguments")
	}
	format, err := parseOutput(o.Output, listFormats(), "the certificate list")
	if err != nil {
		return err
	}
	st, err := env.requireStore()
	if err != nil {
		return err
	}
	entries, err := st.List()
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintln(env.Stderr, "the certificate store is empty; add one with 'exorun cert import FILE'")
		if format == out.FormatTable {
			// An empty table says less than the line above; JSON and
			// CSV still print their empty list for a program.
			return nil
		}
	}
	now := time.Now()
	rows := make([]certRow, len(entries))
	for i, e := range entries {
		rows[i] = certRow{Thumbprint: e.Thumbprint, Subject: e.Subject,
			NotBefore: e.NotBefore.UTC().Format(time.RFC3339), NotAfter: e.NotAfter.UTC().Format(time.RFC3339),
			Expired: now.After(e.NotAfter), KeyType: e.KeyType, KeyBits: e.KeyBits}
	}
	return writeList(env.Stdout, format, certColumns(), rows)
}

// cmdCertRemove deletes one certificate from the store.
func cmdCertRemove(env *Env, _ *command, args []string) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usageError("cert remove: want exactly one THUMBPRINT")
	}
	st, err := env.requireStore()
	if err != nil {
		return err
	}
	if err := st.Remove(args[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed %s\n", strings.ToUpper(args[0]))
	return nil
}

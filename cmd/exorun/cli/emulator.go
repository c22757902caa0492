package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/fixture"
	"github.com/exorun/exorun/internal/exitcode"
)

// emulatorProfile is the profile `emulator serve` keeps in the config
// folder for the default state folder: `--profile emulator` then reaches
// it, as any other tenant is reached.
const emulatorProfile = "emulator"

// emulatorOptions are the flags of `exorun emulator serve`.
type emulatorOptions struct {
	Addr          string
	StateDir      string
	Mailboxes     int
	Tenants       int
	Seed          int64
	TokenLifetime time.Duration
	// Fixture is a tenant fixture file (YAML or JSON) to serve instead
	// of the demo tenant.
	Fixture string
	faultOptions
}

func emulatorFlags(o *emulatorOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator serve", pflag.ContinueOnError)
	fs.StringVar(&o.Addr, "addr", "", "loopback `host:port` to listen on (default: the state's last one when free, else a free port)")
	registerStateFlag(fs, &o.StateDir)
	fs.IntVar(&o.Mailboxes, "mailboxes", 0, "generate a demo tenant of `N` mailboxes on first start (0: the small fixture tenant)")
	fs.IntVar(&o.Tenants, "tenants", 1, "serve `N` ready tenants: contoso, tenant02, tenant03, ... each with Exchange data and the demo app (listed in STATE/tenants.csv)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the generated tenant")
	fs.StringVar(&o.Fixture, "fixture", "", "serve the tenant `FILE` describes (YAML or JSON; see exorun test), fresh at every start, instead of the demo tenant")
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", 75*time.Minute, "lifetime of issued access tokens")
	o.faultOptions.register(fs, "")
	return fs
}

func registerStateFlag(fs *pflag.FlagSet, dir *string) {
	fs.StringVar(dir, "state", "", "state `folder` (default: the emulator folder in exorun's config folder)")
}

// emulatorEnvOptions are the flags of `exorun emulator env`.
type emulatorEnvOptions struct {
	StateDir        string
	Shell           string
	ManagedIdentity bool
	GitHubActions   string
}

func emulatorEnvFlags(o *emulatorEnvOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator env", pflag.ContinueOnError)
	registerStateFlag(fs, &o.StateDir)
	fs.StringVar(&o.Shell, "shell", defaultShell(), "`shell` to print for: sh (bash, zsh, ...) or powershell")
	fs.BoolVar(&o.ManagedIdentity, "managed-identity", false, "also print IDENTITY_ENDPOINT and IDENTITY_HEADER: the emulator's managed identity endpoint, as App Service sets them")
	fs.StringVar(&o.GitHubActions, "github-actions", "", "also print ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, as a GitHub Actions job with id-token: write has them, for ID tokens about `SUBJECT`")
	return fs
}

// defaultShell is the shell an admin of this OS most likely types in.
func defaultShell() string {
	if goruntime.GOOS == "windows" {
		return "powershell"
	}
	return "sh"
}

// emulatorCommand is `exorun emulator`: serve the emulated tenant, or
// take an onboarding step in its directory.
func emulatorCommand() *command {
	return &command{name: "emulator", usage: "exorun emulator serve|env|admin ...", summary: "run the emulated tenant, or change its directory",
		verbs: []*command{
			{name: "serve", usage: "exorun emulator serve [flags]", summary: "serve the emulated Entra ID and Exchange Online on loopback until Ctrl-C",
				flags: func() *pflag.FlagSet { return emulatorFlags(&emulatorOptions{}) }, run: cmdEmulatorServe,
				examples: []string{
					"exorun emulator serve                                   # the small fixture tenant, state in CONFIG/exorun/emulator",
					"exorun emulator serve --state /tmp/big --mailboxes 100000 --latency 20ms",
					"exorun emulator serve --state /tmp/many --tenants 20    # contoso, tenant02 ... tenant20; STATE/tenants.csv",
				}},
			{name: "env", usage: "exorun emulator env [--state DIR] [--shell sh|powershell] [--managed-identity] [--github-actions SUBJECT]", summary: `print the EXORUN_* variables that reach a serving emulator: eval "$(exorun emulator env)"`,
				flags: func() *pflag.FlagSet { return emulatorEnvFlags(&emulatorEnvOptions{}) }, run: cmdEmulatorEnv,
				examples: []string{
					`eval "$(exorun emulator env --state /tmp/big)"          # sh, bash, zsh`,
					"exorun emulator env --shell powershell | Out-String | Invoke-Expression",
					`eval "$(exorun emulator env --managed-identity)"        # and the identity endpoint of an App Service host`,
					`eval "$(exorun emulator env --github-actions repo:contoso/reports:environment:prod)"`,
				}},
			emulatorAdminCommand(),
		}}
}

// defaultStateDir is the state folder without --state.
func defaultStateDir(env *Env) string {
	if env.ConfigDir == "" {
		return ""
	}
	return filepath.Join(env.ConfigDir, "emulator")
}

// stateDir is --state, or the default state folder.
func stateDir(env *Env, c *command, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if d := defaultStateDir(env); d != "" {
		return d, nil
	}
	return "", usageError("%s: no config folder here; give --state DIR", c.path())
}

func cmdEmulatorServe(env *Env, c *command, args []string) error {
	o := &emulatorOptions{}
	fs := emulatorFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("emulator serve takes no arguments")
	}
	if o.Mailboxes < 0 || o.Mailboxes > 200000 {
		return usageError("--mailboxes %d: want 0 to 200000", o.Mailboxes)
	}
	if o.Tenants < 1 || o.Tenants > emulator.MaxTenants {
		return usageError("--tenants %d: want 1 to %d", o.Tenants, emulator.MaxTenants)
	}
	if o.Fixture != "" && o.Mailboxes > 0 {
		return usageError("--fixture and --mailboxes: give one; a fixture says its own mailboxes")
	}
	var err error
	if o.StateDir, err = stateDir(env, c, o.StateDir); err != nil {
		return err
	}
	return serveEmulator(env, o)
}

// serveEmulator runs the emulator until SIGINT/SIGTERM; stopping it that way
// is the normal end, so it exits 0.
func serveEmulator(env *Env, o *emulatorOptions) error {
	opts := emulator.Options{
		Addr: o.Addr, StateDir: o.StateDir, Mailboxes: o.Mailboxes, Seed: o.Seed,
		Tenants: emulator.TenantNames(o.Tenants)[1:], TokenLifetime: o.TokenLifetime,
	}
	var fx *fixture.Fixture
	if o.Fixture != "" {
		data, err := env.ReadFile(o.Fixture)
		if err != nil {
			return usageError("--fixture: %v", err)
		}
		if fx, err = fixture.Parse(o.Fixture, data); err != nil {
			return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--fixture: %w", err))
		}
		opts.TenantData = fx.Tenant
	}
	em, err := emulator.Start(opts)
	var inUse *emulator.InUseError
	if errors.As(err, &inUse) {
		return exitcode.Wrap(exitcode.Usage, err).(*exitcode.Error).
			WithHint("stop that one first (Ctrl-C where it runs), or give another --state; exorun emulator env --state " + shQuote(o.StateDir) + " wires a shell to the running one")
	}
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err).(*exitcode.Error).
			WithHint("check --addr (loopback only) and the state folder " + o.StateDir)
	}
	if fx != nil && fx.Roles() != nil {
		if err := em.SetDemoRoles(fx.Roles()...); err != nil {
			em.Close()
			return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--fixture %s: %w", o.Fixture, err))
		}
	}
	em.SetFaults(o.faults())
	ep := em.Endpoints()
	data, err := json.MarshalIndent(ep, "", "  ")
	if err != nil {
		em.Close()
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", data)
	if note := em.AddrNote(); note != "" {
		fmt.Fprintf(env.Stderr, "exorun emulator: note: %s\n", note)
	}
	fmt.Fprintf(env.Stderr, "exorun emulator: serving %s (state in %s); Ctrl-C stops it\n", ep.Authority, o.StateDir)
	if n := len(ep.Tenants); n > 1 {
		fmt.Fprintf(env.Stderr, "exorun emulator: %d tenants ready for the demo app, listed in %s\n", n, filepath.Join(o.StateDir, emulator.TenantsFile))
	}
	fmt.Fprintf(env.Stderr, "exorun emulator: connect with %s\n", connectHint(env, o.StateDir))
	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	<-ctx.Done()
	if err := em.Close(); err != nil {
		return fmt.Errorf("emulator: stop: %w", err)
	}
	fmt.Fprintln(env.Stderr, "exorun emulator: stopped")
	return nil
}

// connectHint keeps the config folder's emulator profile up to date when
// stateDir is the default state folder, and says how to reach the
// emulator: that profile, or the shell variables of `emulator env`.
func connectHint(env *Env, stateDir string) string {
	envCmd := `eval "$(exorun emulator env --state ` + shQuote(stateDir) + `)"`
	if stateDir != defaultStateDir(env) {
		return envCmd
	}
	envCmd = `eval "$(exorun emulator env)"`
	path, err := writeEmulatorProfile(env, stateDir)
	if err != nil {
		fmt.Fprintf(env.Stderr, "exorun emulator: note: profile %s not written: %v\n", emulatorProfile, err)
		return envCmd
	}
	return "--profile " + emulatorProfile + " (" + path + ") or " + envCmd
}

// writeEmulatorProfile copies STATE/profile.json to the config folder's
// profiles/emulator.json, unless that file is someone's own profile:
// one whose ca_file is not this state's CA was not written here.
func writeEmulatorProfile(env *Env, stateDir string) (string, error) {
	if env.WriteFile == nil || env.ReadFile == nil {
		return "", errors.New("no file system")
	}
	data, err := env.ReadFile(filepath.Join(stateDir, emulator.ProfileFile))
	if err != nil {
		return "", err
	}
	var ours map[string]string
	if err := json.Unmarshal(data, &ours); err != nil {
		return "", fmt.Errorf("%s: %w", emulator.ProfileFile, err)
	}
	dir := filepath.Join(env.ConfigDir, "profiles")
	path := filepath.Join(dir, emulatorProfile+".json")
	old, err := env.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", err
	default:
		var theirs map[string]string
		if json.Unmarshal(old, &theirs) != nil || theirs["ca_file"] != ours["ca_file"] {
			return "", fmt.Errorf("%s exists and is not this emulator's; left as it is", path)
		}
	}
	if err := env.MkdirAll(dir); err != nil {
		return "", err
	}
	return path, env.WriteFile(path, data, 0o644)
}

func cmdEmulatorEnv(env *Env, c *command, args []string) error {
	o := &emulatorEnvOptions{}
	fs := emulatorEnvFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("emulator env takes no arguments")
	}
	if fs.Changed("github-actions") && o.GitHubActions == "" {
		return usageError("--github-actions: give the subject the job's ID tokens carry, such as repo:OWNER/REPO:environment:NAME")
	}
	switch strings.ToLower(o.Shell) {
	case "sh", "bash", "zsh", "ksh", "dash":
		o.Shell = "sh" // one syntax for the POSIX family
	case "powershell", "pwsh":
		o.Shell = "powershell"
	default:
		return usageError("--shell %q: want sh (bash, zsh, ...) or powershell", o.Shell)
	}
	dir, err := stateDir(env, c, o.StateDir)
	if err != nil {
		return err
	}
	server, serving, err := emulator.Serving(dir)
	if err != nil {
		return err
	}
	if !serving {
		// Its endpoints.json would name a port nothing answers on.
		state := ""
		if o.StateDir != "" {
			state = " --state " + shQuote(dir)
		}
		return exitcode.New(exitcode.Usage, "emulator env: no emulator is serving the state folder %s", dir).
			WithHint("start one first: exorun emulator serve" + state)
	}
	if server.Authority == "" {
		return exitcode.New(exitcode.Usage, "emulator env: the emulator on %s is still starting", dir).
			WithHint("run it again in a moment")
	}
	ep, err := emulator.ReadEndpoints(dir)
	if err != nil {
		return err
	}
	if ep.Authority != server.Authority {
		// The lock names the new address before endpoints.json is
		// rewritten: this is still the last run's file.
		return exitcode.New(exitcode.Usage, "emulator env: the emulator on %s is still starting", dir).
			WithHint("run it again in a moment")
	}
	set, unset := emulatorVariables(ep)
	more, err := secretlessVariables(env, dir, ep, o)
	if err != nil {
		return err
	}
	set = append(set, more...)
	for _, kv := range set {
		if o.Shell == "powershell" {
			fmt.Fprintf(env.Stdout, "$env:%s = %s\n", kv[0], psQuote(kv[1]))
		} else {
			fmt.Fprintf(env.Stdout, "export %s=%s\n", kv[0], shQuote(kv[1]))
		}
	}
	if o.Shell == "powershell" {
		for _, name := range unset {
			fmt.Fprintf(env.Stdout, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", name)
		}
	} else if len(unset) > 0 {
		fmt.Fprintf(env.Stdout, "unset %s\n", strings.Join(unset, " "))
	}
	return nil
}

// emulatorVariables are the environment variables that reach the
// emulator (name and value, in connect.Fields order) and the other
// connection variables, Azure's included, which a shell must lose: a thumbprint, secret or
// profile left over from a real tenant would otherwise mix with the
// emulator's settings.
func emulatorVariables(ep emulator.Endpoints) (set [][2]string, unset []string) {
	profile := ep.Profile()
	for _, f := range connect.Fields() {
		if f.Env == "" {
			continue
		}
		if v := profile[f.Key]; v != "" {
			set = append(set, [2]string{f.Env, v})
		} else {
			unset = append(unset, f.Env)
		}
	}
	// What Azure's tools set is read too (below everything else, or as
	// a detected credential): a real pod's or runner's would mix in.
	for _, f := range connect.Fields() {
		if f.AzureEnv != "" {
			unset = append(unset, f.AzureEnv)
		}
	}
	return set, append(unset, connect.AzureTokenFileVar)
}

// secretlessVariables are the variables --managed-identity and
// --github-actions ask for. Their secrets (IDENTITY_HEADER, the request
// token) come from the state folder and go to stdout only, never into an
// error.
func secretlessVariables(env *Env, dir string, ep emulator.Endpoints, o *emulatorEnvOptions) ([][2]string, error) {
	var set [][2]string
	restart := "restart it with this exorun (exorun emulator serve" + stateArg(o.StateDir, dir) + ")"
	if o.ManagedIdentity {
		vars, err := emulator.IdentityEnv(dir, ep)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("emulator env --managed-identity: %w", err)).(*exitcode.Error).WithHint(restart)
		}
		set = append(set, vars...)
		if d, err := emulator.OpenDirectory(dir); err == nil {
			if mis, err := d.ManagedIdentities(ep.TenantID); err == nil && len(mis) == 0 {
				fmt.Fprintf(env.Stderr, "exorun emulator: note: %s has no managed identity yet: exorun emulator admin%s identity create %s NAME [--user-assigned]\n", ep.Organization, stateArg(o.StateDir, dir), emulator.DemoTenant)
			}
		}
	}
	if o.GitHubActions != "" {
		vars, err := emulator.GitHubActionsEnv(dir, ep, o.GitHubActions)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("emulator env --github-actions: %w", err)).(*exitcode.Error).WithHint(restart)
		}
		set = append(set, vars...)
	}
	return set, nil
}

// stateArg is " --state DIR" when the user gave --state, for commands a
// hint suggests.
func stateArg(given, dir string) string {
	if given == "" {
		return ""
	}
	return " --state " + shQuote(dir)
}

// shQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote, which closes, is escaped and reopens.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// psQuote quotes s for PowerShell: a single-quoted string expands
// nothing, and its quote characters (PowerShell takes the typographic
// ones as quotes too) are escaped by doubling.
func psQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

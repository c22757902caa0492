package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

// emulatorOptions are the flags of `exorun emulator serve`.
type emulatorOptions struct {
	Addr          string
	StateDir      string
	Mailboxes     int
	Tenants       int
	Seed          int64
	TokenLifetime time.Duration
	faultOptions
}

func emulatorFlags(o *emulatorOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator serve", pflag.ContinueOnError)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:0", "loopback `host:port` to listen on (port 0: a free one)")
	fs.StringVar(&o.StateDir, "state", "", "state `folder` (default: the emulator folder in exorun's config folder)")
	fs.IntVar(&o.Mailboxes, "mailboxes", 0, "generate a demo tenant of `N` mailboxes on first start (0: the small fixture tenant)")
	fs.IntVar(&o.Tenants, "tenants", 1, "serve `N` ready tenants: contoso, tenant02, tenant03, ... each with Exchange data and the demo app (listed in STATE/tenants.csv)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the generated tenant")
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", 75*time.Minute, "lifetime of issued access tokens")
	o.faultOptions.register(fs, "")
	return fs
}

// emulatorCommand is `exorun emulator`: serve the emulated tenant, or
// take an onboarding step in its directory.
func emulatorCommand() *command {
	return &command{name: "emulator", usage: "exorun emulator serve|admin ...", summary: "run the emulated tenant, or change its directory",
		verbs: []*command{
			{name: "serve", usage: "exorun emulator serve [flags]", summary: "serve the emulated Entra ID and Exchange Online on loopback until Ctrl-C",
				flags: func() *pflag.FlagSet { return emulatorFlags(&emulatorOptions{}) }, run: cmdEmulatorServe},
			emulatorAdminCommand(),
		}}
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
	if o.StateDir == "" {
		if env.ConfigDir == "" {
			return usageError("emulator serve: no config folder here; give --state DIR")
		}
		o.StateDir = filepath.Join(env.ConfigDir, "emulator")
	}
	return serveEmulator(env, o)
}

// serveEmulator runs the emulator until SIGINT/SIGTERM; stopping it that way
// is the normal end, so it exits 0.
func serveEmulator(env *Env, o *emulatorOptions) error {
	em, err := emulator.Start(emulator.Options{
		Addr: o.Addr, StateDir: o.StateDir, Mailboxes: o.Mailboxes, Seed: o.Seed,
		Tenants: emulator.TenantNames(o.Tenants)[1:], TokenLifetime: o.TokenLifetime,
	})
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err).(*exitcode.Error).
			WithHint("check --addr (loopback only) and the state folder " + o.StateDir)
	}
	em.SetFaults(o.faults())
	data, err := json.MarshalIndent(em.Endpoints(), "", "  ")
	if err != nil {
		em.Close()
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", data)
	fmt.Fprintf(env.Stderr, "exorun emulator: serving %s (state in %s); Ctrl-C stops it\n", em.Endpoints().Authority, o.StateDir)
	if n := len(em.Endpoints().Tenants); n > 1 {
		fmt.Fprintf(env.Stderr, "exorun emulator: %d tenants ready for the demo app, listed in %s\n", n, filepath.Join(o.StateDir, emulator.TenantsFile))
	}
	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	<-ctx.Done()
	if err := em.Close(); err != nil {
		return fmt.Errorf("emulator: stop: %w", err)
	}
	fmt.Fprintln(env.Stderr, "exorun emulator: stopped")
	return nil
}

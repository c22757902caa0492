package cli

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

// faultOptions are the emulator's injected failures, shared by
// `emulator serve` and `run --demo` (with the "demo-" prefix).
type faultOptions struct {
	Latency          time.Duration
	ThrottleEvery    int
	RetryAfter       time.Duration
	Unavailable      int
	ConcurrencyLimit int
}

func (o *faultOptions) register(fs *pflag.FlagSet, prefix string) {
	fs.DurationVar(&o.Latency, prefix+"latency", 0, "add this `delay` to every admin API request")
	fs.IntVar(&o.ThrottleEvery, prefix+"throttle-every", 0, "answer every `N`th admin API request with 429 Too Many Requests")
	fs.DurationVar(&o.RetryAfter, prefix+"retry-after", time.Second, "Retry-After of injected 429s and 503s")
	fs.IntVar(&o.Unavailable, prefix+"unavailable", 0, "answer the first `N` admin API requests with 503")
	fs.IntVar(&o.ConcurrencyLimit, prefix+"concurrency-limit", 0, "requests one tenant may have in flight (0: no limit)")
}

func (o *faultOptions) faults() emulator.Faults {
	return emulator.Faults{
		Latency: o.Latency, ThrottleEvery: o.ThrottleEvery, ThrottleRetryAfter: o.RetryAfter,
		Unavailable: o.Unavailable, ConcurrencyLimit: o.ConcurrencyLimit,
	}
}

// demoOptions are run's --demo flags.
type demoOptions struct {
	Demo          bool
	Mailboxes     int
	TokenLifetime time.Duration
	Role          string
	faultOptions
}

func (o *demoOptions) register(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Demo, "demo", false, "run against an emulated tenant started in-process on loopback (never a real one)")
	fs.IntVar(&o.Mailboxes, "demo-mailboxes", 0, "generate a demo tenant of `N` mailboxes (0: the small fixture tenant)")
	fs.DurationVar(&o.TokenLifetime, "demo-token-lifetime", 0, "lifetime of the demo's access tokens (default 75m)")
	fs.StringVar(&o.Role, "demo-role", "", `directory role of the demo app instead of Exchange Administrator, e.g. "Global Reader"`)
	o.faultOptions.register(fs, "demo-")
}

// demo is a running in-process emulated tenant.
type demo struct {
	em  *emulator.Emulator
	dir string
	env *Env
}

// startDemo starts the emulator with the fixture (or a generated) tenant
// in a fresh temporary folder, and returns the settings that reach it
// through the real MSAL, TLS and HTTP path.
func startDemo(env *Env, o *demoOptions, logger *slog.Logger) (*demo, connect.Settings, error) {
	return startDemoWith(env, o, logger, nil)
}

// startDemoWith starts the demo with the named tenants (NAME of
// NAME.onmicrosoft.com) beside contoso, each with its own data and the
// demo app consented there, as a multi-tenant app is.
func startDemoWith(env *Env, o *demoOptions, logger *slog.Logger, tenants []string) (*demo, connect.Settings, error) {
	if o.Mailboxes < 0 || o.Mailboxes > 200000 {
		return nil, connect.Settings{}, usageError("--demo-mailboxes %d: want 0 to 200000", o.Mailboxes)
	}
	dir, err := env.MkdirTemp()
	if err != nil {
		return nil, connect.Settings{}, fmt.Errorf("demo: %w", err)
	}
	extra := slices.DeleteFunc(slices.Clone(tenants), func(n string) bool { return n == emulator.DemoTenant })
	em, err := emulator.Start(emulator.Options{StateDir: dir, Mailboxes: o.Mailboxes, Seed: 1, TokenLifetime: o.TokenLifetime, Tenants: extra, SkipSecretless: true})
	if err != nil {
		_ = env.RemoveAll(dir)
		return nil, connect.Settings{}, fmt.Errorf("demo: %w", err)
	}
	d := &demo{em: em, dir: dir, env: env}
	ep := em.Endpoints()
	if o.Role != "" {
		if err := em.SetDemoRoles(o.Role); err != nil {
			d.close()
			return nil, connect.Settings{}, exitcode.Wrap(exitcode.Usage, fmt.Errorf("--demo-role: %w", err))
		}
	}
	em.SetFaults(o.faults())
	if len(ep.Tenants) > 1 {
		logger.Info("demo: emulated tenants on loopback; nothing leaves this machine", "tenants", len(ep.Tenants))
	} else {
		logger.Info("demo: emulated tenant on loopback; nothing leaves this machine", "organization", ep.Organization)
	}
	return d, connect.Settings{
		AppID:           ep.AppID,
		Organization:    ep.Organization,
		CertificateFile: ep.CertificateFile,
		Authority:       ep.Authority,
		ExchangeURL:     ep.ExchangeURL,
		ComplianceURL:   ep.ComplianceURL,
		CAFile:          ep.CAFile,
	}, nil
}

func (d *demo) close() {
	_ = d.em.Close()
	_ = d.env.RemoveAll(d.dir)
}

// settingsOr is the settings of a command that connects once (whoami,
// doctor): with --demo an emulated tenant's, started here and
// stopped by stop, as `run --demo` does, so its flags and environment
// are ignored; without, conn's (flags over environment over profile)
// and a stop that does nothing.
func (o *demoOptions) settingsOr(env *Env, conn *connectionOptions) (s connect.Settings, stop func(), err error) {
	if !o.Demo {
		s, err = conn.settings(env)
		return s, func() {}, err
	}
	d, s, err := startDemo(env, o, env.commandLogger())
	if err != nil {
		return s, nil, err
	}
	return s, d.close, nil
}

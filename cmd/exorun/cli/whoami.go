package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect"
	lualog "github.com/exorun/exorun/stdlib/log"
	"github.com/exorun/exorun/stdlib/out"
)

// sessionOptions are the flags of whoami and doctor.
type sessionOptions struct {
	connectionOptions
	demo    demoOptions
	Service string
	Output  string
}

// sessionFormats are the --output values of whoami (one record) or
// doctor (a list of steps).
func sessionFormats(name string) []string {
	if name == "doctor" {
		return listFormats()
	}
	return recordFormats()
}

func sessionFlags(name string, o *sessionOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.StringVar(&o.Service, "service", "exchange", "service to check: exchange or compliance")
	outputFlag(fs, &o.Output, sessionFormats(name), true)
	group(fs, groupConnection, func() { o.connectionOptions.register(fs) })
	group(fs, groupDemo, func() { o.demo.register(fs) })
	return fs
}

// parseSession parses whoami's or doctor's flags into the settings to
// connect with: the ambient ones (flags over environment over profile),
// or with --demo those of an emulated tenant started in-process, which
// stop stops (a no-op without --demo).
func parseSession(env *Env, c *command, args []string) (o *sessionOptions, s connect.Settings, stop func(), err error) {
	o = &sessionOptions{}
	fs := sessionFlags(c.name, o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return nil, s, nil, err
	}
	if fs.NArg() > 0 {
		return nil, s, nil, usageError("%s takes no arguments", c.name)
	}
	if _, err := catalog.ParseService(o.Service); err != nil {
		return nil, s, nil, usageError("--service: %v", err)
	}
	// Checked before connecting: a wrong -o must not cost a sign-in.
	if o.Output, err = parseOutput(o.Output, sessionFormats(c.name), c.name+"'s output"); err != nil {
		return nil, s, nil, err
	}
	s, stop, err = o.demo.settingsOr(env, &o.connectionOptions)
	if err != nil {
		return nil, s, nil, err
	}
	s.Service = o.Service
	return o, s, stop, nil
}

// commandLogger logs warnings and errors of a command to stderr.
func (e *Env) commandLogger() *slog.Logger {
	return lualog.NewLogger(e.Stderr, lualog.Options{Level: slog.LevelWarn, OmitTime: !e.logTimes()})
}

// cmdWhoami connects and prints who the session is.
func cmdWhoami(env *Env, c *command, args []string) error {
	o, s, stop, err := parseSession(env, c, args)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	sess, err := connect.Open(ctx, s, env.connectOptions(env.commandLogger()))
	if err != nil {
		return err
	}
	// Before stop: a demo emulator shutting down waits for open
	// connections to hang up.
	defer sess.Close()
	info := sess.Info()
	if o.Output == out.FormatJSON {
		return writeJSON(env.Stdout, info)
	}
	for _, kv := range whoamiLines(info) {
		fmt.Fprintf(env.Stdout, "%-15s %s\n", kv[0]+":", kv[1])
	}
	return nil
}

// whoamiLines is whoami's text output: one label and value a line.
func whoamiLines(i connect.Info) [][2]string {
	yesNo := map[bool]string{true: "granted", false: "MISSING"}
	credential := i.Credential
	if i.CredentialSource != "" {
		credential += ", " + i.CredentialSource
	}
	out := [][2]string{
		{"tenant", i.TenantID},
		{"app", i.AppID},
		{"service", i.Service + " (" + i.Environment + ")"},
		{"credential", credential},
	}
	if i.Thumbprint != "" {
		out = append(out, [2]string{"certificate", i.Thumbprint + " " + i.CertSubject + ", expires " + i.CertExpires})
	}
	roles := strings.Join(i.Roles, ", ")
	if roles == "" {
		roles = "none"
	}
	out = append(out,
		[2]string{"token expires", i.TokenExpires},
		[2]string{"ManageAsApp", yesNo[i.ManageAsApp]},
		[2]string{"roles", roles},
	)
	return out
}

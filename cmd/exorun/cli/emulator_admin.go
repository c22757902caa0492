package cli

import (
	"fmt"
	"path/filepath"

	"github.com/exorun/exorun/emulator"
	"github.com/spf13/pflag"
)

// emulatorAdminCommand is `exorun emulator admin [--state DIR] VERB ARGS`:
// the onboarding steps of the seed documents, done to the emulator's
// directory as an admin does them in the Entra admin center. --state
// belongs to admin and comes before the verb; each verb reads it through
// the closure, as a persistent flag would. A running emulator sees
// directory changes at once: it re-reads the directory file when it
// changes.
func emulatorAdminCommand() *command {
	var state string
	// step declares a verb with words, positional arguments and nargs of
	// them, that does one thing to the directory.
	step := func(words, args, summary string, nargs int, do func(env *Env, d *emulator.Directory, a []string) error) *command {
		return &command{name: words, usage: "exorun emulator admin " + words + " " + args, summary: summary,
			run: func(env *Env, c *command, a []string) error {
				if len(a) != nargs {
					return usageError("usage: %s", c.usage)
				}
				d, err := openDirectory(env, state)
				if err != nil {
					return err
				}
				if err := do(env, d, a); err != nil {
					return usageError("%s: %v", c.path(), err)
				}
				return nil
			}}
	}
	c := &command{name: "admin", usage: "exorun emulator admin [--state DIR] VERB ...", summary: "change the emulated directory: tenants, apps, certificates, consent, roles",
		flags: func() *pflag.FlagSet { return emulatorAdminFlags(new(string)) },
		run: func(env *Env, c *command, args []string) error {
			fs := emulatorAdminFlags(&state)
			if err := parseFlags(env, c, fs, args); err != nil {
				return err
			}
			return runVerb(env, c, fs.Args())
		}}
	c.verbs = []*command{
		step("tenant create", "NAME", "create a tenant NAME.onmicrosoft.com", 1, func(env *Env, d *emulator.Directory, a []string) error {
			t, err := d.CreateTenant(a[0])
			if err == nil {
				fmt.Fprintf(env.Stdout, "tenant %s %s (Exchange data at the next start)\n", t.ID, t.InitialDomain)
			}
			return err
		}),
		step("app register", "TENANT NAME", "register an app; prints its app id", 2, func(env *Env, d *emulator.Directory, a []string) error {
			app, err := d.RegisterApp(a[0], a[1])
			if err == nil {
				fmt.Fprintf(env.Stdout, "app %s %q\n", app.AppID, app.DisplayName)
			}
			return err
		}),
		step("cert upload", "TENANT APP FILE", "upload a certificate's public part (.cer or PEM)", 3, func(env *Env, d *emulator.Directory, a []string) error {
			data, err := env.ReadFile(a[2])
			if err != nil {
				return usageError("cert upload: %v", err)
			}
			c, err := d.UploadCertificate(a[0], a[1], data)
			if err == nil {
				fmt.Fprintf(env.Stdout, "certificate %s %s valid until %s\n", c.Thumbprint, c.Subject, c.NotAfter.Format("2006-01-02"))
			}
			return err
		}),
		step("cert remove", "TENANT APP THUMBPRINT", "remove a certificate from an app", 3, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.RemoveCertificate(a[0], a[1], a[2])
		}),
		step("permission grant", "TENANT APP", "grant Exchange.ManageAsApp (admin consent is a separate step)", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.GrantManageAsApp(a[0], a[1])
		}),
		step("consent grant", "TENANT APP", "grant admin consent for the app's permissions", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.Consent(a[0], a[1])
		}),
		step("consent revoke", "TENANT APP", "revoke admin consent", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.RevokeConsent(a[0], a[1])
		}),
		step("role assign", "TENANT APP ROLE", "assign a directory role (name or template id)", 3, func(_ *Env, d *emulator.Directory, a []string) error {
			_, err := d.AssignRole(a[0], a[1], a[2])
			return err
		}),
		step("role remove", "TENANT APP ROLE", "remove a directory role", 3, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.RemoveRole(a[0], a[1], a[2])
		}),
		step("app disable", "TENANT APP", "disable an app (sign-ins fail with AADSTS7000112)", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.DisableApp(a[0], a[1])
		}),
		step("app enable", "TENANT APP", "enable a disabled app", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.EnableApp(a[0], a[1])
		}),
	}
	return c
}

func emulatorAdminFlags(state *string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator admin", pflag.ContinueOnError)
	// Flags stop at the verb: what follows is the verb's.
	fs.SetInterspersed(false)
	fs.StringVar(state, "state", "", "state `folder` of the emulator (default: the emulator folder in exorun's config folder)")
	return fs
}

// openDirectory opens the directory in state, by default the emulator
// folder in exorun's config folder.
func openDirectory(env *Env, state string) (*emulator.Directory, error) {
	if state == "" {
		if env.ConfigDir == "" {
			return nil, usageError("emulator admin: no config folder here; give --state DIR")
		}
		state = filepath.Join(env.ConfigDir, "emulator")
	}
	d, err := emulator.OpenDirectory(state)
	if err != nil {
		return nil, usageError("emulator admin: %v", err)
	}
	return d, nil
}

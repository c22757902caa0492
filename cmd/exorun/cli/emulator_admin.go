package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/exorun/exorun/emulator"
	"github.com/spf13/pflag"
)

// adminVerb is one onboarding step of the seed documents, done to the
// emulator's directory: what an admin does in the Entra admin center.
type adminVerb struct {
	words   string // e.g. "role assign"
	args    string // positional arguments, for usage
	summary string
	nargs   int
	run     func(env *Env, d *emulator.Directory, a []string) error
}

func adminVerbs() []adminVerb {
	return []adminVerb{
		{"tenant create", "NAME", "create a tenant NAME.onmicrosoft.com", 1, func(env *Env, d *emulator.Directory, a []string) error {
			t, err := d.CreateTenant(a[0])
			if err == nil {
				fmt.Fprintf(env.Stdout, "tenant %s %s (Exchange data at the next start)\n", t.ID, t.InitialDomain)
			}
			return err
		}},
		{"app register", "TENANT NAME", "register an app; prints its app id", 2, func(env *Env, d *emulator.Directory, a []string) error {
			app, err := d.RegisterApp(a[0], a[1])
			if err == nil {
				fmt.Fprintf(env.Stdout, "app %s %q\n", app.AppID, app.DisplayName)
			}
			return err
		}},
		{"cert upload", "TENANT APP FILE", "upload a certificate's public part (.cer or PEM)", 3, func(env *Env, d *emulator.Directory, a []string) error {
			data, err := env.ReadFile(a[2])
			if err != nil {
				return usageError("cert upload: %v", err)
			}
			c, err := d.UploadCertificate(a[0], a[1], data)
			if err == nil {
				fmt.Fprintf(env.Stdout, "certificate %s %s valid until %s\n", c.Thumbprint, c.Subject, c.NotAfter.Format("2006-01-02"))
			}
			return err
		}},
		{"cert remove", "TENANT APP THUMBPRINT", "remove a certificate from an app", 3, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.RemoveCertificate(a[0], a[1], a[2])
		}},
		{"permission grant", "TENANT APP", "grant Exchange.ManageAsApp (admin consent is a separate step)", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.GrantManageAsApp(a[0], a[1])
		}},
		{"consent grant", "TENANT APP", "grant admin consent for the app's permissions", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.Consent(a[0], a[1])
		}},
		{"consent revoke", "TENANT APP", "revoke admin consent", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.RevokeConsent(a[0], a[1])
		}},
		{"role assign", "TENANT APP ROLE", "assign a directory role (name or template id)", 3, func(_ *Env, d *emulator.Directory, a []string) error {
			_, err := d.AssignRole(a[0], a[1], a[2])
			return err
		}},
		{"role remove", "TENANT APP ROLE", "remove a directory role", 3, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.RemoveRole(a[0], a[1], a[2])
		}},
		{"app disable", "TENANT APP", "disable an app (sign-ins fail with AADSTS7000112)", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.DisableApp(a[0], a[1])
		}},
		{"app enable", "TENANT APP", "enable a disabled app", 2, func(_ *Env, d *emulator.Directory, a []string) error {
			return d.EnableApp(a[0], a[1])
		}},
	}
}

// cmdEmulatorAdmin runs `exorun emulator admin [--state DIR] VERB...`
// against the state folder. A running emulator sees directory changes at
// once: it re-reads the directory file when it changes.
func cmdEmulatorAdmin(env *Env, args []string) error {
	c, _ := findCommand("emulator")
	fs := pflag.NewFlagSet("emulator admin", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	state := fs.String("state", "", "state `folder` of the emulator (default: the emulator folder in exorun's config folder)")
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	var verb *adminVerb
	for _, v := range adminVerbs() {
		words := strings.Fields(v.words)
		if len(rest) >= len(words) && strings.Join(rest[:len(words)], " ") == v.words {
			verb, rest = &v, rest[len(words):]
			break
		}
	}
	if verb == nil {
		var b strings.Builder
		for _, v := range adminVerbs() {
			fmt.Fprintf(&b, "\n  exorun emulator admin %-36s %s", v.words+" "+v.args, v.summary)
		}
		return usageError("emulator admin: want one of:%s", b.String())
	}
	if len(rest) != verb.nargs {
		return usageError("usage: exorun emulator admin %s %s", verb.words, verb.args)
	}
	if *state == "" {
		if env.ConfigDir == "" {
			return usageError("emulator admin: no config folder here; give --state DIR")
		}
		*state = filepath.Join(env.ConfigDir, "emulator")
	}
	d, err := emulator.OpenDirectory(*state)
	if err != nil {
		return usageError("emulator admin: %v", err)
	}
	if err := verb.run(env, d, rest); err != nil {
		return usageError("emulator admin %s: %v", verb.words, err)
	}
	return nil
}

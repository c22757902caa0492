package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/exorun/exorun/emulator"
	"github.com/google/uuid"
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
				if strings.HasPrefix(args, "TENANT") {
					a[0] = tenantArg(a[0])
				}
				if err := do(env, d, a); err != nil {
					return usageError("%s: %v", c.path(), err)
				}
				return nil
			}}
	}
	c := &command{name: "admin", usage: "exorun emulator admin [--state DIR] VERB ...", summary: "change the emulated directory: tenants, apps, managed identities, credentials, consent, roles",
		flags: func() *pflag.FlagSet { return emulatorAdminFlags(new(string)) },
		examples: []string{
			"exorun emulator admin tenant create --mailboxes 50 fabrikam         # served at once by a running emulator",
			"exorun emulator admin consent revoke fabrikam APP_ID                # reproduce a missing admin consent",
			`exorun emulator admin role assign fabrikam APP_ID "Global Reader"`,
			"exorun emulator admin federated add contoso APP_ID --subject system:serviceaccount:reports:runner   # then sign in with a federated-token",
		},
		run: func(env *Env, c *command, args []string) error {
			fs := emulatorAdminFlags(&state)
			if err := parseFlags(env, c, fs, args); err != nil {
				return err
			}
			return runVerb(env, c, fs.Args())
		}}
	c.verbs = []*command{
		{name: "tenant create", usage: "exorun emulator admin tenant create [--mailboxes N] NAME",
			summary: "create a tenant NAME.onmicrosoft.com; a running emulator serves its Exchange data at once",
			flags:   func() *pflag.FlagSet { return tenantCreateFlags(new(int)) },
			run: func(env *Env, c *command, a []string) error {
				var mailboxes int
				fs := tenantCreateFlags(&mailboxes)
				if err := parseFlags(env, c, fs, a); err != nil {
					return err
				}
				if fs.NArg() != 1 {
					return usageError("usage: %s", c.usage)
				}
				if mailboxes < 0 || mailboxes > 200000 {
					return usageError("--mailboxes %d: want 0 to 200000", mailboxes)
				}
				d, err := openDirectory(env, state)
				if err != nil {
					return err
				}
				t, err := d.CreateTenant(fs.Arg(0), emulator.WithMailboxes(mailboxes))
				if err != nil {
					return usageError("%s: %v", c.path(), err)
				}
				data := "the fixture tenant's Exchange data"
				if mailboxes > 0 {
					data = fmt.Sprintf("Exchange data of %d generated mailboxes", mailboxes)
				}
				fmt.Fprintf(env.Stdout, "tenant %s %s (%s)\n", t.ID, t.InitialDomain, data)
				return nil
			}},
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
		step("cert remove", "TENANT APP THUMBPRINT", "remove a certificate from an app", 3, func(env *Env, d *emulator.Directory, a []string) error {
			return changed(env, d.RemoveCertificate(a[0], a[1], a[2]), "removed certificate %s from app %s in %s", a[2], a[1], a[0])
		}),
		step("sp add", "TENANT HOME_TENANT APP", "add a service principal of a multi-tenant app registered in HOME_TENANT (then grant, consent and assign a role in TENANT)", 3, func(env *Env, d *emulator.Directory, a []string) error {
			a[1] = tenantArg(a[1])
			sp, err := d.AddServicePrincipal(a[0], a[1], a[2])
			return changed(env, err, "added service principal %s of app %s (registered in %s) to %s (next: permission grant, consent grant, role assign in %s)", sp.ObjectID, a[2], a[1], a[0], a[0])
		}),
		step("permission grant", "TENANT APP", "grant Exchange.ManageAsApp (admin consent is a separate step; for a managed identity the grant is the consent)", 2, func(env *Env, d *emulator.Directory, a []string) error {
			err := d.GrantManageAsApp(a[0], a[1])
			if err == nil {
				app, aerr := d.App(a[0], a[1])
				switch {
				case aerr == nil && app.IsManagedIdentity():
					return changed(env, nil, "assigned the app role Exchange.ManageAsApp to managed identity %s in %s (for a managed identity the assignment is the consent)", a[1], a[0])
				case aerr == nil && app.ManageAsAppConsented:
					return changed(env, nil, "granted Exchange.ManageAsApp to app %s in %s (admin consent already given)", a[1], a[0])
				}
			}
			return changed(env, err, "granted Exchange.ManageAsApp to app %s in %s (consent still needed: exorun emulator admin consent grant %s %s)", a[1], a[0], a[0], a[1])
		}),
		step("consent grant", "TENANT APP", "grant admin consent for the app's permissions", 2, func(env *Env, d *emulator.Directory, a []string) error {
			err := d.Consent(a[0], a[1])
			if err == nil {
				if app, aerr := d.App(a[0], a[1]); aerr == nil && !app.ManageAsAppGranted {
					return changed(env, nil, "consented for app %s in %s; it has no Exchange.ManageAsApp to consent to yet (exorun emulator admin permission grant %s %s)", a[1], a[0], a[0], a[1])
				}
			}
			return changed(env, err, "consented Exchange.ManageAsApp for app %s in %s", a[1], a[0])
		}),
		step("consent revoke", "TENANT APP", "revoke admin consent", 2, func(env *Env, d *emulator.Directory, a []string) error {
			err := d.RevokeConsent(a[0], a[1])
			if app, aerr := d.App(a[0], a[1]); err == nil && aerr == nil && app.IsManagedIdentity() {
				return changed(env, nil, "removed the Exchange.ManageAsApp app role assignment of managed identity %s in %s (its tokens no longer carry it)", a[1], a[0])
			}
			return changed(env, err, "revoked admin consent for app %s in %s (its tokens no longer carry Exchange.ManageAsApp)", a[1], a[0])
		}),
		step("role assign", "TENANT APP ROLE", "assign a directory role (name or template id)", 3, func(env *Env, d *emulator.Directory, a []string) error {
			id, err := d.AssignRole(a[0], a[1], a[2])
			return changed(env, err, "assigned role %s (%s) to app %s in %s", a[2], id, a[1], a[0])
		}),
		step("role remove", "TENANT APP ROLE", "remove a directory role", 3, func(env *Env, d *emulator.Directory, a []string) error {
			return changed(env, d.RemoveRole(a[0], a[1], a[2]), "removed role %s from app %s in %s", a[2], a[1], a[0])
		}),
		step("app disable", "TENANT APP", "disable an app (sign-ins fail with AADSTS7000112)", 2, func(env *Env, d *emulator.Directory, a []string) error {
			return changed(env, d.DisableApp(a[0], a[1]), "disabled app %s in %s", a[1], a[0])
		}),
		step("app enable", "TENANT APP", "enable a disabled app", 2, func(env *Env, d *emulator.Directory, a []string) error {
			return changed(env, d.EnableApp(a[0], a[1]), "enabled app %s in %s", a[1], a[0])
		}),
		identityCreateCommand(&state),
		federatedAddCommand(&state),
		step("federated list", "TENANT APP", "list an app's federated credentials: NAME, ISSUER, SUBJECT, AUDIENCE, tab-separated", 2, func(env *Env, d *emulator.Directory, a []string) error {
			list, err := d.FederatedCredentials(a[0], a[1])
			if err != nil {
				return err
			}
			for _, fc := range list {
				fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", fc.Name, fc.Issuer, fc.Subject, strings.Join(fc.Audiences, " "))
			}
			if len(list) == 0 {
				fmt.Fprintf(env.Stderr, "exorun emulator: app %s in %s has no federated credentials\n", a[1], a[0])
			}
			return nil
		}),
		step("federated remove", "TENANT APP NAME", "remove a federated credential by name", 3, func(env *Env, d *emulator.Directory, a []string) error {
			return changed(env, d.RemoveFederatedCredential(a[0], a[1], a[2]), "removed federated credential %s from app %s in %s", a[2], a[1], a[0])
		}),
		federatedTokenCommand(&state),
	}
	return c
}

// changed prints what a verb changed, one line, when it succeeded, and
// passes err on.
func changed(env *Env, err error, format string, args ...any) error {
	if err == nil {
		fmt.Fprintf(env.Stdout, format+"\n", args...)
	}
	return err
}

func tenantCreateFlags(mailboxes *int) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator admin tenant create", pflag.ContinueOnError)
	fs.IntVar(mailboxes, "mailboxes", 0, "Exchange data of `N` generated mailboxes (0: the small fixture tenant)")
	return fs
}

func emulatorAdminFlags(state *string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator admin", pflag.ContinueOnError)
	// Flags stop at the verb: what follows is the verb's.
	fs.SetInterspersed(false)
	fs.StringVar(state, "state", "", "state `folder` of the emulator (default: the emulator folder in exorun's config folder)")
	return fs
}

// adminStateDir is admin's --state, by default the emulator folder in
// exorun's config folder.
func adminStateDir(env *Env, state string) (string, error) {
	if state != "" {
		return state, nil
	}
	if env.ConfigDir == "" {
		return "", usageError("emulator admin: no config folder here; give --state DIR")
	}
	return filepath.Join(env.ConfigDir, "emulator"), nil
}

// openDirectory opens the directory in state, by default the emulator
// folder in exorun's config folder.
func openDirectory(env *Env, state string) (*emulator.Directory, error) {
	state, err := adminStateDir(env, state)
	if err != nil {
		return nil, err
	}
	d, err := emulator.OpenDirectory(state)
	if err != nil {
		return nil, usageError("emulator admin: %v", err)
	}
	return d, nil
}

// tenantArg is a TENANT argument as the directory finds it: the name
// tenant create took ("fabrikam") stands for its initial domain; a domain
// or a GUID stays as it is.
func tenantArg(a string) string {
	if strings.Contains(a, ".") || uuid.Validate(a) == nil {
		return a
	}
	return a + ".onmicrosoft.com"
}

package cli

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/oidc"
)

// The admin verbs of secretless sign-in: managed identities, federated
// credentials, and tokens of the emulator's test OIDC issuer. state is
// admin's --state, read through the pointer as the other verbs read it.

func identityCreateFlags(userAssigned *bool) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator admin identity create", pflag.ContinueOnError)
	fs.BoolVar(userAssigned, "user-assigned", false, "create a user-assigned identity (an Azure resource of its own) instead of the host's system-assigned one")
	return fs
}

// identityCreateCommand is `admin identity create`. Its stdout is for
// scripts: the client id, then for a user-assigned identity its resource
// id; what to do next goes to stderr.
func identityCreateCommand(state *string) *command {
	return &command{name: "identity create", usage: "exorun emulator admin identity create [--user-assigned] TENANT NAME",
		summary: "create a managed identity (the emulated host's system-assigned one, or user-assigned); prints its client id, then a user-assigned one's resource id",
		flags:   func() *pflag.FlagSet { return identityCreateFlags(new(bool)) },
		run: func(env *Env, c *command, a []string) error {
			var userAssigned bool
			fs := identityCreateFlags(&userAssigned)
			if err := parseFlags(env, c, fs, a); err != nil {
				return err
			}
			if fs.NArg() != 2 {
				return usageError("usage: %s", c.usage)
			}
			d, err := openDirectory(env, *state)
			if err != nil {
				return err
			}
			tenant := tenantArg(fs.Arg(0))
			mi, err := d.CreateManagedIdentity(tenant, fs.Arg(1), userAssigned)
			if err != nil {
				return usageError("%s: %v", c.path(), err)
			}
			kind := "system-assigned"
			fmt.Fprintln(env.Stdout, mi.AppID)
			if userAssigned {
				kind = "user-assigned"
				fmt.Fprintln(env.Stdout, mi.ManagedIdentity.ResourceID)
			}
			fmt.Fprintf(env.Stderr, "exorun emulator: created %s managed identity %s in %s (object id %s); next: exorun emulator admin permission grant %s %s, then role assign %s %s ROLE\n",
				kind, mi.DisplayName, tenant, mi.ObjectID, tenant, mi.AppID, tenant, mi.AppID)
			return nil
		}}
}

type federatedAddOptions struct {
	Subject, Issuer, Audience, Name string
}

func federatedAddFlags(o *federatedAddOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator admin federated add", pflag.ContinueOnError)
	fs.StringVar(&o.Subject, "subject", "", "the `SUB` of the external tokens to accept, exactly (case-sensitive): repo:OWNER/REPO:environment:NAME, system:serviceaccount:NS:SA, ...")
	fs.StringVar(&o.Issuer, "issuer", "", "the identity provider's issuer `URL`, exactly as its tokens' iss (default: the emulator's test issuer)")
	fs.StringVar(&o.Audience, "audience", directory.DefaultFederatedAudience, "the `AUD` the external tokens carry")
	fs.StringVar(&o.Name, "name", "", "the credential's `NAME`, unique on the app (default: made from the subject)")
	return fs
}

// federatedAddCommand is `admin federated add`.
func federatedAddCommand(state *string) *command {
	return &command{name: "federated add", usage: "exorun emulator admin federated add --subject SUB [--issuer URL] [--audience AUD] [--name NAME] TENANT APP",
		summary: "add a federated credential: the app accepts an identity provider's tokens about SUB as its client assertion",
		flags:   func() *pflag.FlagSet { return federatedAddFlags(&federatedAddOptions{}) },
		run: func(env *Env, c *command, a []string) error {
			o := &federatedAddOptions{}
			fs := federatedAddFlags(o)
			if err := parseFlags(env, c, fs, a); err != nil {
				return err
			}
			if fs.NArg() != 2 {
				return usageError("usage: %s", c.usage)
			}
			if o.Subject == "" {
				return usageError("%s: --subject is required: the sub of the tokens to accept", c.path())
			}
			dir, err := adminStateDir(env, *state)
			if err != nil {
				return err
			}
			if o.Issuer == "" {
				ep, err := emulator.ReadEndpoints(dir)
				if err != nil || ep.OIDCIssuer == "" {
					return usageError("%s: the emulator's test issuer is not known yet: start the emulator once (exorun emulator serve) or give --issuer", c.path())
				}
				o.Issuer = ep.OIDCIssuer
			}
			d, err := openDirectory(env, dir)
			if err != nil {
				return err
			}
			tenant, app := tenantArg(fs.Arg(0)), fs.Arg(1)
			fc, err := d.AddFederatedCredential(tenant, app, directory.FederatedCredential{Name: o.Name, Issuer: o.Issuer, Subject: o.Subject, Audiences: []string{o.Audience}})
			if err != nil {
				return usageError("%s: %v", c.path(), err)
			}
			fmt.Fprintf(env.Stdout, "added federated credential %s to app %s in %s: issuer %s, subject %s, audience %s\n", fc.Name, app, tenant, fc.Issuer, fc.Subject, fc.Audiences[0])
			return nil
		}}
}

type federatedTokenOptions struct {
	Subject, Audience string
	Lifetime          time.Duration
}

func federatedTokenFlags(o *federatedTokenOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("emulator admin federated-token", pflag.ContinueOnError)
	fs.StringVar(&o.Subject, "subject", "", "the token's `SUB`, as a federated credential names it")
	fs.StringVar(&o.Audience, "audience", directory.DefaultFederatedAudience, "the token's `AUD`")
	fs.DurationVar(&o.Lifetime, "lifetime", time.Hour, "the token is valid for `D`, at most 24h (a Kubernetes projected token's default is 1h)")
	return fs
}

// federatedTokenCommand is `admin federated-token`: a token of the test
// issuer, on stdout alone, for a token file or a client assertion.
func federatedTokenCommand(state *string) *command {
	return &command{name: "federated-token", usage: "exorun emulator admin federated-token --subject SUB [--audience AUD] [--lifetime D]",
		summary: "print a JWT of the emulator's test OIDC issuer about SUB (as a Kubernetes projected token), to sign in with a federated credential",
		flags:   func() *pflag.FlagSet { return federatedTokenFlags(&federatedTokenOptions{}) },
		run: func(env *Env, c *command, a []string) error {
			o := &federatedTokenOptions{}
			fs := federatedTokenFlags(o)
			if err := parseFlags(env, c, fs, a); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return usageError("usage: %s", c.usage)
			}
			switch {
			case o.Subject == "":
				return usageError("%s: --subject is required: the sub a federated credential of the app names", c.path())
			case o.Audience == "":
				return usageError("%s: --audience is empty", c.path())
			case o.Lifetime <= 0 || o.Lifetime > oidc.MaxLifetime:
				return usageError("%s: --lifetime %v: want more than 0 and at most %v", c.path(), o.Lifetime, oidc.MaxLifetime)
			}
			dir, err := adminStateDir(env, *state)
			if err != nil {
				return err
			}
			token, _, err := emulator.MintFederatedToken(dir, o.Subject, o.Audience, o.Lifetime)
			if err != nil {
				return usageError("%s: %v", c.path(), err)
			}
			fmt.Fprintln(env.Stdout, token)
			return nil
		}}
}

package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/pflag"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/cmd/exorun/repl"
	"github.com/exorun/exorun/connect"
)

type cmdletsOptions struct {
	Role    string
	Service string
	Verb    string
	Match   string
	demo    demoOptions
}

func cmdletsFlags(o *cmdletsOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cmdlets", pflag.ContinueOnError)
	fs.StringVar(&o.Role, "role", "", `only cmdlets this directory role grants, e.g. "Global Reader"`)
	fs.StringVar(&o.Service, "service", "exchange", "exchange or compliance")
	fs.StringVar(&o.Verb, "verb", "", "only this verb, e.g. Get")
	fs.StringVar(&o.Match, "match", "", "only names containing this text (case-insensitive)")
	group(fs, groupDemo, func() { o.demo.register(fs) })
	fs.Lookup("demo").Usage = "only the cmdlets the demo app may run: connect to an in-process emulated tenant and read its roles from the token"
	return fs
}

// cmdCmdlets prints the catalog: each cmdlet with its Lua name, effect,
// the roles that grant it, and app-only support; or, given a cmdlet's
// PowerShell or Lua name, that cmdlet's help.
func cmdCmdlets(env *Env, c *command, args []string) error {
	o := &cmdletsOptions{}
	fs := cmdletsFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	service, err := catalog.ParseService(o.Service)
	if err != nil {
		return usageError("--service: %v", err)
	}
	switch fs.NArg() {
	case 0:
	case 1:
		for _, f := range []string{"role", "verb", "match", "demo"} {
			if fs.Changed(f) {
				return usageError("--%s filters the list; it does not go with a cmdlet's name", f)
			}
		}
		return cmdletHelp(env, fs.Arg(0), service)
	default:
		return usageError("cmdlets takes one cmdlet name at most (use --match TEXT to list several)")
	}
	// roles, when filtering, are those whose grants a listed cmdlet
	// needs one of.
	var roles []catalog.Role
	filtered := o.Role != "" || o.demo.Demo
	switch {
	case o.Role != "" && o.demo.Demo:
		return usageError("--role and --demo both choose the roles; give the demo app another with --demo-role")
	case o.Role != "":
		r, ok := catalog.RoleByName(o.Role)
		if !ok {
			var names []string
			for _, r := range catalog.Roles() {
				names = append(names, r.Name)
			}
			return usageError("--role %q: want one of %s", o.Role, strings.Join(names, ", "))
		}
		roles = []catalog.Role{r}
	case o.demo.Demo:
		if roles, err = demoRoles(env, &o.demo, service); err != nil {
			return err
		}
	}
	tw := tablewriter.NewTable(env.Stdout)
	tw.Header("Cmdlet", "Lua name", "Effect", "Granted by")
	n := 0
	for _, cm := range catalog.All() {
		if !cm.Runs(service) || (o.Verb != "" && !strings.EqualFold(cm.Verb, o.Verb)) ||
			(o.Match != "" && !strings.Contains(strings.ToLower(cm.Name), strings.ToLower(o.Match))) {
			continue
		}
		name := cm.Name
		if cm.WrapperOf != "" {
			name = cm.WrapperOf
		}
		if filtered && !catalog.Allowed(roles, name, service) {
			continue
		}
		if o.demo.Demo && cm.AppOnly.Unsupported {
			// No role lets an app run it.
			continue
		}
		granted := "-"
		if cm.AppOnly.Unsupported {
			granted = "not in app-only sessions"
		} else if roles := catalog.GrantingRoles(name, service); len(roles) > 0 {
			var names []string
			for _, r := range roles {
				names = append(names, shortRole(r.Name))
			}
			granted = strings.Join(names, ", ")
		}
		if err := tw.Append(cm.Name, cm.SnakeName(), cm.Effect.String(), granted); err != nil {
			return err
		}
		n++
	}
	if err := tw.Render(); err != nil {
		return err
	}
	if o.demo.Demo {
		var names []string
		for _, r := range roles {
			names = append(names, r.Name)
		}
		fmt.Fprintf(env.Stderr, "%d cmdlets in %s that the demo app may run (its roles: %s)\n", n, service, strings.Join(names, ", "))
		return nil
	}
	fmt.Fprintf(env.Stderr, "%d cmdlets in %s\n", n, service)
	return nil
}

// demoRoles starts the demo tenant, connects to service as the demo app
// (with --demo-role's role, if given) and returns the roles its token
// carries that service honours: what decides, on the service's side,
// which cmdlets it may run.
func demoRoles(env *Env, o *demoOptions, service catalog.Service) ([]catalog.Role, error) {
	d, s, err := startDemo(env, o, env.commandLogger())
	if err != nil {
		return nil, err
	}
	defer d.close()
	s.Service = service.Key()
	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	sess, err := connect.Open(ctx, s, env.connectOptions(env.commandLogger()))
	if err != nil {
		return nil, err
	}
	// Before stop: the emulator shutting down waits for open
	// connections to hang up.
	defer sess.Close()
	return sess.Identity.HonouredRoles(service), nil
}

// cmdletHelp prints the help of the cmdlet name (PowerShell or Lua name,
// any case) in service.
func cmdletHelp(env *Env, name string, service catalog.Service) error {
	cm, ok := lookupCmdlet(name)
	if !ok {
		return usageError("%s", unknownCmdlet(name))
	}
	repl.CmdletHelp(env.Stdout, cm, service)
	return nil
}

// unknownCmdlet says that name is no cmdlet of the catalog, with the
// names closest to it.
func unknownCmdlet(name string) string {
	msg := fmt.Sprintf("no cmdlet %q in exorun's catalog", name)
	if s := catalog.SuggestCmdlet(name); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, ", ") + "?"
	}
	return msg
}

// shortRole keeps the grant column readable.
func shortRole(name string) string {
	r := strings.NewReplacer("Administrator", "Admin", "Exchange Recipient", "Recipient")
	return r.Replace(name)
}

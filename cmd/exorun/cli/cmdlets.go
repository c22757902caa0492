package cli

import (
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/pflag"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/cmd/exorun/repl"
)

type cmdletsOptions struct {
	Role    string
	Service string
	Verb    string
	Match   string
}

func cmdletsFlags(o *cmdletsOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cmdlets", pflag.ContinueOnError)
	fs.StringVar(&o.Role, "role", "", `only cmdlets this directory role grants, e.g. "Global Reader"`)
	fs.StringVar(&o.Service, "service", "exchange", "exchange or compliance")
	fs.StringVar(&o.Verb, "verb", "", "only this verb, e.g. Get")
	fs.StringVar(&o.Match, "match", "", "only names containing this text (case-insensitive)")
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
		for _, f := range []string{"role", "verb", "match"} {
			if fs.Changed(f) {
				return usageError("--%s filters the list; it does not go with a cmdlet's name", f)
			}
		}
		return cmdletHelp(env, fs.Arg(0), service)
	default:
		return usageError("cmdlets takes one cmdlet name at most (use --match TEXT to list several)")
	}
	var role *catalog.Role
	if o.Role != "" {
		r, ok := catalog.RoleByName(o.Role)
		if !ok {
			var names []string
			for _, r := range catalog.Roles() {
				names = append(names, r.Name)
			}
			return usageError("--role %q: want one of %s", o.Role, strings.Join(names, ", "))
		}
		role = &r
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
		if role != nil && !catalog.Grants(*role, name, service) {
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
	fmt.Fprintf(env.Stderr, "%d cmdlets in %s\n", n, service)
	return nil
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

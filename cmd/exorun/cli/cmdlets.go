package cli

import (
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/pflag"

	"github.com/exorun/exorun/catalog"
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
// the roles that grant it, and app-only support.
func cmdCmdlets(env *Env, c *command, args []string) error {
	o := &cmdletsOptions{}
	fs := cmdletsFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("cmdlets takes no arguments (use --match TEXT)")
	}
	service, err := catalog.ParseService(o.Service)
	if err != nil {
		return usageError("--service: %v", err)
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

// shortRole keeps the grant column readable.
func shortRole(name string) string {
	r := strings.NewReplacer("Administrator", "Admin", "Exchange Recipient", "Recipient")
	return r.Replace(name)
}

package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/cmd/exorun/repl"
	"github.com/exorun/exorun/connect"
)

// The --output flag of cmdlets, cert list, whoami, doctor and bundle
// inspect. A list (cmdlets, cert list, doctor's steps) prints as a table,
// an array of JSON objects, or CSV; a record (whoami, inspect) as its
// report or one JSON object: CSV of one nested record would say nothing
// a JSON object does not say better.

type cmdletsOptions struct {
	Role    string
	Service string
	Verb    string
	Match   string
	Output  string
	demo    demoOptions
}

func cmdletsFlags(o *cmdletsOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cmdlets", pflag.ContinueOnError)
	fs.StringVar(&o.Role, "role", "", `only cmdlets this directory role grants an app: its name, short name or template id, e.g. "Global Reader"`)
	fs.StringVar(&o.Service, "service", "exchange", "exchange or compliance")
	fs.StringVar(&o.Verb, "verb", "", "only this verb, e.g. Get")
	fs.StringVar(&o.Match, "match", "", "only names containing this text (case-insensitive)")
	outputFlag(fs, &o.Output, listFormats(), false)
	group(fs, groupDemo, func() { o.demo.register(fs) })
	fs.Lookup("demo").Usage = "only the cmdlets the demo app may run: connect to an in-process emulated tenant and read its roles from the token"
	return fs
}

// cmdletRow is one cmdlet of `exorun cmdlets -o json` (and a CSV line).
type cmdletRow struct {
	Name    string `json:"name"`
	LuaName string `json:"lua_name"`
	Effect  string `json:"effect"`
	// WrapperOf is the server cmdlet a Get-EXO* wrapper of Microsoft's
	// module runs as; empty for the service's own cmdlets.
	WrapperOf string `json:"wrapper_of"`
	// AppOnly is false for the cmdlets no app-only session may run.
	AppOnly bool `json:"app_only"`
	// GrantedBy are the full names of the roles that grant it.
	GrantedBy []string `json:"granted_by"`
}

func cmdletColumns() []column[cmdletRow] {
	return []column[cmdletRow]{
		{title: "Cmdlet", key: "name", cell: func(r cmdletRow) string { return r.Name }},
		{title: "Lua name", key: "lua_name", cell: func(r cmdletRow) string { return r.LuaName }},
		{title: "Effect", key: "effect", cell: func(r cmdletRow) string { return r.Effect }},
		{title: "Wrapper of", key: "wrapper_of", cell: func(r cmdletRow) string { return r.WrapperOf }},
		{title: "App-only", key: "app_only", cell: func(r cmdletRow) string { return yesNo(r.AppOnly) },
			csv: func(r cmdletRow) string { return fmt.Sprint(r.AppOnly) }},
		{title: "Granted by", key: "granted_by", cell: grantedCell,
			csv: func(r cmdletRow) string { return strings.Join(r.GrantedBy, "; ") }},
	}
}

// grantedCell is the table's "Granted by": the roles' short names, which
// --role accepts as well.
func grantedCell(r cmdletRow) string {
	if len(r.GrantedBy) == 0 {
		return "-"
	}
	labels := make([]string, len(r.GrantedBy))
	for i, n := range r.GrantedBy {
		labels[i] = n
		if role, ok := catalog.RoleByName(n); ok {
			labels[i] = role.Label()
		}
	}
	return strings.Join(labels, ", ")
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
	format, err := parseOutput(o.Output, listFormats(), "the cmdlet list")
	if err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
	case 1:
		for _, f := range []string{"role", "verb", "match", "demo"} {
			if fs.Changed(f) {
				return usageError("--%s filters the list; it does not go with a cmdlet's name", f)
			}
		}
		if fs.Changed("output") {
			return usageError("--output formats the list; a cmdlet's help is text only")
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
		r, ok := catalog.ParseRole(o.Role)
		if !ok {
			var names []string
			for _, r := range catalog.Roles() {
				names = append(names, r.Name)
			}
			return usageError("--role %q: want one of %s (or its short name, as the list shows it, or its template id)", o.Role, strings.Join(names, ", "))
		}
		roles = []catalog.Role{r}
	case o.demo.Demo:
		if roles, err = demoRoles(env, &o.demo, service); err != nil {
			return err
		}
	}
	var rows []cmdletRow
	var count cmdletCount
	for _, cm := range catalog.All() {
		if !cm.Runs(service) || (o.Verb != "" && !strings.EqualFold(cm.Verb, o.Verb)) ||
			(o.Match != "" && !strings.Contains(strings.ToLower(cm.Name), strings.ToLower(o.Match))) {
			continue
		}
		count.catalog++
		if cm.AppOnly.Unsupported {
			count.notAppOnly++
		}
		name := cm.Name
		if cm.WrapperOf != "" {
			name = cm.WrapperOf
		}
		// A cmdlet no app-only session may run is allowed by no role:
		// exorun's sessions are all app-only, and a session's
		// exo.cmdlets() leaves it out too.
		if filtered && (cm.AppOnly.Unsupported || !catalog.Allowed(roles, name, service)) {
			continue
		}
		if cm.WrapperOf != "" {
			count.wrappers++
		}
		row := cmdletRow{Name: cm.Name, LuaName: cm.SnakeName(), Effect: cm.Effect.String(),
			WrapperOf: cm.WrapperOf, AppOnly: !cm.AppOnly.Unsupported, GrantedBy: []string{}}
		if !cm.AppOnly.Unsupported {
			for _, r := range catalog.GrantingRoles(name, service) {
				row.GrantedBy = append(row.GrantedBy, r.Name)
			}
		}
		rows = append(rows, row)
	}
	count.listed = len(rows)
	if err := writeList(env.Stdout, format, cmdletColumns(), rows); err != nil {
		return err
	}
	var by string
	switch {
	case o.demo.Demo:
		var names []string
		for _, r := range roles {
			names = append(names, r.Name)
		}
		by = "the demo app's roles (" + orNone(names) + ")"
	case o.Role != "":
		by = roles[0].Name
	}
	fmt.Fprintln(env.Stderr, count.summary(service, by))
	return nil
}

// cmdletCount is what `exorun cmdlets` counted, for its summary line.
//
// The cmdlet counts exorun shows, in one place:
//   - catalog: the cmdlets of a service in exorun's catalog (exorun
//     cmdlets), Microsoft's module wrappers (Get-EXOMailbox runs as
//     Get-Mailbox) included;
//   - allowed: those a role grants an app in exorun's role model
//     (exorun cmdlets --role, --demo), app-only ones only; split into
//     service cmdlets and wrappers;
//   - published: the service's own list for a connected app
//     (EXOModuleFile), which only a session knows: doctor counts it, and
//     it holds service cmdlets only, so it is the "service cmdlets" part
//     of allowed when the tenant follows the role model, as the demo
//     tenant does; exo.cmdlets() lists the published cmdlets and their
//     wrappers, the same set as "allowed" for the same roles.
type cmdletCount struct {
	catalog    int // in the catalog, after --verb and --match
	notAppOnly int // of catalog, those no app-only session may run
	listed     int // listed: catalog, or allowed when filtering by roles
	wrappers   int // of listed, the module's Get-EXO* wrappers
}

// summary is the count line: by names the roles that filter, "" for
// none.
func (n cmdletCount) summary(service catalog.Service, by string) string {
	split := fmt.Sprintf("%d service cmdlet%s, %d Get-EXO* wrapper%s", n.listed-n.wrappers, plural(n.listed-n.wrappers), n.wrappers, plural(n.wrappers))
	if by == "" {
		return fmt.Sprintf("%d cmdlet%s of %s in exorun's catalog: %s; %d not for app-only sessions", n.listed, plural(n.listed), service, split, n.notAppOnly)
	}
	return fmt.Sprintf("%d of the %d cmdlets of %s in exorun's catalog are allowed by %s: %s\n", n.listed, n.catalog, service, by, split) +
		"a connected session follows the service's own list instead: doctor counts its service cmdlets, exo.cmdlets() lists those and their wrappers"
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

package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/internal/exitcode"
)

// The manual page is written from the command tree, the flag sets, the
// exit codes and the connection settings, the declarations help and
// completion come from: it cannot list a flag exorun does not take.

func manCommand() *command {
	return &command{name: "man", usage: "exorun man", summary: "print the manual page exorun(1) in roff",
		run: cmdMan,
		examples: []string{
			"exorun man > exorun.1 && man -l exorun.1",
			"exorun man | sudo tee /usr/local/share/man/man1/exorun.1 >/dev/null   # then: man exorun",
		}}
}

func cmdMan(env *Env, c *command, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		printCommandHelp(env.Stdout, c)
		return errHelp
	}
	if len(args) > 0 {
		return usageError("man takes no arguments")
	}
	writeManPage(env.Stdout)
	return nil
}

// otherVariables are the environment variables exorun reads besides the
// connection settings (connect.Fields), with what each does.
func otherVariables() [][2]string {
	return [][2]string{
		{"EXORUN_REQUIRE_SIGNED", "1 refuses unsigned or untrusted bundles and plain scripts, as --require-signed does."},
		{shardEnv, "K/N, as --shard K/N."},
		{"EXORUN_NOW", "an RFC 3339 time the time module sees instead of the clock, for reproducible runs."},
		{"EXORUN_LOG_NO_TIME", "1 leaves times out of log records and the run summary."},
		{"NO_COLOR", "set: no colour in tables."},
		{"ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN", "set by GitHub Actions in a job with id-token: write: with no other credential, exorun signs in with the job's ID token."},
		{"AZURE_FEDERATED_TOKEN_FILE", "set by the AKS workload identity webhook: with no other credential, exorun signs in with the token in that file."},
		{"IDENTITY_ENDPOINT, IDENTITY_HEADER, IMDS_ENDPOINT, MSI_ENDPOINT", "set by Azure for a managed identity; read by MSAL when managed_identity is set."},
	}
}

// writeManPage writes exorun(1).
func writeManPage(w io.Writer) {
	m := &roff{w: w}
	m.macro("TH", "EXORUN", "1", "", "exorun "+version(), "User Commands")
	// No hyphenation and a ragged right margin: flag and variable names
	// must read (and be copied) as typed.
	m.macro("nh")
	m.macro("ad", "l")
	m.macro("SH", "NAME")
	m.line(`exorun \- run Lua scripts that administer Exchange Online unattended`)
	m.macro("SH", "SYNOPSIS")
	m.line(`\fBexorun\fR [\fIflags\fR] \fISCRIPT.lua\fR|\fIBUNDLE.exob\fR [\fIARGS\fR...]`)
	m.macro("br")
	m.line(`\fBexorun\fR \fICOMMAND\fR [\fIVERB\fR] [\fIflags\fR] [\fIARGS\fR...]`)
	m.macro("SH", "DESCRIPTION")
	m.para("exorun signs in to Exchange Online as an Entra ID app with a certificate (app-only), exposes the cmdlets " +
		"the app's directory roles allow as Lua functions, and streams their results page by page over the Exchange " +
		"admin REST API. `exorun SCRIPT.lua` is `exorun run SCRIPT.lua`; with no arguments on a terminal it starts the REPL.")
	m.macro("SH", "COMMANDS")
	for _, c := range commands().visible() {
		m.command(c)
	}
	m.macro("SH", "EXIT STATUS")
	for _, c := range exitcode.Codes {
		m.macro("TP")
		m.line(fmt.Sprintf(`\fB%d\fR (%s)`, c.Code, c.Name))
		m.para(c.Meaning)
	}
	m.para("A run over many tenants (--tenants) exits with the most severe tenant's code, in this order: " +
		"interrupted, timeout, usage, bundle, auth, permission, resources, throttled, service, script, checks.")
	m.macro("SH", "ENVIRONMENT")
	m.para("Connection settings are taken from flags, then these variables, then the profile (--profile).")
	for _, f := range connect.Fields() {
		if f.Env == "" {
			continue
		}
		m.macro("TP")
		m.line(`\fB` + escape(f.Env) + `\fR`)
		m.para(f.Usage + ".")
	}
	for _, f := range connect.Fields() {
		if f.AzureEnv == "" {
			continue
		}
		m.macro("TP")
		m.line(`\fB` + escape(f.AzureEnv) + `\fR`)
		m.para("set by Azure's tools and the AKS workload identity webhook: " + f.Key + " when nothing else sets it, read below the profile.")
	}
	for _, v := range otherVariables() {
		m.macro("TP")
		m.line(`\fB` + escape(v[0]) + `\fR`)
		m.para(v[1])
	}
	m.macro("SH", "FILES")
	for _, f := range [][2]string{
		{"CONFIG/exorun/profiles/NAME.json", "a profile: connection settings by name (--profile NAME); secrets only as *_env keys naming a variable."},
		{"CONFIG/exorun/certificates/", "the thumbprint store (exorun cert import); one folder per thumbprint, mode 0600."},
		{"CONFIG/exorun/emulator/", "the emulated tenant's default state folder (exorun emulator serve)."},
		{"CONFIG", "the user's config folder: $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on macOS, %AppData% on Windows."},
	} {
		m.macro("TP")
		m.line(`\fI` + escape(f[0]) + `\fR`)
		m.para(f[1])
	}
	m.macro("SH", "SEE ALSO")
	m.para("exorun help COMMAND; exorun completion SHELL; the README at https://github.com/exorun/exorun.")
}

// roff writes man(7) source.
type roff struct{ w io.Writer }

// macro writes a request line: .NAME arg "an arg" ...; an argument is
// quoted when it has blanks or is empty (a numeric one, .ad l or .RS 4,
// must not be).
func (r *roff) macro(name string, args ...string) {
	var b strings.Builder
	b.WriteString("." + name)
	for _, a := range args {
		a = strings.ReplaceAll(escape(a), `"`, `\(dq`)
		if a == "" || strings.ContainsAny(a, " \t") {
			a = `"` + a + `"`
		}
		b.WriteString(" " + a)
	}
	fmt.Fprintln(r.w, b.String())
}

// line writes a line of already escaped text.
func (r *roff) line(s string) {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	fmt.Fprintln(r.w, s)
}

// para writes plain text, escaped.
func (r *roff) para(s string) { r.line(escape(s)) }

// command writes a command's section: usage, summary, flags by group,
// examples; then its verbs'.
func (r *roff) command(c *command) {
	r.macro("SS", c.usage)
	r.para(capitalize(c.summary) + ".")
	if c.flags != nil {
		if fs := c.flags(); fs.HasFlags() {
			r.flags(fs)
		}
	}
	if len(c.examples) > 0 {
		r.macro("PP")
		r.line("Examples:")
		r.macro("RS", "4")
		r.macro("nf")
		for _, e := range c.examples {
			r.para(e)
		}
		r.macro("fi")
		r.macro("RE")
	}
	for _, v := range c.visible() {
		r.command(v)
	}
}

// flags lists fs's flags, by group as help does.
func (r *roff) flags(fs *pflag.FlagSet) {
	byGroup := flagsByGroup(fs)
	for _, g := range flagGroups() {
		if len(byGroup[g]) == 0 {
			continue
		}
		if g != "" {
			r.macro("PP")
			r.line(`\fI` + escape(g) + ` flags:\fR`)
		}
		for _, f := range byGroup[g] {
			name, usage := pflag.UnquoteUsage(f)
			head := `\fB\-\-` + escape(f.Name) + `\fR`
			if f.Shorthand != "" {
				head = `\fB\-` + escape(f.Shorthand) + `\fR, ` + head
			}
			if name != "" && name != "bool" {
				head += ` \fI` + escape(name) + `\fR`
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" && f.DefValue != "0s" {
				usage += " (default " + f.DefValue + ")"
			}
			r.macro("TP")
			r.line(head)
			r.para(usage)
		}
	}
}

// escape makes text safe in roff: backslashes, and hyphens as minus
// signs (so flags copy and search as typed).
func escape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	return strings.ReplaceAll(s, "-", `\-`)
}

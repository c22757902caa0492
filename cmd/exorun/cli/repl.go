package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/exorun/exorun/bundle"

	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/cmd/exorun/repl"
	"github.com/exorun/exorun/runtime"
)

type replOptions struct {
	scriptOptions
}

func replFlags(o *replOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("repl", pflag.ContinueOnError)
	o.register(fs)
	return fs
}

// replSession is one interactive session: the host and Lua state every
// chunk runs in, and how results are shown.
type replSession struct {
	env     *Env
	host    *host
	st      *runtime.State
	display *repl.Display
}

func cmdRepl(env *Env, c *command, args []string) error {
	o := &replOptions{}
	fs := replFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("repl takes no arguments (to run a script: exorun run %s)", fs.Arg(0))
	}
	if err := o.check(); err != nil {
		return err
	}
	required, err := o.requireSigned(env, false)
	if err != nil {
		return err
	}
	if !env.StdinTerminal && required {
		// Typed lines are the admin's own; lines piped in are a script
		// by another door.
		return &bundle.Error{Msg: "EXORUN_REQUIRE_SIGNED: the REPL reads a script from stdin, which carries no signature; only typed input or a signed bundle runs under this policy",
			Hint: "pack and sign it: exorun bundle pack DIR --sign-with THUMBPRINT"}
	}
	host, err := newHost(env, &o.scriptOptions, ".", nil, "")
	if err != nil {
		return err
	}
	defer host.close()
	r := &replSession{env: env, host: host, display: &repl.Display{Out: env.Stdout, Width: env.Width}}
	opts := host.options()
	opts.Globals["help"] = r.luaHelp
	r.st = runtime.New(opts)
	defer r.st.Close()

	lines, err := newLineSource(env)
	if err != nil {
		return err
	}
	defer lines.Close()
	interactive := env.Terminal != nil
	if err := r.start(interactive); err != nil {
		return err
	}
	if interactive {
		lines.SetCompleter(r.completer().Complete)
	}
	err = r.loop(lines)
	if interactive {
		// Ctrl-D leaves the cursor on the prompt line.
		fmt.Fprintln(env.Stdout)
	}
	if sessions := host.sessions(); len(sessions) > 0 && !o.Quiet {
		rec := newRunRecord("", "", o.WhatIf, env.clock())
		rec.sessions(sessions)
		rec.finish(err).writeText(env.Stderr, env.logTimes())
	}
	return err
}

// start preloads the built-in modules as globals and, when the settings
// name a tenant (flags, environment, profile or --demo), connects before
// the first prompt, binding exo. A failed connection is reported, and the
// session goes on unconnected.
func (r *replSession) start(interactive bool) error {
	modules := r.st.ModuleNames()
	var load strings.Builder
	for _, m := range modules {
		fmt.Fprintf(&load, "%s = require(%q) ", m, m)
	}
	if err := r.eval(load.String()); err != nil {
		return fmt.Errorf("repl: load modules: %w", err)
	}
	settings, err := r.host.opts.settings(r.env)
	if err != nil {
		return err
	}
	if settings.Organization == "" && r.host.demo == nil {
		if interactive {
			fmt.Fprintf(r.env.Stdout, "exorun %s: Lua REPL, not connected. Modules loaded: %s.\n%s", version(), strings.Join(modules, ", "), howToConnect)
		}
		return nil
	}
	if err := r.connect(); err != nil {
		r.report(err)
		fmt.Fprint(r.env.Stderr, howToConnect)
		return nil
	}
	if interactive {
		r.banner(modules)
	}
	return nil
}

const howToConnect = `Connect with: exo = connect{organization = "contoso.onmicrosoft.com", app_id = "...", certificate_file = "app.pfx"}
  or start with the flags or environment run takes (exorun repl --organization ... --app-id ...),
  a profile (--profile NAME), or --demo for an emulated tenant. .help for more.
`

// connect binds exo to a new session of the ambient settings.
func (r *replSession) connect() error {
	return r.eval("exo = connect()")
}

// connected reports whether exo holds a session, however it got there.
func (r *replSession) connected() bool {
	_, ok := r.host.bindings.Info(r.st.L.GetGlobal("exo"))
	return ok
}

// banner says who the session is: tenant, app, certificate, roles, and
// how many cmdlets the roles allow.
func (r *replSession) banner(modules []string) {
	exo := r.st.L.GetGlobal("exo")
	info, ok := r.host.bindings.Info(exo)
	if !ok {
		return
	}
	cmdlets, _ := r.host.bindings.Cmdlets(exo)
	w := r.env.Stdout
	fmt.Fprintf(w, "exorun %s: connected to %s (tenant %s)\n", version(), orDash(r.organization()), info.TenantID)
	fmt.Fprintf(w, "  app          %s\n", info.AppID)
	if info.Thumbprint != "" {
		fmt.Fprintf(w, "  certificate  %s, expires %s\n", info.Thumbprint, info.CertExpires)
	}
	roles := strings.Join(info.Roles, ", ")
	fmt.Fprintf(w, "  roles        %s: %d cmdlets allowed (.cmdlets lists them)\n", orDash(roles), len(cmdlets))
	fmt.Fprintf(w, "exo is the session; modules loaded: %s. Tab completes, .help helps, Ctrl-D quits.\n", strings.Join(modules, ", "))
}

// organization is the tenant as the settings named it.
func (r *replSession) organization() string {
	for _, s := range r.host.sessions() {
		return s.Organization
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// completer completes from the Lua state and the catalog.
func (r *replSession) completer() *repl.Completer {
	root := r.host.roots[0].FS()
	return &repl.Completer{
		L:       r.st.L,
		Cmdlets: r.host.bindings.Cmdlets,
		Modules: func() []string { return luaModules(root) },
	}
}

// luaModules lists the Lua files require can load from fsys, as module
// names ("lib.util" for lib/util.lua), three folders deep at most.
func luaModules(fsys fs.FS) []string {
	var names []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != "." && (strings.Count(p, "/") >= 3 || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if name, ok := runtime.ModuleFor(p); ok {
			names = append(names, name)
		}
		return nil
	})
	return names
}

// eval runs a chunk of the REPL's own (not the user's) and discards its
// results.
func (r *replSession) eval(chunk string) error {
	ctx, cancel := r.env.signalContext(context.Background())
	defer cancel()
	return r.st.EvalShow(ctx, chunk, func(*lua.LState, []lua.LValue) {})
}

// loop reads chunks until end of input. A chunk that is unfinished (an
// open block, an unterminated string) continues on the next line; a line
// starting with "." is a REPL command.
func (r *replSession) loop(lines LineEditor) error {
	var pending []string
	for {
		prompt := "exo> "
		if len(pending) > 0 {
			prompt = "...> "
		}
		line, err := lines.Prompt(prompt)
		if errors.Is(err, ErrPromptAborted) {
			pending = nil
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(pending) > 0 {
				return usageError("repl: input ended inside an unfinished chunk: %s", strings.Join(pending, " "))
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("repl: read input: %w", err)
		}
		if len(pending) == 0 {
			trimmed := strings.TrimSpace(line)
			if trimmed == "" {
				continue
			}
			if isCommand(trimmed) {
				if entry, ok := repl.HistoryEntry(trimmed); ok {
					lines.AppendHistory(entry)
				}
				if quit := r.command(trimmed); quit {
					return nil
				}
				continue
			}
		}
		pending = append(pending, line)
		chunk := strings.Join(pending, "\n")
		ctx, cancel := r.env.signalContext(context.Background())
		err = r.st.EvalShow(ctx, chunk, r.display.Show)
		cancel()
		if runtime.Incomplete(err) {
			continue
		}
		pending = nil
		if entry, ok := repl.HistoryEntry(chunk); ok {
			lines.AppendHistory(entry)
		}
		var exit *runtime.ExitError
		var stuck *runtime.StuckError
		if errors.As(err, &exit) || errors.As(err, &stuck) {
			// exit() ends the session as it ends a script; a stuck
			// built-in leaves a state no one may use again.
			return limitHint(err, r.host.memoryLimit)
		}
		if err != nil {
			r.report(err)
		}
	}
}

func (r *replSession) report(err error) {
	err = limitHint(err, r.host.memoryLimit)
	r.host.debugStack(err)
	report(r.env.Stderr, err)
}

// isCommand reports whether line is a REPL command: a dot and a letter
// (".help"), not a Lua number (".5 + 1").
func isCommand(line string) bool {
	return len(line) > 1 && line[0] == '.' && ('a' <= line[1] && line[1] <= 'z' || 'A' <= line[1] && line[1] <= 'Z')
}

// replCommands are the REPL's own commands, for .help and errors.
func replCommands() [][2]string {
	return [][2]string{
		{".help [CMDLET]", "this help, or a cmdlet's parameters (also help(\"Get-Mailbox\"))"},
		{".cmdlets [TEXT]", "the cmdlets exo's roles allow, read or write, and the role granting each"},
		{".whoami", "who exo is: tenant, app, certificate, roles"},
		{".reconnect", "a new session with the same settings (exo = connect())"},
		{".more", "the next rows of the last table that ended with \"… more\""},
		{".output table|json|csv", "how results are shown (table by default)"},
		{".quit", "leave (also Ctrl-D)"},
	}
}

// command runs a REPL command line; quit reports .quit.
func (r *replSession) command(line string) (quit bool) {
	fields := strings.Fields(line)
	name, arg := fields[0], strings.Join(fields[1:], " ")
	w := r.env.Stdout
	switch name {
	case ".help":
		if arg == "" {
			r.help(w)
			return false
		}
		r.cmdletHelp(w, arg)
	case ".cmdlets":
		r.listCmdlets(w, arg)
	case ".whoami":
		info, ok := r.host.bindings.Info(r.st.L.GetGlobal("exo"))
		if !ok {
			fmt.Fprint(r.env.Stderr, "not connected. "+howToConnect)
			return false
		}
		for _, kv := range whoamiLines(info) {
			fmt.Fprintf(w, "%-15s %s\n", kv[0]+":", kv[1])
		}
	case ".reconnect":
		if err := r.connect(); err != nil {
			r.report(err)
			return false
		}
		r.banner(r.st.ModuleNames())
	case ".output":
		switch arg {
		case "table", "json", "csv":
			r.display.Format = arg
		case "":
			fmt.Fprintln(w, r.outputFormat())
		default:
			fmt.Fprintf(r.env.Stderr, ".output %s: want table, json or csv\n", arg)
		}
	case ".more":
		ctx, cancel := r.env.signalContext(context.Background())
		err := r.st.Do(ctx, r.display.More)
		cancel()
		if err != nil {
			r.report(err)
		}
	case ".quit", ".exit":
		return true
	default:
		fmt.Fprintf(r.env.Stderr, "unknown command %s; the REPL's commands are:\n", name)
		writeCommands(r.env.Stderr)
	}
	return false
}

func (r *replSession) outputFormat() string {
	if r.display.Format == "" {
		return "table"
	}
	return r.display.Format
}

func writeCommands(w io.Writer) {
	for _, c := range replCommands() {
		fmt.Fprintf(w, "  %-24s %s\n", c[0], c[1])
	}
}

// help is .help: the commands, the modules, how to connect.
func (r *replSession) help(w io.Writer) {
	fmt.Fprintln(w, "Lua with exorun's modules. Enter an expression to see its value, or statements;")
	fmt.Fprintln(w, "an unfinished block continues on the next line (Ctrl-C drops it).")
	fmt.Fprintln(w, "Commands:")
	writeCommands(w)
	fmt.Fprintf(w, "Modules (globals here, require(...) in scripts): %s\n", strings.Join(r.st.ModuleNames(), ", "))
	fmt.Fprintln(w, "Cmdlets: exo.get_mailbox{ResultSize = 10} shows a table; :show(\"Name\", ...) picks columns;")
	fmt.Fprintln(w, "  :all() gives every object, :first() one; Tab completes cmdlets, parameters and fields.")
	if !r.connected() {
		fmt.Fprint(w, howToConnect)
	}
}

// luaHelp is help(): .help, or help("Get-Mailbox") for a cmdlet.
func (r *replSession) luaHelp(L *lua.LState) int {
	if L.GetTop() == 0 {
		r.help(r.env.Stdout)
		return 0
	}
	r.cmdletHelp(r.env.Stdout, L.CheckString(1))
	return 0
}

// cmdletHelp prints one cmdlet's parameters, named as PowerShell or Lua
// does.
func (r *replSession) cmdletHelp(w io.Writer, name string) {
	c, ok := lookupCmdlet(name)
	if !ok {
		fmt.Fprintln(r.env.Stderr, unknownCmdlet(name))
		return
	}
	repl.CmdletHelp(w, c, r.service())
}

// lookupCmdlet finds a cmdlet by its PowerShell or its Lua name.
func lookupCmdlet(name string) (*catalog.Cmdlet, bool) {
	if c, ok := catalog.Lookup(name); ok {
		return c, true
	}
	return catalog.BySnakeName(strings.ToLower(name))
}

// service is exo's service, Exchange when not connected.
func (r *replSession) service() catalog.Service {
	if info, ok := r.host.bindings.Info(r.st.L.GetGlobal("exo")); ok {
		if s, err := catalog.ParseService(info.Service); err == nil {
			return s
		}
	}
	return catalog.Exchange
}

// listCmdlets is .cmdlets: exo's allowed cmdlets containing filter, with
// their effect and which of the session's roles grants each.
func (r *replSession) listCmdlets(w io.Writer, filter string) {
	exo := r.st.L.GetGlobal("exo")
	cmdlets, ok := r.host.bindings.Cmdlets(exo)
	if !ok {
		fmt.Fprint(r.env.Stderr, "not connected. "+howToConnect)
		return
	}
	info, _ := r.host.bindings.Info(exo)
	service := r.service()
	filter = strings.ToLower(filter)
	n := 0
	for _, c := range cmdlets {
		if filter != "" && !strings.Contains(strings.ToLower(c.Name), filter) && !strings.Contains(c.SnakeName(), filter) {
			continue
		}
		var by []string
		for _, role := range c.GrantingRoles(service) {
			if slices.Contains(info.Roles, role.Name) {
				by = append(by, role.Name)
			}
		}
		granted := strings.Join(by, ", ")
		if granted == "" {
			granted = "the service's list for this app"
		}
		fmt.Fprintf(w, "%-42s %-5s %s\n", c.Name, c.Effect, granted)
		n++
	}
	fmt.Fprintf(w, "%d of %d cmdlets allowed\n", n, len(cmdlets))
}

// newLineSource is the terminal editor, or plain lines from Stdin.
func newLineSource(env *Env) (LineEditor, error) {
	if env.Terminal != nil {
		history := ""
		if env.ConfigDir != "" {
			history = filepath.Join(env.ConfigDir, "history")
		}
		return env.Terminal(history)
	}
	return &plainLines{sc: bufio.NewScanner(env.Stdin)}, nil
}

// plainLines reads a non-terminal stdin line by line, without prompts, so
// `exorun repl < chunks.lua` prints only results.
type plainLines struct{ sc *bufio.Scanner }

func (p *plainLines) Prompt(string) (string, error) {
	if p.sc.Scan() {
		return p.sc.Text(), nil
	}
	if err := p.sc.Err(); err != nil {
		return "", err
	}
	return "", io.EOF
}

func (p *plainLines) AppendHistory(string) {}

func (p *plainLines) SetCompleter(func(string, int) (string, []string, string)) {}

func (p *plainLines) Close() error { return nil }

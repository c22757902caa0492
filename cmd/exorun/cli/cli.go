package cli

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/internal/suggest"
	"github.com/exorun/exorun/runtime"
)

// command is one node of exorun's command tree: a command (`cert`) or a
// verb of one (`cert new`, `emulator admin role assign`). The tree is the
// one declaration that dispatch, help and error messages derive from, and
// every run function gets its own node, so nothing looks a command up by
// name.
type command struct {
	// name is the words that select the command under its parent: "run",
	// "new", "role assign".
	name    string
	usage   string // the whole usage line: "exorun cert new [flags]"
	summary string
	// flags builds the command's flag set over throwaway values, for help;
	// nil when it takes none. The run function builds its own over the
	// values it reads, from the same function.
	flags func() *pflag.FlagSet
	// run parses args (what follows the command's words) and runs it. A
	// command with verbs and no run of its own dispatches to them
	// (runVerb).
	run    func(env *Env, c *command, args []string) error
	verbs  []*command
	parent *command
	// examples are command lines help shows, each with a comment that
	// says what it does.
	examples []string
	// hidden commands are for exorun's own scripts (shell completion):
	// no list or suggestion shows them.
	hidden bool
}

// commands returns the root of the command tree; its verbs are exorun's
// commands in the order help shows them.
func commands() *command {
	root := &command{name: "exorun", usage: "exorun COMMAND", verbs: []*command{
		{name: "run", usage: "exorun run [flags] SCRIPT.lua [ARGS...]", summary: "run a Lua script (also: exorun SCRIPT.lua)",
			flags: func() *pflag.FlagSet { return runFlags(&runOptions{}) }, run: cmdRun,
			examples: []string{
				"exorun run --demo scripts/examples/mailbox-report.lua        # on the emulated tenant",
				"exorun run --profile prod --out reports -p top=20 report.lua  # a real tenant, settings from a profile",
				"exorun run --tenants tenants.csv --parallel 8 report.lua      # every tenant of a list",
			}},
		{name: "repl", usage: "exorun repl [flags]", summary: "explore interactively (also: exorun on a terminal)",
			flags: func() *pflag.FlagSet { return replFlags(&replOptions{}) }, run: cmdRepl,
			examples: []string{
				"exorun repl --demo            # explore the emulated tenant",
				"exorun repl --profile prod    # a real tenant",
			}},
		{name: "whoami", usage: "exorun whoami [connection flags]", summary: "connect and show tenant, app, certificate, token and roles",
			flags: func() *pflag.FlagSet { return sessionFlags("whoami", &sessionOptions{}) }, run: cmdWhoami,
			examples: []string{
				"exorun whoami --profile prod",
				"exorun whoami --app-id APP_ID --organization contoso.onmicrosoft.com --certificate-thumbprint THUMBPRINT",
			}},
		{name: "doctor", usage: "exorun doctor [connection flags]", summary: "check the app-only onboarding steps and say which is missing",
			flags: func() *pflag.FlagSet { return sessionFlags("doctor", &sessionOptions{}) }, run: cmdDoctor,
			examples: []string{
				"exorun doctor --profile prod                  # each onboarding step, and the fix for the first that fails",
				"exorun doctor --profile prod --service compliance",
			}},
		{name: "cmdlets", usage: "exorun cmdlets [flags] [CMDLET]", summary: "list the cmdlet catalog with the roles that grant each, or show one cmdlet",
			flags: func() *pflag.FlagSet { return cmdletsFlags(&cmdletsOptions{}) }, run: cmdCmdlets,
			examples: []string{
				`exorun cmdlets --role "Global Reader" --verb Get   # what a read-only app may run`,
				"exorun cmdlets Set-Mailbox                         # one cmdlet: its Lua name, roles and parameters",
			}},
		testCommand(),
		certCommand(),
		bundleCommand(),
		summaryCommand(),
		emulatorCommand(),
		completionCommand(),
		manCommand(),
		{name: completeCommand, usage: "exorun " + completeCommand + " WORDS... :WORD", summary: "answer a shell completion script (see exorun completion)",
			run: cmdComplete, hidden: true},
		{name: "version", usage: "exorun version [-o json]", summary: "print the version, commit and Go version exorun was built from",
			flags: func() *pflag.FlagSet { return versionFlags(&versionOptions{}) }, run: cmdVersion},
		{name: "help", usage: "exorun help [COMMAND]", summary: "show help for exorun or a command", run: cmdHelp},
	}}
	root.link(nil)
	return root
}

// link sets the parent of every command below c.
func (c *command) link(parent *command) {
	c.parent = parent
	for _, v := range c.verbs {
		v.link(c)
	}
}

// path is the command's words below the root: "cert new".
func (c *command) path() string {
	if c.parent == nil || c.parent.parent == nil {
		return c.name
	}
	return c.parent.path() + " " + c.name
}

// verb finds the verb that args start with; a verb's name may be several
// words. It returns the verb and the arguments after its words.
func (c *command) verb(args []string) (*command, []string) {
	for _, v := range c.verbs {
		words := strings.Fields(v.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return v, args[len(words):]
		}
	}
	return nil, args
}

// verbWords are the first words of the verbs, for suggestions.
func (c *command) verbWords() []string {
	var words []string
	for _, v := range c.visible() {
		w, _, _ := strings.Cut(v.name, " ")
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
}

// visible are the verbs lists show: all but the hidden.
func (c *command) visible() []*command {
	return slices.DeleteFunc(slices.Clone(c.verbs), func(v *command) bool { return v.hidden })
}

// verbNames lists the verbs for a message: "new, import, list or remove".
func (c *command) verbNames() string {
	var names []string
	for _, v := range c.visible() {
		names = append(names, v.name)
	}
	return orList(names)
}

// orList is "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// verbUsages is a hint listing the verbs' usage lines and summaries.
func (c *command) verbUsages() string {
	var b strings.Builder
	b.WriteString("one of:\n")
	c.writeVerbs(&b)
	return strings.TrimSuffix(b.String(), "\n")
}

// writeVerbs lists the verbs' usage lines, each with its summary beside
// it or, for a long usage line, under it.
func (c *command) writeVerbs(w io.Writer) {
	const width = 44
	for _, v := range c.visible() {
		if len(v.usage) > width {
			fmt.Fprintf(w, "  %s\n  %-*s %s\n", v.usage, width, "", v.summary)
			continue
		}
		fmt.Fprintf(w, "  %-*s %s\n", width, v.usage, v.summary)
	}
}

// runVerb runs the verb of c that args name, or prints c's help.
func runVerb(env *Env, c *command, args []string) error {
	if len(args) == 0 {
		return exitcode.New(exitcode.Usage, "%s: want %s (see 'exorun help %s')", c.path(), c.verbNames(), c.path()).
			WithHint(c.verbUsages())
	}
	if args[0] == "-h" || args[0] == "--help" {
		printCommandHelp(env.Stdout, c)
		return errHelp
	}
	v, rest := c.verb(args)
	if v == nil {
		if next := nextVerbWords(c, args[:1], ""); len(next) > 0 {
			// "role" of "role assign" and "role remove": the hint
			// lists those.
			var b strings.Builder
			for _, v := range c.visible() {
				if strings.HasPrefix(v.name, args[0]+" ") {
					fmt.Fprintf(&b, "\n  %s", v.usage)
				}
			}
			return exitcode.New(exitcode.Usage, "%s %s: want %s", c.path(), args[0], orList(next)).
				WithHint("one of:" + b.String())
		}
		return exitcode.New(exitcode.Usage, "%s: unknown verb %q%s (want %s)", c.path(), args[0], suggest.DidYouMean(args[0], c.verbWords()), c.verbNames()).
			WithHint(c.verbUsages())
	}
	return v.runWith(env, rest)
}

// runWith runs c: its own run, or the verb args name.
func (c *command) runWith(env *Env, args []string) error {
	if c.run == nil {
		return runVerb(env, c, args)
	}
	return c.run(env, c, args)
}

// errHelp is returned by a command whose --help was asked for: help has
// been printed, the exit code is 0.
var errHelp = errors.New("help requested")

// Main runs exorun with env and returns the process exit code.
func Main(env *Env) (code int) {
	defer func() {
		// The last line of defence: a panic is a bug in exorun, and the
		// user gets one line that says so, not a goroutine dump.
		if v := recover(); v != nil {
			code = reportPanic(env, v, debug.Stack())
		}
	}()
	err := dispatch(env, env.Args)
	if errors.Is(err, errHelp) {
		return int(exitcode.OK)
	}
	var printed silent
	if err != nil && !errors.As(err, &printed) {
		report(env.Stderr, err)
	}
	return int(exitcode.Of(err))
}

func dispatch(env *Env, args []string) error {
	if len(args) == 0 {
		if env.StdinTerminal {
			repl, _ := commands().verb([]string{"repl"})
			return repl.runWith(env, nil)
		}
		printOverview(env.Stderr)
		return exitcode.New(exitcode.Usage, "no script given (stdin is not a terminal, so no REPL)")
	}
	root := commands()
	first := args[0]
	if c, rest := root.verb(args); c != nil {
		return c.runWith(env, rest)
	}
	switch {
	case first == "-h" || first == "--help":
		printOverview(env.Stdout)
		return errHelp
	case first == "--version":
		version, _ := root.verb([]string{"version"})
		return version.runWith(env, nil)
	case strings.HasPrefix(first, "-") || strings.HasSuffix(first, ".lua") || isBundle(first):
		// "exorun [flags] SCRIPT.lua" is "exorun run [flags] SCRIPT.lua",
		// and so is a bundle.
		run, _ := root.verb([]string{"run"})
		return run.runWith(env, args)
	}
	if s := suggest.Closest(first, root.verbWords()); s != "" {
		return exitcode.New(exitcode.Usage, "unknown command %q: did you mean %q?", first, s).
			WithHint(fmt.Sprintf("exorun %s ... (scripts end in .lua, bundles in .exob; run 'exorun help')", s))
	}
	return usageError("unknown command or script %q (scripts end in .lua, bundles in .exob; run 'exorun help')", first)
}

// usageError is a command-line mistake: exit code Usage.
func usageError(format string, args ...any) error {
	return exitcode.New(exitcode.Usage, format, args...)
}

// parseFlags parses args with fs, turning --help into errHelp (after
// printing the command's help) and flag errors into usage errors.
func parseFlags(env *Env, c *command, fs *pflag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(env.Stdout, c)
			return errHelp
		}
		return exitcode.New(exitcode.Usage, "%s: %v", c.path(), err).
			WithHint(fmt.Sprintf("usage: %s (see 'exorun help %s')", c.usage, c.path()))
	}
	return nil
}

// report prints a failure the way users read it: the message, then what
// helps (a Lua traceback, a hint).
func report(w io.Writer, err error) {
	// exit(0, message) finished the script: its message is no failure.
	var exit *runtime.ExitError
	if errors.As(err, &exit) && exit.Code == exitcode.OK {
		if exit.Message != "" {
			fmt.Fprintln(w, exit.Message)
		}
		return
	}
	fmt.Fprintf(w, "exorun: %s\n", err)
	// A traceback helps debug a script; for a usage or permission failure
	// raised inside one it is noise.
	var se *runtime.ScriptError
	if errors.As(err, &se) && se.Traceback != "" && exitcode.Of(err) == exitcode.Script {
		fmt.Fprintln(w, se.Traceback)
	}
	if hint := exitcode.HintOf(err); hint != "" {
		fmt.Fprintf(w, "hint: %s\n", hint)
	}
}

// reportPanic prints a panic that reached Main as one line and a hint,
// with the Go stack only when the command line asked for debug logs.
func reportPanic(env *Env, v any, stack []byte) int {
	err := limitHint(&runtime.InternalError{Value: fmt.Sprint(v), Stack: string(stack)}, 0)
	report(env.Stderr, err)
	if debugLogs(env.Args) {
		fmt.Fprintf(env.Stderr, "%s\n", stack)
	}
	return int(exitcode.Of(err))
}

// debugLogs reports whether args ask for --log-level debug; Main's
// recover has no parsed flags to ask.
func debugLogs(args []string) bool {
	for i, a := range args {
		if a == "--log-level=debug" || a == "--log-level" && i+1 < len(args) && args[i+1] == "debug" {
			return true
		}
	}
	return false
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
)

// command is one subcommand: its usage line, a one-line summary, and the
// function that parses its arguments and runs it.
type command struct {
	name    string
	usage   string
	summary string
	run     func(env *Env, args []string) error
}

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{
		{"run", "exorun run [flags] SCRIPT.lua [ARGS...]", "run a Lua script (also: exorun SCRIPT.lua)", cmdRun},
		{"repl", "exorun repl [flags]", "explore interactively (also: exorun on a terminal)", cmdRepl},
		{"whoami", "exorun whoami [connection flags]", "connect and show tenant, app, certificate, token and roles", cmdWhoami},
		{"doctor", "exorun doctor [connection flags]", "check the app-only onboarding steps and say which is missing", cmdDoctor},
		{"cmdlets", "exorun cmdlets [--role NAME] [--service exchange|compliance]", "list the cmdlet catalog with the roles that grant each", cmdCmdlets},
		{"cert", "exorun cert new|import|list|remove ...", "create a certificate, or manage the thumbprint store", cmdCert},
		{"emulator", "exorun emulator serve|admin ...", "run the emulated tenant, or change its directory", cmdEmulator},
		{"version", "exorun version", "print the version", cmdVersion},
		{"help", "exorun help [COMMAND]", "show help for exorun or a command", cmdHelp},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// errHelp is returned by a command whose --help was asked for: help has
// been printed, the exit code is 0.
var errHelp = errors.New("help requested")

// Main runs exorun with env and returns the process exit code.
func Main(env *Env) int {
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
			return cmdRepl(env, nil)
		}
		printOverview(env.Stderr)
		return exitcode.New(exitcode.Usage, "no script given (stdin is not a terminal, so no REPL)")
	}
	first := args[0]
	if c, ok := findCommand(first); ok {
		return c.run(env, args[1:])
	}
	switch {
	case first == "-h" || first == "--help":
		printOverview(env.Stdout)
		return errHelp
	case first == "--version":
		return cmdVersion(env, nil)
	case strings.HasPrefix(first, "-") || strings.HasSuffix(first, ".lua"):
		// "exorun [flags] SCRIPT.lua" is "exorun run [flags] SCRIPT.lua".
		return cmdRun(env, args)
	}
	return usageError("unknown command or script %q (scripts end in .lua; run 'exorun help')", first)
}

// usageError is a command-line mistake: exit code Usage.
func usageError(format string, args ...any) error {
	return exitcode.New(exitcode.Usage, format, args...)
}

// parseFlags parses args with fs, turning --help into errHelp (after
// printing the command's help) and flag errors into usage errors.
func parseFlags(env *Env, c command, fs *pflag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(env.Stdout, c, fs)
			return errHelp
		}
		return exitcode.New(exitcode.Usage, "%s: %v", c.name, err).
			WithHint(fmt.Sprintf("usage: %s (see 'exorun help %s')", c.usage, c.name))
	}
	return nil
}

// report prints a failure the way users read it: the message, then what
// helps (a Lua traceback, a hint).
func report(w io.Writer, err error) {
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

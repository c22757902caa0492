package cli

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/exorun/exorun/internal/exitcode"
)

func printOverview(w io.Writer) {
	fmt.Fprintln(w, "exorun runs Lua scripts that administer Exchange Online unattended.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  exorun SCRIPT.lua [ARGS...]")
	for _, c := range commands().verbs {
		fmt.Fprintf(w, "  %-44s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit codes:")
	for _, c := range exitcode.Codes {
		fmt.Fprintf(w, "  %3d  %-11s %s\n", c.Code, c.Name, c.Meaning)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'exorun help COMMAND' for a command's flags.")
}

// printCommandHelp prints a command's summary, usage, flags and verbs.
func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", capitalize(c.summary), c.usage)
	if c.flags != nil {
		if fs := c.flags(); fs.HasFlags() {
			fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
		}
	}
	if len(c.verbs) > 0 {
		fmt.Fprintf(w, "\nVerbs:\n")
		c.writeVerbs(w)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// cmdHelp prints the overview, or the help of the command (and verb)
// that args name: "help cert new".
func cmdHelp(env *Env, _ *command, args []string) error {
	if len(args) == 0 {
		printOverview(env.Stdout)
		return nil
	}
	c, rest := commands(), args
	for len(rest) > 0 {
		v, after := c.verb(rest)
		if v == nil {
			return usageError("help: unknown command %q", strings.Join(args, " "))
		}
		c, rest = v, after
	}
	printCommandHelp(env.Stdout, c)
	return nil
}

// version is the module version stamped by the Go toolchain (a tag when
// built with go install module@version), or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func cmdVersion(env *Env, _ *command, args []string) error {
	if len(args) > 0 {
		return usageError("version takes no arguments")
	}
	goVersion, lua := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, d := range bi.Deps {
			if d.Path == "github.com/yuin/gopher-lua" {
				lua = d.Version
			}
		}
	}
	fmt.Fprintf(env.Stdout, "exorun %s (%s, gopher-lua %s)\n", version(), goVersion, lua)
	return nil
}

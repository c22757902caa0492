package cli

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/internal/exitcode"
)

func printOverview(w io.Writer) {
	fmt.Fprintln(w, "exorun runs Lua scripts that administer Exchange Online unattended.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  exorun SCRIPT.lua [ARGS...]")
	for _, c := range commands() {
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

func printCommandHelp(w io.Writer, c command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", capitalize(c.summary), c.usage)
	if fs != nil && fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func cmdHelp(env *Env, args []string) error {
	switch len(args) {
	case 0:
		printOverview(env.Stdout)
		return nil
	case 1:
		c, ok := findCommand(args[0])
		if !ok {
			return usageError("help: unknown command %q", args[0])
		}
		var fs *pflag.FlagSet
		if flags, ok := commandFlags()[c.name]; ok {
			fs = flags()
		}
		printCommandHelp(env.Stdout, c, fs)
		return nil
	}
	return usageError("help takes at most one command")
}

// commandFlags returns, for each command with flags, a function that
// builds its flag set with throwaway destinations (for help only).
func commandFlags() map[string]func() *pflag.FlagSet {
	return map[string]func() *pflag.FlagSet{
		"run":      func() *pflag.FlagSet { return runFlags(&runOptions{}) },
		"repl":     func() *pflag.FlagSet { return replFlags(&replOptions{}) },
		"emulator": func() *pflag.FlagSet { return emulatorFlags(&emulatorOptions{}) },
		"cmdlets":  func() *pflag.FlagSet { return cmdletsFlags(&cmdletsOptions{}) },
		"cert":     func() *pflag.FlagSet { return certNewFlags(&certNewOptions{}) },
		"whoami":   func() *pflag.FlagSet { return sessionFlags("whoami", &sessionOptions{}) },
		"doctor":   func() *pflag.FlagSet { return sessionFlags("doctor", &sessionOptions{}) },
	}
}

// version is the module version stamped by the Go toolchain (a tag when
// built with go install module@version), or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func cmdVersion(env *Env, args []string) error {
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

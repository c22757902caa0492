package cli

import (
	"strings"
	"sync"

	"github.com/spf13/pflag"
)

// strayFlag is one of exorun's own flags written after the script, where
// it belongs to the script: `exorun run report.lua -o json` hands "-o" and
// "json" to the script, and the output stays a table.
type strayFlag struct {
	arg  string // as written, without a value: "-o", "--output"
	name string // the flag's long name: "output"
}

// strayFlags finds exorun's run flags among the script's arguments.
func strayFlags(args []string) []strayFlag {
	var fs *pflag.FlagSet // built for the first argument that looks like a flag
	var out []strayFlag
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue // flagOf finds no flag in it
		}
		if fs == nil {
			fs = runFlags(&runOptions{})
		}
		if f := flagOf(fs, a); f != nil {
			out = append(out, strayFlag{arg: flagPart(a), name: f.Name})
		}
	}
	return out
}

// flagPart is the flag of an argument without its value: "--param" of
// "--param=token=abc", "-p" of "-ptoken=abc". The warning names only
// that, so a value (which may be a secret) never reaches the log.
func flagPart(arg string) string {
	if strings.HasPrefix(arg, "--") {
		name, _, _ := strings.Cut(arg, "=")
		return name
	}
	return arg[:2]
}

// flagOf is the flag of fs that arg would set as a flag: --name,
// --name=value, -x or -xvalue.
func flagOf(fs *pflag.FlagSet, arg string) *pflag.Flag {
	switch {
	case strings.HasPrefix(arg, "--") && len(arg) > 2:
		name, _, _ := strings.Cut(arg[2:], "=")
		return fs.Lookup(name)
	case strings.HasPrefix(arg, "-") && len(arg) > 1:
		return fs.ShorthandLookup(arg[1:2])
	}
	return nil
}

// strayWarning warns, once, about exorun flags after the script that the
// script does not declare as its own parameters. The script's params.declare
// says which names it takes; a script that never declares any is warned
// about at the end of the run.
type strayWarning struct {
	flags []strayFlag
	warn  func(flag strayFlag)
	once  sync.Once
}

// declared reports the flags not among names (nil: the script declared
// nothing).
func (w *strayWarning) declared(names []string) {
	w.once.Do(func() {
		for _, f := range w.flags {
			if !containsFold(names, f.name) {
				w.warn(f)
			}
		}
	})
}

func containsFold(names []string, s string) bool {
	for _, n := range names {
		if strings.EqualFold(n, s) {
			return true
		}
	}
	return false
}

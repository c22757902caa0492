package cli

import (
	"encoding/json"
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/internal/suggest"
)

func printOverview(w io.Writer) {
	fmt.Fprintln(w, "exorun runs Lua scripts that administer Exchange Online unattended.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  exorun SCRIPT.lua [ARGS...]")
	for _, c := range commands().visible() {
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

// printCommandHelp prints a command's summary, usage, flags (by group),
// verbs and examples.
func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", capitalize(c.summary), c.usage)
	if c.flags != nil {
		if fs := c.flags(); fs.HasFlags() {
			writeFlagGroups(w, fs)
		}
	}
	if len(c.verbs) > 0 {
		fmt.Fprintf(w, "\nVerbs:\n")
		c.writeVerbs(w)
	}
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// Flag groups: the headings help lists a command's flags under, in this
// order; flags of no group come first, under "Flags".
const (
	groupScript     = "Script"
	groupOutput     = "Output"
	groupLimits     = "Limits"
	groupTenants    = "Many tenants"
	groupConnection = "Connection"
	groupDemo       = "Demo"
	// flagGroupKey is the pflag annotation that holds a flag's group.
	flagGroupKey = "exorun/group"
)

// flagGroups is the order of the headings.
func flagGroups() []string {
	return []string{"", groupScript, groupOutput, groupLimits, groupTenants, groupConnection, groupDemo}
}

// group runs register, which adds flags to fs, and files every flag it
// added under heading: the declaration says where a flag is listed, so
// help needs no list of its own.
func group(fs *pflag.FlagSet, heading string, register func()) {
	// In declaration order, the flags register added are the last ones.
	// (Sorted, as VisitAll lists them by default, it would sort the set
	// anew on every call: a measurable part of exorun's start.)
	sorted := fs.SortFlags
	fs.SortFlags = false
	defer func() { fs.SortFlags = sorted }()
	before := 0
	fs.VisitAll(func(*pflag.Flag) { before++ })
	register()
	i := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if i >= before {
			_ = fs.SetAnnotation(f.Name, flagGroupKey, []string{heading})
		}
		i++
	})
}

// flagsByGroup files fs's visible flags by group ("" for none).
func flagsByGroup(fs *pflag.FlagSet) map[string][]*pflag.Flag {
	byGroup := map[string][]*pflag.Flag{}
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := ""
		if a := f.Annotations[flagGroupKey]; len(a) == 1 {
			g = a[0]
		}
		byGroup[g] = append(byGroup[g], f)
	})
	return byGroup
}

// writeFlagGroups lists fs's flags under their groups' headings.
func writeFlagGroups(w io.Writer, fs *pflag.FlagSet) {
	byGroup := flagsByGroup(fs)
	for _, g := range flagGroups() {
		if len(byGroup[g]) == 0 {
			continue
		}
		set := pflag.NewFlagSet(g, pflag.ContinueOnError)
		for _, f := range byGroup[g] {
			set.AddFlag(f)
		}
		heading := g + " flags"
		if g == "" {
			heading = "Flags"
		}
		fmt.Fprintf(w, "\n%s:\n%s", heading, set.FlagUsages())
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
			return usageError("help: unknown command %q%s", strings.Join(args, " "), suggest.DidYouMean(rest[0], c.verbWords()))
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

// buildInfo is what `exorun version` reports, from the build information
// the Go toolchain embeds: no build step of ours can make it wrong.
type buildInfo struct {
	Version string `json:"version"`
	// Commit, CommitTime and Modified are the VCS state go build saw in
	// a clone; empty for go install module@version, which builds from
	// the module proxy's zip.
	Commit     string `json:"commit,omitempty"`
	CommitTime string `json:"commit_time,omitempty"`
	Modified   bool   `json:"modified,omitempty"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
	GopherLua  string `json:"gopher_lua"`
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version(), Go: goruntime.Version(), Platform: goruntime.GOOS + "/" + goruntime.GOARCH, GopherLua: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/yuin/gopher-lua" {
			b.GopherLua = d.Version
			if d.Replace != nil { // third_party/gopher-lua
				b.GopherLua += "+exorun"
			}
		}
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

type versionOptions struct{ Output string }

func versionFlags(o *versionOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("version", pflag.ContinueOnError)
	fs.StringVarP(&o.Output, "output", "o", "text", "text or json")
	completeValues(fs, "output", "text", "json")
	return fs
}

func cmdVersion(env *Env, c *command, args []string) error {
	o := &versionOptions{}
	fs := versionFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("version takes no arguments")
	}
	b := readBuildInfo()
	switch strings.ToLower(o.Output) {
	case "json":
		data, err := json.MarshalIndent(b, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s\n", data)
	case "text", "":
		fmt.Fprintf(env.Stdout, "exorun %s\n", b.Version)
		if b.Commit != "" {
			dirty := ""
			if b.Modified {
				dirty = ", with uncommitted changes"
			}
			fmt.Fprintf(env.Stdout, "commit %s (%s%s)\n", b.Commit, b.CommitTime, dirty)
		}
		fmt.Fprintf(env.Stdout, "%s %s, gopher-lua %s\n", b.Go, b.Platform, b.GopherLua)
	default:
		return usageError("--output %q: want text or json", o.Output)
	}
	return nil
}

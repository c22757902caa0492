package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/internal/suggest"
)

// Shell completion works as gh's does: the shell's script is thin glue
// that hands the words typed so far to the hidden `exorun __complete`,
// which answers from the command tree and the flag declarations, the
// ones help is made of, so the two never disagree.

// completeCommand is the hidden verb the shell scripts call.
const completeCommand = "__complete"

// Directives end the answer of __complete: what the shell adds to the
// candidates.
const (
	directiveNoFiles = ":nofiles" // only the candidates
	directiveFiles   = ":files"   // also file names
	directiveDirs    = ":dirs"    // also folder names
)

// flagValuesKey annotates a flag with the values completion offers.
const flagValuesKey = "exorun/values"

// completeValues declares the values a flag takes, for completion.
func completeValues(fs *pflag.FlagSet, name string, values ...string) {
	_ = fs.SetAnnotation(name, flagValuesKey, values)
}

// shells are the shells `exorun completion` writes a script for.
func shells() []string { return []string{"bash", "zsh", "fish", "powershell"} }

// completionCommand is `exorun completion SHELL`.
func completionCommand() *command {
	return &command{name: "completion", usage: "exorun completion bash|zsh|fish|powershell",
		summary: "print the shell completion script (commands, verbs, flags, values, script files)",
		run:     cmdCompletion,
		examples: []string{
			`source <(exorun completion bash)                        # bash, now; add it to ~/.bashrc to keep it`,
			`exorun completion zsh > "${fpath[1]}/_exorun"            # zsh (then start a new shell)`,
			`exorun completion fish > ~/.config/fish/completions/exorun.fish`,
			`exorun completion powershell | Out-String | Invoke-Expression   # PowerShell; add it to $PROFILE`,
		}}
}

func cmdCompletion(env *Env, c *command, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		printCommandHelp(env.Stdout, c)
		return errHelp
	}
	if len(args) != 1 {
		return exitcode.New(exitcode.Usage, "completion: want one shell: %s", strings.Join(shells(), ", ")).WithHint("usage: " + c.usage)
	}
	script, ok := completionScripts()[args[0]]
	if !ok {
		return usageError("completion: unknown shell %q%s (want %s)", args[0], suggest.DidYouMean(args[0], shells()), strings.Join(shells(), ", "))
	}
	fmt.Fprint(env.Stdout, script)
	return nil
}

// cmdComplete answers the shell scripts: args are the words after
// "exorun", the last the one being completed ("" for a new word). It
// prints a candidate per line, then a directive.
func cmdComplete(env *Env, _ *command, args []string) error {
	if len(args) == 0 {
		args = []string{":"}
	}
	word := strings.TrimPrefix(args[len(args)-1], ":") // see completionScripts
	cands, directive := completeWords(env, args[:len(args)-1], word)
	for _, c := range cands {
		fmt.Fprintln(env.Stdout, c)
	}
	fmt.Fprintln(env.Stdout, directive)
	return nil
}

// completeWords is the completion of word after the words before it.
func completeWords(env *Env, before []string, word string) ([]string, string) {
	c := commands()
	fs := runFlags(&runOptions{}) // exorun --demo SCRIPT.lua is exorun run --demo SCRIPT.lua
	positional := 0
	script := ""
	for i := 0; i < len(before); i++ {
		w := before[i]
		switch {
		case w == "--" || script != "" && !isBundle(script):
			// After -- or a script, the words are the script's (a
			// bundle declares its parameters, so flags may follow it).
			return nil, directiveFiles
		case strings.HasPrefix(w, "-") && fs != nil:
			if f := lookupFlag(fs, w); f != nil && f.NoOptDefVal == "" && !strings.Contains(w, "=") {
				i++ // the flag's value
			}
		case strings.HasPrefix(w, "-"):
		case len(c.verbs) > 0:
			// A command with verbs (or the root): the next word picks
			// one; a verb's name may be several words.
			v, rest := c.verb(before[i:])
			if v == nil {
				if c.parent == nil && (strings.HasSuffix(w, ".lua") || isBundle(w)) {
					c, _ = commands().verb([]string{"run"})
					fs, script = c.flags(), w
					positional++
					continue
				}
				// The first words of a verb of several: its next word.
				return nextVerbWords(c, before[i:], word), directiveNoFiles
			}
			i = len(before) - len(rest) - 1
			// A verb takes its own flags only: its parent's must come
			// before it (emulator admin --state DIR role assign).
			c, fs = v, nil
			if c.flags != nil {
				fs = c.flags()
			}
		default:
			if c.path() == "run" && positional == 0 {
				script = w
			}
			positional++
		}
	}
	if script != "" && !isBundle(script) {
		return nil, directiveFiles
	}
	// A flag's value: the word after a flag that takes one, or --flag=...
	if len(before) > 0 && fs != nil && strings.HasPrefix(before[len(before)-1], "-") && !strings.Contains(before[len(before)-1], "=") {
		if f := lookupFlag(fs, before[len(before)-1]); f != nil && f.NoOptDefVal == "" {
			return flagValues(env, f, "", word)
		}
	}
	if name, value, ok := strings.Cut(word, "="); ok && strings.HasPrefix(name, "-") && fs != nil {
		if f := lookupFlag(fs, name); f != nil {
			return flagValues(env, f, name+"=", value)
		}
	}
	if strings.HasPrefix(word, "-") {
		return flagNames(fs, word), directiveNoFiles
	}
	if len(c.verbs) > 0 {
		// The root: commands, and scripts (exorun SCRIPT.lua).
		words := prefixed(c.verbWords(), word)
		if c.parent == nil {
			return words, directiveFiles
		}
		return words, directiveNoFiles
	}
	if c.path() == "help" {
		// help WORDS...: the verbs of the command the words name.
		return helpWords(before, word), directiveNoFiles
	}
	return positionalValues(env, c, positional, word)
}

// helpWords completes `exorun help WORDS... WORD`: the verbs of the
// command WORDS name.
func helpWords(before []string, word string) []string {
	i := slices.Index(before, "help")
	c, rest := commands(), before[i+1:]
	for len(rest) > 0 {
		v, after := c.verb(rest)
		if v == nil {
			return nextVerbWords(c, rest, word)
		}
		c, rest = v, after
	}
	return prefixed(c.verbWords(), word)
}

// nextVerbWords are the words that follow typed among c's verbs whose
// names are several words ("role" of "role assign"), starting with word.
func nextVerbWords(c *command, typed []string, word string) []string {
	var out []string
	for _, v := range c.visible() {
		words := strings.Fields(v.name)
		if len(words) > len(typed) && slices.Equal(words[:len(typed)], typed) && strings.HasPrefix(words[len(typed)], word) &&
			!slices.Contains(out, words[len(typed)]) {
			out = append(out, words[len(typed)])
		}
	}
	return out
}

// positionalValues completes a command's arguments.
func positionalValues(env *Env, c *command, n int, word string) ([]string, string) {
	switch c.path() {
	case "cmdlets":
		var names []string
		for _, cm := range catalog.All() {
			names = append(names, cm.Name)
		}
		return prefixedFold(names, word), directiveNoFiles
	case "completion":
		return prefixed(shells(), word), directiveNoFiles
	case "cert remove":
		return prefixedFold(thumbprints(env), word), directiveNoFiles
	case "repl", "whoami", "doctor", "version", "cert list", "man", "emulator serve", "emulator env":
		return nil, directiveNoFiles
	}
	return nil, directiveFiles // a script, its arguments, a certificate, a summary ...
}

// flagValues completes a flag's value; prefix goes before each candidate
// (--output=).
func flagValues(env *Env, f *pflag.Flag, prefix, word string) ([]string, string) {
	var values []string
	directive := directiveNoFiles
	if v := f.Annotations[flagValuesKey]; len(v) > 0 {
		values = v
	} else {
		switch f.Name {
		case "profile":
			values = profiles(env)
		case "certificate-thumbprint":
			values = thumbprints(env)
		case "role", "demo-role":
			for _, r := range catalog.Roles() {
				values = append(values, r.Name)
			}
		case "environment":
			values = connect.EnvironmentNames()
		case "certificate-file", "certificate-key-file":
			// connect.Fields' usage text names no FILE: these two
			// say so here.
			directive = directiveFiles
		default:
			// The value's name in the usage text says what it is.
			switch kind, _ := pflag.UnquoteUsage(f); kind {
			case "FILE":
				directive = directiveFiles
			case "folder", "DIR":
				directive = directiveDirs
			}
		}
	}
	out := prefixedFold(values, word)
	for i := range out {
		out[i] = prefix + out[i]
	}
	return out, directive
}

// flagNames completes a flag's name: --name for every flag, -x for those
// with a shorthand, when word asks for one.
func flagNames(fs *pflag.FlagSet, word string) []string {
	var names []string
	if fs == nil {
		return prefixed([]string{"--help"}, word)
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		names = append(names, "--"+f.Name)
		if f.Shorthand != "" && !strings.HasPrefix(word, "--") {
			names = append(names, "-"+f.Shorthand)
		}
	})
	names = append(names, "--help")
	return prefixed(names, word)
}

// lookupFlag finds the flag a word names: --name, --name=value or -x.
func lookupFlag(fs *pflag.FlagSet, word string) *pflag.Flag {
	name, _, _ := strings.Cut(word, "=")
	if long, ok := strings.CutPrefix(name, "--"); ok {
		return fs.Lookup(long)
	}
	if short, ok := strings.CutPrefix(name, "-"); ok && len(short) == 1 {
		return fs.ShorthandLookup(short)
	}
	return nil
}

// profiles are the profile names in the config folder.
func profiles(env *Env) []string {
	if env.ConfigDir == "" || env.ReadDir == nil {
		return nil
	}
	entries, err := env.ReadDir(filepath.Join(env.ConfigDir, "profiles"))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	return names
}

// thumbprints are the certificates in the store.
func thumbprints(env *Env) []string {
	store := env.certStore()
	if store == nil {
		return nil
	}
	entries, err := store.List()
	if err != nil {
		return nil
	}
	var tps []string
	for _, e := range entries {
		tps = append(tps, e.Thumbprint)
	}
	return tps
}

// prefixed keeps the candidates that start with word.
func prefixed(cands []string, word string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			out = append(out, c)
		}
	}
	return out
}

// prefixedFold is prefixed, ignoring case (cmdlet names, roles,
// thumbprints).
func prefixedFold(cands []string, word string) []string {
	var out []string
	for _, c := range cands {
		if len(c) >= len(word) && strings.EqualFold(c[:len(word)], word) {
			out = append(out, c)
		}
	}
	return out
}

package cli

import (
	"bufio"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// flagWord is a long flag named in text: --name.
var flagWord = regexp.MustCompile(`(?:^|[\s(\x60'"\[|,=])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`)

// azCommand is an Azure CLI command line quoted in a message, up to the
// ';' or ')' that ends it.
var azCommand = regexp.MustCompile(`\baz [a-z][^;)]*`)

// commandFlags maps every command's path ("" for exorun itself, "run",
// "cert new") to the flags it takes: its own and its parents' (emulator
// admin --state DIR tenant create); the root takes run's (exorun
// SCRIPT.lua is exorun run SCRIPT.lua).
func commandFlags() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	var walk func(c *command, inherited map[string]bool)
	walk = func(c *command, inherited map[string]bool) {
		set := map[string]bool{"help": true}
		for f := range inherited {
			set[f] = true
		}
		if c.flags != nil {
			c.flags().VisitAll(func(f *pflag.Flag) { set[f.Name] = true })
		}
		out[c.path()] = set
		for _, v := range c.verbs {
			walk(v, set)
		}
	}
	for _, v := range commands().verbs {
		walk(v, nil)
	}
	root := map[string]bool{"version": true} // exorun --version
	for f := range out["run"] {
		root[f] = true
	}
	out[""] = root
	return out
}

// allFlags is every flag some command takes.
func allFlags(byCommand map[string]map[string]bool) map[string]bool {
	all := map[string]bool{}
	for _, set := range byCommand {
		for f := range set {
			all[f] = true
		}
	}
	return all
}

// TestFlagsNamedInTextExist: every --flag that help, a message or hint
// in exorun's code, or a README command line names is a flag exorun
// takes. For help, and for README lines that run a command, the flag
// must be that command's own.
func TestFlagsNamedInTextExist(t *testing.T) {
	byCommand := commandFlags()
	all := allFlags(byCommand)

	// Help: each command's flags, verbs and examples name its own flags.
	var walk func(c *command)
	walk = func(c *command) {
		var b strings.Builder
		printCommandHelp(&b, c)
		for _, line := range strings.Split(b.String(), "\n") {
			line = strings.TrimSpace(line)
			for _, m := range flagWord.FindAllStringSubmatch(line, -1) {
				switch {
				case !all[m[1]]:
					t.Errorf("help of %q names --%s, which no command takes: %s", c.path(), m[1], line)
				case strings.HasPrefix(line, "exorun ") && !byCommand[commandOf(line, c.path())][m[1]]:
					// A usage line or an example runs a command: the
					// flags are that command's.
					t.Errorf("help of %q: %s does not take --%s: %s", c.path(), commandOf(line, c.path()), m[1], line)
				}
			}
		}
		for _, v := range c.verbs {
			walk(v)
		}
	}
	for _, v := range commands().verbs {
		walk(v)
	}

	// Messages and hints: every string literal of the packages that
	// talk to users.
	for _, dir := range []string{".", "../../../connect", "../../../connect/certificate", "../../../bindings", "../../../bundle", "../../../runtime", "../../../stdlib/params"} {
		for _, lit := range stringLiterals(t, dir) {
			// A hint may quote the Azure CLI (az ad app
			// federated-credential create --id ...): its flags are az's.
			own := azCommand.ReplaceAllString(lit.text, "")
			for _, m := range flagWord.FindAllStringSubmatch(own, -1) {
				if !all[m[1]] {
					t.Errorf("%s names --%s, which no command takes: %q", lit.pos, m[1], lit.text)
				}
			}
		}
	}

	// The README: the flags of a line that runs exorun are that
	// command's; any other --flag in prose or tables is some command's.
	f, err := os.Open("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inCode, n := false, 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		run := exorunCommandLine.FindStringSubmatch(line)
		if inCode && run == nil {
			continue // another tool's command line (go, kubectl, openssl)
		}
		for _, m := range flagWord.FindAllStringSubmatch(line, -1) {
			switch {
			case !all[m[1]]:
				t.Errorf("README.md:%d names --%s, which no command takes: %s", n, m[1], strings.TrimSpace(line))
			case run != nil && strings.Contains(run[3], "--"+m[1]) && !byCommand[commandOf("exorun "+run[3], "")][m[1]]:
				t.Errorf("README.md:%d: exorun %s does not take --%s: %s", n, commandOf("exorun "+run[3], ""), m[1], strings.TrimSpace(line))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// exorunCommandLine finds a command line that runs exorun ($ prompts,
// go run ./cmd/exorun), with what follows the program name.
var exorunCommandLine = regexp.MustCompile(`(^|[\s$(\x60|;&])(exorun|go run \./cmd/exorun) ([^#\x60|;&]*)`)

// commandOf is the command a line runs ("cert new" for "exorun cert new
// --subject ..."), or def when the line runs none.
func commandOf(line, def string) string {
	i := strings.Index(line, "exorun ")
	if i < 0 {
		return def
	}
	words := strings.Fields(line[i+len("exorun "):])
	c, path := commands(), ""
	for len(words) > 0 {
		if c.flags != nil && strings.HasPrefix(words[0], "-") {
			// A flag before the verb (emulator admin --state DIR ...),
			// and its value.
			if f := lookupFlag(c.flags(), words[0]); f != nil && f.NoOptDefVal == "" && !strings.Contains(words[0], "=") && len(words) > 1 {
				words = words[1:]
			}
			words = words[1:]
			continue
		}
		v, rest := c.verb(words)
		if v == nil {
			break
		}
		c, path, words = v, v.path(), rest
	}
	if path == "" {
		return ""
	}
	return path
}

type literal struct {
	pos  string
	text string
}

// stringLiterals are the string constants of the non-test Go files of
// dir.
func stringLiterals(t *testing.T, dir string) []literal {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	var out []literal
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == gotoken.STRING {
				if s, err := strconv.Unquote(bl.Value); err == nil {
					out = append(out, literal{pos: fset.Position(bl.Pos()).String(), text: s})
				}
			}
			return true
		})
	}
	return out
}

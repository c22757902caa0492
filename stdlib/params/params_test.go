package params_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
	"github.com/exorun/exorun/stdlib/params"
)

func options(in params.Input) runtime.Options {
	return runtime.Options{Modules: []runtime.Module{params.Module(in)}}
}

// run runs src with params loaded as the local p.
func run(t *testing.T, in params.Input, src string) (string, error) {
	t.Helper()
	return runtimetest.Run(t, `local params = require("params")`+"\n"+src, options(in))
}

func mustRun(t *testing.T, in params.Input, src string) string {
	t.Helper()
	return runtimetest.MustRun(t, `local params = require("params")`+"\n"+src, options(in))
}

func TestDeclareConvertsTypes(t *testing.T) {
	in := params.Input{Named: map[string]string{
		"Days":   "7",
		"group":  "Sales Team",
		"FORCE":  "yes",
		"tags":   " a, b,,c ",
		"ratio":  "0.25",
		"dryrun": "$false",
		"big":    "1e3",
		"empty":  "",
	}}
	mustRun(t, in, `
		local p = params.declare{
			days   = {type = "integer"},
			group  = {type = "string", required = true},
			force  = {type = "boolean"},
			tags   = {type = "list"},
			ratio  = "number",
			dryRun = {type = "boolean", default = true},
			big    = {type = "INTEGER"},
			empty  = {type = "list"},
		}
		assert(p.days == 7 and type(p.days) == "number", tostring(p.days))
		assert(p.Days == nil, "result uses the declared spelling")
		assert(p.group == "Sales Team")
		assert(p.force == true)
		assert(#p.tags == 3 and p.tags[1] == "a" and p.tags[2] == "b" and p.tags[3] == "c", table.concat(p.tags, "|"))
		assert(p.ratio == 0.25)
		assert(p.dryRun == false, "given value beats the default")
		assert(p.big == 1000)
		assert(type(p.empty) == "table" and #p.empty == 0)
	`)
}

func TestBooleanSpellings(t *testing.T) {
	for raw, want := range map[string]string{
		"true": "true", "TRUE": "true", "yes": "true", "on": "true", "1": "true", "$true": "true",
		"false": "false", "No": "false", "off": "false", "0": "false", "$False": "false",
	} {
		out := mustRun(t, params.Input{Named: map[string]string{"force": raw}},
			`print(params.declare{force = "boolean"}.force)`)
		if strings.TrimSpace(out) != want {
			t.Errorf("force=%q gave %s, want %s", raw, out, want)
		}
	}
}

func TestDefaultsAndAbsent(t *testing.T) {
	mustRun(t, params.Input{}, `
		local p = params.declare{
			days  = {type = "integer", default = 30},
			limit = {type = "number", default = "2.5"},
			scope = {type = "list", default = {"a", "b"}},
			csv   = {type = "list", default = "x, y"},
			quiet = {type = "boolean", default = false},
			name  = {help = "optional, no default"},
		}
		assert(p.days == 30)
		assert(p.limit == 2.5)
		assert(#p.scope == 2 and p.scope[2] == "b")
		assert(#p.csv == 2 and p.csv[1] == "x" and p.csv[2] == "y")
		assert(p.quiet == false)
		assert(p.name == nil)
		-- defaults are copied: changing one result does not change the next
		p.scope[1] = "changed"
		local again = params.declare{scope = {type = "list", default = {"a", "b"}}}
		assert(again.scope[1] == "a")
	`)
}

func TestPositional(t *testing.T) {
	in := params.Input{Args: []string{"Sales", "14", "extra"}}
	mustRun(t, in, `
		local p = params.declare{
			group = {required = true, position = 1},
			days  = {type = "integer", position = 2},
			limit = {type = "integer", position = 5, default = 9},
		}
		assert(p.group == "Sales")
		assert(p.days == 14)
		assert(p.limit == 9)
		local a = params.args()
		assert(#a == 3 and a[1] == "Sales" and a[3] == "extra")
	`)
	// a name beats a position
	in.Named = map[string]string{"GROUP": "HR"}
	mustRun(t, in, `assert(params.declare{group = {position = 1}}.group == "HR")`)
}

func TestArgsAndGet(t *testing.T) {
	in := params.Input{Named: map[string]string{"Mailbox": "ada@contoso.com"}, Args: []string{"x"}}
	mustRun(t, in, `
		assert(params.get("Mailbox") == "ada@contoso.com")
		assert(params.get("MAILBOX") == "ada@contoso.com")
		assert(params.get("nope") == nil)
		local a = params.args()
		a[1] = "changed"
		assert(params.args()[1] == "x")
		assert(#params.args() == 1)
	`)
	mustRun(t, params.Input{}, `
		local a = params.args()
		assert(type(a) == "table" and #a == 0)
		assert(params.get("x") == nil)
	`)
}

func TestInputIsCopied(t *testing.T) {
	named := map[string]string{"a": "1"}
	args := []string{"x"}
	opts := options(params.Input{Named: named, Args: args})
	named["a"] = "2"
	args[0] = "y"
	runtimetest.MustRun(t, `
		local params = require("params")
		assert(params.get("a") == "1")
		assert(params.args()[1] == "x")
	`, opts)
}

// usageError checks that err is a failed run whose Go error has the Usage
// exit code, and returns the Lua message and the *exitcode.Error.
func usageError(t *testing.T, err error) (string, *exitcode.Error) {
	t.Helper()
	var se *runtime.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("want a *runtime.ScriptError, got %v", err)
	}
	var ee *exitcode.Error
	if !errors.As(err, &ee) {
		t.Fatalf("%q: no *exitcode.Error behind the script error", se.Message)
	}
	if ee.Code != exitcode.Usage || exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("%q: exit code %d, want %d (usage)", se.Message, exitcode.Of(err), exitcode.Usage)
	}
	return se.Message, ee
}

func TestUsageErrors(t *testing.T) {
	const spec = `params.declare{
		group = {required = true, help = "the group to audit"},
		days  = {type = "integer", default = 30},
	}`
	for _, c := range []struct {
		name  string
		in    params.Input
		src   string
		want  string
		avoid string
	}{
		{"missing", params.Input{}, spec,
			`params.declare: missing required parameter "group" (give --param group=VALUE)`, ""},
		{"missing positional", params.Input{}, `params.declare{group = {required = true, position = 1}}`,
			`missing required parameter "group" (give --param group=VALUE or pass it as argument 1)`, ""},
		{"not an integer", params.Input{Named: map[string]string{"group": "g", "days": "abc"}}, spec,
			`params.declare: parameter "days": "abc" is not an integer`, ""},
		{"fraction for integer", params.Input{Named: map[string]string{"group": "g", "days": "1.5"}}, spec,
			`parameter "days": "1.5" is not an integer`, ""},
		{"not a number", params.Input{Named: map[string]string{"days": "abc"}}, `params.declare{days = "number"}`,
			`params.declare: parameter "days": "abc" is not a number`, ""},
		{"nan", params.Input{Named: map[string]string{"days": "NaN"}}, `params.declare{days = "number"}`,
			`parameter "days": "NaN" is not a number`, ""},
		{"not a boolean", params.Input{Named: map[string]string{"force": "maybe"}}, `params.declare{force = "boolean"}`,
			`parameter "force": "maybe" is not a boolean (use true or false)`, ""},
		{"positional conversion", params.Input{Args: []string{"soon"}}, `params.declare{days = {type = "integer", position = 1}}`,
			`parameter "days" (argument 1): "soon" is not an integer`, ""},
		{"unknown with suggestion", params.Input{Named: map[string]string{"group": "g", "dyas": "7"}}, spec,
			`params.declare: unknown parameter "dyas" (declared: days, group); did you mean "days"?`, ""},
		{"unknown keeps typed case", params.Input{Named: map[string]string{"Grop": "g"}}, spec,
			`unknown parameter "Grop" (declared: days, group); did you mean "group"?`, ""},
		{"unknown without suggestion", params.Input{Named: map[string]string{"mailbox": "x"}}, spec,
			`unknown parameter "mailbox" (declared: days, group)`, "did you mean"},
		{"unknown when none declared", params.Input{Named: map[string]string{"x": "1"}}, `params.declare{}`,
			`unknown parameter "x" (this script declares no parameters)`, ""},
		{"given twice", params.Input{Named: map[string]string{"Days": "1", "days": "2", "group": "g"}}, spec,
			`parameter "days" given twice (as --param Days and --param days)`, ""},
		{"get given twice", params.Input{Named: map[string]string{"Days": "1", "DAYS": "2"}}, `params.get("days")`,
			`params.get: parameter "days" given twice (as --param DAYS and --param Days)`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, c.in, c.src)
			msg, _ := usageError(t, err)
			if !strings.Contains(msg, c.want) {
				t.Errorf("got  %q\nwant %q", msg, c.want)
			}
			if c.avoid != "" && strings.Contains(msg, c.avoid) {
				t.Errorf("%q should not contain %q", msg, c.avoid)
			}
		})
	}
}

func TestUsageHint(t *testing.T) {
	_, err := run(t, params.Input{}, `params.declare{
		group = {required = true, position = 1, help = "the group to audit"},
		days  = {type = "integer", default = 30, help = "how far back to look"},
		tags  = {type = "list", default = {"a", "b"}},
		quiet = "boolean",
	}`)
	_, ee := usageError(t, err)
	want := strings.Join([]string{
		"parameters of this script:",
		"  --param days=INTEGER   how far back to look (default 30)",
		"  --param group=STRING   the group to audit (required; or argument 1)",
		"  --param quiet=BOOLEAN",
		"  --param tags=LIST      (default a, b)",
	}, "\n")
	if ee.Hint != want {
		t.Errorf("hint:\n%s\nwant:\n%s", ee.Hint, want)
	}
	if exitcode.HintOf(err) != want {
		t.Errorf("HintOf does not reach the hint through the script error")
	}
}

func TestUsageErrorCanBeCaught(t *testing.T) {
	out := mustRun(t, params.Input{Named: map[string]string{"days": "x"}}, `
		local ok, err = pcall(params.declare, {days = "integer"})
		assert(not ok)
		print(err.message)
	`)
	if want := `params.declare: parameter "days": "x" is not an integer` + "\n"; out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

// Mistakes in the spec are the script's, not the user's: exit code Script.
func TestSpecErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`params.declare("days")`, `params.declare: spec must be a table of name = {type = ...}, not string`},
		{`params.declare{days = {type = "int"}}`, `params.declare: parameter "days": unknown type "int" (types: string, number, integer, boolean, list)`},
		{`params.declare{days = "int"}`, `parameter "days": unknown type "int"`},
		{`params.declare{days = {type = 1}}`, `parameter "days": type must be a string`},
		{`params.declare{days = {requierd = true}}`, `parameter "days": unknown field "requierd" (fields: type, default, required, help, position)`},
		{`params.declare{days = {required = "yes"}}`, `parameter "days": required must be true or false, not string`},
		{`params.declare{days = {help = 1}}`, `parameter "days": help must be a string, not number`},
		{`params.declare{days = {required = true, default = 1}}`, `parameter "days": required and default do not go together`},
		{`params.declare{days = {type = "integer", default = 1.5}}`, `parameter "days": default: 1.5 is not an integer`},
		{`params.declare{days = {type = "integer", default = "abc"}}`, `parameter "days": default: "abc" is not an integer`},
		{`params.declare{days = {type = "number", default = true}}`, `parameter "days": default: must be a number, not boolean`},
		{`params.declare{tags = {type = "list", default = {1}}}`, `parameter "tags": default: list item 1 must be a string, not number`},
		{`params.declare{days = {position = 0}}`, `parameter "days": position must be a whole number from 1`},
		{`params.declare{days = {position = "1"}}`, `parameter "days": position must be a number, not string`},
		{`params.declare{a = {position = 1}, b = {position = 1}}`, `parameters "a" and "b" both take position 1`},
		{`params.declare{Days = "integer", days = "integer"}`, `parameters "Days" and "days" differ only in case`},
		{`params.declare{[1] = "integer"}`, `parameter names must be non-empty strings without spaces or "=", not 1`},
		{`params.declare{days = 3}`, `parameter "days": declare it with a table such as {type = "string"} or a type name, not number`},
		{`params.get(1)`, `params.get: name must be a string, not number`},
	} {
		se := runtimetest.Fail(t, `local params = require("params")`+"\n"+c.src, options(params.Input{}))
		if !strings.Contains(se.Message, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.src, se.Message, c.want)
		}
		if code := exitcode.Of(se); code != exitcode.Script {
			t.Errorf("%s: exit code %d, want %d (script)", c.src, code, exitcode.Script)
		}
	}
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/params_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	runtimetest.MustRun(t, string(src), options(params.Input{
		Named: map[string]string{"Group": "Sales", "days": "14", "dry-run": "true"},
		Args:  []string{"report.csv", "more"},
	}))
}

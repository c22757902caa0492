package luascan

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// failOnUnknownNodes fails the test when the scan met a node inspect
// has no case for.
func failOnUnknownNodes(t *testing.T, r *Result) {
	t.Helper()
	for _, p := range r.Problems {
		if strings.Contains(p.Message, "cannot analyse") {
			t.Errorf("%s: %s", p.Site, p.Message)
		}
	}
}

func scan(t *testing.T, files map[string]string) *Result {
	t.Helper()
	in := map[string][]byte{}
	for name, src := range files {
		in[name] = []byte(src)
	}
	r, err := Scan(in)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	failOnUnknownNodes(t, r)
	return r
}

// A node kind inspect does not know reaches the callback as Unknown, and
// the scan reports it rather than skipping what is inside.
func TestUnknownNodesAreReported(t *testing.T) {
	type newKind struct{ ast.ExprBase }
	var got []any
	inspect(&newKind{}, func(n any) bool { got = append(got, n); return true })
	if len(got) != 2 {
		t.Fatalf("callback saw %v, want the node and Unknown", got)
	}
	if _, ok := got[1].(Unknown); !ok {
		t.Fatalf("second call got %T, want Unknown", got[1])
	}
	s := &scanner{file: "x.lua", res: &Result{}}
	s.visit(Unknown{&newKind{}})
	if len(s.res.Problems) != 1 || !strings.Contains(s.res.Problems[0].Message, "cannot analyse") {
		t.Fatalf("problems %+v", s.res.Problems)
	}
}

func scanOne(t *testing.T, src string) *Result {
	t.Helper()
	return scan(t, map[string]string{"main.lua": src})
}

// calls renders r.Calls as "line Cmdlet Via", with "?" after the name
// when it is not Known; the file is left out when it is main.lua.
func calls(r *Result) []string {
	var out []string
	for _, c := range r.Calls {
		s := fmt.Sprintf("%d %s %s", c.Site.Line, c.Cmdlet, c.Via)
		if !c.Known {
			s = fmt.Sprintf("%d %s? %s", c.Site.Line, c.Cmdlet, c.Via)
		}
		if c.Site.File != "main.lua" {
			s = c.Site.File + ":" + s
		}
		out = append(out, s)
	}
	return out
}

func dynamics(r *Result) []string {
	var out []string
	for _, d := range r.Dynamic {
		out = append(out, fmt.Sprintf("%d %s", d.Site.Line, d.Via))
	}
	return out
}

func problems(r *Result) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, fmt.Sprintf("%d %s", p.Site.Line, p.Message))
	}
	return out
}

func TestSessionRules(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		calls   []string
		dynamic []string
	}{
		{"local connect", "local s = connect()\ns.get_mailbox{}", []string{"2 Get-Mailbox s.get_mailbox"}, nil},
		{"global connect with options", "scc = connect{service = \"compliance\"}\nscc.get_dlp_compliance_policy()",
			[]string{"2 Get-DlpCompliancePolicy scc.get_dlp_compliance_policy"}, nil},
		{"assigned later in the file", "local function f() return s.get_user() end\nlocal s = connect()",
			[]string{"1 Get-User s.get_user"}, nil},
		{"several names at once", "local a, b = connect(), connect{service = \"compliance\"}\na.get_mailbox()\nb.get_dlp_compliance_rule()",
			[]string{"2 Get-Mailbox a.get_mailbox", "3 Get-DlpComplianceRule b.get_dlp_compliance_rule"}, nil},
		{"only the first name takes connect's one result", "local a, b = connect()\nb.get_mailbox()", nil, nil},
		{"exo as a parameter", "function report(exo)\n  return exo.get_user{}\nend", []string{"2 Get-User exo.get_user"}, nil},
		{"exo never assigned", "exo.get_recipient()", []string{"1 Get-Recipient exo.get_recipient"}, nil},
		{"pcall(connect) is not tracked", "local ok, s = pcall(connect, {})\ns.get_mailbox()", nil, nil},
		{"fields are not tracked", "local M = {}\nM.exo = connect()\nM.exo.get_mailbox()\nM.s = connect()\nM.s.get_user()", nil, nil},
		{"aliases are not tracked", "local e = exo\ne.get_mailbox()", nil, nil},
		{"connect() chained", "connect().get_mailbox{}\nconnect{service = \"compliance\"}.get_dlp_compliance_policy()",
			[]string{"1 Get-Mailbox connect().get_mailbox", "2 Get-DlpCompliancePolicy connect{...}.get_dlp_compliance_policy"}, nil},
		{"parenthesised connect", "local s = (connect())\ns.get_mailbox()", []string{"2 Get-Mailbox s.get_mailbox"}, nil},
		{"method syntax", "exo:get_mailbox{}", []string{"1 Get-Mailbox exo:get_mailbox"}, nil},
		{"bracket with a cmdlet name", "exo[\"Set-Mailbox\"]{Identity = \"x\"}", []string{"1 Set-Mailbox exo[\"Set-Mailbox\"]"}, nil},
		{"names ignore case", "exo[\"get-MAILBOX\"]()\nexo.Get_Mailbox()",
			[]string{"1 Get-Mailbox exo[\"get-MAILBOX\"]", "2 Get-Mailbox exo.Get_Mailbox"}, nil},
		{"bracket with a snake name", "exo[\"get_mailbox\"]()", []string{"1 Get-Mailbox exo.get_mailbox"}, nil},
		{"referenced, not called", "local get = exo.get_mailbox\nlocal ok = pcall(exo.get_user, {})\nuse(exo[\"Get-Recipient\"])",
			[]string{"1 Get-Mailbox exo.get_mailbox", "2 Get-User exo.get_user", "3 Get-Recipient exo[\"Get-Recipient\"]"}, nil},
		{"field of a cmdlet", "local n = exo.get_mailbox.name", []string{"1 Get-Mailbox exo.get_mailbox"}, nil},
		{"a wrapper is a cmdlet", "exo.get_exo_mailbox()", []string{"1 Get-EXOMailbox exo.get_exo_mailbox"}, nil},
		{"methods are not cmdlets", "exo.whoami()\nexo.stats()\nexo.cmdlets()\nlocal w = exo.what_if\nexo:whoami()", nil, nil},
		{"writes are not calls", "exo.what_if = true\nexo.get_mailbox = nil\nexo[\"Set-Mailbox\"] = 1\nexo[k] = 2", nil, nil},
		{"a field written by the script is no problem", "function exo.helper() end\nfunction exo:other() end\nexo.mine = 1\nexo.helper()\nexo:other()\nlocal m = exo.mine", nil, nil},
		{"invoke with a catalog name", "exo.invoke(\"get-mailbox\", {})", []string{"1 Get-Mailbox exo.invoke(\"get-mailbox\")"}, nil},
		{"invoke with an unknown name", "exo.invoke(\"Get-Foo\", {Identity = \"x\"})", []string{"1 Get-Foo? exo.invoke(\"Get-Foo\")"}, nil},
		{"invoke, method syntax and string argument", "exo:invoke(\"Get-Mailbox\")\nexo.invoke \"Get-User\"",
			[]string{"1 Get-Mailbox exo:invoke(\"Get-Mailbox\")", "2 Get-User exo.invoke(\"Get-User\")"}, nil},
		{"invoke with a name computed", "exo.invoke(name, {})\nexo.invoke(\"Get-\" .. noun)\nexo.invoke(...)\nexo.invoke(cfg.cmdlet)",
			nil, []string{"1 exo.invoke(name)", "2 exo.invoke(\"Get-\" .. noun)", "3 exo.invoke(...)", "4 exo.invoke(cfg.cmdlet)"}},
		{"parallel with a name", "exo.parallel(\"Get-CASMailbox\", ids)\nexo.parallel(\"get_mailbox_statistics\", ids, {errors = \"collect\"})",
			[]string{"1 Get-CASMailbox exo.parallel(\"Get-CASMailbox\")", "2 Get-MailboxStatistics exo.parallel(\"get_mailbox_statistics\")"}, nil},
		{"parallel with a name computed", "for i, objs in exo.parallel(cmd, ids, {stream = true}) do end", nil, []string{"1 exo.parallel(cmd)"}},
		{"pcall of invoke and parallel", "pcall(exo.invoke, \"Get-Mailbox\", {})\npcall(exo.parallel, \"Get-User\", ids)\npcall(exo.invoke, name)",
			[]string{"1 Get-Mailbox pcall(exo.invoke, \"Get-Mailbox\")", "2 Get-User pcall(exo.parallel, \"Get-User\")"},
			[]string{"3 pcall(exo.invoke, name)"}},
		{"index with a name computed", "exo[name]{}\nlocal f = exo[\"Get-\" .. noun]\nexo[prefix .. \"-\" .. noun]()",
			nil, []string{"1 exo[name]", "2 exo[\"Get-\" .. noun]", "3 exo[prefix .. \"-\" .. noun]"}},
		{"invoke and parallel passed on", "local inv = exo.invoke\nrun(exo.parallel)", nil, []string{"1 exo.invoke", "2 exo.parallel"}},
		{"calls inside arguments", "exo.get_mailbox{ Identity = exo.get_user{}:first().Name }",
			[]string{"1 Get-Mailbox exo.get_mailbox", "1 Get-User exo.get_user"}, nil},
		{"connect's own arguments", "local s = connect{ service = exo.get_organization_config():first().x }\ns.get_mailbox()",
			[]string{"1 Get-OrganizationConfig exo.get_organization_config", "2 Get-Mailbox s.get_mailbox"}, nil},
		{"multi-line access takes the name's line", "exo\n  .get_mailbox{}\nexo.invoke(\n  \"Get-User\")",
			[]string{"2 Get-Mailbox exo.get_mailbox", "4 Get-User exo.invoke(\"Get-User\")"}, nil},
		{"several sites of one cmdlet", "exo.get_mailbox()\nexo.get_mailbox()\nexo.get_mailbox() exo.get_user()",
			[]string{"1 Get-Mailbox exo.get_mailbox", "2 Get-Mailbox exo.get_mailbox", "3 Get-Mailbox exo.get_mailbox", "3 Get-User exo.get_user"}, nil},
		// Deliberately not handled: shadowing. exo is a session whatever it
		// holds, and a name bound to connect() anywhere in the file is a
		// session everywhere in it.
		{"shadowed exo is still a session", "local exo = {}\nexo.get_mailbox()", []string{"2 Get-Mailbox exo.get_mailbox"}, nil},
		{"shadowed name is still a session", "local function f()\n  local s = {}\n  return s.get_user()\nend\nlocal s = connect()",
			[]string{"3 Get-User s.get_user"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanOne(t, tt.src)
			if got := calls(r); !slices.Equal(got, tt.calls) {
				t.Errorf("calls:\n got %q\nwant %q", got, tt.calls)
			}
			if got := dynamics(r); !slices.Equal(got, tt.dynamic) {
				t.Errorf("dynamic:\n got %q\nwant %q", got, tt.dynamic)
			}
			if len(r.Problems) > 0 {
				t.Errorf("problems: %q", problems(r))
			}
		})
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		src  string
		want []string // substrings of the one problem's message
	}{
		{"exo.get_mailboxx{}", []string{`exo.get_mailboxx: "get_mailboxx" is neither a cmdlet nor an exo method`, "did you mean get_mailbox or"}},
		{"local s = connect()\n\ns:get_mailbx()", []string{"s:get_mailbx:", "did you mean get_mailbox or"}},
		{`exo["Get-Mailboxx"]()`, []string{`exo["Get-Mailboxx"]`, "did you mean Get-Mailbox"}},
		{"exo.Invoke(\"Get-Mailbox\")", []string{"did you mean invoke? (method names are lower-case)"}},
		{"exo.zzzzzzqqqqqq()", []string{`exo.invoke("Verb-Noun", {...}) sends a cmdlet the catalog does not know`}},
		{`exo["Connect-ExchangeOnline"]()`, []string{`"Connect-ExchangeOnline" is neither`, "module"}},
		{"local f = exo.get_mailboxx", []string{"did you mean get_mailbox or"}},
		{"exo.invoke(\"get_mailbox\")", []string{`exo.invoke("get_mailbox"): exo.invoke takes a cmdlet's name as Verb-Noun; did you mean Get-Mailbox?`}},
		{"exo.invoke(\"get_mailboxx\")", []string{"did you mean Get-Mailbox"}},
		{"exo.invoke()", []string{"exo.invoke(): the cmdlet's name is missing"}},
		{"exo.parallel()", []string{"exo.parallel(): the cmdlet's name is missing"}},
		{"pcall(exo.invoke)", []string{"pcall(exo.invoke): the cmdlet's name is missing"}},
		{"exo.parallel(\"Get-Mailboxx\", {})", []string{`exo.parallel("Get-Mailboxx"): "Get-Mailboxx" is not a cmdlet; did you mean Get-Mailbox`}},
		{"exo.parallel(\"Get-Zzzzzzzzqqqq\", {})", []string{"exo.parallel runs only cmdlets the catalog knows"}},
		{"pcall(exo.parallel, \"get_mailboxx\", {})", []string{`pcall(exo.parallel, "get_mailboxx"): `, "did you mean get_mailbox or"}},
		{"local m = require()", []string{"require(): the module's name is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := scanOne(t, tt.src)
			got := problems(r)
			if len(got) != 1 {
				t.Fatalf("problems = %q, want one", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("problem %q lacks %q", got[0], w)
				}
			}
			line := strings.Count(tt.src, "\n") + 1 // each problem is on the last line
			if r.Problems[0].Site != (Site{"main.lua", line}) {
				t.Errorf("problem at %v, want main.lua:%d", r.Problems[0].Site, line)
			}
			if len(r.Calls) > 0 {
				t.Errorf("calls %q, want none", calls(r))
			}
		})
	}
}

func TestFiles(t *testing.T) {
	r := scan(t, map[string]string{
		"main.lua":   "scc = connect{service = \"compliance\"}\nlocal s = connect()\nlocal lib = require(\"lib\")\nlib.run()",
		"lib.lua":    "local M = {}\nfunction M.run()\n  scc.get_dlp_compliance_rule()\n  s.get_mailbox()\nend\nreturn M",
		"shadow.lua": "local scc = {}\nscc.anything()",
		"a/b.lua":    "exo.get_user()\nexo.get_user()",
	})
	want := []string{
		"a/b.lua:1 Get-User exo.get_user",
		"a/b.lua:2 Get-User exo.get_user",
		"lib.lua:3 Get-DlpComplianceRule scc.get_dlp_compliance_rule",
	}
	if got := calls(r); !slices.Equal(got, want) {
		t.Errorf("calls:\n got %q\nwant %q", got, want)
	}
	if len(r.Problems) > 0 || len(r.Dynamic) > 0 {
		t.Errorf("problems %q, dynamic %q", problems(r), dynamics(r))
	}
	if got, want := cmdletNames(r), []string{"Get-DlpComplianceRule", "Get-User"}; !slices.Equal(got, want) {
		t.Errorf("CmdletNames = %q, want %q", got, want)
	}
}

func TestCmdletNames(t *testing.T) {
	r := scanOne(t, "exo.set_mailbox{}\nexo.invoke(\"get-foo\")\nexo.get_mailbox()\nexo.invoke(\"Get-Foo\")\nexo[\"Get-Mailbox\"]()\nexo.invoke(\"Add-Bar\")")
	want := []string{"Add-Bar", "get-foo", "Get-Mailbox", "Set-Mailbox"}
	if got := cmdletNames(r); !slices.Equal(got, want) {
		t.Errorf("CmdletNames = %q, want %q", got, want)
	}
	if got := cmdletNames(&Result{}); len(got) != 0 {
		t.Errorf("empty CmdletNames = %q", got)
	}
}

func TestRequires(t *testing.T) {
	r := scanOne(t, "local a = require(\"log\")\nlocal b = require \"lib.util\"\nlocal c = require'csv'\nlocal d = require(name)\nlocal e = require(\"a\" .. \"b\")\nlocal function f() return require(\"inner\") end")
	var got []string
	for _, q := range r.Requires {
		got = append(got, fmt.Sprintf("%s:%d %s", q.Site.File, q.Site.Line, q.Module))
	}
	want := []string{"main.lua:1 log", "main.lua:2 lib.util", "main.lua:3 csv", "main.lua:6 inner"}
	if !slices.Equal(got, want) {
		t.Errorf("requires:\n got %q\nwant %q", got, want)
	}
	if want := []Site{{"main.lua", 4}, {"main.lua", 5}}; !slices.Equal(r.RequiresDynamic, want) {
		t.Errorf("dynamic requires = %v, want %v", r.RequiresDynamic, want)
	}
}

func TestParams(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		constant bool
		empty    bool
		reason   string
		spec     map[string]map[string]any
	}{
		{"every literal", `local params = require("params")
local p = params.declare{
  group = { type = "string", required = true, position = 1, help = "the group" },
  days = { type = "integer", default = -1 },
  ratio = { type = "number", default = - 2.5e1 },
  hex = { type = "integer", default = 0x10 },
  on = { type = "boolean", default = false },
  yes = { type = "boolean", default = true },
  ["types"] = { type = "list", default = {"UserMailbox", 'SharedMailbox'} },
  empty = { type = "list", default = {} },
  short = "list",
  gone = { type = "string", help = nil },
}`, true, false, "", map[string]map[string]any{
			"group": {"type": "string", "required": true, "position": 1.0, "help": "the group"},
			"days":  {"type": "integer", "default": -1.0},
			"ratio": {"type": "number", "default": -25.0},
			"hex":   {"type": "integer", "default": 16.0},
			"on":    {"type": "boolean", "default": false},
			"yes":   {"type": "boolean", "default": true},
			"types": {"type": "list", "default": []any{"UserMailbox", "SharedMailbox"}},
			"empty": {"type": "list", "default": []any{}},
			"short": {"type": "list"},
			"gone":  {"type": "string"},
		}},
		{"the name params needs no require", `params.declare{ a = "string" }`, true, false, "",
			map[string]map[string]any{"a": {"type": "string"}}},
		{"any local name", `local P = require("params")
P.declare{ a = { type = "number", default = 1 } }`, true, false, "",
			map[string]map[string]any{"a": {"type": "number", "default": 1.0}}},
		{"require itself", `require("params").declare{}`, true, false, "", map[string]map[string]any{}},
		{"no argument", `local p = params.declare()`, false, true, "", nil},
		{"nil", `local p = params.declare(nil)`, false, true, "", nil},
		{"a variable", `local spec = {}
params.declare(spec)`, false, false, "the argument is not a table constructor", nil},
		{"a call in a default", `params.declare{ dir = { type = "string", default = os.getenv("HOME") } }`,
			false, false, `parameter "dir": default is not a literal`, nil},
		{"a concatenation", `params.declare{ dir = { type = "string", default = "a" .. "b" } }`,
			false, false, `parameter "dir": default is not a literal`, nil},
		{"a variable type", `params.declare{ dir = T }`,
			false, false, `parameter "dir": not a table constructor or a type name`, nil},
		{"a positional entry", `params.declare{ "dir" }`, false, false, "an entry has no constant name", nil},
		{"a computed key", `params.declare{ [k] = "string" }`, false, false, "an entry has no constant name", nil},
		{"a keyed table as default", `params.declare{ l = { type = "list", default = { a = "b" } } }`,
			false, false, `parameter "l": default is a table with keys`, nil},
		{"a nested list", `params.declare{ l = { type = "list", default = { {"a"} } } }`,
			false, false, `parameter "l": default is not a literal (a table inside a list)`, nil},
		{"negating a string", `params.declare{ n = { default = -"1" } }`,
			false, false, `parameter "n": default is not a literal`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanOne(t, tt.src)
			if r.Params == nil || len(r.AllParams) != 1 {
				t.Fatalf("Params = %v, AllParams = %v; want one declaration", r.Params, r.AllParams)
			}
			p := r.Params
			if p.Constant != tt.constant || p.Empty != tt.empty || !strings.Contains(p.Reason, tt.reason) || (tt.reason == "") != (p.Reason == "") {
				t.Errorf("got Constant %v Empty %v Reason %q; want %v %v %q", p.Constant, p.Empty, p.Reason, tt.constant, tt.empty, tt.reason)
			}
			if !reflect.DeepEqual(p.Spec, tt.spec) {
				t.Errorf("Spec:\n got %#v\nwant %#v", p.Spec, tt.spec)
			}
		})
	}
}

func TestParamsSites(t *testing.T) {
	r := scan(t, map[string]string{
		"b.lua": "\n\nparams.declare{ x = \"string\" }",
		"a.lua": "local q = {}\nq.declare{ y = \"string\" }\nlocal params = require(\"params\")\nparams.declare()",
	})
	if r.Params == nil || r.Params.Site != (Site{"a.lua", 4}) || !r.Params.Empty {
		t.Errorf("Params = %+v, want the empty declare of a.lua:4", r.Params)
	}
	var sites []Site
	for _, p := range r.AllParams {
		sites = append(sites, p.Site)
	}
	if want := []Site{{"a.lua", 4}, {"b.lua", 3}}; !slices.Equal(sites, want) {
		t.Errorf("AllParams at %v, want %v", sites, want)
	}
	if r := scanOne(t, "local x = 1"); r.Params != nil || r.AllParams != nil {
		t.Errorf("no declare: Params = %v, AllParams = %v", r.Params, r.AllParams)
	}
}

func TestSyntaxError(t *testing.T) {
	tests := []struct {
		files map[string]string
		want  string // the error's start
	}{
		{map[string]string{"bad.lua": "local x = 1\ny = = 2\n"}, "bad.lua:2: syntax error near '='"},
		{map[string]string{"bad.lua": "-- comment\nif x then\n  print(x)\n"}, "bad.lua:3: syntax error at end of file"},
		{map[string]string{"bad.lua": "x = 0x\n"}, "bad.lua:1: illegal hexadecimal number"},
		{map[string]string{"z.lua": "local = 1", "good.lua": "exo.get_mailbox()", "m.lua": "\n\nfor"}, "m.lua:3: "},
	}
	for _, tt := range tests {
		in := map[string][]byte{}
		for name, src := range tt.files {
			in[name] = []byte(src)
		}
		r, err := Scan(in)
		if err == nil || r != nil {
			t.Errorf("Scan(%q) = %v, %v; want an error", tt.files, r, err)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("error %T %v is no *SyntaxError", err, err)
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error %q, want it to start with %q", err, tt.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	r := scan(t, nil)
	if r == nil || len(r.Calls)+len(r.Dynamic)+len(r.Problems)+len(r.Requires) != 0 || r.Params != nil {
		t.Errorf("Scan(nil) = %+v", r)
	}
	r = scanOne(t, "")
	if len(r.Calls) != 0 {
		t.Errorf("empty file: %+v", r)
	}
}

// TestKitchenSink checks that every syntax form is walked: the script
// holds exo.invoke("Sink-NN") in every statement and expression position
// Lua has, and each must be found at its own line.
func TestKitchenSink(t *testing.T) {
	src, err := os.ReadFile("testdata/kitchensink.lua")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{} // name -> line
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range regexp.MustCompile(`Sink-\d\d`).FindAllString(line, -1) {
			want[m] = i + 1
		}
	}
	if len(want) < 49 {
		t.Fatalf("the kitchen sink holds %d forms, want 49", len(want))
	}
	r := scan(t, map[string]string{"kitchensink.lua": string(src)})
	got := map[string]int{}
	for _, c := range r.Calls {
		if _, dup := got[c.Cmdlet]; dup {
			t.Errorf("%s found twice", c.Cmdlet)
		}
		got[c.Cmdlet] = c.Site.Line
		if c.Known || c.Via != fmt.Sprintf("exo.invoke(%q)", c.Cmdlet) {
			t.Errorf("call %+v", c)
		}
	}
	for name, line := range want {
		if got[name] != line {
			t.Errorf("%s: found at line %d, want %d", name, got[name], line)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected call of %s", name)
		}
	}
	if len(r.Problems) > 0 || len(r.Dynamic) > 0 {
		t.Errorf("problems %q, dynamic %q", problems(r), dynamics(r))
	}

	// The kitchen sink must hold every node kind of gopher-lua's ast
	// package, so that the test above covers each of inspect's cases.
	chunk, err := parse.Parse(strings.NewReader(string(src)), "kitchensink.lua")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	collectKinds(reflect.ValueOf(chunk), seen)
	for _, kind := range allKinds {
		if !seen[kind] {
			t.Errorf("the kitchen sink has no %s", kind)
		}
		delete(seen, kind)
	}
	for kind := range seen {
		t.Errorf("node kind %s is not in allKinds: add it, and a case to inspect", kind)
	}
}

// allKinds are the node types of gopher-lua's ast package (stmt.go and
// expr.go).
var allKinds = []string{
	"AssignStmt", "LocalAssignStmt", "FuncCallStmt", "DoBlockStmt", "WhileStmt", "RepeatStmt", "IfStmt",
	"NumberForStmt", "GenericForStmt", "FuncDefStmt", "ReturnStmt", "BreakStmt", "LabelStmt", "GotoStmt",
	"TrueExpr", "FalseExpr", "NilExpr", "NumberExpr", "StringExpr", "Comma3Expr", "IdentExpr", "AttrGetExpr",
	"TableExpr", "FuncCallExpr", "LogicalOpExpr", "RelationalOpExpr", "StringConcatOpExpr", "ArithmeticOpExpr",
	"UnaryMinusOpExpr", "UnaryNotOpExpr", "UnaryLenOpExpr", "FunctionExpr",
}

// collectKinds notes the type of every ast.Stmt and ast.Expr under v, by
// reflection, so that it sees node kinds inspect may not know.
func collectKinds(v reflect.Value, seen map[string]bool) {
	stmt := reflect.TypeFor[ast.Stmt]()
	expr := reflect.TypeFor[ast.Expr]()
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			collectKinds(v.Elem(), seen)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type().Implements(stmt) || v.Type().Implements(expr) {
			seen[v.Type().Elem().Name()] = true
		}
		collectKinds(v.Elem(), seen)
	case reflect.Slice:
		for i := range v.Len() {
			collectKinds(v.Index(i), seen)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				collectKinds(v.Field(i), seen)
			}
		}
	}
}

func TestRender(t *testing.T) {
	tests := map[string]string{
		`exo[a.b["c d"]]`:          `exo[a.b["c d"]]`,
		`exo[f(x, y)]`:             `exo[f(...)]`,
		`exo[o:m()]`:               `exo[o:m()]`,
		`exo[("x"):upper()]`:       `exo[("x"):upper()]`,
		`exo[a and b or c]`:        `exo[(a and b) or c]`,
		`exo[not x]`:               `exo[not x]`,
		`exo[#t + 1]`:              `exo[#t + 1]`,
		`exo[-n]`:                  `exo[-n]`,
		`exo[t["end"]]`:            `exo[t["end"]]`,
		`exo[{}]`:                  `exo[{}]`,
		`exo[{1}]`:                 `exo[{...}]`,
		`exo[function() end]`:      `exo[function(...) ... end]`,
		`exo[nil]`:                 `exo[nil]`,
		`exo[true]`:                `exo[true]`,
		`exo[false]`:               `exo[false]`,
		`exo[1]`:                   `exo[1]`,
		`exo[a == b]`:              `exo[a == b]`,
		`exo["a" .. ("b" .. "c")]`: `exo["a" .. "b" .. "c"]`,
		`exo[("a" .. "b") .. "c"]`: `exo[("a" .. "b") .. "c"]`,
	}
	for src, want := range tests {
		r := scanOne(t, "local x = "+src)
		if got := dynamics(r); len(got) != 1 || got[0] != "1 "+want {
			t.Errorf("%s: dynamic %q, want %q", src, got, want)
		}
	}
}

// cmdletNames returns the distinct names of r.Calls sorted
// case-insensitively. Names the catalog does not know (exo.invoke) are
// merged ignoring case, keeping the first spelling met.
func cmdletNames(r *Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.Calls {
		key := strings.ToLower(c.Cmdlet)
		if !seen[key] {
			seen[key] = true
			out = append(out, c.Cmdlet)
		}
	}
	slices.SortFunc(out, compareFold)
	return out
}

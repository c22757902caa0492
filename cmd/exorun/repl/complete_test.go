package repl

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
)

// completeSessions is what the fake Cmdlets answers for each session
// table of a test state.
type completeSessions map[*lua.LTable][]*catalog.Cmdlet

// allowedFor lists the cmdlets of service that role grants, as a real
// session's Host.Cmdlets would.
func allowedFor(t testing.TB, roleName string, service catalog.Service) []*catalog.Cmdlet {
	t.Helper()
	role, ok := catalog.RoleByName(roleName)
	if !ok {
		t.Fatalf("no role %q", roleName)
	}
	var out []*catalog.Cmdlet
	for _, c := range catalog.All() {
		if c.Runs(service) && catalog.Allowed([]catalog.Role{role}, c.Name, service) {
			out = append(out, c)
		}
	}
	return out
}

// newSessionTable builds a table shaped like bindings' exo table: its
// own functions and what_if as raw fields, cmdlets behind an __index that
// completion must never call.
func newSessionTable(t testing.TB, L *lua.LState) *lua.LTable {
	exo := L.NewTable()
	noop := L.NewFunction(func(*lua.LState) int { return 0 })
	for _, k := range []string{"invoke", "cmdlets", "whoami", "stats", "parallel"} {
		exo.RawSetString(k, noop)
	}
	exo.RawSetString("what_if", lua.LFalse)
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t.Errorf("completion ran the session's __index for %v", L.Get(2))
		return 0
	}))
	L.SetMetatable(exo, meta)
	return exo
}

// newTestCompleter builds a Lua state with a session table exo (whose
// cmdlets role grants in Exchange Online), a Security & Compliance
// session scc (Global Administrator), a record m, a table of functions
// lib, and a global the runtime uses internally.
func newTestCompleter(t testing.TB, role string) *Completer {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	sessions := completeSessions{}
	exo := newSessionTable(t, L)
	sessions[exo] = allowedFor(t, role, catalog.Exchange)
	L.SetGlobal("exo", exo)
	scc := newSessionTable(t, L)
	sessions[scc] = allowedFor(t, "Global Administrator", catalog.Compliance)
	L.SetGlobal("scc", scc)

	m := L.NewTable()
	m.RawSetString("DisplayName", lua.LString("Ada Lovelace"))
	m.RawSetString("PrimarySmtpAddress", lua.LString("ada@contoso.com"))
	m.RawSetString("RecipientTypeDetails", lua.LString("UserMailbox"))
	m.RawSetString("not a name", lua.LTrue)
	m.RawSetInt(1, lua.LString("array part"))
	owner := L.NewTable()
	owner.RawSetString("Alias", lua.LString("ada"))
	m.RawSetString("Owner", owner)
	L.SetGlobal("m", m)

	lib := L.NewTable()
	lib.RawSetString("render", L.NewFunction(func(*lua.LState) int { return 0 }))
	lib.RawSetString("rows", lua.LNumber(3))
	L.SetGlobal("lib", lib)
	L.SetGlobal("exorun:concat", L.NewFunction(func(*lua.LState) int { return 0 }))

	return &Completer{
		L: L,
		Cmdlets: func(v lua.LValue) ([]*catalog.Cmdlet, bool) {
			t, ok := v.(*lua.LTable)
			if !ok {
				return nil, false
			}
			list, ok := sessions[t]
			return list, ok
		},
		Modules: func() []string { return []string{"lib.util", "report"} },
	}
}

// completeAt splits line at "|" (the cursor; the end when there is none)
// and completes there.
func completeAt(c *Completer, line string) (head string, got []string, tail string) {
	before, after, _ := strings.Cut(line, "|")
	return c.Complete(before+after, utf8.RuneCountInString(before))
}

func TestComplete(t *testing.T) {
	c := newTestCompleter(t, "Global Reader")
	for _, tc := range []struct {
		line       string
		head, tail string   // checked unless both empty
		want       []string // exactly, when exact is set, else at least
		exact      bool
		not        []string
	}{
		// globals and keywords
		{line: "pri", want: []string{"print"}, head: "", tail: ""},
		{line: "ex", want: []string{"exo"}, not: []string{"exorun:concat"}},
		{line: "", want: []string{"exo", "m", "print", "function"}, not: []string{"exorun:concat"}},
		{line: "fun", want: []string{"function"}, exact: true},
		{line: "loc", want: []string{"local"}, exact: true},
		{line: "pri|(1)", want: []string{"print"}, head: "", tail: "(1)"},
		{line: `local s = "x" .. pri`, want: []string{"print"}, head: `local s = "x" .. `},
		{line: `x = "é" .. pri|nt`, want: []string{"print"}, head: `x = "é" .. `, tail: "nt"},

		// session tables: allowed cmdlets and the table's own fields
		{line: "exo.get_ma", want: []string{"get_mailbox", "get_mailbox_permission", "get_mailbox_statistics"}, head: "exo."},
		{line: "exo.set_mai", want: nil, exact: true}, // Global Reader cannot
		{line: "exo.", want: []string{"get_mailbox", "invoke", "cmdlets", "whoami", "stats", "parallel", "what_if"}, not: []string{"set_mailbox"}},
		{line: "exo.wh", want: []string{"what_if", "whoami"}, exact: true},
		{line: "exo.Get_Mailbox_Perm", want: []string{"get_mailbox_permission"}, exact: true},
		{line: "_G.exo.get_mailbox_perm", want: []string{"get_mailbox_permission"}, exact: true},
		{line: "exo:", want: nil, exact: true},             // its functions are not methods
		{line: "exo.get_mailbox.", want: nil, exact: true}, // not resolved, and never through __index
		{line: "scc.get_compliance_se", want: []string{"get_compliance_search"}, not: []string{"get_mailbox"}},
		{line: "scc.get_mailbox", want: nil, exact: true}, // Exchange Online only

		// tables: their name keys, raw
		{line: "m.Pri", want: []string{"PrimarySmtpAddress"}, exact: true, head: "m."},
		{line: "m.pri", want: []string{"PrimarySmtpAddress"}, exact: true},
		{line: "m.", want: []string{"DisplayName", "Owner", "PrimarySmtpAddress", "RecipientTypeDetails"}, exact: true},
		{line: "m.Owner.A", want: []string{"Alias"}, exact: true, head: "m.Owner."},
		{line: `m["Owner"].a`, want: []string{"Alias"}, exact: true},
		{line: "lib:", want: []string{"render"}, exact: true},
		{line: "string.up", want: []string{"upper"}, exact: true},
		{line: "m.DisplayName.", want: nil, exact: true},
		{line: "nothing.", want: nil, exact: true},
		{line: "f().x", want: nil, exact: true},
		{line: `("s").x`, want: nil, exact: true},

		// cmdlet names as strings
		{line: `exo["Get-Mailbox`, want: []string{`Get-Mailbox"]`, `Get-MailboxPermission"]`}, head: `exo["`, not: []string{`Set-Mailbox"]`}},
		{line: `exo['get-mailboxperm`, want: []string{`Get-MailboxPermission']`}, exact: true},
		{line: `m["Dis`, want: nil, exact: true}, // only sessions

		// parameters
		{line: "exo.get_mailbox{Res", want: []string{"ResultSize = "}, exact: true, head: "exo.get_mailbox{"},
		{line: "exo.get_mailbox({ result", want: []string{"ResultSize = "}, exact: true},
		{line: "exo.get_mailbox{ResultSize = 10, Rec", want: []string{"RecipientTypeDetails = "}, exact: true},
		{line: "exo.get_mailbox{ResultSize = 10; Res", want: nil, exact: true}, // already set
		{line: `exo["Get-Mailbox"]{Fil`, want: []string{"Filter = "}, exact: true},
		{line: "exo.get_mailbox{ Filter = { a = 1 }, Res", want: []string{"ResultSize = "}, exact: true},
		{line: "exo.get_mailbox{ Filter = f(1, {2}), Res", want: []string{"ResultSize = "}, exact: true},
		{line: "exo.get_mailbox{|}", want: []string{"Identity = ", "ResultSize = ", "Filter = "}, head: "exo.get_mailbox{", tail: "}"},
		{line: "exo.get_mailbox{ Filter = { a = 1, pri", want: []string{"print"}, not: []string{"ResultSize = "}},
		{line: "exo.get_mailbox{ResultSize = f(Res", want: nil, exact: true},
		{line: "local t = {Res", want: nil, exact: true},
		{line: "nothing.get_mailbox{Res", want: []string{"ResultSize = "}, exact: true}, // session unknown: the catalog still knows it
		{line: "scc.add_role_group_mem", want: []string{"add_role_group_member"}, exact: true},
		{line: "scc.add_role_group_member{By", want: nil, exact: true}, // an Exchange-only parameter
		{line: "scc.get_role_group_member{Ident", want: []string{"Identity = "}, exact: true},
		{line: "exo.set_mailbox{Displ", want: nil, exact: true}, // Global Reader cannot run it

		// parameter values
		{line: `exo.get_mailbox{ResultSize = "Un`, want: []string{`Unlimited"`}, exact: true, head: `exo.get_mailbox{ResultSize = "`},
		{line: `exo.get_mailbox{ResultSize = 'u`, want: []string{`Unlimited'`}, exact: true},
		{line: `exo.get_mailbox{RecipientTypeDetails = "Sha`, want: []string{`SharedMailbox"`}, exact: true},
		{line: `exo.get_mailbox{resulTsize = "`, want: []string{`Unlimited"`}, exact: true},
		{line: `exo.get_mailbox{ResultSize = `, want: []string{`"Unlimited"`}, exact: true},
		// A value or an expression: the value wins, since offering both
		// would have the editor replace Un with their common prefix, "".
		{line: `exo.get_mailbox{ResultSize = Un`, want: []string{`"Unlimited"`}, exact: true},
		{line: `exo.get_mailbox{ResultSize = un`, want: []string{"unpack", "until"}, exact: true},
		{line: `exo.get_mailbox{ResultSize = pri`, want: []string{"print"}, exact: true},
		{line: `exo.get_mailbox{Filter = "Na`, want: nil, exact: true}, // a String has no values
		{line: `exo.get_mailbox{RecipientTypeDetails = {"UserMailbox", "Sha`, want: []string{`SharedMailbox"`}, exact: true},
		{line: `exo.get_mailbox{RecipientTypeDetails = {`, want: []string{`"UserMailbox"`, `"SharedMailbox"`}},
		{line: `exo.get_mailbox{ResultSize = "Un|"}`, want: []string{`Unlimited"`}, tail: `"}`, head: `exo.get_mailbox{ResultSize = "`},

		// modules
		{line: `require("li`, want: []string{`lib.util")`}, exact: true, head: `require("`},
		{line: `local r = require "re`, want: []string{`report"`}, exact: true},
		{line: `require '`, want: []string{`lib.util'`, `report'`}, exact: true},
		{line: `x.require("li`, want: nil, exact: true},

		// no code there: strings, comments, numbers
		{line: `print("pri`, want: nil, exact: true},
		{line: `print("exo.get_ma`, want: nil, exact: true},
		{line: `-- exo.get_ma`, want: nil, exact: true},
		{line: `x = 1 --[[ exo.get_ma`, want: nil, exact: true},
		{line: `x = [[exo.get_ma`, want: nil, exact: true},
		{line: `x = "--" .. pri`, want: []string{"print"}},
		{line: `x = 1.`, want: nil, exact: true},
		{line: `x = "done"`, want: nil, exact: true},
	} {
		head, got, tail := completeAt(c, tc.line)
		if tc.exact && !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.line, got, tc.want)
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: got %q, want %q among them", tc.line, got, w)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("%s: got %q, do not want %q", tc.line, got, n)
			}
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s: got %q, want sorted without duplicates", tc.line, got)
		}
		if (tc.head != "" || tc.tail != "") && (head != tc.head || tail != tc.tail) {
			t.Errorf("%s: head, tail = %q, %q, want %q, %q", tc.line, head, tail, tc.head, tc.tail)
		}
	}
}

// TestCompleteRole checks that a session's role decides its cmdlets.
func TestCompleteRole(t *testing.T) {
	reader := newTestCompleter(t, "Global Reader")
	admin := newTestCompleter(t, "Exchange Administrator")
	for _, tc := range []struct {
		c    *Completer
		want bool
	}{{reader, false}, {admin, true}} {
		_, got, _ := tc.c.Complete("exo.set_mai", len("exo.set_mai"))
		if slices.Contains(got, "set_mailbox") != tc.want {
			t.Errorf("exo.set_mai: got %q, want set_mailbox: %v", got, tc.want)
		}
		_, got, _ = tc.c.Complete("exo.set_mailbox{Displ", len("exo.set_mailbox{Displ"))
		if slices.Contains(got, "DisplayName = ") != tc.want {
			t.Errorf("exo.set_mailbox{Displ: got %q, want DisplayName: %v", got, tc.want)
		}
		// A parameter only Exchange Online takes, of a cmdlet both
		// services run.
		_, got, _ = tc.c.Complete("exo.add_role_group_member{By", len("exo.add_role_group_member{By"))
		if slices.Contains(got, "BypassSecurityGroupManagerCheck = ") != tc.want {
			t.Errorf("exo.add_role_group_member{By: got %q, want BypassSecurityGroupManagerCheck: %v", got, tc.want)
		}
	}
}

// TestCompleteSessionChanges checks that the cache per session notices
// a new list of cmdlets.
func TestCompleteSessionChanges(t *testing.T) {
	c := newTestCompleter(t, "Global Reader")
	first := c.Cmdlets
	exo := c.L.GetGlobal("exo")
	if _, got, _ := c.Complete("exo.get_mailbox_", 16); len(got) == 0 {
		t.Fatal("exo.get_mailbox_: no candidates")
	}
	get, _ := catalog.Lookup("Get-User")
	c.Cmdlets = func(v lua.LValue) ([]*catalog.Cmdlet, bool) {
		if v == exo {
			return []*catalog.Cmdlet{get}, true
		}
		return first(v)
	}
	if _, got, _ := c.Complete("exo.get_", 8); !slices.Equal(got, []string{"get_user"}) {
		t.Errorf("exo.get_ after the list changed: got %q, want [get_user]", got)
	}
}

// TestCompleteNoState checks that a Completer with nothing set still
// answers from the catalog and the keywords.
func TestCompleteNoState(t *testing.T) {
	var c Completer
	if _, got, _ := c.Complete("whi", 3); !slices.Equal(got, []string{"while"}) {
		t.Errorf("whi: got %q, want [while]", got)
	}
	if _, got, _ := c.Complete("exo.get_mailbox{Res", 19); !slices.Equal(got, []string{"ResultSize = "}) {
		t.Errorf("exo.get_mailbox{Res: got %q, want [ResultSize = ]", got)
	}
	if _, got, _ := c.Complete(`require("x`, 10); got != nil {
		t.Errorf("require without Modules: got %q", got)
	}
}

// TestLuaKeywords keeps the keyword list and isKeyword in step.
func TestLuaKeywords(t *testing.T) {
	for _, k := range luaKeywords() {
		if !isKeyword(k) {
			t.Errorf("isKeyword(%q) = false", k)
		}
	}
	if isKeyword("print") || isLuaName("exorun:concat") || isLuaName("1x") || !isLuaName("_x1") {
		t.Error("isKeyword or isLuaName is wrong")
	}
}

func FuzzComplete(f *testing.F) {
	for _, seed := range []string{
		"", "pri", "exo.get_ma", "exo.", "exo:", `exo["Get-Ma`, `exo['`, "exo.get_mailbox{Res",
		`exo.get_mailbox({ ResultSize = "Un`, `exo.get_mailbox{RecipientTypeDetails = {"A", "Sh`,
		"exo.get_mailbox{ Filter = { a = 1 }, Res", `require("li`, `require "`, "m.Owner.",
		`m["Owner"].`, "--[==[ x", "[=[", `"\`, "x = 0x1e+", "a..b...c", "]]]]}}})))", "{{{{((([[",
		"é.ü", "\xff\xfe", "exo.get_mailbox{ResultSize = 1,,", "a\nb.c", "\"a\\\nb", "::x::",
	} {
		f.Add(seed, len(seed))
		f.Add(seed, len(seed)/2)
	}
	c := newTestCompleter(f, "Exchange Administrator")
	f.Fuzz(func(t *testing.T, line string, pos int) {
		head, got, tail := c.Complete(line, pos)
		cursor := runeOffset(line, pos)
		if tail != line[cursor:] {
			t.Fatalf("Complete(%q, %d): tail %q, want %q", line, pos, tail, line[cursor:])
		}
		if !strings.HasPrefix(line[:cursor], head) {
			t.Fatalf("Complete(%q, %d): head %q is not the start of %q", line, pos, head, line[:cursor])
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("Complete(%q, %d): %q not sorted without duplicates", line, pos, got)
		}
	})
}

// TestKeepTyped: whatever the candidates, their common prefix never drops
// what the user typed (the editor replaces the word with it).
func TestKeepTyped(t *testing.T) {
	for _, tc := range []struct {
		word       string
		candidates []string
		want       []string
	}{
		{"s", []string{"Summary", "select", "string"}, []string{"select", "string"}},
		{"sum", []string{"Summary"}, []string{"Summary"}},
		{"Un", []string{`"Unlimited"`, "unpack"}, []string{`"Unlimited"`}},
		{"R", []string{`"RoomMailbox"`, `"RemoteUserMailbox"`}, []string{`"RoomMailbox"`, `"RemoteUserMailbox"`}},
		{"ab", []string{"ABc", "aBd"}, nil},
		{"get", []string{"GetA", "GetB"}, []string{"GetA", "GetB"}},
	} {
		got := keepTyped(tc.word, tc.candidates)
		if !slices.Equal(got, tc.want) {
			t.Errorf("keepTyped(%q, %q) = %q, want %q", tc.word, tc.candidates, got, tc.want)
		}
		if len(got) > 1 && len(commonPrefix(got)) < len(tc.word) {
			t.Errorf("keepTyped(%q, %q): common prefix %q drops the word", tc.word, tc.candidates, commonPrefix(got))
		}
	}
}

package repl

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// compileLua compiles src as gopher-lua does a chunk.
func compileLua(src string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(strings.NewReader(src), "chunk")
	if err != nil {
		return nil, err
	}
	return lua.Compile(chunk, "chunk")
}

// runLua runs src in a fresh state and returns what it returned, each
// value as Lua's tostring shows it (strings quoted by %q so that line
// breaks and control bytes compare exactly).
func runLua(t *testing.T, src string) []string {
	t.Helper()
	proto, err := compileLua(src)
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	L := lua.NewState()
	defer L.Close()
	top := L.GetTop()
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, lua.MultRet, nil); err != nil {
		t.Fatalf("run %q: %v", src, err)
	}
	var out []string
	for i := top + 1; i <= L.GetTop(); i++ {
		v := L.Get(i)
		if s, ok := v.(lua.LString); ok {
			out = append(out, strings.ReplaceAll(strings.ReplaceAll(string(s), "\n", `\n`), "\r", `\r`))
			continue
		}
		out = append(out, v.Type().String()+":"+v.String())
	}
	return out
}

func TestHistoryEntry(t *testing.T) {
	for _, tc := range []struct {
		name, chunk, want string
		run               bool // the chunk returns values: both forms must return the same
	}{
		{"one line", `print("hi")`, `print("hi")`, false},
		{"spacing in a line kept", "local  x = 1\nreturn x", "local  x = 1 return x", true},
		{"function over lines",
			"local function add(a, b)\n  return a + b\nend\nreturn add(2, 3)",
			"local function add(a, b) return a + b end return add(2, 3)", true},
		{"line comment dropped", "local x = 1 -- one\nreturn x -- done", "local x = 1 return x", true},
		{"comment glued to code", "local x=1--one\nreturn x", "local x=1 return x", true},
		{"long comment dropped", "local x = --[[ two\nlines ]] 1\nreturn x", "local x = 1 return x", true},
		{"long comment with level", "--[==[ ]] still\ncomment ]==]\nreturn 2", "return 2", true},
		{"comment-only line", "local x = 1\n-- note\n\nreturn x", "local x = 1 return x", true},
		{"long string over lines", "return [[\nline one\nsaid \"hi\" \\ back]]", `return "line one\nsaid \"hi\" \\ back"`, true},
		{"long string with level", "return [==[a]]\nb]==]", `return "a]]\nb"`, true},
		{"long string on one line kept", "local s = [[a\\b]]\nreturn s", `local s = [[a\b]] return s`, true},
		{"control bytes in a long string", "return [[a\tb\n\x012]]", `return "a\009b\n\0012"`, true},
		{"CRLF everywhere", "local s = [[a\r\nb]]\r\nreturn s", `local s = "a\nb" return s`, true},
		{"LFCR in a long string", "return [[\n\rx\n\ry]]", `return "x\ny"`, true},
		{"backslash-newline in a short string", "return \"a\\\nb\", 'c\\\r\nd'", `return "a\nb", 'c\nd'`, true},
		{"escaped backslash before a line break", "return \"a\\\\\",\n1", `return "a\\", 1`, true},
		{"-- inside a string is not a comment", "return \"a -- b\",\n'--[[c'", `return "a -- b", '--[[c'`, true},
		{"[[ inside a string is not a long string", "local s = \"[[\"\nreturn s .. ']]'", `local s = "[[" return s .. ']]'`, true},
		{"trailing blanks trimmed", "\n\n  return 1   \n\n", "return 1", true},
		{"table over lines", "local t = {\n  a = 1,\n  b = 'x',\n}\nreturn t.a, t.b", "local t = { a = 1, b = 'x', } return t.a, t.b", true},
		{"unfinished string stays broken", "x = \"abc\ny = 1", "x = \"abc y = 1", false},
		{"unfinished long string stays broken", "x = [[abc\ndef", "x = [[abc def", false},
	} {
		got, ok := HistoryEntry(tc.chunk)
		if !ok {
			t.Errorf("%s: HistoryEntry(%q) not kept", tc.name, tc.chunk)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: HistoryEntry(%q)\n got %s\nwant %s", tc.name, tc.chunk, got, tc.want)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("%s: %q is not one line", tc.name, got)
		}
		if _, err := compileLua(tc.chunk); err != nil {
			if _, err2 := compileLua(got); err2 == nil {
				t.Errorf("%s: the chunk does not compile (%v) but its entry %q does", tc.name, err, got)
			}
			continue
		}
		if _, err := compileLua(got); err != nil {
			t.Errorf("%s: entry %q does not compile: %v", tc.name, got, err)
			continue
		}
		if tc.run {
			want, gotRun := runLua(t, tc.chunk), runLua(t, got)
			if strings.Join(want, "|") != strings.Join(gotRun, "|") {
				t.Errorf("%s: the chunk returns %q, its entry %q", tc.name, want, gotRun)
			}
		}
	}
}

func TestHistoryEntrySecrets(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSJ9.c2lnbmF0dXJl"
	for _, tc := range []struct {
		chunk string
		keep  bool
	}{
		{`exo = connect{client_secret = "s3cret"}`, false},
		{`exo = connect({ certificate_password = pw })`, false},
		{"exo = connect{\n  organization = 'contoso.onmicrosoft.com',\n  certificate = blob,\n}", false},
		{`exo = connect{organization = "contoso.onmicrosoft.com", ["access_token"] = tok}`, false},
		{`exo = connect{Client_Secret = "s3cret"}`, false},
		{"cfg = {}\ncfg.client_secret = 'x'\nexo = connect(cfg)", false},
		{`local pw = log.secret("hunter2")`, false},
		{`local pw = log.secret "hunter2"`, false},
		{`local t = "` + jwt + `"`, false},
		{`exo = connect{access_token = [[` + jwt + `]]}`, false},
		{`print('Bearer ` + jwt + `')`, false},

		{`exo = connect{organization = "contoso.onmicrosoft.com", app_id = "00000000-0000-0000-0000-000000000001", certificate_file = "app.pfx"}`, true},
		{`exo = connect{thumbprint = "ABCDEF", certificate_key_file = "key.pem"}`, true},
		{`print("client_secret = x")`, true},
		{`if client_secret == nil then print("none") end`, true},
		{`log.info("secret")`, true},
		{`print("eyJ is how JSON starts in base64")`, true},
		{`x = "eyJabc.def"`, true},
		{`-- client_secret = "x" in a comment` + "\nprint(1)", true},
	} {
		got, ok := HistoryEntry(tc.chunk)
		if ok != tc.keep {
			t.Errorf("HistoryEntry(%q) = %q, %v; want kept: %v", tc.chunk, got, ok, tc.keep)
		}
		if !ok && got != "" {
			t.Errorf("HistoryEntry(%q) not kept but returned %q", tc.chunk, got)
		}
	}
}

// FuzzHistoryEntry checks that an entry is one line and that a chunk
// that compiles gives an entry that compiles.
func FuzzHistoryEntry(f *testing.F) {
	for _, seed := range []string{
		"local function f(a)\n  return a -- x\nend\nreturn f(1)",
		"return [[\nx\n]], [==[\r\n]]\n]==]", "return 'a\\\nb'", "--[[\n]] --[=[ ]=] -- x\nreturn 1",
		"x = \"--[[\"\n--]]\nreturn x", "return [[\x00\x7f\xff]]", "a = {\n[ [[k\n]] ] = 1\n}", "--[=x\nreturn 1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, chunk string) {
		line, ok := HistoryEntry(chunk)
		if !ok {
			return
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("HistoryEntry(%q) = %q: not one line", chunk, line)
		}
		if _, err := compileLua(chunk); err != nil {
			return
		}
		if _, err := compileLua(line); err != nil {
			t.Fatalf("HistoryEntry(%q) = %q: %v", chunk, line, err)
		}
	})
}

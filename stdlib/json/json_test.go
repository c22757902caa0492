package json

import (
	"os"
	"strings"
	"testing"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

func opts() runtime.Options {
	return runtime.Options{Modules: []runtime.Module{Module()}}
}

// run runs a Lua snippet with the json module loaded as the local json.
func run(t *testing.T, src string) string {
	t.Helper()
	return runtimetest.MustRun(t, `local json = require("json")`+"\n"+src, opts())
}

// runErr runs a snippet that must fail and returns its error message.
func runErr(t *testing.T, src string) string {
	t.Helper()
	return runtimetest.Fail(t, `local json = require("json")`+"\n"+src, opts()).Message
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"integer", `3`, `3`},
		{"float", `2.5`, `2.5`},
		{"big integer", `1e15`, `1000000000000000`},
		{"negative integer", `-42`, `-42`},
		{"string", `"a\"b"`, `"a\"b"`},
		{"nil", `nil`, `null`},
		{"booleans", `{true, false}`, `[true,false]`},
		{"sorted keys", `{b = 1, a = 2, c = {z = 1, y = 2}}`, `{"a":2,"b":1,"c":{"y":2,"z":1}}`},
		{"empty table is an object", `{}`, `{}`},
		{"marked empty array", `json.array()`, `[]`},
		{"marked table", `json.array({})`, `[]`},
		{"list", `{1, "two", {3}}`, `[1,"two",[3]]`},
		{"html characters kept", `"<b>&</b>"`, `"<b>&</b>"`},
		{"unicode kept", `"Zoë ✓ 日本"`, `"Zoë ✓ 日本"`},
		{"control characters escaped", `"a\nb\tc"`, `"a\nb\tc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, `print(json.encode(`+tt.expr+`))`)
			if got != tt.want+"\n" {
				t.Errorf("json.encode(%s) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestEncodeIndent(t *testing.T) {
	got := run(t, `print(json.encode({name = "Sales", ids = {1, 2}, none = json.array(), meta = {}}, {indent = true}))`)
	want := `{
  "ids": [
    1,
    2
  ],
  "meta": {},
  "name": "Sales",
  "none": []
}
`
	if got != want {
		t.Errorf("indented output:\n%s\nwant:\n%s", got, want)
	}
	if got := run(t, `print(json.encode({a = 1}, {indent = false}))`); got != "{\"a\":1}\n" {
		t.Errorf("indent = false gave %q, want compact output", got)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"cycle", `local t = {}; t.self = t; json.encode(t)`, []string{"json.encode:", "self", "contains itself"}},
		{"nested cycle", `local t = {a = {}}; t.a.back = t; json.encode(t)`, []string{"json.encode:", "a: back", "contains itself"}},
		{"function", `json.encode(print)`, []string{"json.encode:", "function"}},
		{"function field", `json.encode({name = "x", run = function() end})`, []string{"json.encode: run:", "function"}},
		{"NaN", `json.encode(0/0)`, []string{"json.encode: NaN is not a number JSON can hold"}},
		{"infinity", `json.encode({x = 1/0})`, []string{"json.encode: +Inf is not a number JSON can hold"}},
		{"boolean key", `json.encode({[true] = 1})`, []string{"json.encode:", "key of type boolean"}},
		{"no argument", `json.encode()`, []string{"json.encode: bad argument #1"}},
		{"bad options", `json.encode({}, "pretty")`, []string{"json.encode: bad argument #2: expected an options table, got string"}},
		{"unknown option", `json.encode({}, {indnet = true})`, []string{`json.encode: unknown option "indnet"`}},
		{"bad indent", `json.encode({}, {indent = 2})`, []string{"json.encode: option indent must be a boolean, got number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := runErr(t, tt.src)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestDecode(t *testing.T) {
	got := run(t, `
local v = json.decode([[{"name": "Zoë <x@contoso.com>", "n": 3, "f": 2.5, "big": 1e15, "ok": true, "none": null, "list": [1, [], {}], "esc": "\u00e9\n"}]])
print(v.name, v.n, v.f, v.big, v.ok, v.none, #v.list, v.esc)
print(v.n == 3, v.big == 1000000000000000, type(v.list[2]))
print(json.encode(v.list))`)
	want := "Zoë <x@contoso.com>\t3\t2.5\t1000000000000000\ttrue\tnil\t3\té\n\ntrue\ttrue\ttable\n[1,[],{}]\n"
	if got != want {
		t.Errorf("decode output:\n%q\nwant:\n%q", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	const doc = `{"groups":[{"id":7,"members":[],"name":"Sales","owners":["a@contoso.com","b@contoso.com"],"settings":{}},{"id":8,"members":[{"name":"Zoë","quota":2.5}],"name":"R&D <EU>","owners":[],"settings":{"hidden":true,"size":1000000000000000}}],"total":2}`
	got := run(t, `print(json.encode(json.decode([[`+doc+`]])))`)
	if got != doc+"\n" {
		t.Errorf("round trip changed the document:\n got %s\nwant %s", got, doc)
	}
	// And the other way: Lua value -> JSON -> Lua value -> same JSON, indented.
	run(t, `
local v = {users = {{upn = "a@contoso.com", licenses = json.array()}, {upn = "b@contoso.com", licenses = {"E3"}}}, count = 2}
local once = json.encode(v, {indent = true})
local twice = json.encode(json.decode(once), {indent = true})
assert(once == twice, "indented round trip changed:\n" .. once .. "\n" .. twice)`)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"trailing garbage", `1 x`, []string{"json.decode:", "invalid character 'x' after top-level value", "offset 3"}},
		{"trailing bracket", `[1]]`, []string{"json.decode:", "after top-level value", "offset 4"}},
		{"second value", `{} {}`, []string{"json.decode:", "after top-level value"}},
		{"trailing comma", `[1,]`, []string{"json.decode:", "invalid character ']'", "offset 4 (line 1, column 4)"}},
		{"line and column", "{\n  \"a\": 1,\n  \"b\": tru\n}", []string{"json.decode:", "line 3, column 11"}},
		{"truncated", `{"a": [1, 2`, []string{"json.decode:", "unexpected end of JSON input"}},
		{"empty", ``, []string{"json.decode: empty input"}},
		{"blank", "  \n ", []string{"json.decode: empty input"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := runErr(t, `json.decode([==[`+tt.text+`]==])`)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
	if msg := runErr(t, `json.decode({})`); !strings.Contains(msg, "json.decode: bad argument #1: expected a string, got table") {
		t.Errorf("non-string argument: %q", msg)
	}
}

func TestDecodeErrorIsCatchable(t *testing.T) {
	got := run(t, `local ok, err = pcall(json.decode, "nope"); print(ok, err)`)
	if !strings.HasPrefix(got, "false\ttest.lua:2: json.decode: invalid character 'o' in literal null (expecting 'u') at offset 2 (line 1, column 2)") {
		t.Errorf("pcall(json.decode, \"nope\") printed %q", got)
	}
}

func TestArray(t *testing.T) {
	got := run(t, `
local t = {}
local r = json.array(t)
assert(r == t, "json.array must return the table it marks")
print(json.encode(t))
table.insert(t, "x")
print(json.encode(t))
print(json.encode(json.array({1, 2, 3})))
print(json.encode(json.array(json.array({}))))`)
	if want := "[]\n[\"x\"]\n[1,2,3]\n[]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	tests := []struct{ src, want string }{
		{`json.array({a = 1})`, `json.array: the table has the key "a"; an array holds only the keys 1..n`},
		{`json.array({[1] = 1, [3] = 3})`, `json.array: the table has the key 3`},
		{`json.array({[1.5] = 1})`, `json.array: the table has the key 1.5`},
		{`json.array(setmetatable({}, {}))`, `json.array: the table already has a metatable`},
		{`json.array("x")`, `json.array: bad argument #1: expected a table or nothing, got string`},
	}
	for _, tt := range tests {
		if msg := runErr(t, tt.src); !strings.Contains(msg, tt.want) {
			t.Errorf("%s: error %q does not contain %q", tt.src, msg, tt.want)
		}
	}
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/json_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	if out := runtimetest.MustRun(t, string(src), opts()); out != "ok\n" {
		t.Errorf("json_test.lua printed %q, want \"ok\\n\"", out)
	}
}

package runtime_test

import (
	"context"
	"fmt"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// BenchmarkNewState is the cost of a fresh sandboxed state plus running an
// empty compiled script: the fixed price of every exorun run.
func BenchmarkNewState(b *testing.B) {
	sc, err := runtime.Compile("empty.lua", nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		st := runtime.New(runtime.Options{})
		if err := st.Run(ctx, sc); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

// record30 is a mailbox-like record of 30 properties of the kinds Exchange
// returns: strings, numbers, booleans, dates and string collections.
func record30() map[string]any {
	r := map[string]any{}
	for i := range 12 {
		r[fmt.Sprintf("StringProp%02d", i)] = fmt.Sprintf("value-%d@contoso.onmicrosoft.com", i)
	}
	for i := range 8 {
		r[fmt.Sprintf("NumberProp%02d", i)] = int64(1000 * i)
	}
	for i := range 6 {
		r[fmt.Sprintf("BoolProp%02d", i)] = i%2 == 0
	}
	for i := range 4 {
		r[fmt.Sprintf("ListProp%02d", i)] = []any{"SMTP:a@contoso.com", "smtp:b@contoso.com"}
	}
	return r
}

// BenchmarkToLuaRecord30 is the cost of turning one 30-field Go record into
// a Lua table, the per-object price of streaming cmdlet results to Lua.
func BenchmarkToLuaRecord30(b *testing.B) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	rec := record30()
	b.ReportAllocs()
	for b.Loop() {
		_ = runtime.ToLua(L, rec)
	}
}

// workLoop is CPU-bound Lua of the kind reports run per object: table
// building, field access, built-in calls and string work, no patterns
// (their matcher is measured in luapattern).
const workLoop = `
local rows = {}
for i = 1, 20000 do
  local r = {id = i, name = "user" .. i, size = i * 1024, tags = {"a", "b"}}
  r.kb = math.floor(r.size / 1024)
  r.upper = string.upper(r.name)
  r.short = string.sub(r.name, 1, 4)
  table.insert(rows, r)
end
local total = 0
for _, r in ipairs(rows) do
  if r.kb % 2 == 0 then total = total + #r.upper + #tostring(r.id) end
end
return total
`

// BenchmarkWorkLoop runs workLoop in a fresh state under a 1 GiB memory
// limit, as the CLI does by default: the price of the stop flag checked
// before every instruction, the built-in tracking and the heap watch.
func BenchmarkWorkLoop(b *testing.B) { benchScript(b, workLoop) }

// benchScript runs src in a fresh state per iteration under a 1 GiB
// memory limit, as the CLI does by default.
func benchScript(b *testing.B, src string) {
	sc, err := runtime.Compile("bench.lua", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		st := runtime.New(runtime.Options{Limits: runtime.Limits{Memory: 1 << 30}})
		if err := st.Run(ctx, sc); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

// concatLoop is the string building reports do per object: a CSV-like
// line of several pieces, and a small string grown piece by piece.
const concatLoop = `
local n = 0
for i = 1, 100000 do
  local line = "user" .. i .. "," .. (i * 2) .. ",mailbox," .. "contoso.com"
  n = n + #line
end
local s = ""
for i = 1, 2000 do s = s .. "x" end
return n + #s
`

func BenchmarkConcatLoop(b *testing.B) { benchScript(b, concatLoop) }

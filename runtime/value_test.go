package runtime_test

import (
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

func TestConversionRoundTrip(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	in := map[string]any{
		"Name":           "CBergin",
		"ItemCount":      int64(1234),
		"Ratio":          2.5,
		"Enabled":        true,
		"EmailAddresses": []any{"SMTP:c@contoso.com", "smtp:c2@contoso.com"},
		"Empty":          []any{},
		"Nested":         map[string]any{"Quota": "99 GB"},
	}
	back, err := runtime.FromLua(runtime.ToLua(L, in))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := runtime.EncodeJSON(runtime.ToLua(L, back), "")
	want := `{"EmailAddresses":["SMTP:c@contoso.com","smtp:c2@contoso.com"],"Empty":[],"Enabled":true,"ItemCount":1234,"Name":"CBergin","Nested":{"Quota":"99 GB"},"Ratio":2.5}`
	if string(got) != want {
		t.Fatalf("round trip:\n got %s\nwant %s", got, want)
	}
	if s := runtime.ToLua(L, time.Date(2024, 5, 22, 16, 52, 26, 0, time.UTC)); s != lua.LString("2024-05-22T16:52:26Z") {
		t.Errorf("time converts to %v", s)
	}
}

func TestFromLuaRefusesFunctionsAndCycles(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	cyc := L.NewTable()
	cyc.RawSetString("self", cyc)
	if _, err := runtime.FromLua(cyc); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("cycle: %v", err)
	}
	fn := L.NewTable()
	fn.RawSetString("f", L.NewFunction(func(*lua.LState) int { return 0 }))
	if _, err := runtime.FromLua(fn); err == nil || !strings.Contains(err.Error(), "f: cannot convert a function") {
		t.Errorf("function: %v", err)
	}
}

func TestTextAndFormat(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	arr := runtime.ToLua(L, []any{"a", int64(2)})
	if got := runtime.Text(arr); got != "a, 2" {
		t.Errorf("Text(array) = %q", got)
	}
	if got := runtime.Text(lua.LNumber(3)); got != "3" {
		t.Errorf("Text(3) = %q", got)
	}
	long := runtime.ToLua(L, map[string]any{"DisplayName": strings.Repeat("x", 70), "n": 1})
	if got := runtime.Format(long); !strings.Contains(got, "\n  DisplayName = ") {
		t.Errorf("a long table should be indented, got %q", got)
	}
}

func TestUnionKeys(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`rows = {{Name = "a", Quota = 1}, {Name = "b", Alias = "x", [1] = "list part"}, {}}`); err != nil {
		t.Fatal(err)
	}
	rows := L.GetGlobal("rows").(*lua.LTable)
	var tables []*lua.LTable
	for i := 1; i <= rows.Len(); i++ {
		tables = append(tables, rows.RawGetInt(i).(*lua.LTable))
	}
	if got := strings.Join(runtime.UnionKeys(tables), ","); got != "Alias,Name,Quota" {
		t.Errorf("UnionKeys = %q, want the sorted string keys of every row once", got)
	}
	if got := runtime.UnionKeys(nil); got == nil || len(got) != 0 {
		t.Errorf("UnionKeys(nil) = %#v, want an empty list", got)
	}
}

package decode

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzObject: never a panic; a valid JSON object always decodes, and to
// what the reference decoder makes of it; invalid JSON never decodes.
func FuzzObject(f *testing.F) {
	if raw, err := os.ReadFile("testdata/mailbox.json"); err == nil {
		f.Add(raw)
	}
	for _, s := range []string{
		`{}`, `{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00\/"}`,
		`{"d@data.type":"System.DateTime","d":"2022-06-29T17:57:03","e":"/Date(1656525423000+0200)/"}`,
		`{"d":["2022-06-29T17:57:03.1"],"d@odata.type":"#Collection(DateTimeOffset)"}`,
		`{"w":"2022-06-29T17:57:03.0000000+02:00","x":"0001-01-01T00:00:00.0000000Z"}`,
		`{"Q":"1.5 MB (1,572,864 bytes)","QBytes":null,"R":"Unlimited","S":"0 B (0 bytes)"}`,
		`{"n":[-0,1e400,9007199254740993,0.1e-2]}`, `{"a":1,"a":null}`, "{\"\xff\":\"\xc3\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		d := New()
		got, err := d.Object(L, raw)
		valid := json.Valid(raw)
		object := valid && bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("{"))
		switch {
		case object && err != nil:
			t.Fatalf("valid object refused: %v", err)
		case !valid && err == nil:
			t.Fatal("invalid JSON decoded")
		case !object:
			return
		}
		// encoding/json refuses numbers beyond float64; then there is
		// nothing to compare.
		if want, err := reference(L, raw); err == nil && !equalLua(got, want) {
			t.Fatal("differs from the reference decoder")
		}
		// Again as rows of one shape: the same table, keys in the same order.
		for range 2 {
			again, err := d.Object(L, raw)
			if err != nil || !equalLua(again, got) || !slices.Equal(keyOrder(again), keyOrder(got)) {
				t.Fatalf("decoded again: %v", err)
			}
		}
	})
}

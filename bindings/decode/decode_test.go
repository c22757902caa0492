package decode

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/bits"
	"os"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

func newState(t testing.TB) *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	t.Cleanup(L.Close)
	return L
}

func mailbox(t testing.TB) []byte {
	raw, err := os.ReadFile("testdata/mailbox.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRules decodes small objects and checks them as JSON (sorted keys,
// arrays as [] even when empty), one rule at a time.
func TestRules(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// Annotations.
		{"annotations dropped",
			`{"@odata.type":"#Exchange.GenericHashTable","@odata.id":"x","E@odata.type":"#Collection(String)","G@data.type":"System.Guid","G@odata.type":"#Guid","G":"2be9c4d1-8f3a-4e6b-b0d2-7a1c5e9f3b86","E":["a"]}`,
			`{"E":["a"],"G":"2be9c4d1-8f3a-4e6b-b0d2-7a1c5e9f3b86"}`},
		{"annotation with non-string value", `{"@odata.count":3,"x@odata.nav":{"a":[1]},"a":1}`, `{"a":1}`},
		{"other @ keys kept", `{"@adminapi.warnings":[],"a@b":1}`, `{"@adminapi.warnings":[],"a@b":1}`},
		{"nested annotations dropped",
			`{"H":{"@odata.type":"#Exchange.GenericHashTable","Add":"pedro@contoso.com","Inner":{"@odata.type":"#Exchange.GenericHashTable","x":[{"@odata.type":"#T","y":1}]}}}`,
			`{"H":{"Add":"pedro@contoso.com","Inner":{"x":[{"y":1}]}}}`},

		// Values.
		{"scalars", `{"s":"x","n":42,"f":-2.5,"e":1.5e3,"t":true,"b":false,"z":-0}`,
			`{"b":false,"e":1500,"f":-2.5,"n":42,"s":"x","t":true,"z":0}`},
		{"null is absent", `{"a":null,"b":1}`, `{"b":1}`},
		{"last duplicate wins", `{"a":1,"a":2,"b":1,"b":null}`, `{"a":2}`},
		{"empty typed collection", `{"G@odata.type":"#Collection(String)","G":[]}`, `{"G":[]}`},
		{"empty untyped array", `{"G":[]}`, `{"G":[]}`},
		{"nulls left out of arrays", `{"a":[null,"x",null,"y"]}`, `{"a":["x","y"]}`},
		{"nested arrays", `{"a":[[],[1,[2]],{}]}`, `{"a":[[],[1,[2]],{}]}`},
		{"empty object", `{}`, `{}`},
		{"whitespace", " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n", `{"a":[1,2],"b":{}}`},

		// Dates.
		{"round trip +00:00", `{"d":"2022-06-29T17:57:03.0000000+00:00"}`, `{"d":"2022-06-29T17:57:03Z"}`},
		{"round trip Z", `{"d":"2022-06-29T17:57:03.0000000Z"}`, `{"d":"2022-06-29T17:57:03Z"}`},
		{"round trip offset", `{"d":"2022-06-29T01:57:03.0000000+02:30"}`, `{"d":"2022-06-28T23:27:03Z"}`},
		{"round trip fraction", `{"d":"2024-05-22T16:52:26.3650000+00:00"}`, `{"d":"2024-05-22T16:52:26.365Z"}`},
		{"round trip min value", `{"d":"0001-01-01T00:00:00.0000000+00:00"}`, `{"d":"0001-01-01T00:00:00Z"}`},
		{"ms date", `{"d":"/Date(1656525423000)/"}`, `{"d":"2022-06-29T17:57:03Z"}`},
		{"ms date escaped", `{"d":"\/Date(1656525423250)\/"}`, `{"d":"2022-06-29T17:57:03.25Z"}`},
		{"ms date with zone", `{"d":"/Date(1656525423000+0200)/"}`, `{"d":"2022-06-29T17:57:03Z"}`},
		{"ms date negative", `{"d":"/Date(-1000)/"}`, `{"d":"1969-12-31T23:59:59Z"}`},
		{"annotated no zone", `{"d@data.type":"System.DateTime","d":"2022-06-29T17:57:03"}`, `{"d":"2022-06-29T17:57:03Z"}`},
		{"annotated offset", `{"d@odata.type":"#DateTimeOffset","d":"2022-06-29T17:57:03.5-01:00"}`, `{"d":"2022-06-29T18:57:03.5Z"}`},
		{"annotation after value", `{"d":"2022-06-29T17:57:03.120","d@data.type":"System.DateTime"}`, `{"d":"2022-06-29T17:57:03.12Z"}`},
		{"annotated collection", `{"d@odata.type":"#Collection(DateTimeOffset)","d":["2022-06-29T17:57:03",null,"x"]}`, `{"d":["2022-06-29T17:57:03Z","x"]}`},
		{"annotated collection after", `{"d":["2022-06-29T17:57:03"],"d@odata.type":"#Collection(Edm.DateTimeOffset)"}`, `{"d":["2022-06-29T17:57:03Z"]}`},
		{"annotation names another field", `{"e@data.type":"System.DateTime","d":"2022-06-29T17:57:03"}`, `{"d":"2022-06-29T17:57:03"}`},
		{"nested date", `{"h":{"d":"2022-06-29T17:57:03.0000000+00:00","a":["/Date(0)/"]}}`, `{"h":{"a":["1970-01-01T00:00:00Z"],"d":"2022-06-29T17:57:03Z"}}`},
		{"no zone unannotated", `{"d":"2022-06-29T17:57:03.0000000"}`, `{"d":"2022-06-29T17:57:03.0000000"}`},
		{"RFC 3339 unannotated", `{"d":"2022-06-29T17:57:03+02:00"}`, `{"d":"2022-06-29T17:57:03+02:00"}`},
		{"impossible date", `{"d":"2022-02-29T17:57:03.0000000Z","e":"2022-06-29T24:00:00.0000000Z","f":"2022-06-29T17:57:03.0000000+24:00"}`,
			`{"d":"2022-02-29T17:57:03.0000000Z","e":"2022-06-29T24:00:00.0000000Z","f":"2022-06-29T17:57:03.0000000+24:00"}`},
		{"not an ms date", `{"a":"/Date()/","b":"/Date(+1)/","c":"/Date(99999999999999999999)/"}`,
			`{"a":"/Date()/","b":"/Date(+1)/","c":"/Date(99999999999999999999)/"}`},
		{"guid as sent", `{"g":"2BE9C4D1-8F3A-4E6B-B0D2-7A1C5E9F3B86"}`, `{"g":"2BE9C4D1-8F3A-4E6B-B0D2-7A1C5E9F3B86"}`},

		// Byte quantities.
		{"quantity GB", `{"Q":"99 GB (106,300,440,576 bytes)"}`, `{"Q":"99 GB (106,300,440,576 bytes)","QBytes":106300440576}`},
		{"quantity zero", `{"Q":"0 B (0 bytes)"}`, `{"Q":"0 B (0 bytes)","QBytes":0}`},
		{"quantity decimal", `{"Q":"1.5 MB (1,572,864 bytes)"}`, `{"Q":"1.5 MB (1,572,864 bytes)","QBytes":1572864}`},
		{"quantity KB TB PB", `{"K":"256 KB (262,144 bytes)","T":"1 TB (1,099,511,627,776 bytes)","P":"1 PB (1,125,899,906,842,624 bytes)"}`,
			`{"K":"256 KB (262,144 bytes)","KBytes":262144,"P":"1 PB (1,125,899,906,842,624 bytes)","PBytes":1125899906842624,"T":"1 TB (1,099,511,627,776 bytes)","TBytes":1099511627776}`},
		{"quantity beyond uint64", `{"Q":"1 PB (123,456,789,012,345,678,901,234 bytes)","R":"1 B (99999999999999999999 bytes)"}`,
			`{"Q":"1 PB (123,456,789,012,345,678,901,234 bytes)","QBytes":1.2345678901234569e+23,"R":"1 B (99999999999999999999 bytes)","RBytes":100000000000000000000}`},
		{"unlimited", `{"Q":"Unlimited"}`, `{"Q":"Unlimited"}`},
		{"not quantities", `{"a":"99 GB","b":"99 XB (1 bytes)","c":"99 GB (1 bytes) ","d":"99 GB (1.5 bytes)","e":"GB (1 bytes)","f":"9 GB (, bytes)","g":"9 GB  (1 bytes)"}`,
			`{"a":"99 GB","b":"99 XB (1 bytes)","c":"99 GB (1 bytes) ","d":"99 GB (1.5 bytes)","e":"GB (1 bytes)","f":"9 GB (, bytes)","g":"9 GB  (1 bytes)"}`},
		{"own Bytes field kept", `{"QBytes":5,"Q":"1 KB (1,024 bytes)","RBytes":null,"R":"1 B (1 bytes)"}`,
			`{"Q":"1 KB (1,024 bytes)","QBytes":5,"R":"1 B (1 bytes)","RBytes":1}`},
		{"quantity replaced by a duplicate", `{"a":"1 B (1 bytes)","a":true,"b":"2 B (2 bytes)","b":"2 B (2 bytes)"}`, `{"a":true,"b":"2 B (2 bytes)","bBytes":2}`},
		{"quantity top level only", `{"h":{"Q":"1 B (1 bytes)"},"a":["1 B (1 bytes)"]}`, `{"a":["1 B (1 bytes)"],"h":{"Q":"1 B (1 bytes)"}}`},
	}
	L := newState(t)
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := d.Object(L, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			// The same object again is a row of the same shape.
			for range 2 {
				again, err := d.Object(L, []byte(tt.in))
				if err != nil || !equalLua(again, tb) || !slices.Equal(keyOrder(again), keyOrder(tb)) {
					t.Fatalf("decoded again: %v, %v, keys %v, want %v", err, equalLua(again, tb), keyOrder(again), keyOrder(tb))
				}
			}
			got, err := runtime.EncodeJSON(tb, "")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
			ref, err := reference(L, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !equalLua(tb, ref) {
				refJSON, _ := runtime.EncodeJSON(ref, "")
				t.Errorf("differs from the reference %s", refJSON)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"escapes", `"a\"b\\c\/d\n\t\r\b\f"`, "a\"b\\c/d\n\t\r\b\f"},
		{"unicode escapes", `"\u00e9\u20AC\ud83d\ude00"`, "é€😀"},
		{"raw UTF-8", `"é€😀"`, "é€😀"},
		{"lone high surrogate", `"\ud83dx"`, "\uFFFDx"},
		{"lone low surrogate", `"\ude00"`, "\uFFFD"},
		{"high then non-surrogate", `"\ud83d\u0041"`, "\uFFFDA"},
		{"invalid UTF-8", "\"a\xffb\xc3\"", "a\uFFFDb\uFFFD"},
		{"invalid UTF-8 and escape", "\"\xff\\n\"", "\uFFFD\n"},
		{"DEL allowed", "\"\x7f\"", "\x7f"},
	}
	L := newState(t)
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"k":` + tt.in + `,` + strings.Replace(tt.in, `"`, `"k2`, 1) + `:1}`
			tb, err := d.Object(L, []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if got := tb.RawGetString("k"); got != lua.LString(tt.want) {
				t.Errorf("value %q, want %q", got, tt.want)
			}
			if got := tb.RawGetString("k2" + tt.want); got != lua.LNumber(1) {
				t.Errorf("key %q missing: %v", "k2"+tt.want, runtime.SortedKeys(tb))
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0", 0}, {"-7", -7}, {"123456789012345", 123456789012345},
		{"9007199254740993", 9007199254740992}, // beyond 2^53: rounded
		{"-9223372036854775809", -9223372036854775808},
		{"0.1", 0.1}, {"1E2", 100}, {"1e-2", 0.01}, {"-1.25e+2", -125},
		{"1e400", math.Inf(1)}, {"-1e400", math.Inf(-1)},
	}
	L := newState(t)
	d := New()
	for _, tt := range tests {
		tb, err := d.Object(L, []byte(`{"n":`+tt.in+`}`))
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := tb.RawGetString("n"); got != lua.LNumber(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.in, got, tt.want)
		}
	}
	tb, _ := d.Object(L, []byte(`{"n":-0}`))
	if n := tb.RawGetString("n").(lua.LNumber); !math.Signbit(float64(n)) {
		t.Error("-0 lost its sign")
	}
}

func TestMalformed(t *testing.T) {
	deep := func(n int) string { return `{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}` }
	for _, in := range []string{
		"", " ", "[]", "1", `"s"`, "null", "{", `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`,
		`{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":tru}`,
		`{"a":nul}`, `{"a":True}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, "{\"a\":\"\x01\"}",
		"{\"a\x0a\":1}", `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":[`, `{"a":"x`, `{"a":"x\`, `{"a":{"b":1}`,
		`{} {}`, `{}x`, `{"a":1}}`, `{"a":NaN}`, "\xef\xbb\xbf{}", `{"a"::1}`, `{,}`, `{"a":1,,"b":2}`,
		deep(maxDepth), // one level more than encoding/json allows, with the object
	} {
		L := newState(t)
		if strings.HasPrefix(in, "{") && json.Valid([]byte(in)) {
			t.Errorf("test input %q is a valid object", in)
		}
		_, err := New().Object(L, []byte(in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%.40q: error %v, want *SyntaxError", in, err)
			continue
		}
		if se.Offset < 0 || se.Offset > len(in) || !strings.Contains(se.Error(), "offset") {
			t.Errorf("%.40q: bad error %v", in, se)
		}
	}
	if in := deep(maxDepth - 1); !json.Valid([]byte(in)) {
		t.Errorf("depth %d is not valid JSON", maxDepth)
	} else if _, err := New().Object(newState(t), []byte(in)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
}

func TestErrorOffset(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,}`:          "decode: expected a property name at offset 7",
		`{"a":tru}`:         "decode: invalid character 't' at offset 5",
		"{\"a\":\"x\x01\"}": "decode: control character in string at offset 7",
		`{"a":[1 2]}`:       "decode: expected ',' or ']' at offset 8",
		`{"a":1} x`:         "decode: unexpected data after the object at offset 8",
		`{"a":"x`:           "decode: unexpected end of input at offset 7",
		`[]`:                "decode: expected a JSON object at offset 0",
	} {
		_, err := New().Object(newState(t), []byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %s", in, err, want)
		}
	}
}

// TestMailbox checks the realistic sample against the reference decoder and
// spot-checks what scripts read most.
func TestMailbox(t *testing.T) {
	L := newState(t)
	raw := mailbox(t)
	got, err := New().Object(L, raw)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reference(L, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !equalLua(got, want) {
		g, _ := runtime.EncodeJSON(got, "  ")
		w, _ := runtime.EncodeJSON(want, "  ")
		t.Fatalf("differs from the reference:\n got %s\nwant %s", g, w)
	}
	for k, v := range map[string]lua.LValue{
		"Name":                   lua.LString("CBergin"),
		"ExchangeGuid":           lua.LString("2be9c4d1-8f3a-4e6b-b0d2-7a1c5e9f3b86"),
		"WhenCreated":            lua.LString("2022-06-29T17:57:03Z"),
		"WhenChanged":            lua.LString("2024-05-22T16:52:26.365Z"),
		"ProhibitSendQuota":      lua.LString("99 GB (106,300,440,576 bytes)"),
		"ProhibitSendQuotaBytes": lua.LNumber(106300440576),
		"MaxSendSizeBytes":       lua.LNumber(36700160),
		"RetainDeletedItemsFor":  lua.LString("14.00:00:00"),
		"LitigationHoldEnabled":  lua.LTrue,
		"ForwardingSmtpAddress":  lua.LNil,
		"Office":                 lua.LString(""),
	} {
		if g := got.RawGetString(k); g != v {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
	for _, k := range runtime.SortedKeys(got) {
		if strings.Contains(k, "@") {
			t.Errorf("annotation %s kept", k)
		}
	}
	js, _ := runtime.EncodeJSON(got, "")
	if !strings.Contains(string(js), `"GrantSendOnBehalfTo":[]`) {
		t.Errorf("empty collection is not []: %s", js)
	}
}

// TestTruncated cuts the sample at every byte: each prefix is an error.
func TestTruncated(t *testing.T) {
	L := newState(t)
	raw := bytes.TrimSpace(mailbox(t))
	d := New()
	for i := range raw {
		if _, err := d.Object(L, raw[:i]); err == nil {
			t.Fatalf("no error for the first %d bytes", i)
		}
	}
}

// TestReuse checks that a Decoder is clean after an error midway through
// nested containers.
func TestReuse(t *testing.T) {
	L := newState(t)
	raw := mailbox(t)
	d := New()
	want, err := d.Object(L, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"a":[1,{"b":[2,{"c":`, `{"d@data.type":"System.DateTime","x":{"d@data.type":"System.DateTime"`} {
		if _, err := d.Object(L, []byte(bad)); err == nil {
			t.Fatalf("%s decoded", bad)
		}
		if len(d.items)+len(d.pairs)+len(d.notes) != 0 || d.data != nil || d.ls != nil {
			t.Fatal("state left behind")
		}
		got, err := d.Object(L, raw)
		if err != nil || !equalLua(got, want) {
			t.Fatalf("after %s: %v", bad, err)
		}
	}
}

func TestZeroDecoder(t *testing.T) {
	var d Decoder
	tb, err := d.Object(newState(t), mailbox(t))
	if err != nil || tb.RawGetString("Name") != lua.LString("CBergin") {
		t.Fatalf("zero Decoder: %v", err)
	}
}

// TestNoReferenceToInput: changing the input afterwards changes nothing.
func TestNoReferenceToInput(t *testing.T) {
	L := newState(t)
	raw := mailbox(t)
	got, err := New().Object(L, raw)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := runtime.EncodeJSON(got, "")
	for i := range raw {
		raw[i] = 'x'
	}
	if after, _ := runtime.EncodeJSON(got, ""); string(after) != string(before) {
		t.Error("the table shares memory with the input")
	}
}

// TestSpecials checks the SWAR scan against the plain rule, for every byte
// value at every position of a word.
func TestSpecials(t *testing.T) {
	plain := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	for _, fill := range []byte{'a', '~', ' ', '!', '#', '[', ']'} {
		for pos := range 8 {
			for c := range 256 {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(c)
				m := specials(binary.LittleEndian.Uint64(w))
				want := plain(byte(c))
				if got := m != 0; got != want {
					t.Fatalf("%q: flagged %v, want %v", w, got, want)
				}
				if want && bits.TrailingZeros64(m)/8 != pos {
					t.Fatalf("%q: first flag at %d, want %d", w, bits.TrailingZeros64(m)/8, pos)
				}
			}
		}
	}
	// Two specials: the lowest flag is the first one.
	for i := range 8 {
		for j := i + 1; j < 8; j++ {
			for _, c := range []byte{0, 0x1f, '"', '\\', 0x80, 0xff} {
				w := bytes.Repeat([]byte{'a'}, 8)
				w[i], w[j] = c, 0x01
				if m := specials(binary.LittleEndian.Uint64(w)); bits.TrailingZeros64(m)/8 != i {
					t.Fatalf("%q: first flag at %d, want %d", w, bits.TrailingZeros64(m)/8, i)
				}
			}
		}
	}
}

// keyOrder lists the keys of t in the order next gives them.
func keyOrder(t *lua.LTable) []string {
	var keys []string
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		keys = append(keys, k.String())
	}
	return keys
}

// TestRows decodes rows the way a result page has them: the same names in
// the same order, with values, nulls and byte quantities that vary. From
// the second row on the rows share one shape; each must still decode as
// alone, with its keys in the order sent and <Name>Bytes after them.
func TestRows(t *testing.T) {
	rows := []string{
		`{"Name":"a","Q":"Unlimited","R":null,"H":{"x":1}}`,
		`{"Name":"b","Q":"Unlimited","R":"x","H":{}}`,
		`{"Name":"c","Q":"1 KB (1,024 bytes)","R":null,"H":null}`, // a quantity the shape lacks
		`{"Name":"d","Q":"Unlimited","R":"y","H":{"y":2}}`,
		`{"Name":"e","Q":"2 KB (2,048 bytes)","R":null,"H":{}}`,
		`{"Name":"f","Q":"1 B (1 bytes)","R":"2 B (2 bytes)","H":{}}`,
		`{"Name":"g","Name":"h","Q":"Unlimited","H":{}}`, // a repeated name
		`{"Name":"i","Q":"Unlimited","R":"z","H":{}}`,
		`{"QBytes":7,"Q":"1 B (1 bytes)"}`,
		`{"QBytes":7,"Q":"1 B (1 bytes)"}`, // its own QBytes wins, shaped too
		`{"QBytes":null,"Q":"1 B (1 bytes)"}`,
		// Quantities shown first by a later name.
		`{"A":"x","B":"x"}`,
		`{"A":"x","B":"1 KB (1,024 bytes)"}`,
		`{"A":"1 KB (1,024 bytes)","B":"1 KB (1,024 bytes)"}`,
	}
	L := newState(t)
	d := New()
	for i, row := range rows {
		got, err := d.Object(L, []byte(row))
		if err != nil {
			t.Fatal(err)
		}
		alone, err := New().Object(L, []byte(row))
		if err != nil {
			t.Fatal(err)
		}
		if !equalLua(got, alone) || !slices.Equal(keyOrder(got), keyOrder(alone)) {
			g, _ := runtime.EncodeJSON(got, "")
			a, _ := runtime.EncodeJSON(alone, "")
			t.Errorf("row %d: %s keys %v\nalone: %s keys %v", i, g, keyOrder(got), a, keyOrder(alone))
		}
	}
	// A row of a shape takes its values slice, the table and its values,
	// not a map per row.
	raw := mailbox(t)
	if _, err := d.Object(L, raw); err != nil {
		t.Fatal(err)
	}
	plain := testing.AllocsPerRun(20, func() {
		clear(d.rows) // forget the shape: built key by key
		_, _ = d.Object(L, raw)
	})
	_, _ = d.Object(L, raw)
	shaped := testing.AllocsPerRun(20, func() { _, _ = d.Object(L, raw) })
	if shaped > plain/2 {
		t.Errorf("a shaped row took %.0f allocations, a row built key by key %.0f", shaped, plain)
	}
}

// TestInterleavedRows: rows of a few kinds in turn (a mailbox, then its
// statistics, then the next mailbox) each keep their shape.
func TestInterleavedRows(t *testing.T) {
	full, err := os.ReadFile("testdata/mailboxes-emulator.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	kinds := [][]byte{mailbox(t), bytes.SplitN(full, []byte("\n"), 2)[0], []byte(`{"DisplayName":"x","ItemCount":3,"TotalItemSize":"1 KB (1,024 bytes)"}`)}
	L := newState(t)
	d := New()
	for range 3 {
		for i, raw := range kinds {
			got, err := d.Object(L, raw)
			if err != nil {
				t.Fatal(err)
			}
			alone, _ := New().Object(L, raw)
			if !equalLua(got, alone) || !slices.Equal(keyOrder(got), keyOrder(alone)) {
				t.Fatalf("kind %d decodes differently among others", i)
			}
		}
	}
	for i, raw := range kinds[:2] {
		// The allocations of raw's row after the others, shaped and not.
		row := func(shaped bool) float64 {
			return testing.AllocsPerRun(10, func() {
				for _, other := range kinds {
					_, _ = d.Object(L, other)
				}
				if !shaped {
					clear(d.rows)
				}
				_, _ = d.Object(L, raw)
			}) - testing.AllocsPerRun(10, func() {
				for _, other := range kinds {
					_, _ = d.Object(L, other)
				}
			})
		}
		if shaped, plain := row(true), row(false); shaped > plain/2 {
			t.Errorf("kind %d among others took %.0f allocations, built key by key %.0f", i, shaped, plain)
		}
	}
}

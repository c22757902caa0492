package adminapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/jsoncases"
)

type mode string

func TestEncodeBodyEveryType(t *testing.T) {
	start := time.Date(2024, 5, 22, 18, 52, 10, 123456789, time.FixedZone("CEST", 2*3600))
	params := map[string]any{
		"Identity":   "user@contoso.com",
		"ResultSize": 10,
		"Ratio":      1.5,
		"Whole":      float64(5),
		"Confirm":    false,
		"Force":      true,
		"Members":    []string{"a", "b"},
		"Mixed":      []any{"x", 2, true},
		"EmailAddresses": map[string]any{
			"Add":    "pedro@contoso.com",
			"Remove": []any{"a@b"},
			"Nested": map[string]any{"K": "v"},
		},
		"Rules":  []map[string]any{{"Name": "r1"}, {"Name": "r2", "Opts": map[string]any{"A": 1}}},
		"Tables": []any{map[string]any{"B": 2}, map[string]string{"C": "3"}},
		"Photo":  []byte{1, 2, 3},
		"Certs":  [][]byte{{1}, {2}},
		"Start":  start,
		"Retain": 30*24*time.Hour + 90*time.Minute,
		"Short":  1500 * time.Millisecond,
		"Empty":  nil,
		"Text":   "a\"b\\c\n<tag>&é\u2028",
		"Mode":   mode("Full"),
		"Addr":   net.IPv4(10, 0, 0, 1),
		"Big":    uint64(1 << 40),
		"Tiny":   1e-9,
	}
	got, err := encodeBody("Set-Mailbox", params)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"CmdletInput":{"CmdletName":"Set-Mailbox","Parameters":{` +
		`"Addr":"10.0.0.1",` +
		`"Big":1099511627776,` +
		`"Certs@odata.type":"#Collection(Exchange.ByteArrayType)","Certs":[{"@odata.type":"#Exchange.ByteArrayType","Data":"AQ=="},{"@odata.type":"#Exchange.ByteArrayType","Data":"Ag=="}],` +
		`"Confirm":false,` +
		`"EmailAddresses":{"@odata.type":"#Exchange.GenericHashTable","Add":"pedro@contoso.com","Nested":{"@odata.type":"#Exchange.GenericHashTable","K":"v"},"Remove":["a@b"]},` +
		`"Empty":null,` +
		`"Force":true,` +
		`"Identity":"user@contoso.com",` +
		`"Members":["a","b"],` +
		`"Mixed":["x",2,true],` +
		`"Mode":"Full",` +
		`"Photo":{"@odata.type":"#Exchange.ByteArrayType","Data":"AQID"},` +
		`"Ratio":1.5,` +
		`"ResultSize":10,` +
		`"Retain":"30.01:30:00",` +
		`"Rules@odata.type":"#Collection(Exchange.GenericHashTable)","Rules":[{"Name":"r1"},{"Name":"r2","Opts":{"@odata.type":"#Exchange.GenericHashTable","A":1}}],` +
		`"Short":"00:00:01.5000000",` +
		`"Start":"2024-05-22T16:52:10.1234567Z",` +
		`"Tables@odata.type":"#Collection(Exchange.GenericHashTable)","Tables":[{"B":2},{"C":"3"}],` +
		`"Text":"a\"b\\c\n<tag>&é\u2028",` +
		`"Tiny":1e-9,` +
		`"Whole":5` +
		`}}}`
	if string(got) != want {
		t.Fatalf("body mismatch\n got: %s\nwant: %s", got, want)
	}
	if !json.Valid(got) {
		t.Fatal("body is not valid JSON")
	}
	// Deterministic: the same map gives the same bytes every time.
	for range 20 {
		again, _ := encodeBody("Set-Mailbox", params)
		if string(again) != want {
			t.Fatal("encoding is not deterministic")
		}
	}
}

func TestEncodeBodyEmptyParameters(t *testing.T) {
	got, err := encodeBody("Get-Mailbox", nil)
	if err != nil || string(got) != `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{}}}` {
		t.Fatalf("%s %v", got, err)
	}
}

func TestEncodeRefusesUnknownTypes(t *testing.T) {
	for name, v := range map[string]any{
		"struct":  struct{ A int }{1},
		"chan":    make(chan int),
		"func":    func() {},
		"nan":     math.NaN(),
		"inf":     math.Inf(1),
		"nested":  map[string]any{"X": []any{struct{}{}}},
		"complex": complex(1, 2),
		"badraw":  json.RawMessage(`{`),
	} {
		_, err := encodeBody("Set-Mailbox", map[string]any{"P": v})
		if err == nil {
			t.Errorf("%s: encoded without error", name)
			continue
		}
		if !strings.Contains(err.Error(), "parameter P") {
			t.Errorf("%s: error does not name the parameter: %v", name, err)
		}
	}
	if _, err := encodeBody("Set-Mailbox", map[string]any{" ": 1}); err == nil {
		t.Error("empty parameter name accepted")
	}
}

func TestTimeSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                      "00:00:00",
		90 * time.Second:                       "00:01:30",
		23*time.Hour + 59*time.Minute:          "23:59:00",
		24 * time.Hour:                         "1.00:00:00",
		-(2*24*time.Hour + 3*time.Second):      "-2.00:00:03",
		time.Second + 100*time.Nanosecond:      "00:00:01.0000001",
		14*24*time.Hour + 250*time.Millisecond: "14.00:00:00.2500000",
	} {
		if got := timeSpan(d); got != want {
			t.Errorf("timeSpan(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSelectQuery(t *testing.T) {
	q, err := selectQuery([]string{"Name", "Exchange Guid"})
	if err != nil || q != "?$select=Name,Exchange+Guid" {
		t.Fatalf("%q %v", q, err)
	}
	if q, _ := selectQuery(nil); q != "" {
		t.Fatalf("empty select gave %q", q)
	}
	if _, err := selectQuery([]string{"A,B"}); err == nil {
		t.Fatal("a comma inside a name was accepted")
	}
}

// stringCases are the JSON string cases the client's and the emulator's
// encoders are both tested against.
func stringCases(t testing.TB) []jsoncases.StringCase {
	t.Helper()
	cases, err := jsoncases.StringEscapes()
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// referenceJSON is encoding/json's string encoding with HTML escaping off:
// the reference both sides' encoders match.
func referenceJSON(t testing.TB, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestAppendStringEscapeTable(t *testing.T) {
	for _, c := range stringCases(t) {
		if got := string(appendString(nil, c.In)); got != c.JSON {
			t.Errorf("string-escapes.txt:%d: appendString(%q) = %s, want %s", c.Line, c.In, got, c.JSON)
		}
	}
}

// FuzzAppendString checks appendString against encoding/json on any input,
// seeded with the shared cases.
func FuzzAppendString(f *testing.F) {
	for _, c := range stringCases(f) {
		f.Add(c.In)
	}
	f.Add("\x00\b\f\n\r\t\x1f\x7f\xff\u2028\u2029<>&é😀\"\\")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendString(nil, s)), referenceJSON(t, s); got != want {
			t.Errorf("appendString(%q) = %s, encoding/json says %s", s, got, want)
		}
	})
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	negZero := math.Copysign(0, -1) // a literal -0.0 is +0 in Go
	for _, f := range []float64{0, negZero, 1, -1, 0.5, 1e20, 1e21, 1.5e300, 1e-6, 1e-7, 1e-9, 123456789.125, -2.5e-10, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		got, err := appendFloat(nil, f, 64, "P")
		if err != nil {
			t.Fatalf("appendFloat(%v): %v", f, err)
		}
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, encoding/json says %s", f, got, want)
		}
	}
	if got, _ := appendFloat(nil, negZero, 64, "P"); string(got) != "-0" {
		t.Errorf("appendFloat(-0) = %s, want -0, as the emulator writes it", got)
	}
}

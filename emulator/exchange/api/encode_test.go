package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/internal/jsoncases"
)

// stdJSON is encoding/json's output without HTML escaping, the reference
// appendString and appendFloat must match.
func stdJSON(t *testing.T, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and \ backslash`, "ctrl \x00\x01\x1f\x7f", "\n\r\t\b\f",
		"<tag> & amp", "ünïcödé ✓ 😀", "bad \xff utf8 \xc3", "line\u2028sep\u2029", strings.Repeat("x", 5000),
	} {
		if got, want := string(appendString(nil, s)), stdJSON(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestAppendStringEscapeTable checks the cases the client's encoder is
// tested against too (package jsoncases): one table, so the two sides
// cannot drift apart again.
func TestAppendStringEscapeTable(t *testing.T) {
	cases, err := jsoncases.StringEscapes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := string(appendString(nil, c.In)); got != c.JSON {
			t.Errorf("string-escapes.txt:%d: appendString(%q) = %s, want %s", c.Line, c.In, got, c.JSON)
		}
	}
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	// A literal -0.0 is +0 in Go (constant arithmetic has no signed
	// zero); negative zero has to be made with Copysign.
	negZero := math.Copysign(0, -1)
	for _, f := range []float64{0, negZero, 1, -1, 0.5, 1e20, 1e21, 1.5e300, 1e-6, 1e-7, 123456789.125, -2.5e-10, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		if got, want := string(appendFloat(nil, f)), stdJSON(t, f); got != want {
			t.Errorf("appendFloat(%v) = %s, want %s", f, got, want)
		}
	}
	// Negative zero keeps its sign, as encoding/json writes it
	// (PROTOCOL.md says nothing of it): -0 is valid JSON and reads back
	// as negative zero, so the sign survives a round trip.
	if got := string(appendFloat(nil, negZero)); got != "-0" {
		t.Errorf("appendFloat(-0) = %s, want -0", got)
	}
	if got := string(appendProp(nil, "X", negZero)); got != `"X":-0` {
		t.Errorf("appendProp(-0) = %s, want \"X\":-0", got)
	}
}

func TestAppendPropEdgeValues(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{math.NaN(), `"X@odata.type":"#Double","X":"NaN"`},
		{math.Inf(-1), `"X@odata.type":"#Double","X":"-INF"`},
		{int64(math.MaxInt32), `"X":2147483647`},
		{int64(math.MinInt32 - 1), `"X@odata.type":"#Int64","X":-2147483649`},
		{[]exchange.Object{}, `"X@odata.type":"#Collection(Exchange.GenericHashTable)","X":[]`},
		{exchange.Object{}, `"X":{"@odata.type":"#Exchange.GenericHashTable"}`},
		{time.Time{}, `"X@data.type":"System.DateTime","X":"0001-01-01T00:00:00.0000000+00:00"`},
	} {
		if got := string(appendProp(nil, "X", tc.v)); got != tc.want {
			t.Errorf("appendProp(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestCheckObject(t *testing.T) {
	ok := exchange.Object{{Name: "A", Value: exchange.Object{{Name: "B", Value: []exchange.Object{{{Name: "C", Value: "x"}}}}}}}
	if err := checkObject(ok); err != nil {
		t.Errorf("valid object: %v", err)
	}
	bad := exchange.Object{{Name: "A", Value: []exchange.Object{{{Name: "C", Value: map[string]any{}}}}}}
	err := checkObject(bad)
	if err == nil || err.Error() != "property A: element 0: property C: unsupported value type map[string]interface {}" {
		t.Errorf("nested bad value: %v", err)
	}
}

func TestDecodeInput(t *testing.T) {
	for _, tc := range []struct{ body, err string }{
		{`[]`, "must be a JSON object"},
		{`{"CmdletInput":{"Parameters":{}}}`, "no CmdletName"},
		{`{"CmdletInput":{"CmdletName":"  "}}`, "no CmdletName"},
		{`{"CmdletInput":{"CmdletName":"Get-X","Parameters":{"A":{"@odata.type":"#Exchange.ByteArrayType"}}}}`, "parameter A: byte array has no Data"},
		{`{"CmdletInput":{"CmdletName":"Get-X","Parameters":{"A":[{"B":{"@odata.type":"#Exchange.ByteArrayType","Data":"%"}}]}}}`,
			"parameter A: element 0: key B: byte array Data is not base64"},
	} {
		_, err := decodeInput([]byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.body, err, tc.err)
		}
	}
	in, err := decodeInput([]byte(`{"CmdletInput":{"CmdletName":"Get-X","Parameters":null}}`))
	if err != nil || in.name != "Get-X" || in.params == nil || len(in.params) != 0 {
		t.Errorf("null Parameters: %+v %v", in, err)
	}
	// Unpadded base64, and an @ inside an ordinary key.
	in, err = decodeInput([]byte(`{"CmdletInput":{"CmdletName":"Get-X","Parameters":{"user@contoso.com":1,` +
		`"P":{"@odata.type":"#Exchange.ByteArrayType","Data":"aGk"}}}}`))
	if err != nil || string(in.params["P"].([]byte)) != "hi" || in.params["user@contoso.com"] != float64(1) {
		t.Errorf("params %#v, %v", in.params, err)
	}
}

func TestSkipToken(t *testing.T) {
	sum := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	tok := makeSkipToken(4242, sum)
	if off, err := parseSkipToken(tok, sum); err != nil || off != 4242 {
		t.Errorf("round trip: %d %v", off, err)
	}
	if _, err := parseSkipToken(tok, [8]byte{}); err == nil {
		t.Error("token accepted for another request")
	}
	for _, bad := range []string{"", "abc", "!!!!", makeSkipToken(math.MaxInt32+1, sum)} {
		if _, err := parseSkipToken(bad, sum); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

// benchBackend returns n objects of 30 properties of mixed types.
type benchBackend struct{ objs []exchange.Object }

func (b *benchBackend) Modelled(catalog.Service) []string { return []string{"Get-Mailbox"} }

func (b *benchBackend) Invoke(context.Context, exchange.Call) (*exchange.Result, error) {
	return exchange.Objects(b.objs), nil
}

func benchObjects(n int) []exchange.Object {
	when := time.Date(2022, 6, 29, 17, 57, 3, 0, time.UTC)
	objs := make([]exchange.Object, n)
	for i := range objs {
		o := make(exchange.Object, 0, 30)
		for p := range 30 {
			name := fmt.Sprintf("Property%02d", p)
			var v any
			switch p % 6 {
			case 0:
				v = fmt.Sprintf("value %d of mailbox %d", p, i)
			case 1:
				v = exchange.GUID(fmt.Sprintf("2be9c3a1-47a3-4fd4-9c2a-%012d", i))
			case 2:
				v = when
			case 3:
				v = []string{"SMTP:user@contoso.com", "smtp:alias@contoso.com"}
			case 4:
				v = int64(i * p)
			case 5:
				v = p%2 == 0
			}
			o = append(o, exchange.Prop{Name: name, Value: v})
		}
		objs[i] = o
	}
	return objs
}

// discard is a ResponseWriter that counts and drops the body.
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// BenchmarkPage1000x30 serves one page of 1,000 objects of 30 properties.
func BenchmarkPage1000x30(b *testing.B) { benchPage(b, "") }

// benchPage serves one page of 1,000 objects of 30 properties with the
// given Accept-Encoding ("": none) and reports the body bytes sent.
func benchPage(b *testing.B, acceptEncoding string) {
	h := New(Options{
		Backend:      &benchBackend{objs: benchObjects(1000)},
		Authenticate: fakeAuthenticator(b),
		BaseURL:      "https://127.0.0.1:8443",
		RateLimit:    math.MaxInt32,
	})
	body := []byte(cmdlet("Get-Mailbox"))
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.n = 0
		r := httptest.NewRequest("POST", "https://127.0.0.1:8443/adminapi/beta/"+tenantA+"/InvokeCommand", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer admin")
		r.Header.Set("Prefer", "odata.maxpagesize=1000")
		if acceptEncoding != "" {
			r.Header.Set("Accept-Encoding", acceptEncoding)
		}
		h.ServeHTTP(w, r)
	}
	b.ReportMetric(float64(w.n), "bytes/page")
}

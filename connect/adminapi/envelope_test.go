package adminapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"testing"
)

func TestParseEnvelope(t *testing.T) {
	body := `{"@odata.context":"https://x/$metadata#Collection(Exchange.GenericHashTable)",` +
		`"adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":["w1","w\"2"],` +
		`"value":[{"Name":"a \"quoted\" \\","N":-1.5e3,"B":true,"Z":null,"L":[1,[2,{"x":[]}],{}]}, {} ,` +
		`{"Emoji":"\u00e9\ud83d\ude00","Back":"\\\\"}],` +
		`"@adminapi.errors":[{"Message":"partial"}],"@odata.nextLink":"https://x/InvokeCommand?$skiptoken=a%2Fb"}`
	env, err := parseEnvelope([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Value    []json.RawMessage `json:"value"`
		Next     string            `json:"@odata.nextLink"`
		Warnings []string          `json:"@adminapi.warnings"`
	}
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if len(env.value) != len(want.Value) || env.next != want.Next || !slices.Equal(env.warnings, want.Warnings) ||
		len(env.errors) != 1 {
		t.Fatalf("got %+v", env)
	}
	for i := range want.Value {
		if !bytes.Equal(env.value[i], want.Value[i]) {
			t.Fatalf("object %d: %s, want %s", i, env.value[i], want.Value[i])
		}
	}
	for _, ok := range []string{`{}`, ` { "value" : null } `, `{"value":[]}`, `{"other":{"value":[1]}}`} {
		if _, err := parseEnvelope([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"value":{}}`, `{"value":[1,]}`, `{"value":[{"a":1}`,
		`{"value":[{"a" 1}]}`, `{"value":["unterminated]}`, `{"value":[tru]}`, `{} x`, `{"a":1,}`,
		`{"value":[{"a":1}]`, `{"@odata.nextLink":5}`, `{"@adminapi.warnings":"x"}`, "\x00\x00"} {
		if _, err := parseEnvelope([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Names match exactly, as the service writes them; escapes in a name
	// do not make it another name.
	for body, objects := range map[string]int{
		`{"Value":[{}],"VALUE":[{},{}],"vAlue":[1]}`: 0,
		`{"Value":[{}],"value":[1,2]}`:               2,
		`{"v\u0061lue":[{}],"val\u0075e\u0000":[1]}`: 1,
	} {
		env, err := parseEnvelope([]byte(body))
		if err != nil || len(env.value) != objects {
			t.Errorf("%s: %v, %v; want %d objects", body, env, err, objects)
		}
	}
	if env, err := parseEnvelope([]byte(`{"@odata.NextLink":"u","@adminapi.Warnings":["w"]}`)); err != nil || env.next != "" || env.warnings != nil {
		t.Errorf("case-variant nextLink and warnings were read: %+v, %v", env, err)
	}
	deep := bytes.Repeat([]byte("["), 100000)
	if _, err := parseEnvelope(append([]byte(`{"value":`), deep...)); err == nil {
		t.Error("deep nesting accepted")
	}
}

// FuzzParseEnvelope: whatever encoding/json accepts, the scanner reads the
// same way, and it never panics. The oracle walks the body with
// encoding/json's tokenizer and matches member names exactly, as the
// service writes them (PROTOCOL.md 3.4) and the scanner reads them;
// decoding into a struct would match "vAlue" to `json:"value"`, a
// case-insensitive convenience of encoding/json, not OData.
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{`{"value":[{"a":"b\"c"},[1,2],null,"s",1.5]}`, `{"@odata.nextLink":"u","value":[]}`,
		`{"value":[{"x":{"y":[{"z":"\\"}]}}],"@adminapi.warnings":["w"]}`,
		`{"Value":[1],"value":[{}],"VALUE":null}`, `{"v\u0061lue":[{}],"@odata.nextLin\u006b":"u"}`,
		`{"@odata.nextLink":5}`, `{"@adminapi.warnings":["a"],"@adminapi.warnings":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := parseEnvelope(body)
		if !json.Valid(body) {
			return // the scanner checks structure only; see envelope.go
		}
		want, ok := envelopeOracle(t, body)
		if !ok {
			return
		}
		if want.refused {
			if err == nil {
				t.Fatalf("accepted, encoding/json refuses %s: %q", want.why, body)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid envelope refused: %v: %q", err, body)
		}
		if env.next != want.next || !slices.Equal(env.warnings, want.warnings) || len(env.errors) != len(want.errors) {
			t.Fatalf("next %q warnings %q errors %d, encoding/json %q %q %d: %q",
				env.next, env.warnings, len(env.errors), want.next, want.warnings, len(want.errors), body)
		}
		if len(env.value) != len(want.value) {
			t.Fatalf("%d objects, encoding/json %d: %q", len(env.value), len(want.value), body)
		}
		for i := range want.value {
			if !bytes.Equal(env.value[i], want.value[i]) {
				t.Fatalf("object %d: %q, encoding/json %q", i, env.value[i], want.value[i])
			}
		}
	})
}

// oracleEnvelope is what encoding/json makes of a valid body, read with
// exact member names; refused says the scanner must refuse it, and why.
type oracleEnvelope struct {
	value, errors []json.RawMessage
	next          string
	warnings      []string
	refused       bool
	why           string
}

// envelopeOracle reads a valid JSON body as parseEnvelope should. ok is
// false for bodies the oracle does not judge: a repeated value member
// (RFC 8259 leaves duplicate names undefined; the service never sends
// them) and nesting deeper than the scanner's maxDepth.
func envelopeOracle(t *testing.T, body []byte) (want oracleEnvelope, ok bool) {
	if jsonDepth(t, body) > maxDepth {
		return want, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // 1e700 is valid JSON but no float64
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return oracleEnvelope{refused: true, why: "a body that is not an object"}, true
	}
	values := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("member name of valid JSON: %v", err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("member of valid JSON: %v", err)
		}
		// Each known member decodes as parseEnvelope decodes it, so a
		// repeated one ends the same way: the last wins.
		var target any
		switch name := tok.(string); name {
		case "value":
			if values++; values > 1 {
				return want, false
			}
			if string(raw) == "null" {
				continue
			}
			target = &want.value
		case "@odata.nextLink":
			target = &want.next
		case "@adminapi.warnings":
			target = &want.warnings
		case "@adminapi.errors":
			target = &want.errors
		default:
			continue
		}
		if err := json.Unmarshal(raw, target); err != nil {
			return oracleEnvelope{refused: true, why: fmt.Sprintf("%s: %v", tok, err)}, true
		}
	}
	return want, true
}

// jsonDepth is how deeply valid JSON nests.
func jsonDepth(t *testing.T, body []byte) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // 1e700 is valid JSON but no float64
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return deepest
		}
		if err != nil {
			t.Fatalf("tokens of valid JSON: %v", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

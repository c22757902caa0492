package adminapi

import (
	"bytes"
	"encoding/json"
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
	deep := bytes.Repeat([]byte("["), 100000)
	if _, err := parseEnvelope(append([]byte(`{"value":`), deep...)); err == nil {
		t.Error("deep nesting accepted")
	}
}

// FuzzParseEnvelope: whatever encoding/json accepts, the scanner splits
// the same way; and it never panics.
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{`{"value":[{"a":"b\"c"},[1,2],null,"s",1.5]}`, `{"@odata.nextLink":"u","value":[]}`,
		`{"value":[{"x":{"y":[{"z":"\\"}]}}],"@adminapi.warnings":["w"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := parseEnvelope(body)
		if !json.Valid(body) {
			return
		}
		var want struct {
			Value json.RawMessage `json:"value"`
		}
		if json.Unmarshal(body, &want) != nil {
			return
		}
		var values []json.RawMessage
		if json.Unmarshal(want.Value, &values) != nil && len(want.Value) > 0 && string(want.Value) != "null" {
			return // not an array: the scanner must refuse it
		}
		if err != nil {
			// encoding/json matches member names case-insensitively and
			// decodes escapes in them; the scanner does neither.
			if bytes.Contains(bytes.ToLower(body), []byte(`"value"`)) && !bytes.Contains(body, []byte(`"value"`)) {
				return
			}
			t.Fatalf("valid JSON refused: %v: %q", err, body)
		}
		if len(env.value) != len(values) {
			if bytes.Count(bytes.ToLower(body), []byte(`"value"`)) > 1 {
				return // duplicate or case-variant names: the last one wins differently
			}
			t.Fatalf("%d objects, encoding/json %d: %q", len(env.value), len(values), body)
		}
		for i := range values {
			if !bytes.Equal(env.value[i], values[i]) {
				t.Fatalf("object %d: %q, encoding/json %q", i, env.value[i], values[i])
			}
		}
	})
}

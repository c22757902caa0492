package out

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// jsonKeys decodes one JSON document from dec and returns the keys of each
// object of its array, in the order they appear in the text.
func jsonKeys(t *testing.T, dec *json.Decoder) [][]string {
	t.Helper()
	var raw []json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("decode: %v", err)
	}
	var keys [][]string
	for _, obj := range raw {
		d := json.NewDecoder(strings.NewReader(string(obj)))
		if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("element %s is not an object", obj)
		}
		var ks []string
		for d.More() {
			tok, err := d.Token()
			if err != nil {
				t.Fatal(err)
			}
			ks = append(ks, tok.(string))
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
		keys = append(keys, ks)
	}
	return keys
}

func TestJSONKeyOrder(t *testing.T) {
	got := run(t, Options{Format: "json"}, `local out = require("out")
local rows = {{b = 1, a = 2, c = 3, z = {y = 1, x = 2}}, {c = 1}}
out.print(rows, {columns = {"z", "c", "a", "b"}})
out.print(rows)
out.print(rows, {columns = {"c", "a", "c"}})
`)
	dec := json.NewDecoder(strings.NewReader(got))
	for _, want := range []string{
		"z c a b|c", // the columns' order
		"a b c z|c", // no columns: the sorted union of the keys
		"c a|c",     // a column named twice is one key
	} {
		var rows []string
		for _, ks := range jsonKeys(t, dec) {
			rows = append(rows, strings.Join(ks, " "))
		}
		if g := strings.Join(rows, "|"); g != want {
			t.Errorf("keys %q, want %q", g, want)
		}
	}
	// Nested objects keep runtime.EncodeJSON's sorted keys.
	if !strings.Contains(got, `"z": {
      "x": 2,
      "y": 1
    }`) {
		t.Errorf("nested object not encoded as runtime.EncodeJSON does:\n%s", got)
	}
}

// TestJSONStream checks that each out.print is one document a JSON stream
// reader (encoding/json's Decoder, as jq does) reads on its own; titles
// are left out.
func TestJSONStream(t *testing.T) {
	got := run(t, Options{Format: "json"}, mailboxes+`out.print(rows, {columns = {"Name", "Items"}, title = "Mailboxes"})
out.print({{Name = "<b>&amp;</b>", Note = "tab\there"}}, {title = "Second"})
`)
	if strings.Contains(got, "Mailboxes") || strings.Contains(got, "Second") {
		t.Errorf("a title is in the JSON:\n%s", got)
	}
	dec := json.NewDecoder(strings.NewReader(got))
	var docs [][]map[string]any
	for {
		var doc []map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("document %d: %v\n%s", len(docs)+1, err, got)
		}
		docs = append(docs, doc)
	}
	if len(docs) != 2 || len(docs[0]) != 3 || len(docs[1]) != 1 {
		t.Fatalf("got %d documents %v, want 2 of 3 and 1 objects", len(docs), docs)
	}
	if docs[0][0]["Items"] != 1200.0 || docs[1][0]["Name"] != "<b>&amp;</b>" || docs[1][0]["Note"] != "tab\there" {
		t.Errorf("values changed on the way: %v", docs)
	}
	if !strings.Contains(got, `"<b>&amp;</b>"`) {
		t.Errorf("HTML characters were escaped:\n%s", got)
	}
}

func TestJSONErrors(t *testing.T) {
	for src, want := range map[string]string{
		`require("out").json({{A = 1}, {A = 0/0}})`:                    "out.json: rows[2].A: NaN is not a number JSON can hold",
		`require("out").json({{A = 1, F = print}}, {columns = {"F"}})`: "out.json: rows[1].F: cannot convert a function value",
	} {
		if got := runErr(t, Options{}, src); !strings.HasSuffix(got, want) {
			t.Errorf("%s:\n got %q\nwant suffix %q", src, got, want)
		}
	}
}

// TestJSONTenant: a run over many tenants stamps each row with its tenant,
// first; a row with a tenant key of its own, in any case, is an error;
// other formats are not stamped.
func TestJSONTenant(t *testing.T) {
	got := run(t, Options{Format: "json", Tenant: "contoso.onmicrosoft.com"}, `local out = require("out")
out.print({{b = 1, a = 2}, {}})
`)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(got), &rows); err != nil {
		t.Fatalf("%v in\n%s", err, got)
	}
	keys := jsonKeys(t, json.NewDecoder(strings.NewReader(got)))
	if strings.Join(keys[0], " ") != "tenant a b" || rows[0]["tenant"] != "contoso.onmicrosoft.com" {
		t.Errorf("row 1 = %v, keys %v", rows[0], keys[0])
	}
	if len(rows[1]) != 1 || rows[1]["tenant"] != "contoso.onmicrosoft.com" {
		t.Errorf("row 2 = %v", rows[1])
	}
	for _, key := range []string{"tenant", "Tenant"} {
		err := runErr(t, Options{Format: "json", Tenant: "contoso.onmicrosoft.com"},
			`require("out").print({{a = 1}, {a = 3, `+key+` = "spoof"}})`)
		if !strings.Contains(err, "rows[2]."+key+`: a run over many tenants adds "tenant" to every row`) {
			t.Errorf("own %s key: err = %v", key, err)
		}
	}
	table := run(t, Options{Format: "table", Tenant: "contoso.onmicrosoft.com"}, `require("out").print({{a = 1}})`)
	if strings.Contains(table, "contoso") {
		t.Errorf("a table is stamped:\n%s", table)
	}
}

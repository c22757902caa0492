package jsoncases

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestCasesAgreeWithEncodingJSON: the table is encoding/json's output with
// SetEscapeHTML(false), which is what the service writes.
func TestCasesAgreeWithEncodingJSON(t *testing.T) {
	cases, err := StringEscapes()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 40 {
		t.Errorf("%d cases; the table covers every control character, so want at least 40", len(cases))
	}
	for _, c := range cases {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c.In); err != nil {
			t.Fatal(err)
		}
		if got := string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))); got != c.JSON {
			t.Errorf("line %d: the table says %s for %q, encoding/json says %s", c.Line, c.JSON, c.In, got)
		}
	}
}

package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/exorun/exorun/stdlib/out"
)

// jsonKeys are the JSON keys of struct T's fields, in order.
func jsonKeys[T any]() []string {
	var keys []string
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		keys = append(keys, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	return keys
}

// checkListing writes row as CSV and JSON and checks that the CSV
// header is the JSON object's keys in the struct's order, so the two
// formats cannot drift apart.
func checkListing[T any](t *testing.T, name string, cols []column[T], row T) {
	t.Helper()
	var b bytes.Buffer
	if err := writeList(&b, out.FormatCSV, cols, []T{row}); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(records) != 2 {
		t.Fatalf("%s: CSV %q: %v", name, b.String(), err)
	}
	if want := jsonKeys[T](); !slices.Equal(records[0], want) {
		t.Errorf("%s: CSV header %v, JSON keys %v", name, records[0], want)
	}
	b.Reset()
	if err := writeList(&b, out.FormatJSON, cols, []T{row}); err != nil {
		t.Fatal(err)
	}
	var objects []map[string]any
	if err := json.Unmarshal(b.Bytes(), &objects); err != nil || len(objects) != 1 {
		t.Fatalf("%s: JSON %q: %v", name, b.String(), err)
	}
	for _, k := range records[0] {
		if _, ok := objects[0][k]; !ok {
			t.Errorf("%s: CSV column %q is no key of the JSON object %v", name, k, objects[0])
		}
	}
}

func TestCmdletsOutputColumnsAreJSONKeys(t *testing.T) {
	checkListing(t, "cmdlets", cmdletColumns(), cmdletRow{Name: "Get-EXOMailbox", WrapperOf: "Get-Mailbox", GrantedBy: []string{"Global Reader"}})
	checkListing(t, "cert list", certColumns(), certRow{Thumbprint: "AB", NotBefore: "2025-01-01T00:00:00Z"})
	checkListing(t, "doctor", doctorColumns(), doctorCheck{Step: "service", Fix: "f"})
}

// An empty list is an empty JSON array and a CSV header, never null or
// nothing: a program reading it needs no special case.
func TestCmdletsOutputEmptyList(t *testing.T) {
	var b bytes.Buffer
	if err := writeList(&b, out.FormatJSON, certColumns(), nil); err != nil || b.String() != "[]\n" {
		t.Errorf("JSON %q, %v", b.String(), err)
	}
	b.Reset()
	if err := writeList(&b, out.FormatCSV, certColumns(), nil); err != nil || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("CSV %q, %v", b.String(), err)
	}
}

// --json is hidden and sets what -o json sets; -o csv is refused on a
// one-record output, naming it.
func TestCmdletsOutputJSONAlias(t *testing.T) {
	for _, args := range [][]string{{"--json"}, {"-o", "json"}, {"--output=JSON"}, {"--json=true"}} {
		o := &bundleInspectOptions{}
		fs := bundleInspectFlags(o)
		if err := fs.Parse(args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if got, err := parseOutput(o.Output, recordFormats(), "x"); err != nil || got != out.FormatJSON {
			t.Errorf("%v: format %q, %v", args, got, err)
		}
	}
	if f := bundleInspectFlags(&bundleInspectOptions{}).Lookup("json"); f == nil || !f.Hidden {
		t.Error("--json should exist, hidden")
	}
	if _, err := parseOutput("csv", recordFormats(), "whoami's output"); err == nil || !strings.Contains(err.Error(), "whoami's output is one record") {
		t.Errorf("csv on a record: %v", err)
	}
	if got, err := parseOutput("csv", listFormats(), "x"); err != nil || got != out.FormatCSV {
		t.Errorf("csv on a list: %q, %v", got, err)
	}
}

// The table is stdlib/out's: titles as written, light box borders.
func TestCmdletsTableStyle(t *testing.T) {
	var b bytes.Buffer
	if err := writeList(&b, out.FormatTable, cmdletColumns(), []cmdletRow{{Name: "Get-Mailbox", LuaName: "get_mailbox", Effect: "read", AppOnly: true, GrantedBy: []string{"Exchange Recipient Administrator"}}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"┌", "│ Cmdlet ", "│ Lua name ", "│ Recipient Admin │"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

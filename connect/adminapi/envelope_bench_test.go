package adminapi

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkParseEnvelope splits a page of 1,000 emulator mailboxes (147
// properties each, the objects of bindings/decode's BenchmarkMailboxFull)
// out of its envelope, as the client does for every page it receives.
//
//	go test -run '^$' -bench ParseEnvelope -benchmem ./connect/adminapi/
func BenchmarkParseEnvelope(b *testing.B) {
	lines, err := os.ReadFile("../../bindings/decode/testdata/mailboxes-emulator.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	objs := bytes.Split(bytes.TrimSpace(lines), []byte("\n"))
	page := []byte(`{"@odata.context":"https://outlook.office365.com/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)","value":[`)
	for i := range 1000 {
		if i > 0 {
			page = append(page, ',')
		}
		page = append(page, objs[i%len(objs)]...)
	}
	page = append(page, `],"@odata.nextLink":"https://outlook.office365.com/adminapi/beta/t/InvokeCommand?$skiptoken=1000"}`...)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		env, err := parseEnvelope(page)
		if err != nil || len(env.value) != 1000 {
			b.Fatalf("%d objects: %v", len(env.value), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000/1000, "us/object")
}

package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// gunzip is r with its gzip body decompressed; it fails the test unless
// the body is a whole gzip stream and says so.
func gunzip(t *testing.T, r resp) resp {
	t.Helper()
	if ce := r.header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("body is not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	r.body = plain
	return r
}

// TestGzipBodies asks for each kind of answer with and without gzip: the
// compressed body must decompress to exactly the plain one.
func TestGzipBodies(t *testing.T) {
	e := newEnv(t)
	invoke := "/adminapi/beta/" + tenantA + "/InvokeCommand"
	for _, c := range []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"page", "POST", invoke, "admin", cmdlet("Get-Mailbox"), 200},
		{"1000-object page", "POST", invoke, "admin", cmdlet("Get-Recipient"), 200},
		{"module file", "GET", "/adminapi/v1.0/" + tenantA + "/EXOModuleFile", "admin", "", 200},
		{"compliance", "POST", "/compliance/eur02b/adminapi/beta/" + tenantA + "/InvokeCommand", "ipps", cmdlet("Get-Label"), 200},
		{"cmdlet error", "POST", invoke, "admin", `{"CmdletInput":{"CmdletName":"Get-User","Parameters":{"Identity":"nobody"}}}`, 404},
		{"unknown cmdlet", "POST", invoke, "admin", cmdlet("Get-Nothing"), 403},
		{"no token", "POST", invoke, "", cmdlet("Get-Mailbox"), 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			plain := e.raw(c.method, c.path, c.token, c.body)
			if plain.status != c.status || plain.err != nil {
				t.Fatalf("plain: %d %v", plain.status, plain.err)
			}
			if ce := plain.header.Get("Content-Encoding"); ce != "" {
				t.Errorf("plain answer has Content-Encoding %q", ce)
			}
			wantHeader(t, plain, "Vary", "Accept-Encoding")

			gz := e.raw(c.method, c.path, c.token, c.body, "Accept-Encoding", "gzip")
			if gz.status != c.status || gz.err != nil {
				t.Fatalf("gzip: %d %v", gz.status, gz.err)
			}
			wantHeader(t, gz, "Vary", "Accept-Encoding")
			if got := gunzip(t, gz); !bytes.Equal(got.body, plain.body) {
				t.Errorf("gzip body decompresses to\n%s\nplain body is\n%s", got.body, plain.body)
			}
			if c.name == "1000-object page" {
				// Streamed: compressed while encoded, never measured first.
				if cl := gz.header.Get("Content-Length"); cl != "" {
					t.Errorf("streamed gzip page has Content-Length %s", cl)
				}
				if len(gz.body)*4 > len(plain.body) {
					t.Errorf("%d bytes compressed to %d", len(plain.body), len(gz.body))
				}
			}
		})
	}
}

func TestGzipNegotiation(t *testing.T) {
	e := newEnv(t)
	for ae, want := range map[string]bool{
		"gzip":                true,
		"GZip":                true,
		"x-gzip":              true,
		"deflate, gzip;q=0.5": true,
		"br;q=1.0, gzip":      true,
		"gzip;q=0":            false,
		"gzip; q=0.0":         false,
		"identity":            false,
		"br":                  false,
		"*":                   false,
		"gzipped":             false,
	} {
		r := e.raw("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand", "admin", cmdlet("Get-Mailbox"), "Accept-Encoding", ae)
		if r.status != 200 {
			t.Fatalf("%q: status %d", ae, r.status)
		}
		if got := r.header.Get("Content-Encoding") == "gzip"; got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", ae, got, want)
		}
		if want {
			gunzip(t, r).json(t)
		} else {
			r.json(t)
		}
	}
}

// TestGzipConcurrencyRefusal: the service's plain-text 429 is compressed
// like any other answer and reads the same once decompressed.
func TestGzipConcurrencyRefusal(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{ConcurrencyLimit: 1})
	gate := make(chan struct{})
	entered := e.be.hold(gate)
	held := make(chan resp, 1)
	go func() {
		held <- e.raw("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand", "admin", cmdlet("Get-MailboxStatistics"))
	}()
	<-entered // the held request has the one slot
	r := e.raw("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand", "admin", cmdlet("Get-Mailbox"), "Accept-Encoding", "gzip")
	if r.status != 429 {
		t.Fatalf("status %d", r.status)
	}
	wantHeader(t, r, "Retry-After", "1")
	if got := gunzip(t, r); got.text() != concurrencyText {
		t.Errorf("429 body %q", got.body)
	}
	close(gate)
	if r := <-held; r.status != 200 {
		t.Errorf("held request: %d", r.status)
	}
}

// BenchmarkPage1000x30Gzip is BenchmarkPage1000x30 with Accept-Encoding:
// gzip: the cost of compressing a page as it is encoded.
func BenchmarkPage1000x30Gzip(b *testing.B) {
	benchPage(b, "gzip")
}

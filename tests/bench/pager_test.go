package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/connect"
)

// rawPager is the floor a streaming client is measured against: the same
// Get-Mailbox -ResultSize Unlimited pages, requested one after another
// over one TLS connection with the same token, headers and page size,
// each body read to its end (gunzipped when compressed) and the nextLink
// found, and nothing else: no objects split out, no decoding, no Lua.
type rawPager struct {
	hc    *http.Client
	token string
	url   string // the first page's
	org   string
	tid   string
}

// newRawPager signs in to the emulator at ep as exorun does (connect.Open)
// and takes the token.
func newRawPager(b *testing.B, ep endpoints) *rawPager {
	b.Helper()
	ca, err := os.ReadFile(ep.CAFile)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
	sess, err := connect.Open(context.Background(), connect.Settings{
		AppID: ep.AppID, Organization: ep.Organization, CertificateFile: ep.CertificateFile,
		Authority: ep.Authority, ExchangeURL: ep.ExchangeURL, ComplianceURL: ep.ComplianceURL, CAFile: ep.CAFile,
	}, connect.Options{ReadFile: os.ReadFile, Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sess.Close)
	token, err := sess.Tokens.Token(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	tid := sess.Identity.TenantID
	return &rawPager{
		hc:    &http.Client{Transport: tr},
		token: token,
		url:   strings.TrimRight(ep.ExchangeURL, "/") + "/adminapi/beta/" + tid + "/InvokeCommand",
		org:   ep.Organization,
		tid:   tid,
	}
}

// run pages through the whole listing and returns the pages, the wall
// time and the bytes of JSON received (after decompression).
func (p *rawPager) run(b *testing.B) (pages int, wall time.Duration, bodyBytes int64) {
	b.Helper()
	body := []byte(`{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`)
	start := time.Now()
	next := p.url
	var buf bytes.Buffer
	for next != "" {
		req, err := http.NewRequest(http.MethodPost, next, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		h := req.Header
		h.Set("Authorization", "Bearer "+p.token)
		h.Set("Accept", "application/json")
		h.Set("Accept-Encoding", "gzip")
		h.Set("Content-Type", "application/json")
		h.Set("X-CmdletName", "Get-Mailbox")
		h.Set("X-AnchorMailbox", "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"+p.tid)
		h.Set("X-ResponseFormat", "json")
		h.Set("Prefer", "odata.maxpagesize=1000")
		resp, err := p.hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				b.Fatal(err)
			}
			r = zr
		}
		buf.Reset()
		_, err = buf.ReadFrom(r)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("page %d: %v, HTTP %d: %.300s", pages+1, err, resp.StatusCode, buf.String())
		}
		bodyBytes += int64(buf.Len())
		pages++
		next = nextLink(buf.Bytes())
	}
	return pages, time.Since(start), bodyBytes
}

// nextLink finds the page's @odata.nextLink, which the service writes
// after the value array: read from the end, as a pager that does not
// parse the objects would.
func nextLink(page []byte) string {
	const key = `"@odata.nextLink":`
	i := bytes.LastIndex(page, []byte(key))
	if i < 0 {
		return ""
	}
	var link string
	dec := json.NewDecoder(bytes.NewReader(page[i+len(key):]))
	if err := dec.Decode(&link); err != nil {
		panic(fmt.Sprintf("nextLink: %v", err))
	}
	return link
}

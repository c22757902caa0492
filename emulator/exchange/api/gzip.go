package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// gzipLevel is how hard response bodies are compressed. On a page of
// 1,000 of the emulator's own mailboxes (6.2 MB of JSON; BenchmarkGzipLevel
// in package emulator, 2-core machine) BestSpeed took 14 ms of CPU for
// 501 KB, DefaultCompression 23 ms for 280 KB. The emulator shares its
// machine with the client under test, and CPU is what both run short of:
// the 220 KB more per page cost nothing on loopback, while 9 ms more would
// add a third to the ~26 ms a page takes to serve uncompressed
// (BenchmarkWirePerMailbox/identity).
const gzipLevel = gzip.BestSpeed

// acceptsGzip says whether the request's Accept-Encoding names gzip (or
// its alias x-gzip) with a q-value above 0. A bare "*" is not taken as
// gzip: clients that want compression name it (the module and exorun send
// "gzip"), and a plain body is always acceptable.
func acceptsGzip(hdr http.Header) bool {
	for _, v := range hdr.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			if (strings.EqualFold(coding, "gzip") || strings.EqualFold(coding, "x-gzip")) && qValue(params) > 0 {
				return true
			}
		}
	}
	return false
}

// qValue is the q parameter of an Accept-Encoding element's parameters
// (1 when absent or unreadable, as if the client had not said).
func qValue(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return q
			}
		}
	}
	return 1
}

// gzipResponse compresses a response body as it is written. Pages are
// encoded in pieces of flushAt bytes (encode.go) straight into the
// compressor, which passes compressed blocks on as they fill: a page is
// never held whole, plain or compressed.
type gzipResponse struct {
	http.ResponseWriter
	zw *gzip.Writer
}

// compress starts a gzip body on w when r accepts one, as the service does
// (PROTOCOL.md 3.2: the module sends Accept-Encoding: gzip); nil means a
// plain body. A non-nil result must be ended with finishGzip.
func (h *Handler) compress(w http.ResponseWriter, r *http.Request) *gzipResponse {
	hdr := w.Header()
	// The body depends on Accept-Encoding whichever way it goes.
	hdr.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r.Header) {
		return nil
	}
	hdr.Set("Content-Encoding", "gzip")
	// No plain length may go out with a compressed body; net/http gives a
	// small body its compressed length and streams the rest chunked.
	hdr.Del("Content-Length")
	zw := h.gzips.Get().(*gzip.Writer)
	zw.Reset(w)
	return &gzipResponse{ResponseWriter: w, zw: zw}
}

func (g *gzipResponse) Write(p []byte) (int, error) { return g.zw.Write(p) }

// cut makes the connection pass only the next n bytes of compressed body:
// a connection that drops mid-response truncates the gzip stream, not the
// JSON inside it. It must come before the first Write.
func (g *gzipResponse) cut(n int) { g.zw.Reset(&cutWriter{w: g.ResponseWriter, left: n}) }

// FlushError sends what the compressor holds, then flushes the
// connection, for http.ResponseController.
func (g *gzipResponse) FlushError() error {
	err := g.zw.Flush()
	if ferr := http.NewResponseController(g.ResponseWriter).Flush(); err == nil {
		err = ferr
	}
	return err
}

// Unwrap keeps Hijack reachable through http.ResponseController.
func (g *gzipResponse) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// finishGzip ends the gzip stream (complete) or leaves it unended (the
// connection was cut: nothing more may be written), and returns the
// compressor to the pool.
func (h *Handler) finishGzip(g *gzipResponse, complete bool) {
	if complete {
		_ = g.zw.Close()
	}
	g.zw.Reset(io.Discard) // hold on to no connection from the pool
	h.gzips.Put(g.zw)
	g.zw = nil
}

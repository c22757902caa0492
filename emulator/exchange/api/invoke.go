package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
)

// cutAfter is how many body bytes a CloseMidResponse fault lets through:
// enough for the client to have started parsing, never a whole page.
const cutAfter = 256

// invoke serves POST .../InvokeCommand after authentication.
func (h *Handler) invoke(w http.ResponseWriter, r *http.Request, x *exchangeReq) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.writeFailure(w, badRequest(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("The request body is larger than %d bytes.", tooBig.Limit)))
			return
		}
		h.writeFailure(w, badRequest(http.StatusBadRequest, "The request body could not be read: "+err.Error()))
		return
	}
	in, err := decodeInput(body)
	if err != nil {
		h.writeFailure(w, badRequest(http.StatusBadRequest, "Invalid InvokeCommand request: "+err.Error()+"."))
		return
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		h.writeFailure(w, badRequest(http.StatusBadRequest, "Invalid query string: "+err.Error()+"."))
		return
	}
	svc := x.rt.service
	sum := inputHash(svc, x.caller.TenantID, in)
	offset := 0
	if q.hasSkip {
		if offset, err = parseSkipToken(q.skip, sum); err != nil {
			h.writeFailure(w, badRequest(http.StatusBadRequest, "Invalid $skiptoken: "+err.Error()+"."))
			return
		}
	}

	canon, known := h.lookupCmdlet(svc, in.name)
	x.cmdlet = canon
	if !known {
		// The service answers 403 (PROTOCOL.md 3.6); EXO with an empty
		// body, IPPS with JSON naming the cmdlet. The emulator always
		// names it: a typo should be obvious.
		msg := "The term '" + in.name + "' is not recognized as the name of a cmdlet, function, script file, " +
			"or operable program. Check the spelling of the name, or if a path was included, verify that the " +
			"path is correct and try again."
		h.writeFailure(w, &failure{status: http.StatusForbidden, code: "Forbidden", message: msg,
			exception: excCommandNotFound, target: in.name})
		return
	}
	if !catalog.Allowed(x.caller.Roles, canon, svc) {
		msg := "User is not allowed to call " + canon
		h.writeFailure(w, &failure{status: http.StatusUnauthorized, code: "Unauthorized", message: msg,
			bare: true, exception: excAccessDenied, challenge: h.challenge(x.rt, "insufficient_scope", msg)})
		return
	}

	call := exchange.Call{
		Service:   svc,
		Cmdlet:    in.name,
		Params:    in.params,
		Caller:    x.caller,
		RequestID: x.requestID,
	}
	if h.opts.Called != nil && !q.hasSkip {
		called := call
		called.Cmdlet = canon
		h.opts.Called(called)
	}
	res, err := h.opts.Backend.Invoke(r.Context(), call)
	if err != nil {
		h.writeFailure(w, fromError(err, canon, x.rt.tenant))
		return
	}
	if res == nil {
		res = &exchange.Result{}
	}
	if res.Count > 0 && res.Object == nil {
		h.writeFailure(w, fromError(fmt.Errorf("result of %d objects has no Object function", res.Count), canon, x.rt.tenant))
		return
	}

	size, asked := h.pageSize(r.Header)
	start := min(offset, res.Count)
	end := start + min(size, res.Count-start)
	pg := &page{
		context: h.serviceBase(r, x.rt) + "/adminapi/beta/" + x.rt.tenant + "/$metadata#Collection(Exchange.GenericHashTable)",
		sel:     q.sel,
		objects: make([]exchange.Object, 0, end-start),
	}
	// Only this page is rendered; a 200,000-object result costs one
	// page of objects per request.
	for i := start; i < end; i++ {
		o := res.Object(i)
		if err := checkObject(o); err != nil {
			h.writeFailure(w, fromError(fmt.Errorf("object %d: %w", i, err), canon, x.rt.tenant))
			return
		}
		pg.objects = append(pg.objects, o)
	}
	if !q.hasSkip {
		pg.warnings = res.Warnings
	}
	if end < res.Count {
		pg.nextLink = h.origin(r) + r.URL.EscapedPath() + "?" +
			strings.Join(append(q.keep, "$skiptoken="+makeSkipToken(end, sum)), "&")
	}

	applied := `odata.include-annotations="*"`
	if asked {
		applied += ", odata.maxpagesize=" + strconv.Itoa(size)
	}
	w.Header().Set("Preference-Applied", applied)
	h.writeOK(w, x, func(j *jsonWriter) { encodePage(j, pg) })
}

// moduleFile serves GET .../EXOModuleFile with CommandName: * as the
// cmdlet list of PROTOCOL.md 3.9: the modelled cmdlets the caller's roles
// allow, comma-separated. CommandName may also be a comma-separated list
// to ask about; without the header it means *.
func (h *Handler) moduleFile(w http.ResponseWriter, r *http.Request, x *exchangeReq) {
	svc := x.rt.service
	var asked []string
	if c := strings.TrimSpace(r.Header.Get("CommandName")); c != "" && c != "*" {
		for _, n := range strings.Split(c, ",") {
			asked = append(asked, strings.TrimSpace(n))
		}
	}
	// Like the service, list every cmdlet the roles allow, modelled or
	// not: an unmodelled one then gets its honest 501 when called, instead
	// of looking like a permission the app lacks.
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if !seen[strings.ToLower(n)] && catalog.Allowed(x.caller.Roles, n, svc) && (asked == nil || hasFold(asked, n)) {
			seen[strings.ToLower(n)] = true
			names = append(names, n)
		}
	}
	for _, c := range catalog.All() {
		if c.Runs(svc) && c.WrapperOf == "" && !c.AppOnly.Unsupported {
			add(c.Name)
		}
	}
	for _, n := range h.opts.Backend.Modelled(svc) {
		add(n)
	}
	slices.Sort(names)
	ctx := h.serviceBase(r, x.rt) + "/adminapi/v1.0/" + x.rt.tenant + "/$metadata#EXOModuleFile"
	h.writeOK(w, x, func(j *jsonWriter) {
		j.buf = append(j.buf, `{"@odata.context":`...)
		j.buf = appendString(j.buf, ctx)
		j.buf = append(j.buf, `,"value":[{"exportedCmdlets":`...)
		j.buf = appendString(j.buf, strings.Join(names, ","))
		j.buf = append(j.buf, "}]}"...)
		j.flush()
	})
}

// writeOK sends a 200 whose body encode streams, cutting the connection
// part-way through when a CloseMidResponse fault is pending.
func (h *Handler) writeOK(w http.ResponseWriter, x *exchangeReq, encode func(*jsonWriter)) {
	hdr := w.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Set("OData-Version", "4.0")
	hdr.Set("Cache-Control", "no-cache")
	cut := h.takeCut(x.caller.TenantID)
	w.WriteHeader(http.StatusOK)

	bp := h.bufs.Get().(*[]byte)
	j := &jsonWriter{w: w, buf: (*bp)[:0]}
	if cut {
		// The cut is on the wire: under the compressor when the body is
		// compressed.
		if gz, ok := w.(*gzipResponse); ok {
			gz.cut(cutAfter)
		} else {
			j.w = &cutWriter{w: w, left: cutAfter}
		}
	}
	encode(j)
	if cap(j.buf) <= 1<<20 { // keep ordinary buffers, drop a freak one
		*bp = j.buf[:0]
		h.bufs.Put(bp)
	}
	if !cut {
		return
	}
	x.cut = true
	// Count it now: once the connection closes the client may look at
	// Stats before this handler returns.
	h.finish(x, http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		// HTTP/2 cannot hijack; aborting the handler resets the stream,
		// which the client sees the same way.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// cutWriter passes the first left bytes and then fails.
type cutWriter struct {
	w    io.Writer
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) <= c.left {
		c.left -= len(p)
		return c.w.Write(p)
	}
	n, err := c.w.Write(p[:c.left])
	c.left = 0
	if err != nil {
		return n, err
	}
	return n, io.ErrShortWrite
}

func badRequest(status int, msg string) *failure {
	return &failure{status: status, code: codeFor(status), message: msg, exception: excBadRequest}
}

// serviceBase is the service's base URL: the origin, plus the region
// prefix for compliance.
func (h *Handler) serviceBase(r *http.Request, rt route) string {
	return h.origin(r) + rt.prefix
}

// lookupCmdlet returns the cmdlet's canonical spelling (the backend's,
// when it models it) and whether it is a real cmdlet of svc.
func (h *Handler) lookupCmdlet(svc catalog.Service, name string) (string, bool) {
	canon, modelled := name, false
	for _, m := range h.opts.Backend.Modelled(svc) {
		if strings.EqualFold(m, name) {
			canon, modelled = m, true
			break
		}
	}
	if h.opts.Known != nil {
		return canon, h.opts.Known(svc, canon)
	}
	return canon, modelled
}

// pageSize reads Prefer: odata.maxpagesize=N (PROTOCOL.md 3.5), clamped
// to [1, MaxPageSize]; asked says whether the client set it.
func (h *Handler) pageSize(hdr http.Header) (size int, asked bool) {
	for _, v := range hdr.Values("Prefer") {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			k, val, ok := strings.Cut(part, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`))
			if err != nil {
				continue
			}
			return max(1, min(n, h.opts.MaxPageSize)), true
		}
	}
	return h.opts.DefaultPageSize, false
}

// query is the part of the query string the emulator reads.
type query struct {
	sel     []string // $select names; nil: every property
	skip    string
	hasSkip bool
	keep    []string // raw pieces other than $skiptoken, for the nextLink
}

func parseQuery(raw string) (query, error) {
	var q query
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return query{}, fmt.Errorf("bad parameter name %q", k)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return query{}, fmt.Errorf("bad value for %s", key)
		}
		switch {
		case strings.EqualFold(key, "$skiptoken"):
			q.skip, q.hasSkip = val, true
			continue
		case strings.EqualFold(key, "$select"):
			for s := range strings.SplitSeq(val, ",") {
				if s = strings.TrimSpace(s); s != "" {
					q.sel = append(q.sel, s)
				}
			}
		}
		q.keep = append(q.keep, piece)
	}
	return q, nil
}

// inputHash identifies a request for its skip tokens: service, tenant,
// cmdlet and parameters as decoded (encoding/json sorts map keys, so
// member order and white space do not matter).
func inputHash(svc catalog.Service, tenant string, in cmdletInput) [8]byte {
	p, _ := json.Marshal(in.params) // decoded JSON values always marshal
	h := sha256.New()
	h.Write([]byte(string(svc) + "\x00" + strings.ToLower(tenant) + "\x00" + strings.ToLower(in.name) + "\x00"))
	h.Write(p)
	var sum [8]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// makeSkipToken encodes the next page's offset with the request's hash,
// base64url, so the token is opaque and bound to the body it came from.
func makeSkipToken(offset int, sum [8]byte) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(offset))
	copy(b[8:], sum[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func parseSkipToken(tok string, sum [8]byte) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 16 {
		return 0, errors.New("the token is malformed")
	}
	if !bytes.Equal(b[8:], sum[:]) {
		return 0, errors.New("the token belongs to another request; POST the same body to @odata.nextLink")
	}
	off := binary.BigEndian.Uint64(b[:8])
	if off > math.MaxInt32 {
		return 0, errors.New("the token is malformed")
	}
	return int(off), nil
}

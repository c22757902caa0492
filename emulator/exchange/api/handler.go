package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
)

// Options configure a Handler. Backend and Authenticate are required; a
// zero value anywhere else means the default given beside it.
type Options struct {
	// Backend runs the cmdlets.
	Backend exchange.Backend
	// Authenticate verifies bearer tokens.
	Authenticate exchange.Authenticator
	// ResolveTenant maps the URL's tenant segment to a tenant. nil: the
	// segment must be the token's tenant GUID, and Caller.Organization
	// stays empty.
	ResolveTenant exchange.TenantResolver
	// Known says whether cmdlet is a real cmdlet name of service (so an
	// unmodelled real cmdlet is a 501 and a typo a 403). It gets the
	// backend's spelling when the backend models the cmdlet, else the
	// client's, so it must compare case-insensitively. nil: the backend's
	// Modelled list.
	Known func(service catalog.Service, cmdlet string) bool
	// BaseURL is the emulator's own origin, e.g. https://127.0.0.1:8443,
	// used for @odata.context, @odata.nextLink and the compliance
	// redirect. Empty: taken from each request's Host.
	BaseURL string
	// Now is the clock for rate-limit windows and throttle windows.
	// nil: time.Now.
	Now func() time.Time
	// ExchangeResource and ComplianceResource are the token audiences the
	// two services accept. Defaults: https://outlook.office365.com and
	// https://ps.compliance.protection.outlook.com.
	ExchangeResource   string
	ComplianceResource string
	// DefaultPageSize applies without Prefer: odata.maxpagesize (default
	// 1000); MaxPageSize caps what a client may ask for (default 1000).
	DefaultPageSize int
	MaxPageSize     int
	// ComplianceRegion is the region label the compliance front door
	// redirects to (default eur02b).
	ComplianceRegion string
	// RateLimit is each tenant's request budget per RateLimitWindow,
	// reported in the Rate-Limit-* headers; a spent budget answers 429.
	// Defaults: 30000 per hour (the limit PROTOCOL.md 3.4 shows).
	RateLimit       int
	RateLimitWindow time.Duration
	// Called, when set, hears of every cmdlet a client sends, once per
	// call (not per page), after the role check and before it runs, with
	// the cmdlet's canonical name: what `exorun test` lists as the calls
	// a script made. It must not block.
	Called func(call exchange.Call)
}

// Defaults.
const (
	DefaultExchangeResource   = "https://outlook.office365.com"
	DefaultComplianceResource = "https://ps.compliance.protection.outlook.com"
	DefaultComplianceRegion   = "eur02b"
	defaultPageSize           = 1000
	defaultRateLimit          = 30000
	defaultRateLimitWindow    = time.Hour
	// maxBody bounds a request body; real bodies are a few kilobytes.
	maxBody = 32 << 20
	// beTarget stands in for the mailbox server the real front door
	// routes to (X-CalculatedBETarget); exchange.NotFound names the same.
	beTarget = "EMULATOR01.PROD.OUTLOOK.COM"
)

// Handler serves the Exchange Online and Security & Compliance admin API.
// It is safe for concurrent use; faults can be changed while it serves.
type Handler struct {
	opts  Options
	bufs  sync.Pool // *[]byte encode buffers, so a page costs no fresh 32 KiB
	gzips sync.Pool // *gzip.Writer at gzipLevel: a fresh one costs ~1 MB of tables

	mu     sync.Mutex
	global faultSet
	// perTenant overrides global for one tenant, by lower-case GUID.
	perTenant map[string]*faultSet
	stats     Stats
	tenants   map[string]*tenantState
}

// New returns a Handler for opts. It panics without a Backend or an
// Authenticator, which is a programming error, not a request error.
func New(opts Options) *Handler {
	if opts.Backend == nil {
		panic("api: Options.Backend is nil")
	}
	if opts.Authenticate == nil {
		panic("api: Options.Authenticate is nil")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ExchangeResource == "" {
		opts.ExchangeResource = DefaultExchangeResource
	}
	if opts.ComplianceResource == "" {
		opts.ComplianceResource = DefaultComplianceResource
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = defaultPageSize
	}
	if opts.DefaultPageSize <= 0 {
		opts.DefaultPageSize = defaultPageSize
	}
	opts.DefaultPageSize = min(opts.DefaultPageSize, opts.MaxPageSize)
	if opts.ComplianceRegion == "" {
		opts.ComplianceRegion = DefaultComplianceRegion
	}
	opts.ComplianceRegion = strings.ToLower(opts.ComplianceRegion)
	if opts.RateLimit <= 0 {
		opts.RateLimit = defaultRateLimit
	}
	if opts.RateLimitWindow <= 0 {
		opts.RateLimitWindow = defaultRateLimitWindow
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	h := &Handler{opts: opts, tenants: map[string]*tenantState{}, perTenant: map[string]*faultSet{}}
	h.bufs.New = func() any { b := make([]byte, 0, 32<<10); return &b }
	h.gzips.New = func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, gzipLevel) // the level is valid
		return zw
	}
	h.stats = newStats()
	return h
}

type routeKind int

const (
	routeNotFound routeKind = iota
	routeFrontDoor
	routeInvoke
	routeModuleFile
	routeNotServed // a real endpoint the emulator does not serve
)

// route is what a request path names.
type route struct {
	kind    routeKind
	service catalog.Service
	tenant  string // as in the URL
	// prefix is "" for Exchange and "/compliance/{region}" for the
	// regional compliance service, as the emulator spells it.
	prefix string
	// rest is the path after "/compliance" on the front door.
	rest string
	name string // endpoint name for errors and stats
}

// parseRoute matches the admin API paths. Fixed segments compare
// case-insensitively because clients disagree on "AdminApi"/"adminapi"
// (PROTOCOL.md 3.1) and nothing suggests the service cares.
func (h *Handler) parseRoute(path string) route {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	rt := route{service: catalog.Exchange}
	if strings.EqualFold(segs[0], "compliance") {
		if len(segs) >= 2 && strings.EqualFold(segs[1], "adminapi") {
			return route{kind: routeFrontDoor, service: catalog.Compliance, rest: path[len("/compliance"):]}
		}
		if len(segs) < 2 || !strings.EqualFold(segs[1], h.opts.ComplianceRegion) {
			return route{kind: routeNotFound}
		}
		rt.service = catalog.Compliance
		rt.prefix = "/compliance/" + h.opts.ComplianceRegion
		segs = segs[2:]
	}
	if len(segs) != 4 || !strings.EqualFold(segs[0], "adminapi") || segs[2] == "" {
		return route{kind: routeNotFound}
	}
	rt.tenant = segs[2]
	ver, op := segs[1], segs[3]
	switch {
	case strings.EqualFold(op, "InvokeCommand") && strings.EqualFold(ver, "beta"):
		rt.kind, rt.name = routeInvoke, "InvokeCommand"
	case strings.EqualFold(op, "EXOModuleFile") && strings.EqualFold(ver, "v1.0"):
		rt.kind, rt.name = routeModuleFile, "EXOModuleFile"
	case op == "$batch" || op == "$metadata" || strings.HasPrefix(strings.ToLower(op), "exobanner"):
		// Real endpoints (PROTOCOL.md 3.8-3.10): say plainly that the
		// emulator lacks them rather than pretend they do not exist.
		rt.kind, rt.name = routeNotServed, op
	default:
		return route{kind: routeNotFound}
	}
	return rt
}

// statsKey names an endpoint in Stats.Endpoints.
func (rt route) statsKey() string {
	if rt.service == catalog.Compliance {
		return "compliance/" + rt.name
	}
	return "exchange/" + rt.name
}

// origin is the scheme and host the emulator is reached at.
func (h *Handler) origin(r *http.Request) string {
	if h.opts.BaseURL != "" {
		return h.opts.BaseURL
	}
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// ServeHTTP answers one admin API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	rid := newGUID()
	hdr.Set("request-id", rid)
	if c := r.Header.Get("client-request-id"); c != "" {
		hdr.Set("client-request-id", c)
	}
	rt := h.parseRoute(r.URL.Path)
	switch rt.kind {
	case routeNotFound:
		h.writeFailure(w, &failure{status: http.StatusNotFound, code: "NotFound",
			message:   "The resource '" + r.URL.Path + "' was not found.",
			exception: excNotFound})
		return
	case routeFrontDoor:
		// PROTOCOL.md 4: the front door answers the first call with a
		// redirect to the tenant's region. Clients must not let an HTTP
		// library follow it (a 302 turns a POST into a GET); they read
		// Location and keep the regional base for the session.
		loc := h.origin(r) + "/compliance/" + h.opts.ComplianceRegion + rt.rest
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		hdr.Set("Location", loc)
		w.WriteHeader(http.StatusFound)
		return
	case routeNotServed:
		hdr.Set("X-CalculatedBETarget", beTarget)
		h.writeFailure(w, &failure{status: http.StatusNotImplemented, code: "NotImplemented",
			message:   "The exorun emulator does not serve " + rt.name + "; only InvokeCommand and EXOModuleFile.",
			exception: excNotModelled})
		return
	}

	hdr.Set("X-CalculatedBETarget", beTarget)
	want := http.MethodPost
	if rt.kind == routeModuleFile {
		want = http.MethodGet
	}
	if r.Method != want {
		hdr.Set("Allow", want)
		h.writeFailure(w, &failure{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			message:   "The " + rt.name + " endpoint accepts " + want + ", not " + r.Method + ".",
			exception: excBadRequest})
		return
	}

	sw := &statusWriter{ResponseWriter: w}
	x := &exchangeReq{rt: rt, requestID: rid}
	defer func() { h.finish(x, sw.code()) }()
	h.serveService(sw, r, x)
}

// exchangeReq is what one InvokeCommand/EXOModuleFile request learns as
// it goes, for the handlers after it and for Stats.
type exchangeReq struct {
	rt        route
	requestID string
	tenant    urlTenant // the URL's tenant, resolved on arrival
	caller    exchange.Caller
	cmdlet    string // canonical where known
	cut       bool   // closed mid-response by a fault
	recorded  bool   // counted in Stats
}

// urlTenant is the tenant a request's URL names, whichever form it takes
// (GUID or any domain, any case), resolved once so that the concurrency
// limit, the faults and the token check all key it the same way.
type urlTenant struct {
	id, org string
	ok      bool // false: ResolveTenant knows no such tenant
}

func (h *Handler) resolveTenant(segment string) urlTenant {
	if h.opts.ResolveTenant == nil {
		// Without a resolver the segment must be the token's tenant GUID;
		// authenticate checks that.
		return urlTenant{id: segment, ok: true}
	}
	id, org, ok := h.opts.ResolveTenant(segment)
	return urlTenant{id: id, org: org, ok: ok}
}

func (h *Handler) serveService(w http.ResponseWriter, r *http.Request, x *exchangeReq) {
	// Negotiated first, so that every answer below, errors included, is
	// compressed when the client asked for it.
	gz := h.compress(w, r)
	if gz != nil {
		w = gz
	}
	// The tenant's in-flight count runs from the request's arrival, before
	// the injected latency, to the end of its response, as the service's
	// per-tenant limit does: a client sending more at once than the limit
	// gets 429s, whatever its own pool does.
	x.tenant = h.resolveTenant(x.rt.tenant)
	release, f := h.enter(x.tenant)
	defer func() {
		if gz != nil {
			// The compressed tail goes out before the slot is freed; a
			// cut connection gets none.
			h.finishGzip(gz, !x.cut)
		}
		if release != nil {
			release()
		}
	}()
	if f != nil {
		h.writeFailure(w, f)
		return
	}
	if f := h.injectFaults(r, x.tenant.id); f != nil {
		h.writeFailure(w, f)
		return
	}
	caller, f := h.authenticate(r, x.rt, x.tenant)
	if f != nil {
		h.writeFailure(w, f)
		return
	}
	x.caller = caller
	if f := h.spend(w.Header(), caller.TenantID); f != nil {
		h.writeFailure(w, f)
		return
	}
	switch x.rt.kind {
	case routeInvoke:
		h.invoke(w, r, x)
	case routeModuleFile:
		h.moduleFile(w, r, x)
	}
}

// statusWriter remembers the status for Stats; Unwrap keeps Flush and
// Hijack reachable through http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// newGUID returns a random (version 4) GUID in the service's lower-case
// 8-4-4-4-12 form, for request-id.
func newGUID() string { return uuid.NewString() }

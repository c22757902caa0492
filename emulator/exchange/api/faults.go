package api

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Faults are failures a Handler injects into InvokeCommand and
// EXOModuleFile requests (never the compliance redirect), so clients'
// retry, backoff and error paths can be tested. The zero value injects
// nothing. Counts (Unavailable, CloseMidResponse) are used up as requests
// arrive; Faults() reports what is left.
type Faults struct {
	// Latency delays every request the concurrency limit admits, before
	// anything else happens; the delay counts as time in flight.
	Latency time.Duration
	// ThrottleEvery answers every Nth request with 429 and Retry-After.
	ThrottleEvery int
	// ThrottleAfter lets N requests through, then answers 429 for
	// ThrottleFor (0: until the next SetFaults), then lets N through
	// again: a budget per period.
	ThrottleAfter int
	ThrottleFor   time.Duration
	// ThrottleRetryAfter is the Retry-After of injected 429s and 503s,
	// rounded up to whole seconds (0: 1 s). A ThrottleAfter window says
	// how long it has left instead.
	ThrottleRetryAfter time.Duration
	// Unavailable answers the next K requests with 503 and Retry-After.
	Unavailable int
	// CloseMidResponse cuts the connection part-way through the body of
	// the next K successful responses.
	CloseMidResponse int
	// ConcurrencyLimit is how many requests one tenant may have in
	// flight, counted from each request's arrival (before Latency) to
	// the end of its response; more get 429 with the service's
	// concurrency text at once. 0: no limit.
	ConcurrencyLimit int
}

// concurrencyText is the service's answer to too many requests in flight
// for a tenant (PROTOCOL.md 3.7). ExoHelper matches it against the raw,
// non-JSON body, so the emulator sends it as plain text [I].
const concurrencyText = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"

// faultState is the progress of the current Faults.
type faultState struct {
	count      int       // requests since SetFaults, for ThrottleEvery
	after      int       // requests in the current ThrottleAfter cycle
	throttling bool      // a ThrottleAfter window is open
	until      time.Time // when it closes (ThrottleFor > 0)
}

// tenantState is one tenant's concurrency and rate-limit budget.
type tenantState struct {
	inFlight    int
	windowStart time.Time
	used        int
}

// Stats count what the InvokeCommand and EXOModuleFile endpoints saw.
type Stats struct {
	Requests    int64 // requests answered
	Throttled   int64 // answered 429 (faults, concurrency or budget)
	Unavailable int64 // answered 503
	Closed      int64 // cut mid-response by CloseMidResponse
	// MaxInFlight is the most requests one tenant had in flight at once,
	// counted as ConcurrencyLimit counts them: from arrival (latency
	// included) to the end of the response. Requests whose URL names no
	// tenant are not counted.
	MaxInFlight int
	// Endpoints is keyed "exchange/InvokeCommand",
	// "exchange/EXOModuleFile", "compliance/InvokeCommand" and
	// "compliance/EXOModuleFile".
	Endpoints map[string]EndpointStats
	// Cmdlets counts InvokeCommand requests by cmdlet name (the
	// backend's spelling when it models the cmdlet), once the body was
	// read.
	Cmdlets map[string]int64
	// Statuses counts responses by HTTP status.
	Statuses map[int]int64
}

// EndpointStats are one endpoint's counters.
type EndpointStats struct {
	Requests, Throttled, Unavailable, Closed int64
}

func newStats() Stats {
	return Stats{Endpoints: map[string]EndpointStats{}, Cmdlets: map[string]int64{}, Statuses: map[int]int64{}}
}

// faultSet is a Faults and the progress of its counting.
type faultSet struct {
	f Faults
	s faultState
}

// SetFaults replaces the faults of every tenant without faults of its own
// (SetTenantFaults) and restarts their counting.
func (h *Handler) SetFaults(f Faults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.global = faultSet{f: f}
}

// Faults returns the faults in force, with what is left of the counts.
func (h *Handler) Faults() Faults {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.global.f
}

// SetTenantFaults gives one tenant (by GUID) faults of its own, which
// replace SetFaults' for it until ClearTenantFaults; the zero Faults makes
// the tenant fault-free while others are not. Counting starts afresh.
func (h *Handler) SetTenantFaults(tenantID string, f Faults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.perTenant[strings.ToLower(tenantID)] = &faultSet{f: f}
}

// ClearTenantFaults puts a tenant back under SetFaults.
func (h *Handler) ClearTenantFaults(tenantID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.perTenant, strings.ToLower(tenantID))
}

// TenantFaults returns the faults in force for a tenant, with what is
// left of the counts.
func (h *Handler) TenantFaults(tenantID string) Faults {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.faultsFor(tenantID).f
}

// faultsFor is the fault set governing tenantID ("" or unknown: the
// global one); the caller holds h.mu.
func (h *Handler) faultsFor(tenantID string) *faultSet {
	if fs := h.perTenant[strings.ToLower(tenantID)]; fs != nil {
		return fs
	}
	return &h.global
}

// Stats returns a copy of the counters.
func (h *Handler) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Endpoints = maps.Clone(s.Endpoints)
	s.Cmdlets = maps.Clone(s.Cmdlets)
	s.Statuses = maps.Clone(s.Statuses)
	return s
}

// ResetStats sets every counter to zero.
func (h *Handler) ResetStats() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stats = newStats()
}

// finish counts a request once.
func (h *Handler) finish(x *exchangeReq, status int) {
	if x.recorded {
		return
	}
	x.recorded = true
	key := x.rt.statsKey()
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &h.stats
	e := s.Endpoints[key]
	s.Requests++
	e.Requests++
	switch status {
	case http.StatusTooManyRequests:
		s.Throttled++
		e.Throttled++
	case http.StatusServiceUnavailable:
		s.Unavailable++
		e.Unavailable++
	}
	if x.cut {
		s.Closed++
		e.Closed++
	}
	s.Endpoints[key] = e
	if x.cmdlet != "" {
		s.Cmdlets[x.cmdlet]++
	}
	s.Statuses[status]++
}

// injectFaults applies Latency, Unavailable, ThrottleEvery and
// ThrottleAfter of the faults governing the URL's tenant (tenantID, ""
// for a URL naming no tenant), before authentication as a front door
// sheds load (the tenant is in the path, so the front door knows it
// before reading the token).
func (h *Handler) injectFaults(r *http.Request, tenantID string) *failure {
	h.mu.Lock()
	latency := h.faultsFor(tenantID).f.Latency
	h.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client left; the rest of the request fails on its
			// own context.
			t.Stop()
		}
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.faultsFor(tenantID)
	f, s := &set.f, &set.s
	s.count++
	retry := seconds(f.ThrottleRetryAfter)
	if f.Unavailable > 0 {
		f.Unavailable--
		return &failure{status: http.StatusServiceUnavailable, code: "ServiceUnavailable",
			message:   "The service is temporarily unavailable. Retry after " + strconv.Itoa(retry) + " seconds.",
			exception: excUnavailable, retryAfter: retry}
	}
	if f.ThrottleEvery > 0 && s.count%f.ThrottleEvery == 0 {
		return throttled(retry)
	}
	if f.ThrottleAfter > 0 {
		now := h.opts.Now()
		if s.throttling {
			if f.ThrottleFor <= 0 {
				return throttled(retry)
			}
			if now.Before(s.until) {
				return throttled(seconds(s.until.Sub(now)))
			}
			s.throttling, s.after = false, 0
		}
		s.after++
		if s.after > f.ThrottleAfter {
			s.throttling, s.until = true, now.Add(f.ThrottleFor)
			if f.ThrottleFor <= 0 {
				return throttled(retry)
			}
			return throttled(seconds(f.ThrottleFor))
		}
	}
	return nil
}

// takeCut uses up one CloseMidResponse of the tenant's faults, if any is
// left.
func (h *Handler) takeCut(tenantID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := &h.faultsFor(tenantID).f
	if f.CloseMidResponse > 0 {
		f.CloseMidResponse--
		return true
	}
	return false
}

// enter admits a request to the in-flight set of the tenant its URL
// names, or refuses it when the tenant's ConcurrencyLimit is reached;
// release, when not nil, must be called once the response is written. A
// URL naming no tenant is not counted: it is answered 404 without
// reaching any tenant.
func (h *Handler) enter(t urlTenant) (release func(), f *failure) {
	if !t.ok {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ts := h.tenant(t.id)
	faults := h.faultsFor(t.id).f
	if lim := faults.ConcurrencyLimit; lim > 0 && ts.inFlight >= lim {
		return nil, &failure{status: http.StatusTooManyRequests, code: "TooManyRequests",
			message: concurrencyText, plain: true, exception: excThrottled,
			retryAfter: seconds(faults.ThrottleRetryAfter)}
	}
	ts.inFlight++
	h.stats.MaxInFlight = max(h.stats.MaxInFlight, ts.inFlight)
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		ts.inFlight--
	}, nil
}

// spend takes one request from the tenant's budget and sets the
// Rate-Limit-* headers (PROTOCOL.md 3.4, 3.7); a spent budget is a 429
// until the window resets.
func (h *Handler) spend(hdr http.Header, tenantID string) *failure {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.opts.Now()
	ts := h.tenant(tenantID)
	if ts.windowStart.IsZero() || !now.Before(ts.windowStart.Add(h.opts.RateLimitWindow)) {
		ts.windowStart, ts.used = now, 0
	}
	reset := ts.windowStart.Add(h.opts.RateLimitWindow)
	spent := ts.used >= h.opts.RateLimit
	if !spent {
		ts.used++
	}
	hdr.Set("Rate-Limit-Limit", strconv.Itoa(h.opts.RateLimit))
	hdr.Set("Rate-Limit-Remaining", strconv.Itoa(h.opts.RateLimit-ts.used))
	hdr.Set("Rate-Limit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000Z"))
	if spent {
		return throttled(seconds(reset.Sub(now)))
	}
	return nil
}

func (h *Handler) tenant(id string) *tenantState {
	key := strings.ToLower(id)
	ts := h.tenants[key]
	if ts == nil {
		ts = &tenantState{}
		h.tenants[key] = ts
	}
	return ts
}

func throttled(retry int) *failure {
	return &failure{status: http.StatusTooManyRequests, code: "TooManyRequests",
		message:   "The request was throttled. Retry after " + strconv.Itoa(retry) + " seconds.",
		exception: excThrottled, retryAfter: retry}
}

// seconds is d as a Retry-After value: whole seconds, rounded up, at
// least 1 (0 would invite a client to hammer the service).
func seconds(d time.Duration) int {
	if d <= 0 {
		return 1
	}
	return int((d + time.Second - 1) / time.Second)
}

package cli

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/stdlib/checks"
)

// runSummary is the record of one run. --summary-json writes it as it is;
// the text summary on stderr and the structured log record are derived
// from it, so the three never disagree. Field names are part of exorun's
// interface (the README documents them): add fields, never rename.
type runSummary struct {
	RunID   string    `json:"run_id"`
	Version string    `json:"exorun_version"`
	Script  scriptRef `json:"script"`
	// Bundle is set when the script is a bundle's entry.
	Bundle     *bundleRef `json:"bundle,omitempty"`
	StartedAt  string     `json:"started_at"`
	EndedAt    string     `json:"ended_at"`
	DurationMS int64      `json:"duration_ms"`
	// Tenant, AppID and CertificateThumbprint are those of the first
	// session; null and empty when the script never connected.
	Tenant                *tenantRef       `json:"tenant"`
	AppID                 string           `json:"app_id"`
	CertificateThumbprint string           `json:"certificate_thumbprint,omitempty"`
	WhatIf                bool             `json:"what_if"`
	Services              []serviceSummary `json:"services"`
	// Checks, Thresholds and Metrics are what the script recorded with
	// check, threshold and metric.
	Checks     []checks.Check     `json:"checks"`
	Thresholds []checks.Threshold `json:"thresholds"`
	Metrics    []checks.Metric    `json:"metrics"`
	// Memory is the run's --memory-limit and the most heap it measured.
	Memory   memorySummary `json:"memory"`
	ExitCode int           `json:"exit_code"`
	ExitName string        `json:"exit_name"`
	// Error is the message of the failure that set ExitCode; "" on success.
	Error string `json:"error,omitempty"`
}

type memorySummary struct {
	LimitBytes    int64 `json:"limit_bytes"`     // 0: no limit
	PeakHeapBytes int64 `json:"peak_heap_bytes"` // measured only under a limit
}

type scriptRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// bundleRef is the bundle a run ran: which one, exactly, and who signed it.
type bundleRef struct {
	Name    string     `json:"name"`
	Version string     `json:"version"`
	SHA256  string     `json:"sha256"`
	Signer  *signerRef `json:"signer"` // null when unsigned
}

type signerRef struct {
	Subject    string `json:"subject"`
	Thumbprint string `json:"thumbprint"`
	Trusted    bool   `json:"trusted"`
}

type tenantRef struct {
	ID     string `json:"id"`
	Domain string `json:"domain"`
}

// serviceSummary is what the run asked of one service (Exchange Online or
// Security & Compliance), over all its sessions.
type serviceSummary struct {
	Service string           `json:"service"`
	Calls   map[string]int64 `json:"calls"` // cmdlets sent, by name
	traffic
	Errors map[string]int `json:"errors"` // failed calls by error code
}

// traffic is what a run exchanged with a service: a service's share in
// a run's summary, and the totals of a run over many tenants.
type traffic struct {
	Requests       int64           `json:"requests"`
	Pages          int64           `json:"pages"`
	Objects        int64           `json:"objects"`
	Retries        int64           `json:"retries"`
	ThrottleWaitMS int64           `json:"throttle_wait_ms"`
	Writes         bindings.Writes `json:"writes"`
}

// add adds o to t.
func (t *traffic) add(o traffic) {
	t.Requests += o.Requests
	t.Pages += o.Pages
	t.Objects += o.Objects
	t.Retries += o.Retries
	t.ThrottleWaitMS += o.ThrottleWaitMS
	t.Writes.Sent += o.Writes.Sent
	t.Writes.WhatIf += o.Writes.WhatIf
	t.Writes.Uncertain += o.Writes.Uncertain
}

// runRecord collects a run's summary as it goes.
type runRecord struct {
	sum     runSummary
	started time.Time
	now     func() time.Time
}

func newRunRecord(id, script string, whatIf bool, now func() time.Time) *runRecord {
	r := &runRecord{now: now, started: now()}
	r.sum = runSummary{
		RunID:     id,
		Version:   version(),
		Script:    scriptRef{Path: script},
		StartedAt: r.started.UTC().Format(time.RFC3339Nano),
		WhatIf:    whatIf,
		Services:  []serviceSummary{},
	}
	r.results(checks.Results{})
	return r
}

// fork is a new record for one tenant of a run over many: the run's id,
// script and bundle, started now.
func (r *runRecord) fork(now func() time.Time) *runRecord {
	f := &runRecord{now: now, started: now(), sum: r.sum}
	f.sum.StartedAt = f.started.UTC().Format(time.RFC3339Nano)
	f.sum.Services = []serviceSummary{}
	f.results(checks.Results{})
	return f
}

// script notes the script's content.
func (r *runRecord) script(src []byte) {
	h := sha256.Sum256(src)
	r.sum.Script.SHA256 = hex.EncodeToString(h[:])
}

// bundle notes the bundle the run's script comes from.
func (r *runRecord) bundle(lb *loadedBundle) {
	m := lb.b.Manifest
	ref := &bundleRef{Name: m.Name, Version: m.Version, SHA256: lb.b.SHA256}
	if s := lb.signer; s != nil {
		ref.Signer = &signerRef{Subject: s.Subject, Thumbprint: s.Thumbprint, Trusted: lb.trusted}
	}
	r.sum.Bundle = ref
}

// results notes the script's checks, thresholds and metrics; empty lists
// stay [] in JSON, so a reader never meets null.
func (r *runRecord) results(res checks.Results) {
	r.sum.Checks = nonNil(res.Checks)
	r.sum.Thresholds = nonNil(res.Thresholds)
	r.sum.Metrics = nonNil(res.Metrics)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// memory notes the run's memory limit and the peak heap measured.
func (r *runRecord) memory(limit, peak int64) {
	r.sum.Memory = memorySummary{LimitBytes: limit, PeakHeapBytes: peak}
}

// sessions folds the run's sessions in, per service in connect order.
func (r *runRecord) sessions(sessions []bindings.Summary) {
	byService := map[string]*serviceSummary{}
	for _, s := range sessions {
		if r.sum.Tenant == nil {
			r.sum.Tenant = &tenantRef{ID: s.TenantID, Domain: s.Organization}
			r.sum.AppID = s.AppID
			r.sum.CertificateThumbprint = s.Thumbprint
		}
		key := s.Service.Key()
		ss, ok := byService[key]
		if !ok {
			r.sum.Services = append(r.sum.Services, serviceSummary{Service: key, Calls: map[string]int64{}, Errors: map[string]int{}})
			ss = &r.sum.Services[len(r.sum.Services)-1]
			byService[key] = ss
		}
		for c, n := range s.Calls {
			ss.Calls[c] += n
		}
		for c, n := range s.Errors {
			ss.Errors[c] += n
		}
		ss.add(traffic{Requests: s.Requests, Pages: s.Pages, Objects: s.Objects, Retries: s.Retries,
			ThrottleWaitMS: s.ThrottleWait.Milliseconds(), Writes: s.Writes})
	}
}

// complete closes the record with what the run's host saw (nil when the
// run never got one) and the run's outcome.
func (r *runRecord) complete(h *host, err error) *runSummary {
	if h != nil {
		r.sessions(h.sessions())
		r.results(h.results)
		r.memory(h.memoryLimit, h.peakHeap)
	}
	return r.finish(err)
}

// finish closes the record with the run's outcome.
func (r *runRecord) finish(err error) *runSummary {
	end := r.now()
	r.sum.EndedAt = end.UTC().Format(time.RFC3339Nano)
	r.sum.DurationMS = end.Sub(r.started).Milliseconds()
	code := exitcode.Of(err)
	r.sum.ExitCode, r.sum.ExitName = int(code), code.Name()
	if err != nil && code != exitcode.OK {
		r.sum.Error = err.Error()
	}
	return &r.sum
}

// hasContent reports whether the run did anything a text summary adds to
// its own output: connected, or recorded checks.
func (s *runSummary) hasContent() bool {
	return len(s.Services) > 0 || len(s.Checks) > 0 || len(s.Thresholds) > 0 || len(s.Metrics) > 0
}

// marshal is the --summary-json document.
func (s *runSummary) marshal() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("run summary: %w", err)
	}
	return append(b, '\n'), nil
}

// writeText prints the summary for people: a heading and a few aligned
// lines. withTimes false leaves out durations, for reproducible output
// (EXORUN_LOG_NO_TIME).
func (s *runSummary) writeText(w io.Writer, withTimes bool) {
	head := fmt.Sprintf("run summary: exit %d (%s)", s.ExitCode, s.ExitName)
	if withTimes {
		head += fmt.Sprintf(" in %s", (time.Duration(s.DurationMS) * time.Millisecond).String())
	}
	fmt.Fprintln(w, head)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if b := s.Bundle; b != nil {
		signer := "unsigned"
		if b.Signer != nil {
			signer = "signed by " + b.Signer.Subject
			if !b.Signer.Trusted {
				signer += " (not trusted)"
			}
		}
		fmt.Fprintf(tw, "  bundle\t%s %s, %s\n", b.Name, b.Version, signer)
	}
	if s.Tenant != nil {
		fmt.Fprintf(tw, "  tenant\t%s\n", cmp.Or(s.Tenant.Domain, s.Tenant.ID))
	}
	for _, ss := range s.Services {
		fmt.Fprintf(tw, "  %s\t%s\n", ss.Service, ss.text(withTimes))
	}
	for _, c := range s.Checks {
		line := fmt.Sprintf("%d passed", c.Passes)
		if c.Fails > 0 {
			line += fmt.Sprintf(", %d failed", c.Fails)
		}
		fmt.Fprintf(tw, "  check %s\t%s\n", c.Name, line)
	}
	for _, m := range s.Metrics {
		fmt.Fprintf(tw, "  metric %s\t%s\n", m.Name, metricText(m))
	}
	for _, t := range s.Thresholds {
		fmt.Fprintf(tw, "  threshold %s\t%s\n", t.Name, strings.TrimPrefix(t.String(), "threshold "+t.Name+" "))
	}
	_ = tw.Flush()
}

// text is one service's line: calls, pages, objects, then whatever is not
// zero.
func (ss *serviceSummary) text(withTimes bool) string {
	var calls int64
	for _, n := range ss.Calls {
		calls += n
	}
	parts := []string{fmt.Sprintf("%s, %s, %s", count(calls, "call"), count(ss.Pages, "page"), count(ss.Objects, "object"))}
	if ss.Retries > 0 {
		retry := count(ss.Retries, "retry")
		if withTimes && ss.ThrottleWaitMS > 0 {
			retry += fmt.Sprintf(" (%s waited on throttling)", time.Duration(ss.ThrottleWaitMS)*time.Millisecond)
		}
		parts = append(parts, retry)
	}
	var writes []string
	if ss.Writes.Sent > 0 {
		writes = append(writes, fmt.Sprintf("%d sent", ss.Writes.Sent))
	}
	if ss.Writes.WhatIf > 0 {
		writes = append(writes, fmt.Sprintf("%d what-if", ss.Writes.WhatIf))
	}
	if ss.Writes.Uncertain > 0 {
		writes = append(writes, fmt.Sprintf("%d uncertain", ss.Writes.Uncertain))
	}
	if len(writes) > 0 {
		parts = append(parts, "writes: "+strings.Join(writes, ", "))
	}
	if len(ss.Errors) > 0 {
		var errs []string
		for _, code := range slices.Sorted(maps.Keys(ss.Errors)) {
			errs = append(errs, fmt.Sprintf("%s %d", code, ss.Errors[code]))
		}
		parts = append(parts, "errors: "+strings.Join(errs, ", "))
	}
	return strings.Join(parts, "; ")
}

// count is "1 call", "2 calls", "3 retries".
func count[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// metricText is a metric's aggregates: "count 3, value 7, min 1, max 7".
func metricText(m checks.Metric) string {
	parts := []string{"count " + strconv.FormatFloat(m.Count, 'g', -1, 64)}
	for _, a := range []struct {
		name string
		v    *float64
	}{{"value", m.Value}, {"min", m.Min}, {"max", m.Max}} {
		if a.v != nil {
			parts = append(parts, a.name+" "+strconv.FormatFloat(*a.v, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ", ")
}

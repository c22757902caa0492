package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/exorun/exorun/internal/exitcode"
)

// tenantsSummary is the record of a run over many tenants: --summary-json
// with --tenants writes it, summary merge reads and writes it, and the
// text summary is derived from it. Field names are part of exorun's
// interface (the README documents them): add fields, never rename.
type tenantsSummary struct {
	RunID   string     `json:"run_id"`
	Version string     `json:"exorun_version"`
	Script  scriptRef  `json:"script"`
	Bundle  *bundleRef `json:"bundle,omitempty"`
	// TenantsFile is the --tenants file as given.
	TenantsFile string `json:"tenants_file"`
	// Shard is the --shard this run took; null when it ran every tenant.
	Shard *shardRef `json:"shard"`
	// MergedFrom lists the runs summary merge merged (through a merged
	// summary, the runs it merged); absent from a run's own summary.
	MergedFrom []mergedRun `json:"merged_from,omitempty"`
	Parallel   int         `json:"parallel"`
	StartedAt  string      `json:"started_at"`
	EndedAt    string      `json:"ended_at"`
	DurationMS int64       `json:"duration_ms"`
	WhatIf     bool        `json:"what_if"`
	// Tenants holds one outcome per tenant of the run (of its shard), in
	// the file's order.
	Tenants []tenantOutcome `json:"tenants"`
	Totals  tenantTotals    `json:"totals"`
	// ExitCode is 0 when every tenant succeeded, else the most severe
	// tenant's code (exitcode.MostSevere), or the run's own failure
	// (interrupted, timed out, a bad tenants file).
	ExitCode int    `json:"exit_code"`
	ExitName string `json:"exit_name"`
	Error    string `json:"error,omitempty"`
}

// mergedRun is one run a merged summary holds: enough to merge it again
// (which shard, and how it failed beyond its tenants).
type mergedRun struct {
	RunID    string    `json:"run_id"`
	Shard    *shardRef `json:"shard"`
	ExitCode int       `json:"exit_code"`
	ExitName string    `json:"exit_name"`
	// Problem is the run's failure beyond its tenants' own (cut short,
	// or failed before it ran one); "" when none.
	Problem string `json:"problem,omitempty"`
}

// shardRef is the shard a run took: Index of Count (from 0).
type shardRef struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Tenant statuses.
const (
	statusOK     = "ok"
	statusFailed = "failed"
	statusNotRun = "not_run"
)

// tenantOutcome is how one tenant's run ended.
type tenantOutcome struct {
	Organization string `json:"organization"`
	// Status is ok, failed or not_run: a tenant the run stopped before
	// (Ctrl-C, --timeout, --fail-fast) is never listed as ok.
	Status string `json:"status"`
	// ExitCode and ExitName are the tenant's run's; null and "" when it
	// did not run.
	ExitCode *int   `json:"exit_code"`
	ExitName string `json:"exit_name,omitempty"`
	// Reason says why it failed (its error) or why it did not run.
	Reason     string `json:"reason,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Objects    int64  `json:"objects"`
	// Summary is the tenant's own run summary, as a single run's
	// --summary-json holds it; null when it did not run.
	Summary *runSummary `json:"summary"`
}

// tenantTotals add up the tenants' outcomes.
type tenantTotals struct {
	Tenants int `json:"tenants"`
	OK      int `json:"ok"`
	Failed  int `json:"failed"`
	NotRun  int `json:"not_run"`
	traffic
}

// ranOutcome is the outcome of a tenant that ran, from its summary.
func ranOutcome(organization string, sum *runSummary) tenantOutcome {
	code := sum.ExitCode
	o := tenantOutcome{Organization: organization, Status: statusOK, ExitCode: &code, ExitName: sum.ExitName,
		DurationMS: sum.DurationMS, Summary: sum}
	if code != int(exitcode.OK) {
		o.Status, o.Reason = statusFailed, sum.Error
	}
	for _, s := range sum.Services {
		o.Objects += s.Objects
	}
	return o
}

// notRunOutcome is a tenant the run never started, and why.
func notRunOutcome(organization, why string) tenantOutcome {
	return tenantOutcome{Organization: organization, Status: statusNotRun, Reason: why}
}

// total recomputes Totals from Tenants.
func (s *tenantsSummary) total() {
	t := tenantTotals{Tenants: len(s.Tenants)}
	for _, o := range s.Tenants {
		switch o.Status {
		case statusOK:
			t.OK++
		case statusFailed:
			t.Failed++
		default:
			t.NotRun++
		}
		if o.Summary == nil {
			continue
		}
		for _, ss := range o.Summary.Services {
			t.add(ss.traffic)
		}
	}
	s.Totals = t
}

// verdict is the run's error: runErr when the run itself failed (a cut
// short run's cause, a bad file), combined with its tenants' codes;
// nil when every tenant succeeded.
func (s *tenantsSummary) verdict(runErr error) error {
	codes := []exitcode.Code{exitcode.Of(runErr)}
	var failed []string
	for _, o := range s.Tenants {
		if o.ExitCode == nil || *o.ExitCode == int(exitcode.OK) {
			continue
		}
		codes = append(codes, exitcode.Code(*o.ExitCode))
		failed = append(failed, fmt.Sprintf("%s (%s)", o.Organization, o.ExitName))
	}
	worst := exitcode.MostSevere(codes...)
	if worst == exitcode.OK {
		return nil
	}
	var msg string
	switch {
	case len(failed) == 0:
	case len(failed) <= 3:
		msg = fmt.Sprintf("%d of %d tenants failed: %s", len(failed), len(s.Tenants), strings.Join(failed, ", "))
	default:
		msg = fmt.Sprintf("%d of %d tenants failed: %s and %d more", len(failed), len(s.Tenants), strings.Join(failed[:3], ", "), len(failed)-3)
	}
	if runErr != nil {
		if msg == "" {
			return runErr
		}
		msg = runErr.Error() + "; " + msg
	}
	e := exitcode.New(worst, "%s", msg)
	if hint := exitcode.HintOf(runErr); hint != "" {
		return e.WithHint(hint)
	}
	if len(failed) > 0 {
		return e.WithHint("each failed tenant's line above says why; its own summary is under tenants[] in --summary-json")
	}
	return e
}

// conclude fills in the end, the totals and the exit code, and returns
// the run's error.
func (s *tenantsSummary) conclude(started, end time.Time, runErr error) error {
	s.EndedAt = end.UTC().Format(time.RFC3339Nano)
	s.DurationMS = end.Sub(started).Milliseconds()
	s.total()
	err := s.verdict(runErr)
	code := exitcode.Of(err)
	s.ExitCode, s.ExitName, s.Error = int(code), code.Name(), ""
	if err != nil {
		s.Error = err.Error()
	}
	return err
}

func (s *tenantsSummary) marshal() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("run summary: %w", err)
	}
	return append(b, '\n'), nil
}

// reasonWidth is how much of a failure a tenant's text line shows; the
// JSON summary holds all of it.
const reasonWidth = 160

// writeText prints the summary for people: a heading, one line per
// tenant (ok, or failed with the exit name and reason, or not run and
// why) and the totals. withTimes false leaves out durations.
func (s *tenantsSummary) writeText(w io.Writer, withTimes bool) {
	t := s.Totals
	head := fmt.Sprintf("run summary: exit %d (%s)", s.ExitCode, s.ExitName)
	if withTimes {
		head += fmt.Sprintf(" in %s", time.Duration(s.DurationMS)*time.Millisecond)
	}
	head += fmt.Sprintf("; %s: %s", count(t.Tenants, "tenant"), s.tally())
	if s.Shard != nil {
		head += fmt.Sprintf(" (shard %d/%d)", s.Shard.Index, s.Shard.Count)
	}
	fmt.Fprintln(w, head)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, o := range s.Tenants {
		var status, detail string
		switch o.Status {
		case statusOK:
			status, detail = "ok", count(o.Objects, "object")
		case statusFailed:
			status, detail = "failed ("+o.ExitName+")", firstLine(o.Reason, reasonWidth)
		default:
			status, detail = "not run", o.Reason
		}
		line := "  " + o.Organization + "\t" + status + "\t" + detail
		if withTimes && o.Status != statusNotRun {
			line += "\t" + (time.Duration(o.DurationMS) * time.Millisecond).Round(time.Millisecond).String()
		}
		fmt.Fprintln(tw, line)
	}
	totals := fmt.Sprintf("  total\t%s\t%s, %s", s.tally(), count(t.Objects, "object"), count(t.Requests, "request"))
	if t.Retries > 0 {
		totals += ", " + count(t.Retries, "retry")
	}
	if w := t.Writes; w.Sent+w.WhatIf+w.Uncertain > 0 {
		totals += fmt.Sprintf(", writes: %d sent, %d what-if, %d uncertain", w.Sent, w.WhatIf, w.Uncertain)
	}
	fmt.Fprintln(tw, totals)
	_ = tw.Flush()
}

// tally is "2 ok, 1 failed, 3 not run", leaving out zeros (but not an
// all-zero tally).
func (s *tenantsSummary) tally() string {
	t := s.Totals
	var parts []string
	for _, p := range []struct {
		n    int
		name string
	}{{t.OK, "ok"}, {t.Failed, "failed"}, {t.NotRun, "not run"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	if len(parts) == 0 {
		return "none run"
	}
	return strings.Join(parts, ", ")
}

// firstLine is s up to its first line break, cut to width runes.
func firstLine(s string, width int) string {
	s, _, _ = strings.Cut(s, "\n")
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	return string([]rune(s)[:width-1]) + "…"
}

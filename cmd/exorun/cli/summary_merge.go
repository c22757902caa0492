package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/cmd/exorun/tenants"
	"github.com/exorun/exorun/internal/exitcode"
)

// summaryCommand is `exorun summary`: work with run summaries.
func summaryCommand() *command {
	return &command{name: "summary", usage: "exorun summary merge ...", summary: "merge the --summary-json files of a run's shards into one report",
		verbs: []*command{
			{name: "merge", usage: "exorun summary merge [--summary-json FILE] SUMMARY.json|DIR...", summary: "merge shard summaries into one report and exit code",
				flags: func() *pflag.FlagSet { return mergeFlags(&mergeOptions{}) }, run: cmdSummaryMerge,
				examples: []string{
					"exorun summary merge s0.json s1.json s2.json --summary-json all.json",
					"exorun summary merge summaries/      # every .json in the folder",
				}},
		}}
}

type mergeOptions struct {
	SummaryJSON string
	Quiet       bool
}

// mergeFile is a summary to merge, named or found in a folder.
type mergeFile struct {
	path     string
	inFolder bool
}

func mergeFlags(o *mergeOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("summary merge", pflag.ContinueOnError)
	fs.StringVar(&o.SummaryJSON, "summary-json", "", "write the merged summary as JSON to `FILE`")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no report; the exit code and --summary-json say it all")
	return fs
}

// cmdSummaryMerge reads the summaries of a run's shards (or of single
// runs, one tenant each), checks they are parts of one run, and reports
// them as one: the per-tenant lines and totals on stdout, the merged
// summary in --summary-json, and the exit code the whole run would have
// had. A shard missing from a sharded set fails the merge.
func cmdSummaryMerge(env *Env, c *command, args []string) error {
	o := &mergeOptions{}
	fs := mergeFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return exitcode.New(exitcode.Usage, "summary merge: no summary files given").WithHint("usage: " + c.usage)
	}
	files := expandFolders(env, fs.Args(), o.SummaryJSON)
	parts := make([]summaryPart, 0, len(files))
	var fromFolders []summaryPart
	for _, f := range files {
		p, err := readSummaryPart(env, f.path)
		if err != nil {
			return err
		}
		if f.inFolder && p.sum.MergedFrom != nil {
			fromFolders = append(fromFolders, p)
			continue
		}
		parts = append(parts, p)
	}
	parts = append(parts, uncovered(fromFolders, parts)...)
	if len(parts) == 0 {
		return usageError("summary merge: no run summaries (.json files) in %s", strings.Join(fs.Args(), " "))
	}
	merged, gaps, err := mergeSummaries(parts, env.newRunID())
	if err != nil {
		return err
	}
	runErr := gaps
	verdict := merged.verdict(runErr)
	code := exitcode.Of(verdict)
	merged.ExitCode, merged.ExitName, merged.Error = int(code), code.Name(), ""
	if verdict != nil {
		merged.Error = verdict.Error()
	}
	if o.SummaryJSON != "" {
		data, err := merged.marshal()
		if err == nil {
			err = env.WriteFile(o.SummaryJSON, data, 0o644)
		}
		if err != nil {
			return exitcode.New(exitcode.Usage, "--summary-json %s: %v", o.SummaryJSON, err)
		}
	}
	if !o.Quiet {
		merged.writeText(env.Stdout, env.logTimes())
	}
	return verdict
}

// expandFolders replaces each folder among args by the .json files in
// it, in name order (but the merge's own output, skip): a scheduler's
// artifacts arrive as a folder, and a container without a shell has no
// glob.
func expandFolders(env *Env, args []string, skip string) []mergeFile {
	var files []mergeFile
	for _, a := range args {
		entries, err := readDir(env, a)
		if err != nil {
			files = append(files, mergeFile{path: a}) // a file, or an error readSummaryPart reports
			continue
		}
		for _, e := range entries {
			path := filepath.Join(a, e.Name())
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".json") && (skip == "" || filepath.Clean(skip) != path) {
				files = append(files, mergeFile{path: path, inFolder: true})
			}
		}
	}
	return files
}

func readDir(env *Env, dir string) ([]iofs.DirEntry, error) {
	if env.ReadDir == nil {
		return nil, iofs.ErrInvalid
	}
	return env.ReadDir(dir)
}

// uncovered is the merged summaries found in folders whose runs the
// other parts do not all hold: an earlier merge kept beside its parts
// adds nothing (and would hold its tenants twice), one that stands for
// parts no longer there is needed.
func uncovered(merged, parts []summaryPart) []summaryPart {
	held := map[string]bool{}
	for _, p := range parts {
		held[p.sum.RunID] = true
	}
	var keep []summaryPart
	for _, m := range merged {
		if slices.ContainsFunc(m.sum.MergedFrom, func(r mergedRun) bool { return !held[r.RunID] }) {
			keep = append(keep, m)
			for _, r := range m.sum.MergedFrom {
				held[r.RunID] = true
			}
		}
	}
	return keep
}

// summaryPart is one file summary merge reads.
type summaryPart struct {
	file string
	sum  tenantsSummary
}

// readSummaryPart reads a run's --summary-json: a run over many tenants,
// or a single run, taken as a run over its one tenant.
func readSummaryPart(env *Env, file string) (summaryPart, error) {
	data, err := env.ReadFile(file)
	if errors.Is(err, iofs.ErrNotExist) {
		return summaryPart{}, usageError("summary merge: %s: no such file", file)
	}
	if err != nil {
		return summaryPart{}, usageError("summary merge: %v", err)
	}
	var probe struct {
		RunID   *string          `json:"run_id"`
		Tenants *json.RawMessage `json:"tenants"`
	}
	if err := json.Unmarshal(data, &probe); err != nil || probe.RunID == nil {
		return summaryPart{}, usageError("summary merge: %s is not an exorun --summary-json file", file)
	}
	p := summaryPart{file: file}
	if probe.Tenants != nil {
		if err := json.Unmarshal(data, &p.sum); err != nil {
			return summaryPart{}, usageError("summary merge: %s: %v", file, err)
		}
		for _, t := range p.sum.Tenants {
			if t.Organization == "" {
				return summaryPart{}, usageError("summary merge: %s: a tenant without an organization", file)
			}
		}
		return p, nil
	}
	var one runSummary
	if err := json.Unmarshal(data, &one); err != nil {
		return summaryPart{}, usageError("summary merge: %s: %v", file, err)
	}
	if one.Tenant == nil || one.Tenant.Domain == "" {
		return summaryPart{}, exitcode.New(exitcode.Usage, "summary merge: %s is a run that never connected to a tenant", file).
			WithHint("merge the summaries of runs with --tenants, or of single runs that connected")
	}
	p.sum = tenantsSummary{RunID: one.RunID, Version: one.Version, Script: one.Script, Bundle: one.Bundle,
		StartedAt: one.StartedAt, EndedAt: one.EndedAt, DurationMS: one.DurationMS, WhatIf: one.WhatIf,
		Tenants:  []tenantOutcome{ranOutcome(strings.ToLower(one.Tenant.Domain), &one)},
		ExitCode: one.ExitCode, ExitName: one.ExitName, Error: one.Error}
	return p, nil
}

// mergeSummaries merges parts into one summary. It refuses parts of
// different scripts and a tenant in two parts (overlapping shards); gaps
// is the error of a sharded set that misses shards, and of a run whose
// own failure goes beyond its tenants (interrupted, timed out, failed
// before it started one). A merged summary merges again: it lists the
// runs it holds.
func mergeSummaries(parts []summaryPart, runID string) (merged *tenantsSummary, gaps error, err error) {
	if slices.ContainsFunc(parts, func(p summaryPart) bool { return shardIndex(p) >= 0 }) {
		// Shard order, so the merged report does not depend on the
		// order of the command line.
		parts = slices.Clone(parts)
		slices.SortStableFunc(parts, func(a, b summaryPart) int { return shardIndex(a) - shardIndex(b) })
	}
	first := parts[0].sum
	m := &tenantsSummary{RunID: runID, Version: version(), Script: first.Script, Bundle: first.Bundle,
		TenantsFile: first.TenantsFile, Tenants: []tenantOutcome{}}
	var (
		start, end time.Time
		count      int
		shards     = map[int]string{}
		problems   []string
		codes      []exitcode.Code
	)
	where := map[string]string{}
	scriptFile := parts[0].file // the part m.Script comes from
	for _, p := range parts {
		s := p.sum
		if s.Script.SHA256 != "" && m.Script.SHA256 == "" {
			// The first part failed before its script was read.
			m.Script, m.Bundle, scriptFile = s.Script, s.Bundle, p.file
		}
		if s.Script.SHA256 != "" && m.Script.SHA256 != "" && s.Script.SHA256 != m.Script.SHA256 {
			return nil, nil, exitcode.New(exitcode.Usage, "summary merge: %s ran another script than %s (sha256 %.12s…, not %.12s…)", p.file, scriptFile, s.Script.SHA256, m.Script.SHA256).
				WithHint("merge the shards of one run: the same script, tenants file and N")
		}
		if s.TenantsFile != m.TenantsFile {
			m.TenantsFile = ""
		}
		m.WhatIf = m.WhatIf || s.WhatIf
		m.Parallel = max(m.Parallel, s.Parallel)
		if t, err := time.Parse(time.RFC3339Nano, s.StartedAt); err == nil && (start.IsZero() || t.Before(start)) {
			start = t
		}
		if t, err := time.Parse(time.RFC3339Nano, s.EndedAt); err == nil && t.After(end) {
			end = t
		}
		for _, sh := range shardsOf(s) {
			switch {
			case sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count:
				return nil, nil, usageError("summary merge: %s: shard %d/%d does not exist", p.file, sh.Index, sh.Count)
			case count != 0 && sh.Count != count:
				return nil, nil, usageError("summary merge: %s is shard %d/%d, another file is of %d shards", p.file, sh.Index, sh.Count, count)
			case shards[sh.Index] != "":
				return nil, nil, usageError("summary merge: %s and %s both hold shard %d/%d", shards[sh.Index], p.file, sh.Index, sh.Count)
			}
			count, shards[sh.Index] = sh.Count, p.file
		}
		var tenantCodes []exitcode.Code
		for _, t := range s.Tenants {
			if other, dup := where[t.Organization]; dup {
				return nil, nil, exitcode.New(exitcode.Usage, "summary merge: tenant %s is in %s and in %s", t.Organization, other, p.file).
					WithHint("shards overlap: every shard must be given the same tenants file and the same N")
			}
			where[t.Organization] = p.file
			m.Tenants = append(m.Tenants, t)
			if t.ExitCode != nil {
				tenantCodes = append(tenantCodes, exitcode.Code(*t.ExitCode))
			}
		}
		for _, run := range runsOf(s, tenantCodes) {
			if run.Problem != "" {
				codes = append(codes, exitcode.Code(run.ExitCode))
				problems = append(problems, fmt.Sprintf("%s: %s", p.file, run.Problem))
			}
			m.MergedFrom = append(m.MergedFrom, run)
		}
	}
	if count > 0 {
		// Shard order, whatever the order and nesting of the merges:
		// merge(merge(a, c), b) reads as merge(a, b, c). Within a shard
		// the tenants keep the file's order.
		slices.SortStableFunc(m.MergedFrom, func(a, b mergedRun) int { return runShard(a) - runShard(b) })
		slices.SortStableFunc(m.Tenants, func(a, b tenantOutcome) int {
			return tenants.ShardOf(a.Organization, count) - tenants.ShardOf(b.Organization, count)
		})
	}
	if count > 0 && len(shards) < count {
		var missing []string
		for i := range count {
			if shards[i] == "" {
				missing = append(missing, fmt.Sprintf("%d/%d", i, count))
			}
		}
		codes = append(codes, exitcode.Usage)
		problems = append(problems, fmt.Sprintf("shard %s missing: its tenants are in no summary", strings.Join(missing, ", ")))
	}
	if !start.IsZero() {
		m.StartedAt = start.UTC().Format(time.RFC3339Nano)
		m.EndedAt = end.UTC().Format(time.RFC3339Nano)
		m.DurationMS = end.Sub(start).Milliseconds()
	}
	m.total()
	if len(problems) > 0 {
		gaps = exitcode.New(exitcode.MostSevere(codes...), "%s", strings.Join(problems, "; "))
	}
	return m, gaps, nil
}

// shardsOf is the shards a part holds: its own, or a merge's.
func shardsOf(s tenantsSummary) []*shardRef {
	if s.MergedFrom == nil {
		if s.Shard == nil {
			return nil
		}
		return []*shardRef{s.Shard}
	}
	var held []*shardRef
	for _, r := range s.MergedFrom {
		if r.Shard != nil {
			held = append(held, r.Shard)
		}
	}
	return held
}

// runsOf is the runs a part holds: a merged summary's, or the part's own
// run, whose problem is its failure beyond its tenants' codes.
func runsOf(s tenantsSummary, tenantCodes []exitcode.Code) []mergedRun {
	if s.MergedFrom != nil {
		return s.MergedFrom
	}
	run := mergedRun{RunID: s.RunID, Shard: s.Shard, ExitCode: s.ExitCode, ExitName: s.ExitName}
	if own := exitcode.Code(s.ExitCode); own != exitcode.MostSevere(tenantCodes...) {
		run.Problem = firstLine(cmp.Or(s.Error, own.Name()), reasonWidth)
	}
	return []mergedRun{run}
}

// runShard orders merged runs: unsharded first (-1), then by shard.
func runShard(r mergedRun) int {
	if r.Shard == nil {
		return -1
	}
	return r.Shard.Index
}

// shardIndex orders parts: unsharded first (-1), then by their (first)
// shard.
func shardIndex(p summaryPart) int {
	if p.sum.Shard != nil {
		return p.sum.Shard.Index
	}
	for _, r := range p.sum.MergedFrom {
		if r.Shard != nil {
			return r.Shard.Index
		}
	}
	return -1
}

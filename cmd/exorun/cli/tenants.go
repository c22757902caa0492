package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/cmd/exorun/tenants"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	lualog "github.com/exorun/exorun/stdlib/log"
	"github.com/exorun/exorun/stdlib/out"
	"github.com/exorun/exorun/stdlib/params"
)

// multiTenantOptions are run's flags for one script over many tenants.
type multiTenantOptions struct {
	Tenants  string // --tenants FILE
	Parallel int
	FailFast bool
	Shard    string // --shard K/N, or EXORUN_SHARD
	shard    tenants.Shard
	// TenantTimeout stops one tenant's run after this long; that
	// tenant fails, the others go on.
	TenantTimeout time.Duration
}

const (
	// defaultParallel tenants at once: Exchange throttles per tenant, so
	// tenants in parallel add up; four keep a small container's one or
	// two cores busy without making a laptop's run a surprise.
	defaultParallel = 4
	// maxParallel bounds --parallel: past some tens of tenants at once
	// the machine's CPU, not the service, is the limit (see the README),
	// and each running tenant holds its pages in memory.
	maxParallel = 64
	// shardEnv is --shard's environment variable.
	shardEnv = "EXORUN_SHARD"
)

func (o *multiTenantOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.Tenants, "tenants", "", "run the script once per tenant listed in `FILE` (CSV or JSON), each in its own state and connection")
	fs.IntVar(&o.Parallel, "parallel", defaultParallel, fmt.Sprintf("with --tenants: how many tenants run at once (1 to %d)", maxParallel))
	fs.BoolVar(&o.FailFast, "fail-fast", false, "with --tenants: start no more tenants once one has failed")
	fs.DurationVar(&o.TenantTimeout, "tenant-timeout", 0, "with --tenants: stop a tenant's run after this `duration`; it fails (exit 124), the others go on")
	fs.StringVar(&o.Shard, "shard", "", "with --tenants: run only shard `K/N` of them, K from 0; K may name a variable, e.g. JOB_COMPLETION_INDEX/4 (env "+shardEnv+")")
}

// checkTenants validates the multi-tenant flags against the others.
func (o *runOptions) checkTenants(env *Env, fs *pflag.FlagSet) error {
	if o.Tenants == "" {
		for _, f := range []string{"parallel", "fail-fast", "shard", "tenant-timeout"} {
			if fs.Changed(f) {
				return usageError("--%s needs --tenants FILE", f)
			}
		}
		return nil
	}
	if o.Parallel < 1 || o.Parallel > maxParallel {
		return usageError("--parallel %d: want 1 to %d", o.Parallel, maxParallel)
	}
	if o.TenantTimeout < 0 {
		return usageError("--tenant-timeout %s: must not be negative", o.TenantTimeout)
	}
	from := "--shard"
	if o.Shard == "" {
		o.Shard, from = env.getenv(shardEnv), shardEnv
	}
	if o.Shard != "" {
		s, err := tenants.ParseShard(o.Shard, env.LookupEnv)
		if err != nil {
			return usageError("%s %v", from, err)
		}
		o.shard = s
	}
	if f, _ := out.ParseFormat(o.Output); f == out.FormatCSV {
		return exitcode.New(exitcode.Usage, "--output csv and --tenants: one stdout cannot hold many tenants' CSV").
			WithHint("use -o json (each row names its tenant), or write CSV files: each tenant's go to --out/TENANT/")
	}
	if fs.Changed("organization") {
		return usageError("--organization and --tenants: the tenants file names each tenant's organization")
	}
	return nil
}

// tenantScope is what sets one tenant's run apart from its siblings'.
type tenantScope struct {
	row tenants.Tenant
	// demo is the run's one emulated service (--demo), where every
	// tenant of the file is a tenant; nil without --demo.
	demo *connect.Settings
	// print is where the script's print writes when stdout holds -o
	// json: the tenant's own lines on stderr, also when the log records
	// there are JSON (which name their tenant themselves).
	print io.Writer
	// signedOnly: the run allows only signed bundles, so a profile that
	// requires them is satisfied.
	signedOnly bool
}

// tenantName is the tenant a run is one of; "" for a single run.
func (o *scriptOptions) tenantName() string {
	if o.tenant == nil {
		return ""
	}
	return o.tenant.row.Organization
}

// connectSettings are the run's connection settings: for a tenant, its
// row over the flags, environment and profile (or over the demo's).
func (o *scriptOptions) connectSettings(env *Env) (connect.Settings, error) {
	t := o.tenant
	if t == nil {
		return o.settings(env)
	}
	if t.demo != nil {
		s := *t.demo
		s.Organization = t.row.Organization
		return s, nil
	}
	top := t.row.Settings
	for _, key := range slices.Sorted(maps.Keys(t.row.SecretEnv)) {
		name := t.row.SecretEnv[key]
		v, ok := env.LookupEnv(name)
		if !ok {
			// The name is not repeated: a secret pasted there by
			// mistake may look like one.
			return connect.Settings{}, usageError("tenants file line %d: the environment variable that column %s_env names is not set", t.row.Line, key)
		}
		f, ok := connect.FieldByKey(key)
		if !ok {
			return connect.Settings{}, fmt.Errorf("tenants file line %d: no setting %q", t.row.Line, key)
		}
		f.Set(&top, v)
	}
	s, signedOnly, err := o.settingsUnder(env, top)
	if err != nil {
		return connect.Settings{}, err
	}
	if signedOnly && !t.signedOnly {
		// The policy was read before the run (rowRequiresSigned);
		// a profile unreadable then must not slip through now that it
		// is used.
		return connect.Settings{}, exitcode.New(exitcode.Bundle, "profile %s allows only signed bundles, and this run was not checked for one", s.Profile).
			WithHint("run it again: the policy is read before the run starts")
	}
	if top.TokenCache == "" && s.TokenCache != "" {
		// One cache file written by tenants at once would keep only
		// the last one's tokens: each tenant gets its own beside it.
		s.TokenCache = tenantFile(s.TokenCache, t.row.Organization)
	}
	return s, nil
}

// tenantFile is path with the tenant before its extension:
// tokens.json becomes tokens.contoso.onmicrosoft.com.json.
func tenantFile(path, tenant string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + tenant + ext
}

// tenantsRun is a run over many tenants as it goes.
type tenantsRun struct {
	env     *Env
	o       *runOptions
	sum     tenantsSummary
	started time.Time
	// base is the record every tenant's summary starts from: the run
	// id, the script and the bundle.
	base   *runRecord
	logger *slog.Logger
	// stdout and stderr are shared by the tenants, a line (or a JSON
	// document) at a time.
	stdout, stderr *sharedStream
	sc             *runtime.Script
	demo           *connect.Settings
	board          *tenantBoard
	// list is the tenants to run, once the file is read.
	list []tenants.Tenant
}

// runTenants runs the script once per tenant of the --tenants file (of
// its shard), --parallel at a time, and reports every tenant's outcome.
func runTenants(env *Env, o *runOptions) (err error) {
	level, _ := lualog.ParseLevel(o.LogLevel)
	r := &tenantsRun{env: env, o: o, started: env.clock()()}
	r.base = newRunRecord(env.newRunID(), filepath.ToSlash(o.Script), o.WhatIf, env.clock())
	r.logger = lualog.NewLogger(env.Stderr, lualog.Options{Level: level, Format: o.LogFormat, OmitTime: !env.logTimes()})
	if o.LogFormat == lualog.FormatJSON {
		r.logger = r.logger.With("run_id", r.base.sum.RunID)
	}
	r.sum = tenantsSummary{
		RunID: r.base.sum.RunID, Version: version(), TenantsFile: o.Tenants, Parallel: o.Parallel,
		StartedAt: r.started.UTC().Format(time.RFC3339Nano), WhatIf: o.WhatIf, Tenants: []tenantOutcome{},
	}
	if o.shard.Sharded() {
		r.sum.Shard = &shardRef{Index: o.shard.Index, Count: o.shard.Count}
	}
	defer func() {
		if v := recover(); v != nil {
			err = recovered(env, &o.scriptOptions, v)
		}
		err = r.finish(err)
	}()

	all, err := readTenants(env, o)
	if err != nil {
		return err
	}
	list := all
	if o.shard.Sharded() {
		list = tenants.Select(all, o.shard)
	}
	if list == nil {
		list = []tenants.Tenant{} // a shard may hold none; the file was read
	}
	r.list = list
	limit, err := o.memoryLimit(env)
	if err != nil {
		return err
	}
	policy := ""
	if !o.RequireSigned {
		// The run's own policy (environment, its profile), so that
		// each tenant knows the run was checked for it.
		if required, err := o.requireSigned(env, false); err == nil {
			o.RequireSigned = required
		}
	}
	if !o.RequireSigned {
		// One script runs for every tenant: a profile that allows only
		// signed bundles, named by any row, holds for the whole run.
		// Over the whole file, so every shard of it holds the same
		// policy.
		policy = rowRequiresSigned(env, all)
		o.RequireSigned = policy != ""
	}
	src, name, err := readScript(env, o, r.base)
	if err != nil && policy != "" && exitcode.Of(err) == exitcode.Bundle {
		return fmt.Errorf("%s, which a row of %s names: %w", policy, o.Tenants, err)
	}
	if err != nil {
		return err
	}
	r.base.script(src)
	if r.sc, err = runtime.Compile(name, src); err != nil {
		return err
	}
	if o.demo.Demo {
		d, settings, err := startDemoTenants(env, &o.demo, r.logger, list)
		if err != nil {
			return err
		}
		defer d.close()
		r.demo = &settings
	}
	// Once for the process: the tenants' runs share its heap.
	defer env.limitMemory(limit)()
	ctx, cancel := o.runContext(env)
	defer cancel()
	r.board = newTenantBoard(env, o, len(list))
	r.stdout = &sharedStream{w: r.board.stdout(env)}
	r.stderr = &sharedStream{w: r.board.stderr(env)}
	r.board.start()
	outcomes := r.schedule(ctx, list)
	r.board.stop()
	r.sum.Tenants = outcomes
	return context.Cause(ctx)
}

// rowRequiresSigned names the first profile a row names that makes its
// runs --require-signed ("profile strict"), "" when none does. A profile
// that cannot be read is left to its tenant's run, which fails on it.
func rowRequiresSigned(env *Env, list []tenants.Tenant) string {
	seen := map[string]bool{}
	for _, t := range list {
		name := t.Settings.Profile
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if _, required, err := readProfile(env, name); err == nil && required {
			return "profile " + name
		}
	}
	return ""
}

// readTenants reads the --tenants file.
func readTenants(env *Env, o *runOptions) ([]tenants.Tenant, error) {
	data, err := env.ReadFile(o.Tenants)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageError("--tenants %s: no such file", o.Tenants)
	}
	if err != nil {
		return nil, usageError("--tenants %s: %v", o.Tenants, err)
	}
	list, err := tenants.Parse(o.Tenants, data)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err).(*exitcode.Error).
			WithHint("a tenants file is CSV with a header row (organization,app_id,...) or a JSON array of objects; see 'Many tenants' in the README")
	}
	return list, nil
}

// schedule runs the tenants, at most o.Parallel at once, until all have
// run or ctx ends; the tenants it never started are not run. With
// --fail-fast, a failure stops the starting of more.
func (r *tenantsRun) schedule(ctx context.Context, list []tenants.Tenant) []tenantOutcome {
	outcomes := make([]tenantOutcome, len(list))
	slots := make(chan struct{}, r.o.Parallel)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed bool
	)
	next := 0
	for ; next < len(list); next++ {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		mu.Lock()
		stop := failed && r.o.FailFast
		mu.Unlock()
		if ctx.Err() != nil || stop {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-slots }()
			t := list[i]
			r.board.begin(t.Organization)
			o := r.runTenant(ctx, t)
			r.board.end(t.Organization, o.Status == statusOK)
			mu.Lock()
			outcomes[i] = o
			failed = failed || o.Status == statusFailed
			mu.Unlock()
		}(next)
	}
	wg.Wait()
	// Only a stopped run or --fail-fast leaves tenants unstarted.
	why := "--fail-fast: a tenant had failed"
	if cause := context.Cause(ctx); cause != nil {
		why = cause.Error() + " before it started"
	}
	for i := next; i < len(list); i++ {
		outcomes[i] = notRunOutcome(list[i].Organization, why)
	}
	return outcomes
}

// runTenant runs the script for one tenant in a fresh state with its own
// connection, folder and output, and returns how it ended; a panic in it
// fails this tenant alone.
func (r *tenantsRun) runTenant(ctx context.Context, t tenants.Tenant) (outcome tenantOutcome) {
	rec := r.base.fork(r.env.clock())
	env, prints, flush := r.tenantEnv(t)
	var (
		h   *host
		err error
	)
	defer func() {
		if v := recover(); v != nil {
			err = recovered(env, &r.o.scriptOptions, v)
		}
		if err != nil && exitcode.Of(err) != exitcode.OK {
			r.reportTenant(env, t.Organization, h, err)
		}
		flush()
		outcome = ranOutcome(t.Organization, rec.complete(h, err))
	}()
	o := r.tenantOptions(t, prints)
	if b := o.bundle; b != nil && b.Manifest.Parameters != nil {
		if _, err = b.Manifest.Parameters.Resolve(params.Input{Named: o.named(), Args: r.o.Args}); err != nil {
			return
		}
	}
	h, err = newHost(env, o, filepath.Dir(r.o.Script), r.o.Args, rec.sum.RunID)
	if err != nil {
		return
	}
	h.script = r.o.Script
	defer h.close()
	if d := r.o.TenantTimeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, exitcode.New(exitcode.Timeout, "--tenant-timeout %s elapsed", d))
		defer cancel()
	}
	err = r.sharedHeap(execute(ctx, h, r.sc, r.o.Args, nil))
	var mem *runtime.MemoryError
	if errors.As(err, &mem) {
		// The stopped state is garbage now, but counts as heap until
		// collected: the tenants after this one must not pay for it.
		goruntime.GC()
	}
	return
}

// sharedHeap explains a tenant stopped because the process's heap passed
// --memory-limit: every tenant running at once shares that heap, so the
// one stopped may not be the one that grew.
func (r *tenantsRun) sharedHeap(err error) error {
	var mem *runtime.MemoryError
	if !errors.As(err, &mem) || mem.Asked > 0 || r.o.Parallel == 1 || len(r.list) == 1 {
		return err // a built-in's own allocation is this tenant's
	}
	return (&exitcode.Error{Code: exitcode.Resources, Err: fmt.Errorf("%w, shared by the tenants running at once: this one may not be the one that grew", err)}).
		WithHint(fmt.Sprintf("lower --parallel (now %d) or raise --memory-limit (now %s); --parallel 1 tells which tenant needs the memory",
			r.o.Parallel, runtime.FormatBytes(mem.Limit)))
}

// tenantOptions are the run's options for one tenant: its row's
// parameters over --param, and its own folder under --out.
func (r *tenantsRun) tenantOptions(t tenants.Tenant, print io.Writer) *scriptOptions {
	o := r.o.scriptOptions // a copy; the slices are replaced, never changed
	o.tenant = &tenantScope{row: t, demo: r.demo, print: print, signedOnly: r.o.RequireSigned}
	base := o.OutDir
	if base == "" {
		base = filepath.Dir(r.o.Script)
	}
	o.OutDir = filepath.Join(base, t.Organization)
	o.Params = slices.Clone(o.Params)
	for _, k := range slices.Sorted(maps.Keys(t.Params)) {
		o.Params = append(o.Params, k+"="+t.Params[k])
	}
	return &o
}

// tenantEnv is the process as one tenant's run sees it: its lines on the
// shared streams, no terminal of its own (the run's line shows every
// tenant), no signals (the run's context carries them) and no say over
// the process's memory limit (set once for all). prints is the tenant's
// lines on stderr, for print under -o json; flush writes what is left of
// its last lines.
func (r *tenantsRun) tenantEnv(t tenants.Tenant) (env *Env, prints io.Writer, flush func()) {
	e := *r.env
	stdout := r.stdout.lines(t.Organization)
	lines := r.stderr.lines(t.Organization)
	var stderr io.Writer = lines
	if r.o.LogFormat == lualog.FormatJSON {
		stderr = r.stderr.whole() // JSON records name their tenant
	}
	if f, _ := out.ParseFormat(r.o.Output); f == out.FormatJSON {
		e.Stdout = r.stdout.whole() // each document names its tenant
	} else {
		e.Stdout = stdout
	}
	e.Stderr = stderr
	e.StdoutTerminal, e.StderrTerminal, e.Width = false, false, 0
	e.Notify, e.SetMemoryLimit = nil, nil
	return &e, lines, func() { stdout.flush(); lines.flush() }
}

// reportTenant says why a tenant failed, in its own lines, as the CLI
// would for a single run.
func (r *tenantsRun) reportTenant(env *Env, organization string, h *host, err error) {
	switch {
	case r.o.LogFormat != lualog.FormatJSON:
		report(env.Stderr, err)
	case h != nil:
		h.logRunError(err) // its logger names the tenant
	default:
		code := exitcode.Of(err)
		r.logger.Error(err.Error(), "tenant", organization, "exit_code", int(code), "exit_name", code.Name())
	}
}

// finish concludes the summary and reports it: --summary-json, then the
// text summary on stderr (or a log record).
func (r *tenantsRun) finish(runErr error) error {
	// The script and bundle, as far as the run got to read them.
	r.sum.Script, r.sum.Bundle = r.base.sum.Script, r.base.sum.Bundle
	if len(r.sum.Tenants) == 0 && runErr != nil {
		// The run failed before it started any tenant: each is listed
		// as not run, so a merged report still counts it.
		why := "the run failed before it started: " + firstLine(runErr.Error(), reasonWidth)
		for _, t := range r.list {
			r.sum.Tenants = append(r.sum.Tenants, notRunOutcome(t.Organization, why))
		}
	}
	err := r.sum.conclude(r.started, r.env.clock()(), runErr)
	var fileErr error
	if r.o.SummaryJSON != "" {
		data, merr := r.sum.marshal()
		if merr == nil {
			merr = r.env.WriteFile(r.o.SummaryJSON, data, 0o644)
		}
		if merr != nil {
			fileErr = exitcode.New(exitcode.Usage, "--summary-json %s: %v", r.o.SummaryJSON, merr)
		}
	}
	level, _ := lualog.ParseLevel(r.o.LogLevel)
	switch {
	case r.o.Quiet || r.list == nil:
		// Quiet, or the tenants file was never read: the error says it.
	case r.o.LogFormat == lualog.FormatJSON:
		// A record per tenant and one for the run: one record of
		// thousands of tenants' summaries would pass what log shippers
		// take in a line (--summary-json holds the whole document).
		for _, t := range r.sum.Tenants {
			attrs := []any{"tenant", t.Organization, "status", t.Status, "duration_ms", t.DurationMS, "objects", t.Objects}
			if t.ExitCode != nil {
				attrs = append(attrs, "exit_code", *t.ExitCode, "exit_name", t.ExitName)
			}
			if t.Reason != "" {
				attrs = append(attrs, "reason", t.Reason)
			}
			r.logger.Info("tenant summary", attrs...)
		}
		r.logger.Info("run summary", "tenants_file", r.sum.TenantsFile, "shard", r.sum.Shard, "duration_ms", r.sum.DurationMS,
			"totals", r.sum.Totals, "exit_code", r.sum.ExitCode, "exit_name", r.sum.ExitName)
	case level <= slog.LevelInfo:
		r.sum.writeText(r.env.Stderr, r.env.logTimes())
	}
	if err == nil && fileErr != nil {
		return fileErr
	}
	if fileErr != nil {
		fmt.Fprintf(r.env.Stderr, "exorun: %v\n", fileErr)
	}
	if err != nil && r.o.LogFormat == lualog.FormatJSON {
		attrs := []any{"exit_code", int(exitcode.Of(err)), "exit_name", exitcode.Of(err).Name()}
		if hint := exitcode.HintOf(err); hint != "" {
			attrs = append(attrs, "hint", hint)
		}
		r.logger.Error(err.Error(), attrs...)
		return silent{err}
	}
	return err
}

// startDemoTenants starts the --demo emulator with every tenant of the
// file in it, each reached by the one demo app: the tenants must be
// NAME.onmicrosoft.com.
func startDemoTenants(env *Env, o *demoOptions, logger *slog.Logger, list []tenants.Tenant) (*demo, connect.Settings, error) {
	names := make([]string, 0, len(list))
	for _, t := range list {
		name, ok := strings.CutSuffix(t.Organization, ".onmicrosoft.com")
		if !ok || strings.Contains(name, ".") {
			return nil, connect.Settings{}, usageError("--demo: tenants file line %d: %s; the demo's tenants are NAME.onmicrosoft.com", t.Line, t.Organization)
		}
		names = append(names, name)
	}
	served := len(names)
	if !slices.Contains(names, emulator.DemoTenant) {
		served++ // contoso is always there
	}
	if served > emulator.MaxTenants {
		return nil, connect.Settings{}, usageError("--demo: %d tenants with contoso; the demo holds at most %d (use --shard)", served, emulator.MaxTenants)
	}
	return startDemoWith(env, o, logger, names)
}

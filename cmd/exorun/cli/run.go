package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bundle"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/checks"
	lualog "github.com/exorun/exorun/stdlib/log"
	"github.com/exorun/exorun/stdlib/out"
	"github.com/exorun/exorun/stdlib/params"
)

// scriptOptions are the flags shared by everything that runs Lua.
type scriptOptions struct {
	Params    []string // --param key=value
	Output    string   // --output table|csv|json|xlsx
	OutDir    string   // --out DIR
	LogLevel  string
	LogFormat string
	WhatIf    bool
	Quiet     bool // no run summary and no progress line on stderr
	// MemoryLimit is --memory-limit; unset means the default (see
	// scriptOptions.memoryLimit).
	MemoryLimit byteSize
	connectionOptions
	demo demoOptions
	// bundle is the bundle being run, nil for a script file: its files
	// are the script's folder and its manifest bounds the run.
	bundle *bundle.Bundle
	// outDefaulted: no --out was given, so a bundle may write nothing
	// (its journal goes to the current folder).
	outDefaulted bool
	// tenant is the tenant this run is one of, in a run over many
	// (--tenants); nil for a single run.
	tenant *tenantScope
}

func (o *scriptOptions) register(fs *pflag.FlagSet) {
	group(fs, groupScript, func() {
		fs.StringArrayVarP(&o.Params, "param", "p", nil, "script parameter `key=value` (repeatable)")
		fs.StringVar(&o.OutDir, "out", "", "the folder `DIR` the script may write to (default: the script's folder)")
		fs.BoolVar(&o.WhatIf, "what-if", false, "do not send write cmdlets; log each as it would have been sent")
	})
	group(fs, groupOutput, func() {
		fs.StringVarP(&o.Output, "output", "o", "table", "default format of out.print: table, csv, json or xlsx")
		fs.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
		fs.StringVar(&o.LogFormat, "log-format", "text", "log format on stderr: text or json")
		fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no run summary and no progress line on stderr")
		completeValues(fs, "output", out.FormatTable, out.FormatCSV, out.FormatJSON, out.FormatXLSX)
		completeValues(fs, "log-level", "debug", "info", "warn", "error")
		completeValues(fs, "log-format", lualog.FormatText, lualog.FormatJSON)
	})
	group(fs, groupLimits, func() {
		fs.Var(&o.MemoryLimit, "memory-limit", "stop the script (exit 8) when the heap passes `SIZE`, e.g. 512MiB or 2GiB; 0 means no limit (default: half the machine's memory, at most 1 GiB)")
	})
	group(fs, groupConnection, func() { o.connectionOptions.register(fs) })
	group(fs, groupDemo, func() { o.demo.register(fs) })
}

// check validates the values pflag cannot.
func (o *scriptOptions) check() error {
	if _, err := out.ParseFormat(o.Output); err != nil {
		return usageError("--output: %v", err)
	}
	if _, err := lualog.ParseFormat(o.LogFormat); err != nil {
		return usageError("--log-format: %v", err)
	}
	if _, err := lualog.ParseLevel(o.LogLevel); err != nil {
		return usageError("--log-level: %v", err)
	}
	for _, p := range o.Params {
		if k, _, ok := strings.Cut(p, "="); !ok || strings.TrimSpace(k) == "" {
			return usageError("--param %q: want key=value", p)
		}
	}
	return nil
}

// named returns the --param values by key (the last one wins).
func (o *scriptOptions) named() map[string]string {
	m := make(map[string]string, len(o.Params))
	for _, p := range o.Params {
		k, v, _ := strings.Cut(p, "=")
		m[strings.TrimSpace(k)] = v
	}
	return m
}

type runOptions struct {
	scriptOptions
	Timeout     time.Duration
	SummaryJSON string // --summary-json FILE
	// RequireSigned refuses unsigned bundles and untrusted signers.
	RequireSigned bool
	// BundleHelp is --help after a bundle: show its parameters.
	BundleHelp bool
	Script     string
	Args       []string
	multiTenantOptions
}

func runFlags(o *runOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	// Flags stop at the script: what follows belongs to the script.
	fs.SetInterspersed(false)
	o.scriptOptions.register(fs)
	group(fs, groupLimits, func() {
		fs.DurationVar(&o.Timeout, "timeout", 0, "stop the script after this `duration` (e.g. 90s, 2h); 0 means no limit")
	})
	group(fs, groupOutput, func() {
		fs.StringVar(&o.SummaryJSON, "summary-json", "", "write the run summary as JSON to `FILE` at the end of the run, also when it fails")
	})
	group(fs, groupScript, func() {
		fs.BoolVar(&o.RequireSigned, "require-signed", false, "run only bundles signed by a trusted certificate, no plain script (env EXORUN_REQUIRE_SIGNED=1, or require_signed in the profile)")
	})
	group(fs, groupTenants, func() { o.multiTenantOptions.register(fs) })
	return fs
}

func parseRun(env *Env, c *command, args []string) (*runOptions, error) {
	o := &runOptions{}
	fs := runFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() == 0 {
		return nil, exitcode.New(exitcode.Usage, "run: no script given").WithHint("usage: " + c.usage)
	}
	o.Script, o.Args = fs.Arg(0), fs.Args()[1:]
	if isBundle(o.Script) {
		// A bundle declares its parameters, so what follows it is no
		// free-form script input: flags may come after it too
		// (exorun run FILE.exob --param k=v), and --help shows the
		// bundle's parameters.
		flags := o.Args
		if end := slices.Index(flags, "--"); end >= 0 {
			flags = flags[:end]
		}
		if slices.ContainsFunc(flags, func(a string) bool { return a == "--help" || a == "-h" }) {
			o.BundleHelp = true
			return o, nil
		}
		at := len(args) - fs.NArg()
		before := args[:at]
		if len(before) > 0 && before[len(before)-1] == "--" {
			before = before[:len(before)-1] // "run -- FILE.exob": the -- only marked the script
		}
		o = &runOptions{}
		fs = runFlags(o)
		fs.SetInterspersed(true)
		if err := parseFlags(env, c, fs, append(slices.Clone(before), args[at+1:]...)); err != nil {
			return nil, err
		}
		o.Script, o.Args = args[at], fs.Args()
	}
	if o.Timeout < 0 {
		return nil, usageError("--timeout %s: must not be negative", o.Timeout)
	}
	if err := o.checkTenants(env, fs); err != nil {
		return nil, err
	}
	return o, o.check()
}

func cmdRun(env *Env, c *command, args []string) error {
	o, err := parseRun(env, c, args)
	if err != nil {
		if o != nil && o.SummaryJSON != "" {
			// A scheduler that reads the summary must not find the last
			// run's: a run refused for a bad flag value writes one too.
			rec := newRunRecord(env.newRunID(), filepath.ToSlash(o.Script), o.WhatIf, env.clock())
			return finishRun(env, o, rec, nil, err)
		}
		return err
	}
	if o.BundleHelp {
		return bundleHelp(env, o.Script)
	}
	if o.Tenants != "" {
		return runTenants(env, o)
	}
	return runScript(env, o)
}

// runScript compiles and runs one script with a fresh sandboxed state, and
// reports the run's summary however it ends.
func runScript(env *Env, o *runOptions) (err error) {
	rec := newRunRecord(env.newRunID(), filepath.ToSlash(o.Script), o.WhatIf, env.clock())
	var h *host
	defer func() {
		if v := recover(); v != nil {
			// A bug: the summary must say the run failed, not what
			// err held when the panic struck.
			err = recovered(env, &o.scriptOptions, v)
		}
		err = finishRun(env, o, rec, h, err)
	}()

	src, name, err := readScript(env, o, rec)
	if err != nil {
		return err
	}
	rec.script(src)
	sc, err := runtime.Compile(name, src)
	if err != nil {
		return err
	}
	prog := newProgressLine(env, &o.scriptOptions)
	h, err = newHost(prog.runEnv(env), &o.scriptOptions, filepath.Dir(o.Script), o.Args, rec.sum.RunID)
	if err != nil {
		return err
	}
	h.script = o.Script
	defer h.close()
	ctx, cancel := o.runContext(env)
	defer cancel()
	return execute(ctx, h, sc, o.Args, prog)
}

// recovered is the error of a run that panicked with v (a bug in
// exorun), with the Go stack on stderr under --log-level debug.
func recovered(env *Env, o *scriptOptions, v any) error {
	stack := debug.Stack()
	if o.LogLevel == "debug" {
		fmt.Fprintf(env.Stderr, "%s\n", stack)
	}
	return limitHint(&runtime.InternalError{Value: fmt.Sprint(v), Stack: string(stack)}, 0)
}

// runContext is the run's context: cancelled by SIGINT or SIGTERM, and
// by --timeout.
func (o *runOptions) runContext(env *Env) (context.Context, context.CancelFunc) {
	ctx, cancel := env.signalContext(context.Background())
	if o.Timeout <= 0 {
		return ctx, cancel
	}
	ctx, stop := context.WithTimeoutCause(ctx, o.Timeout,
		exitcode.New(exitcode.Timeout, "--timeout %s elapsed", o.Timeout))
	return ctx, func() { stop(); cancel() }
}

// execute runs sc in a fresh sandboxed state on h until it ends or ctx
// does, and returns the run's error once its thresholds are judged. prog
// (nil for none) shows the run's calls meanwhile. When the script was
// given up while stuck in a built-in, h is marked abandoned.
func execute(ctx context.Context, h *host, sc *runtime.Script, scriptArgs []string, prog *progressLine) error {
	prog.start(h.bindings)
	defer prog.stop() // before the summary and any error are printed

	st := runtime.New(h.options())
	defer st.Close()
	args := make([]lua.LValue, len(scriptArgs))
	for i, a := range scriptArgs {
		args[i] = lua.LString(a)
	}
	err := st.Run(ctx, sc, args...)
	h.peakHeap = st.PeakHeap()
	var stuck *runtime.StuckError
	if errors.As(err, &stuck) {
		// The state still runs a built-in: nothing may touch it or
		// what it may be using (the workbook, the bindings), and the
		// process must exit now rather than judge thresholds in it.
		h.abandoned = true
		prog.stop()
		return limitHint(err, h.memoryLimit)
	}
	err = limitHint(err, h.memoryLimit)
	h.debugStack(err)
	prog.stop() // nothing more to show; what follows is printed
	h.strays.declared(nil)
	// Judged also when the script failed: the results describe what ran.
	h.results = h.checks.Evaluate(ctx, st)
	err = thresholdVerdict(err, h.results, h.say)
	if werr := h.closeWorkbook(); werr != nil && exitcode.Of(err) == exitcode.OK {
		err = werr
	}
	return err
}

// readScript reads the script a run compiles, and its name in errors:
// a script file, or a bundle's entry once the bundle is checked, its
// signature held against policy, its parameters against its manifest.
func readScript(env *Env, o *runOptions, rec *runRecord) ([]byte, string, error) {
	required, err := o.requireSigned(env, o.RequireSigned)
	if err != nil {
		return nil, "", err
	}
	if !isBundle(o.Script) {
		if required {
			return nil, "", &bundle.Error{Bundle: o.Script, Msg: "--require-signed: a script file carries no signature; only a signed bundle runs under this policy",
				Hint: "pack and sign it: exorun bundle init DIR, then exorun bundle pack DIR --sign-with THUMBPRINT"}
		}
		src, err := env.ReadFile(o.Script)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, "", usageError("script %s: no such file", o.Script)
			}
			return nil, "", usageError("script %s: %v", o.Script, err)
		}
		return src, filepath.ToSlash(filepath.Clean(o.Script)), nil
	}
	lb, err := loadBundle(env, o.Script, nil)
	if err != nil {
		return nil, "", err
	}
	rec.bundle(lb)
	m := lb.b.Manifest
	if required {
		if err := lb.trustError(); err != nil {
			return nil, "", fmt.Errorf("--require-signed: %w", err)
		}
	}
	if m.NeedsNewer(version()) {
		return nil, "", &bundle.Error{Bundle: o.Script, Msg: fmt.Sprintf("needs exorun %s or newer; this is %s", m.MinExorun, version()), Hint: "update exorun"}
	}
	spec := m.Parameters
	if spec == nil {
		spec = params.Spec{}
	}
	if o.Tenants == "" {
		// Over many tenants, each tenant's row adds parameters: each
		// is resolved as its tenant starts (runTenant).
		if _, err := spec.Resolve(params.Input{Named: o.named(), Args: o.Args}); err != nil {
			return nil, "", err
		}
	}
	if positions := spec.Positions(); len(o.Args) > positions {
		return nil, "", exitcode.New(exitcode.Usage, "%s takes %d positional argument%s, not %d: %q", m.Name, positions, plural(positions), len(o.Args), o.Args[positions:]).
			WithHint(spec.Usage())
	}
	src, err := lb.b.Entry()
	if err != nil {
		return nil, "", &bundle.Error{Bundle: o.Script, Msg: err.Error()}
	}
	o.bundle = lb.b
	if o.OutDir == "" {
		// A bundle file is no folder to write into: without --out the
		// bundle writes nothing, and exorun's journal of its writes goes
		// to the current folder.
		o.OutDir, o.outDefaulted = ".", true
	}
	return src, m.Entry, nil
}

// isBundle reports whether a script argument names a bundle file.
func isBundle(script string) bool {
	return strings.HasSuffix(strings.ToLower(script), bundle.Extension)
}

// bundleHelp is `exorun run FILE.exob --help`: the bundle and the
// parameters its manifest declares.
func bundleHelp(env *Env, path string) error {
	lb, err := loadBundle(env, path, nil)
	if err != nil {
		return err
	}
	m := lb.b.Manifest
	fmt.Fprintf(env.Stdout, "%s %s", m.Name, m.Version)
	if m.Description != "" {
		fmt.Fprintf(env.Stdout, ": %s", m.Description)
	}
	fmt.Fprintf(env.Stdout, "\nusage: exorun run [flags] %s [--param NAME=VALUE ...]\n", path)
	if len(m.Parameters) > 0 {
		fmt.Fprintf(env.Stdout, "\n%s\n", m.Parameters.Usage())
	} else {
		fmt.Fprintln(env.Stdout, "\nthis bundle takes no parameters")
	}
	fmt.Fprintf(env.Stdout, "\nsigner: %s\nmore: exorun bundle inspect %s\n", lb.signerText(), path)
	return errHelp
}

// thresholdVerdict is a run's error once its thresholds are judged: a
// script that finished (or called exit(0)) with a failed threshold exits
// with code Checks, naming each failed threshold, its rule and what the
// rule saw. Any other failure of the run stands as it is.
func thresholdVerdict(err error, res checks.Results, say func(string)) error {
	failed := res.Failed()
	var exit *runtime.ExitError
	if len(failed) == 0 || err != nil && !(errors.As(err, &exit) && exit.Code == exitcode.OK) {
		return err
	}
	if exit != nil && exit.Message != "" {
		say(exit.Message)
	}
	if len(failed) == 1 {
		return exitcode.New(exitcode.Checks, "%s", failed[0])
	}
	lines := make([]string, len(failed))
	for i, t := range failed {
		lines[i] = "  " + t.String()
	}
	return exitcode.New(exitcode.Checks, "%d thresholds failed:\n%s", len(failed), strings.Join(lines, "\n"))
}

// finishRun completes the run's summary with its outcome and reports it:
// the --summary-json file, then the text summary on stderr (or, with
// --log-format json, one structured log record). It returns the run's
// error, or the summary file's when the run itself succeeded: a job whose
// scheduler reads a summary must not pass without one.
func finishRun(env *Env, o *runOptions, rec *runRecord, h *host, runErr error) error {
	sum := rec.complete(h, runErr)
	var fileErr error
	if o.SummaryJSON != "" {
		data, err := sum.marshal()
		if err == nil {
			err = env.WriteFile(o.SummaryJSON, data, 0o644)
		}
		if err != nil {
			fileErr = exitcode.New(exitcode.Usage, "--summary-json %s: %v", o.SummaryJSON, err)
		}
	}
	if !o.Quiet {
		level, _ := lualog.ParseLevel(o.LogLevel)
		switch {
		case h == nil || !sum.hasContent():
			// The script never started, or did nothing a summary would
			// add to: its output and error say it all.
		case o.LogFormat == lualog.FormatJSON:
			h.logger.Info("run summary", "summary", sum)
		case level <= slog.LevelInfo:
			sum.writeText(env.Stderr, env.logTimes())
		}
	}
	if exitcode.Of(runErr) == exitcode.OK && fileErr != nil {
		runErr = fileErr
	} else if fileErr != nil {
		fmt.Fprintf(env.Stderr, "exorun: %v\n", fileErr)
	}
	if runErr != nil && h != nil && o.LogFormat == lualog.FormatJSON {
		// stderr is JSON records in this mode, the failure included.
		h.logRunError(runErr)
		return silent{runErr}
	}
	return runErr
}

// signalContext is Notify, or a plain cancellable context without one.
func (e *Env) signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	if e.Notify != nil {
		return e.Notify(parent)
	}
	return context.WithCancel(parent)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

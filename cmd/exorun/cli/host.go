package cli

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/checks"
	luacsv "github.com/exorun/exorun/stdlib/csv"
	luafs "github.com/exorun/exorun/stdlib/fs"
	luajson "github.com/exorun/exorun/stdlib/json"
	lualog "github.com/exorun/exorun/stdlib/log"
	"github.com/exorun/exorun/stdlib/out"
	"github.com/exorun/exorun/stdlib/params"
	luatime "github.com/exorun/exorun/stdlib/time"
)

// host is what one run hands to its Lua state: the confined folders, the
// logger and the built-in modules.
type host struct {
	env     *Env
	opts    *scriptOptions
	args    []string
	roots   []*os.Root
	folders runtime.Folders
	// files is what require loads Lua modules from: the script's folder,
	// or a bundle's own files.
	files iofs.FS
	// journalDir is where exorun, not the script, appends the journal:
	// the out folder as it is, without a bundle's restrictions.
	journalDir runtime.Dir
	logger     *slog.Logger
	bindings   *bindings.Host
	demo       *demo
	strays     *strayWarning
	script     string // the script's path; "" in the REPL
	// memoryLimit is the run's --memory-limit in bytes, 0 for none;
	// restoreSoftLimit undoes the runtime's soft limit set for it.
	memoryLimit      int64
	restoreSoftLimit func()
	// peakHeap is the most heap measured while the script ran, under a
	// memory limit.
	peakHeap int64
	// abandoned is set when the script was given up while stuck: close
	// leaves what it may still use alone.
	abandoned bool
	workbook  *out.Workbook // the xlsx output, written by close
	// checks records the run's check, metric and threshold calls;
	// results are its verdicts, set by runScript once the script ended.
	checks  *checks.Recorder
	results checks.Results
}

// newHost prepares a run's host. runID, when not "", is stamped on every
// log record in JSON format, so logs shipped from a scheduler can be tied
// to the run's summary.
func newHost(env *Env, o *scriptOptions, scriptDir string, args []string, runID string) (*host, error) {
	level, err := lualog.ParseLevel(o.LogLevel)
	if err != nil {
		return nil, usageError("--log-level: %v", err)
	}
	h := &host{env: env, opts: o, args: args, checks: checks.New()}
	if h.memoryLimit, err = o.memoryLimit(env); err != nil {
		return nil, err
	}
	h.logger = lualog.NewLogger(env.Stderr, lualog.Options{Level: level, Format: o.LogFormat, OmitTime: !env.logTimes()})
	if runID != "" && o.LogFormat == lualog.FormatJSON {
		h.logger = h.logger.With("run_id", runID)
	}
	if o.tenant != nil && o.LogFormat == lualog.FormatJSON {
		// In text, the tenant's name starts each of its lines instead.
		h.logger = h.logger.With("tenant", o.tenant.row.Organization)
	}
	h.strays = &strayWarning{flags: strayFlags(args), warn: func(f strayFlag) {
		h.logger.Warn("an exorun flag after the script goes to the script, not to exorun",
			"argument", f.arg, "fix", "put "+f.arg+" before the script (exorun run "+f.arg+" ... SCRIPT.lua)")
	}}
	if b := o.bundle; b != nil {
		// A bundle reads only its own files; its writes go to --out,
		// which runScript has set.
		h.files = b.FS()
		h.folders.Script = runtime.ReadOnlyDir(h.files)
	} else {
		scriptRoot, err := env.OpenRoot(scriptDir)
		if err != nil {
			return nil, usageError("script folder %s: %v", scriptDir, err)
		}
		h.roots = append(h.roots, scriptRoot)
		h.files = scriptRoot.FS()
		h.folders.Script = runtime.RootDir(scriptRoot)
	}
	h.folders.Out = h.folders.Script
	h.journalDir = h.folders.Out
	if o.OutDir != "" {
		if err := env.MkdirAll(o.OutDir); err != nil {
			h.close()
			return nil, usageError("--out %s: %v", o.OutDir, err)
		}
		outRoot, err := env.OpenRoot(o.OutDir)
		if err != nil {
			h.close()
			return nil, usageError("--out %s: %v", o.OutDir, err)
		}
		h.roots = append(h.roots, outRoot)
		h.folders.Out = runtime.RootDir(outRoot)
		h.journalDir = h.folders.Out
		switch {
		case o.bundle != nil && o.outDefaulted:
			// The folder it happens to run from (a home folder, a
			// repository) is no place for someone else's script to
			// write: only exorun's journal goes there.
			h.folders.Out = runtime.NoWrites(errors.New("a bundle writes only to a folder given with --out"))
		case o.bundle != nil:
			h.folders.Out = runtime.WrittenOnlyDir(h.folders.Out, bindings.JournalFile)
		}
	}
	if err := h.connectBindings(); err != nil {
		h.close()
		return nil, err
	}
	// Set last, since close restores it.
	h.restoreSoftLimit = env.limitMemory(h.memoryLimit)
	return h, nil
}

// gcPercent is the collector's target while a memory limit bounds the
// heap: a run streams objects it drops at once, so collecting half as
// often costs little memory and saves CPU per object (tests/bench
// BenchmarkStream: 13% less CPU for 20 MB more RSS). A GOGC the user
// set wins.
const gcPercent = 200

// limitMemory sets the Go runtime's soft memory limit (limit > 0) and,
// under it, the collector's target, and returns what restores both. The
// limit is the soft brake: Go's collector works harder as the heap nears
// it, so garbage is collected before it counts against the run (the heap
// measured includes what is not yet swept).
func (e *Env) limitMemory(limit int64) (restore func()) {
	if limit <= 0 || e.SetMemoryLimit == nil {
		return func() {}
	}
	prev := e.SetMemoryLimit(limit)
	prevPercent := -2 // not changed
	if _, set := e.LookupEnv("GOGC"); !set && e.SetGCPercent != nil {
		prevPercent = e.SetGCPercent(gcPercent)
	}
	return func() {
		e.SetMemoryLimit(prev)
		if prevPercent != -2 {
			e.SetGCPercent(prevPercent)
		}
	}
}

// connectBindings prepares connect{} for scripts: the ambient settings
// (flags over environment over profile), or with --demo the in-process
// emulated tenant's, and the run journal in the out folder.
func (h *host) connectBindings() error {
	settings, err := h.opts.connectSettings(h.env)
	if err != nil {
		return err
	}
	if h.opts.demo.Demo && h.opts.tenant == nil {
		d, demoSettings, err := startDemo(h.env, &h.opts.demo, h.logger)
		if err != nil {
			return err
		}
		h.demo, settings = d, demoSettings
	}
	out := h.journalDir
	bo := bindings.Options{
		Settings: settings,
		Connect:  h.env.connectOptions(h.logger),
		Logger:   h.logger,
		WhatIf:   h.opts.WhatIf,
		Journal:  func() (io.WriteCloser, error) { return out.Append(bindings.JournalFile) },
		Now:      time.Now,
		// Fetch the next page while the script reads this one: with
		// the service's latency per page, a long stream is otherwise
		// mostly waiting.
		PageAhead: true,
	}
	if b := h.opts.bundle; b != nil {
		m := b.Manifest
		permit := &bindings.Permit{Source: fmt.Sprintf("the manifest of bundle %q %s", m.Name, m.Version), Cmdlets: map[string]bindings.Declared{}}
		for _, c := range m.Cmdlets {
			permit.Cmdlets[c.Name] = bindings.Declared{Effect: c.Access.Effect(), Service: c.ServiceOf()}
		}
		bo.Permit, bo.PermitRoles = permit, m.Roles
	}
	h.bindings = bindings.NewHost(bo)
	return nil
}

// sessions is what the run's sessions did, for its summary.
func (h *host) sessions() []bindings.Summary {
	if h.bindings == nil {
		return nil
	}
	return h.bindings.Summaries()
}

func (h *host) close() {
	if h.restoreSoftLimit != nil {
		h.restoreSoftLimit()
		h.restoreSoftLimit = nil
	}
	if h.abandoned {
		// The given-up script may still be inside out.print or a
		// binding; the process exits, which closes the rest.
		return
	}
	_ = h.closeWorkbook() // already logged
	if h.bindings != nil {
		if err := h.bindings.Close(); err != nil {
			h.logger.Warn("run journal", "error", err)
		}
	}
	if h.demo != nil {
		h.demo.close()
	}
	for _, r := range h.roots {
		_ = r.Close()
	}
}

// options are the runtime options of a run: print to stdout, require
// from the script's folder, and the built-in modules.
func (h *host) options() runtime.Options {
	return runtime.Options{
		Stdout:  h.printWriter(),
		Files:   h.files,
		Modules: h.modules(),
		Globals: h.globals(),
		Limits:  runtime.Limits{Memory: h.memoryLimit},
	}
}

// globals are the functions a script calls without require: connect,
// and check, metric and threshold.
func (h *host) globals() map[string]lua.LGFunction {
	g := maps.Clone(h.bindings.Globals())
	maps.Copy(g, h.checks.Globals())
	return g
}

// modules is the explicit table of built-in modules a script can require.
func (h *host) modules() []runtime.Module {
	now := h.env.Now
	if now == nil {
		now = time.Now
	}
	if h.workbook == nil {
		h.workbook = out.NewWorkbook(h.folders.Out, h.scriptName())
	}
	return []runtime.Module{
		luajson.Module(),
		luacsv.Module(luacsv.Options{Stdout: h.csvStdout(), Folders: h.folders}),
		out.Module(out.Options{
			Stdout:   h.env.Stdout,
			Format:   h.opts.Output,
			Width:    h.env.Width,
			Color:    h.env.StdoutTerminal && h.env.getenv("NO_COLOR") == "",
			Folders:  h.folders,
			Workbook: h.workbook,
			// -o json/csv promise a program a clean stdout.
			Exclusive: true,
			Tenant:    h.opts.tenantName(),
		}),
		lualog.Module(h.logger),
		luafs.Module(h.folders),
		luatime.Module(now),
		params.Module(h.paramsInput()),
	}
}

// paramsInput is what the params module gets: --param and the arguments,
// and for a bundle the parameters its manifest declares.
func (h *host) paramsInput() params.Input {
	in := params.Input{Named: h.opts.named(), Args: h.args, Declared: h.strays.declared}
	if b := h.opts.bundle; b != nil {
		in.Fixed = b.Manifest.Parameters
		if in.Fixed == nil {
			in.Fixed = params.Spec{}
		}
	}
	return in
}

// printWriter is where Lua's print writes: stdout, except when --output
// makes stdout data for machines (json, csv), which print's lines would
// break; they go to stderr then.
func (h *host) printWriter() io.Writer {
	if h.machineOutput() != "" {
		if t := h.opts.tenant; t != nil && t.print != nil {
			return t.print
		}
		return h.env.Stderr
	}
	return h.env.Stdout
}

// machineOutput is the --output format when it makes stdout data a
// program reads (json or csv), "" otherwise.
func (h *host) machineOutput() string {
	if f, _ := out.ParseFormat(h.opts.Output); f == out.FormatJSON || f == out.FormatCSV {
		return f
	}
	return ""
}

// csvStdout is where csv.write without a path writes: stdout, except
// under -o json or -o csv, where stdout holds that output alone.
func (h *host) csvStdout() io.Writer {
	if f := h.machineOutput(); f != "" {
		return refusingWriter{fmt.Errorf("stdout holds -o %s output; give csv.write a path = \"name.csv\"", f)}
	}
	return h.env.Stdout
}

// refusingWriter fails every write with its error.
type refusingWriter struct{ err error }

func (w refusingWriter) Write([]byte) (int, error) { return 0, w.err }

// scriptName names the xlsx workbook: the script's file name without its
// extension, or "repl".
func (h *host) scriptName() string {
	if h.script == "" {
		return "repl"
	}
	base := filepath.Base(h.script)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// closeWorkbook writes the xlsx workbook, if out.print added a sheet, and
// logs where. It runs once: runScript calls it so a failed write fails
// the run; close calls it for the REPL and for runs that ended early.
func (h *host) closeWorkbook() error {
	wb := h.workbook
	h.workbook = nil
	if wb == nil || len(wb.Sheets()) == 0 {
		return nil
	}
	dir := h.opts.OutDir
	if dir == "" {
		dir = filepath.Dir(h.script)
	}
	file := filepath.Join(dir, wb.Name())
	if err := wb.Close(); err != nil {
		h.logger.Error("xlsx output not written", "file", file, "error", err)
		return fmt.Errorf("xlsx output %s: %w", file, err)
	}
	h.logger.Info("xlsx output written", "file", file, "sheets", len(wb.Sheets()))
	return nil
}

// say writes a script's own message (exit's): a plain line on stderr, or
// a record with --log-format json.
func (h *host) say(message string) {
	if h.opts.LogFormat == lualog.FormatJSON {
		h.logger.Info(message)
		return
	}
	fmt.Fprintln(h.env.Stderr, message)
}

// logRunError reports how a run ended as one log record, for
// --log-format json, where report's plain lines would break a reader.
func (h *host) logRunError(err error) {
	var exit *runtime.ExitError
	if errors.As(err, &exit) && exit.Code == exitcode.OK {
		if exit.Message != "" {
			h.logger.Info(exit.Message)
		}
		return
	}
	code := exitcode.Of(err)
	attrs := []any{"exit_code", int(code), "exit_name", code.Name()}
	if hint := exitcode.HintOf(err); hint != "" {
		attrs = append(attrs, "hint", hint)
	}
	var se *runtime.ScriptError
	if errors.As(err, &se) && se.Traceback != "" && code == exitcode.Script {
		attrs = append(attrs, "traceback", se.Traceback)
	}
	h.logger.Error(err.Error(), attrs...)
}

// debugStack logs, at debug level, the Go stack of an internal error (a
// panic): the one line the user sees asks for a report, and the stack is
// what the report needs.
func (h *host) debugStack(err error) {
	var internal *runtime.InternalError
	if errors.As(err, &internal) && internal.Stack != "" {
		h.logger.Debug("where the internal error happened", "stack", internal.Stack)
	}
}

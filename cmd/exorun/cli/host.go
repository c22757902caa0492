package cli

import (
	"io"
	"log/slog"
	"maps"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bindings"
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
	env      *Env
	opts     *scriptOptions
	args     []string
	roots    []*os.Root
	folders  runtime.Folders
	logger   *slog.Logger
	bindings *bindings.Host
	demo     *demo
	// checks records the run's check, metric and threshold calls;
	// results are its verdicts, set by runScript once the script ended.
	checks  *checks.Recorder
	results checks.Results
}

func newHost(env *Env, o *scriptOptions, scriptDir string, args []string) (*host, error) {
	level, err := lualog.ParseLevel(o.LogLevel)
	if err != nil {
		return nil, usageError("--log-level: %v", err)
	}
	h := &host{env: env, opts: o, args: args, checks: checks.New()}
	h.logger = lualog.NewLogger(env.Stderr, lualog.Options{Level: level, Format: o.LogFormat, OmitTime: env.getenv("EXORUN_LOG_NO_TIME") != ""})
	scriptRoot, err := env.OpenRoot(scriptDir)
	if err != nil {
		return nil, usageError("script folder %s: %v", scriptDir, err)
	}
	h.roots = append(h.roots, scriptRoot)
	h.folders.Script = runtime.RootDir(scriptRoot)
	h.folders.Out = h.folders.Script
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
	}
	if err := h.connectBindings(); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// connectBindings prepares connect{} for scripts: the ambient settings
// (flags over environment over profile), or with --demo the in-process
// emulated tenant's, and the run journal in the out folder.
func (h *host) connectBindings() error {
	settings, err := h.opts.settings(h.env)
	if err != nil {
		return err
	}
	if h.opts.demo.Demo {
		d, demoSettings, err := startDemo(h.env, &h.opts.demo, h.logger)
		if err != nil {
			return err
		}
		h.demo, settings = d, demoSettings
	}
	out := h.folders.Out
	h.bindings = bindings.NewHost(bindings.Options{
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
	})
	return nil
}

func (h *host) close() {
	if h.bindings != nil {
		for _, s := range h.bindings.Summaries() {
			h.logger.Info("run summary", "session", s.String())
		}
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
		Stdout:  h.env.Stdout,
		Files:   h.roots[0].FS(),
		Modules: h.modules(),
		Globals: h.globals(),
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
	return []runtime.Module{
		luajson.Module(),
		luacsv.Module(luacsv.Options{Stdout: h.env.Stdout, Folders: h.folders}),
		out.Module(out.Options{
			Stdout: h.env.Stdout,
			Format: h.opts.Output,
			Width:  h.env.Width,
			Color:  h.env.StdoutTerminal && h.env.getenv("NO_COLOR") == "",
		}),
		lualog.Module(h.logger),
		luafs.Module(h.folders),
		luatime.Module(now),
		params.Module(params.Input{Named: h.opts.named(), Args: h.args}),
	}
}

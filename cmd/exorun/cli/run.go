package cli

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	lualog "github.com/exorun/exorun/stdlib/log"
	"github.com/exorun/exorun/stdlib/out"
)

// scriptOptions are the flags shared by everything that runs Lua.
type scriptOptions struct {
	Params    []string // --param key=value
	Output    string   // --output table|csv|json
	OutDir    string   // --out DIR
	LogLevel  string
	LogFormat string
	WhatIf    bool
	Quiet     bool
	connectionOptions
	demo demoOptions
}

func (o *scriptOptions) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&o.Params, "param", "p", nil, "script parameter `key=value` (repeatable)")
	fs.StringVarP(&o.Output, "output", "o", "table", "default format of out.print: table, csv or json")
	fs.StringVar(&o.OutDir, "out", "", "folder the script may write to (default: the script's folder)")
	fs.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log format on stderr: text or json")
	fs.BoolVar(&o.WhatIf, "what-if", false, "do not send write cmdlets; log each as it would have been sent")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no run summary and no progress line on stderr")
	o.connectionOptions.register(fs)
	o.demo.register(fs)
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
	Timeout time.Duration
	Script  string
	Args    []string
}

func runFlags(o *runOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	// Flags stop at the script: what follows belongs to the script.
	fs.SetInterspersed(false)
	o.register(fs)
	fs.DurationVar(&o.Timeout, "timeout", 0, "stop the script after this `duration` (e.g. 90s, 2h); 0 means no limit")
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
	if o.Timeout < 0 {
		return nil, usageError("--timeout %s: must not be negative", o.Timeout)
	}
	o.Script, o.Args = fs.Arg(0), fs.Args()[1:]
	return o, o.check()
}

func cmdRun(env *Env, c *command, args []string) error {
	o, err := parseRun(env, c, args)
	if err != nil {
		return err
	}
	return runScript(env, o)
}

// runScript compiles and runs one script with a fresh sandboxed state.
func runScript(env *Env, o *runOptions) error {
	src, err := env.ReadFile(o.Script)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return usageError("script %s: no such file", o.Script)
		}
		return usageError("script %s: %v", o.Script, err)
	}
	name := filepath.ToSlash(filepath.Clean(o.Script))
	sc, err := runtime.Compile(name, src)
	if err != nil {
		return err
	}
	prog := newProgressLine(env, &o.scriptOptions)
	host, err := newHost(prog.runEnv(env), &o.scriptOptions, filepath.Dir(o.Script), o.Args)
	if err != nil {
		return err
	}
	defer host.close()
	prog.start(host.bindings)
	defer prog.stop() // before host.close logs the summary

	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	if o.Timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, o.Timeout,
			exitcode.New(exitcode.Timeout, "--timeout %s elapsed", o.Timeout))
		defer stop()
	}

	st := runtime.New(host.options())
	defer st.Close()
	args := make([]lua.LValue, len(o.Args))
	for i, a := range o.Args {
		args[i] = lua.LString(a)
	}
	return st.Run(ctx, sc, args...)
}

// signalContext is Notify, or a plain cancellable context without one.
func (e *Env) signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	if e.Notify != nil {
		return e.Notify(parent)
	}
	return context.WithCancel(parent)
}

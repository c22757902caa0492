package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/cmd/exorun/scripttest"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

// testOptions are exorun test's flags.
type testOptions struct {
	Run      string
	Update   bool
	Parallel int
	Output   string
	JUnit    string
	Timeout  time.Duration
	Paths    []string
}

func testFlags(o *testOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.StringVar(&o.Run, "run", "", "run only the tests whose path matches this regular `expression`")
	fs.BoolVar(&o.Update, "update", false, "rewrite the golden files tests compare with, and show what changed")
	fs.IntVarP(&o.Parallel, "parallel", "p", goruntime.GOMAXPROCS(0), "run `N` tests at once, each with its own emulated tenant")
	fs.StringVarP(&o.Output, "output", "o", "text", "report format on stdout: text or json")
	fs.StringVar(&o.JUnit, "junit", "", "also write the report as JUnit XML to `FILE`, for CI systems")
	fs.DurationVar(&o.Timeout, "timeout", scripttest.DefaultTimeout, "fail a test that takes longer than this `duration` (a test's -- timeout: header wins)")
	completeValues(fs, "output", "text", "json")
	return fs
}

func testCommand() *command {
	return &command{name: "test", usage: "exorun test [flags] [PATH...]",
		summary: "run *_test.lua files against emulated tenants they describe",
		flags:   func() *pflag.FlagSet { return testFlags(&testOptions{}) }, run: cmdTest,
		examples: []string{
			"exorun test                                 # every *_test.lua under this folder",
			"exorun test --run forwarding scripts/       # the tests whose path matches",
			"exorun test --update tests/report_test.lua  # rewrite its golden files after a wanted change",
			"exorun test --junit report.xml              # also a JUnit report for CI",
		}}
}

func cmdTest(env *Env, c *command, args []string) error {
	o := &testOptions{}
	fs := testFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	o.Paths = fs.Args()
	var match *regexp.Regexp
	if o.Run != "" {
		var err error
		if match, err = regexp.Compile(o.Run); err != nil {
			return usageError("--run %q: %v", o.Run, err)
		}
	}
	if o.Output != "text" && o.Output != "json" {
		return usageError("--output %q: want text or json", o.Output)
	}
	if o.Parallel < 1 {
		return usageError("--parallel %d: want 1 or more", o.Parallel)
	}
	if o.Timeout <= 0 {
		return usageError("--timeout %s: want a positive duration", o.Timeout)
	}
	times := env.logTimes()
	opts := scripttest.Options{
		Paths: o.Paths, Match: match, Update: o.Update, Parallel: o.Parallel, Timeout: o.Timeout,
		Exec: env.testExec,
		Files: scripttest.Files{ReadFile: env.ReadFile, ReadDir: env.ReadDir, WriteFile: env.WriteFile,
			MkdirTemp: env.MkdirTemp, RemoveAll: env.RemoveAll, Stat: env.Stat},
		Now:   env.testNow(),
		Clock: env.clock(),
	}
	if o.Output == "text" {
		opts.Done = func(r scripttest.Result) { scripttest.WriteLine(env.Stdout, r, times) }
	}
	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	rep, err := scripttest.Run(ctx, opts)
	if errors.Is(err, scripttest.ErrNoTests) {
		where := strings.Join(o.Paths, " ")
		if where == "" {
			where = "this folder"
		}
		if match != nil {
			return usageError("test: no *_test.lua file in %s matches --run %q", where, o.Run)
		}
		return usageError("test: no *_test.lua file in %s", where)
	}
	if err != nil {
		return usageError("test: %v", err)
	}
	if o.Output == "json" {
		if err := scripttest.WriteJSON(env.Stdout, rep, times); err != nil {
			return err
		}
	} else {
		scripttest.WriteTotals(env.Stdout, rep, times)
	}
	if o.JUnit != "" {
		var buf bytes.Buffer
		if err := scripttest.WriteJUnit(&buf, rep, times); err != nil {
			return err
		}
		if err := env.WriteFile(o.JUnit, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--junit: %w", err)
		}
	}
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return err
	}
	if rep.Failed() > 0 {
		return exitcode.New(exitcode.Script, "%d of %d tests failed", rep.Failed(), len(rep.Results))
	}
	return nil
}

// testNow is the time scripts under test see unless a test says: the
// pinned EXORUN_NOW, or the moment emulated tenants' data is written
// against (their last logons, message trace and audit entries lie
// before it), so reports are the same every day.
func (e *Env) testNow() time.Time {
	if v := e.getenv("EXORUN_NOW"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
	}
	return emulator.ReferenceTime()
}

// testExec runs `exorun run` in-process for a test's run(), against the
// test's emulated tenant only: the run sees the tenant's settings as its
// environment and nothing of the process's (no profile, no token cache,
// no real tenant's variables), and connection flags are refused.
func (e *Env) testExec(ctx context.Context, r scripttest.ExecRun) scripttest.ExecResult {
	var stdout, stderr bytes.Buffer
	if err := checkTestArgs(r.Args); err != nil {
		fmt.Fprintf(&stderr, "error: %v\n", err)
		return scripttest.ExecResult{Code: int(exitcode.Usage), Stderr: stderr.String()}
	}
	vars := map[string]string{"EXORUN_LOG_NO_TIME": "1"}
	set, _ := emulatorVariables(r.Endpoints)
	for _, kv := range set {
		vars[kv[0]] = kv[1]
	}
	now := r.Now
	sub := &Env{
		Args:   append([]string{"run"}, r.Args...),
		Stdin:  strings.NewReader(""),
		Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(key string) (string, bool) {
			v, ok := vars[key]
			return v, ok
		},
		Now:      func() time.Time { return now },
		Clock:    e.Clock,
		NewRunID: func() string { return r.RunID },
		Notify: func(parent context.Context) (context.Context, context.CancelFunc) {
			run, cancel := context.WithCancelCause(parent)
			stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
			return run, func() { stop(); cancel(nil) }
		},
		ReadFile: e.ReadFile, OpenRoot: e.OpenRoot, MkdirAll: e.MkdirAll, ReadDir: e.ReadDir,
		WriteFile: e.WriteFile, MkdirTemp: e.MkdirTemp, RemoveAll: e.RemoveAll, StoreFS: e.StoreFS,
		MemoryTotal: e.MemoryTotal,
	}
	code := Main(sub)
	return scripttest.ExecResult{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}

// testRefusedGroups are run's flag groups a test's run() may not pass:
// the test's tenant is the only one a script under test may reach.
var testRefusedGroups = []string{groupConnection, groupDemo, groupTenants}

// checkTestArgs refuses the flags of a test's run() that would reach
// another tenant or move its output.
func checkTestArgs(args []string) error {
	fs := runFlags(&runOptions{})
	for i, a := range args {
		if i < 2 {
			continue // run()'s own --out
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		if a == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f *pflag.Flag
		if strings.HasPrefix(a, "--") {
			f = fs.Lookup(name)
		} else if name != "" {
			f = fs.ShorthandLookup(name[:1])
		}
		if f == nil {
			continue // exorun run says what is wrong with it
		}
		if f.Name == "out" {
			return fmt.Errorf("run(): --out is the test's own; read what the script wrote from the result's files")
		}
		if g := f.Annotations[flagGroupKey]; len(g) == 1 && slices.Contains(testRefusedGroups, g[0]) {
			return fmt.Errorf("run(): --%s is refused in a test: the script under test reaches only the test's emulated tenant (set its role and faults in the test's header)", f.Name)
		}
	}
	return nil
}

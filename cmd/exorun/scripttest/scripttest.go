package scripttest

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/exorun/exorun/emulator"
)

// Options configure a test run. Exec and Files are required.
type Options struct {
	// Paths are test files and folders searched recursively for
	// *_test.lua; none means the current folder.
	Paths []string
	// Match selects the tests whose name (their slash path) it matches;
	// nil runs them all.
	Match *regexp.Regexp
	// Update rewrites the golden files a test compares with instead of
	// failing, and says what changed.
	Update bool
	// Parallel is how many tests run at once (at least 1).
	Parallel int
	// Timeout bounds each test that sets none in its header.
	Timeout time.Duration
	// Exec runs the script under test.
	Exec Exec
	// Files is the file system tests are read from and goldens written to.
	Files Files
	// Now is the time scripts under test see when a test sets none:
	// fixture data is written against 2026-11-01 (EXORUN_NOW may say
	// otherwise).
	Now time.Time
	// Clock measures durations; nil means time.Now.
	Clock func() time.Time
	// Done hears of each test as it ends, in the order Found lists them
	// (a test that ends early waits for those before it): the caller
	// prints a line per test as the run goes.
	Done func(Result)
}

// Files are the file operations a test run needs; the CLI passes the
// process's.
type Files struct {
	ReadFile  func(name string) ([]byte, error)
	ReadDir   func(dir string) ([]fs.DirEntry, error)
	WriteFile func(name string, data []byte, perm fs.FileMode) error
	MkdirTemp func() (string, error)
	RemoveAll func(path string) error
	// Stat says whether name exists and is a folder.
	Stat func(name string) (fs.FileInfo, error)
}

// Exec runs `exorun run` with args (its flags, then the script) against
// the emulated tenant at ep, as a test's run() asks, and returns what the
// run printed and its exit code. Only the tenant's settings may reach it:
// a test never touches a real tenant.
type Exec func(ctx context.Context, r ExecRun) ExecResult

// ExecRun is one run() of a test.
type ExecRun struct {
	Endpoints emulator.Endpoints
	Args      []string
	// Now is the clock the script sees.
	Now time.Time
	// RunID is the run's id, fixed per test and run() so output that
	// shows it is the same every time.
	RunID string
}

// ExecResult is what a run printed and its exit code.
type ExecResult struct {
	Code           int
	Stdout, Stderr string
}

// Result is one test's outcome.
type Result struct {
	// Name is the test file's path with forward slashes, as given or
	// found.
	Name     string        `json:"name"`
	Passed   bool          `json:"passed"`
	Duration time.Duration `json:"-"`
	// Failures are the failed expectations and the error that ended the
	// test, in order; none when it passed.
	Failures []failure `json:"failures"`
	// Updated are the golden files --update rewrote, each with its diff.
	Updated []update `json:"updated,omitempty"`
	// Output is what the test file itself printed.
	Output string `json:"output,omitempty"`
}

type update struct {
	File string `json:"file"`
	Diff string `json:"diff"`
}

// Report is a whole run's outcome.
type Report struct {
	Results  []Result
	Duration time.Duration
}

// Passed and Failed count the results.
func (r Report) Passed() int { return r.count(true) }
func (r Report) Failed() int { return r.count(false) }

func (r Report) count(passed bool) int {
	n := 0
	for _, res := range r.Results {
		if res.Passed == passed {
			n++
		}
	}
	return n
}

// ErrNoTests is returned by Run when the paths hold no test file the
// pattern selects.
var ErrNoTests = fmt.Errorf("no test files")

// Run finds the tests, runs them Parallel at a time, and reports each.
// Its error is for the run as a whole (a path that does not exist, no
// tests); a failed test is a Result.
func Run(ctx context.Context, o Options) (Report, error) {
	clock := o.Clock
	if clock == nil {
		clock = time.Now
	}
	start := clock()
	names, err := Find(o.Files, o.Paths)
	if err != nil {
		return Report{}, err
	}
	if o.Match != nil {
		names = slices.DeleteFunc(names, func(n string) bool { return !o.Match.MatchString(n) })
	}
	if len(names) == 0 {
		return Report{}, ErrNoTests
	}
	results := make([]Result, len(names))
	done := make([]chan struct{}, len(names))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(1, o.Parallel))
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				results[i] = Result{Name: name, Failures: []failure{{File: name, Message: "not run: " + context.Cause(ctx).Error()}}}
				return
			}
			defer func() { <-slots }()
			results[i] = runOne(ctx, &o, name, clock)
		}()
	}
	for i := range names {
		<-done[i]
		if o.Done != nil {
			o.Done(results[i])
		}
	}
	wg.Wait()
	return Report{Results: results, Duration: clock().Sub(start)}, nil
}

// Find lists the test files of paths: each file as given, and every
// *_test.lua under each folder (hidden folders and testdata skipped),
// sorted, without duplicates, with forward slashes.
func Find(files Files, paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var found []string
	for _, p := range paths {
		info, err := files.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if !info.IsDir() {
			if !strings.HasSuffix(p, ".lua") {
				return nil, fmt.Errorf("%s: not a Lua test file", p)
			}
			found = append(found, filepath.ToSlash(filepath.Clean(p)))
			continue
		}
		if err := walk(files, filepath.Clean(p), &found); err != nil {
			return nil, err
		}
	}
	slices.Sort(found)
	return slices.Compact(found), nil
}

func walk(files Files, dir string, found *[]string) error {
	entries, err := files.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			if strings.HasPrefix(name, ".") || name == "testdata" {
				continue
			}
			if err := walk(files, p, found); err != nil {
				return err
			}
		case strings.HasSuffix(name, "_test.lua"):
			*found = append(*found, filepath.ToSlash(p))
		}
	}
	return nil
}

// testDir is the folder of a test named by its slash path.
func testDir(name string) string { return filepath.FromSlash(path.Dir(name)) }

package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"golang.org/x/term"

	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/internal/exitcode"
)

// Env is everything exorun takes from the process. OSEnv fills it from the
// real one; tests fill it with buffers and fakes.
type Env struct {
	Args   []string // without the program name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// LookupEnv reads an environment variable.
	LookupEnv func(key string) (string, bool)
	// Now is the clock scripts see (time module, os.time is Lua's own).
	Now func() time.Time
	// Clock is the real clock the run summary's times and durations come
	// from (Now may be pinned by EXORUN_NOW); nil means time.Now.
	Clock func() time.Time
	// NewRunID returns a fresh run id; nil means a random UUID.
	NewRunID func() string

	// StdinTerminal and StdoutTerminal say whether the streams are
	// terminals; Width is the terminal width (0 when stdout is not one).
	StdinTerminal  bool
	StdoutTerminal bool
	Width          int
	// StderrTerminal says whether stderr is a terminal that can show the
	// progress line; StderrWidth is its width now (0 when unknown), asked
	// at each redraw since a terminal can be resized during a long run.
	StderrTerminal bool
	StderrWidth    func() int

	// ConfigDir is the user's config folder for exorun (history, later
	// profiles and the certificate store); "" when there is none.
	ConfigDir string

	// Notify returns a context cancelled, with an *exitcode.Error of code
	// Interrupted as its cause, when the process receives SIGINT or SIGTERM.
	// nil means no signal handling (tests cancel contexts themselves).
	Notify func(parent context.Context) (context.Context, context.CancelFunc)

	// ReadFile, OpenRoot and MkdirAll are the file system operations of
	// the CLI; scripts only ever see *os.Root-confined folders.
	ReadFile func(name string) ([]byte, error)
	OpenRoot func(dir string) (*os.Root, error)
	MkdirAll func(dir string) error
	// ReadDir lists a folder (summary merge DIR); nil where folders are
	// not read.
	ReadDir func(dir string) ([]fs.DirEntry, error)
	// Stat describes a file or folder (exorun test PATH).
	Stat func(name string) (fs.FileInfo, error)
	// WriteFile replaces name atomically and leaves it with exactly perm
	// (certificate files, the token cache).
	WriteFile func(name string, data []byte, perm fs.FileMode) error
	// MkdirTemp makes a fresh temporary folder (the --demo tenant's state).
	MkdirTemp func() (string, error)
	RemoveAll func(path string) error
	// ReadPassword prompts on the terminal without echo; nil when stdin
	// is not a terminal.
	ReadPassword func(prompt string) (string, error)
	// StoreFS is the file system of the certificate store.
	StoreFS certificate.StoreFS

	// MemoryTotal is the memory the process may use, in bytes: the
	// container's cgroup limit or the machine's memory, whichever is
	// smaller; 0 or nil when unknown. The default --memory-limit is half.
	MemoryTotal func() int64
	// SetMemoryLimit sets the Go runtime's soft memory limit and returns
	// the previous one (runtime/debug.SetMemoryLimit); nil in tests that
	// run in-process.
	SetMemoryLimit func(int64) int64
	// SetGCPercent sets the Go collector's target percentage and returns
	// the previous one (runtime/debug.SetGCPercent); nil in tests that
	// run in-process.
	SetGCPercent func(int) int

	// Terminal runs an interactive line editor; nil when there is no
	// terminal (the REPL then reads plain lines from Stdin).
	Terminal func(historyFile string) (LineEditor, error)
}

// LineEditor is an interactive prompt with history.
type LineEditor interface {
	// Prompt shows prompt and returns a line; io.EOF on Ctrl-D,
	// ErrPromptAborted on Ctrl-C.
	Prompt(prompt string) (string, error)
	AppendHistory(line string)
	// SetCompleter installs Tab completion: given the line and the
	// cursor, the text before the word, its replacements and the rest.
	SetCompleter(complete func(line string, pos int) (head string, completions []string, tail string))
	Close() error
}

func (e *Env) clock() func() time.Time {
	if e.Clock == nil {
		return time.Now
	}
	return e.Clock
}

func (e *Env) newRunID() string {
	if e.NewRunID == nil {
		return uuid.NewString()
	}
	return e.NewRunID()
}

// logTimes is false when EXORUN_LOG_NO_TIME asks for output without times
// (log record times, the summary's durations), for reproducible runs.
func (e *Env) logTimes() bool { return e.getenv("EXORUN_LOG_NO_TIME") == "" }

// getenv returns the variable's value, "" when unset.
func (e *Env) getenv(key string) string {
	if e.LookupEnv == nil {
		return ""
	}
	v, _ := e.LookupEnv(key)
	return v
}

// OSEnv is the Env of the running process.
func OSEnv() *Env {
	env := &Env{
		Args:           os.Args[1:],
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		LookupEnv:      os.LookupEnv,
		Now:            time.Now,
		StdinTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTerminal: term.IsTerminal(int(os.Stderr.Fd())) && enableEscapes(os.Stderr),
		StderrWidth:    func() int { return terminalWidth(os.Stderr) },
		Notify:         notifySignals,
		ReadFile:       os.ReadFile,
		OpenRoot:       os.OpenRoot,
		MkdirAll:       func(dir string) error { return os.MkdirAll(dir, 0o755) },
		ReadDir:        os.ReadDir,
		Stat:           os.Stat,
		WriteFile:      writeFileAtomic,
		MkdirTemp:      func() (string, error) { return os.MkdirTemp("", "exorun-demo-") },
		RemoveAll:      os.RemoveAll,
		StoreFS:        osStoreFS{},
		MemoryTotal:    memoryTotal,
		SetMemoryLimit: debug.SetMemoryLimit,
		SetGCPercent:   debug.SetGCPercent,
	}
	if pinned, ok := os.LookupEnv("EXORUN_NOW"); ok {
		// EXORUN_NOW pins the clock scripts see, for reproducible runs
		// and golden files; a bad value is ignored rather than fatal.
		if t, err := time.Parse(time.RFC3339, pinned); err == nil {
			env.Now = func() time.Time { return t }
		}
	}
	if env.StdoutTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			env.Width = w
		}
	}
	if dir, err := os.UserConfigDir(); err == nil {
		env.ConfigDir = filepath.Join(dir, "exorun")
	}
	if env.StdinTerminal && env.StdoutTerminal {
		env.Terminal = newLinerEditor
	}
	if env.StdinTerminal {
		env.ReadPassword = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			fmt.Fprintln(os.Stderr)
			return string(b), err
		}
	}
	return env
}

// terminalWidth is f's width in columns, 0 when it has none.
func terminalWidth(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

func notifySignals(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-ch:
			cancel(exitcode.New(exitcode.Interrupted, "interrupted by %s", sigName(sig)))
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(context.Canceled)
	}
}

func sigName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return fmt.Sprint(sig)
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it over name, so readers never see half a file and the mode is exactly
// perm even when name existed with another.
func writeFileAtomic(name string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	// Sync before the rename: after a crash the name holds the old or
	// the new content, never an empty file.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// osStoreFS is the certificate store's file system: the real one.
type osStoreFS struct{}

func (osStoreFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }
func (osStoreFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return writeFileAtomic(name, data, perm)
}
func (osStoreFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osStoreFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osStoreFS) RemoveAll(name string) error                  { return os.RemoveAll(name) }

// memoryTotal is the smaller of the cgroup's memory limit (v2, then v1)
// and the machine's memory (/proc/meminfo); 0 where neither is known
// (other systems than Linux).
func memoryTotal() int64 {
	var total int64
	consider := func(n int64) {
		// cgroup v1 writes a huge number for "no limit".
		if n > 0 && n < 1<<60 && (total == 0 || n < total) {
			total = n
		}
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
				consider(n)
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64); err == nil {
					consider(kb << 10)
				}
			}
		}
	}
	return total
}

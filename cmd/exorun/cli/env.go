package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/term"

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

	// StdinTerminal and StdoutTerminal say whether the streams are
	// terminals; Width is the terminal width (0 when stdout is not one).
	StdinTerminal  bool
	StdoutTerminal bool
	Width          int

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
	Close() error
}

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
		Notify:         notifySignals,
		ReadFile:       os.ReadFile,
		OpenRoot:       os.OpenRoot,
		MkdirAll:       func(dir string) error { return os.MkdirAll(dir, 0o755) },
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
	return env
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

package cli

import (
	"time"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/internal/progress"
	lualog "github.com/exorun/exorun/stdlib/log"
)

// progressLine is a run's status line on stderr: the call running now,
// redrawn in place (internal/progress). A nil *progressLine is a run
// without one; its methods then do nothing.
type progressLine struct {
	line *progress.Line
	host *bindings.Host // what the line polls; set before the line starts
}

// newProgressLine returns the run's line, or nil when the run shows none
// (showsProgress).
func newProgressLine(env *Env, o *scriptOptions) *progressLine {
	if !showsProgress(env, o) {
		return nil
	}
	p := &progressLine{}
	p.line = progress.New(env.Stderr, progress.Options{Poll: p.poll, Width: env.StderrWidth})
	return p
}

// showsProgress reports whether a run draws a progress line: not when
// stderr is no terminal (a pipe, a file, a CI log: the line's carriage
// returns would be litter there), with TERM=dumb (no escape sequences),
// --quiet, or --log-format json (a program reads stderr).
func showsProgress(env *Env, o *scriptOptions) bool {
	if !env.StderrTerminal || o.Quiet || env.getenv("TERM") == "dumb" {
		return false
	}
	f, err := lualog.ParseFormat(o.LogFormat)
	return err == nil && f == lualog.FormatText
}

// runEnv is env with the run's output going through the line, which is
// erased before each write: stderr (the logger, warnings), and stdout
// when it is a terminal too (usually the same one, where a print would
// otherwise land at the end of the line).
func (p *progressLine) runEnv(env *Env) *Env {
	if p == nil {
		return env
	}
	e := *env
	e.Stderr = p.line.Writer()
	if env.StdoutTerminal {
		e.Stdout = p.line.Wrap(env.Stdout)
	}
	return &e
}

// start shows the line while b has a call running.
func (p *progressLine) start(b *bindings.Host) {
	if p == nil {
		return
	}
	p.host = b
	p.line.Start()
}

// stop erases the line for good, before the summary and any error.
func (p *progressLine) stop() {
	if p != nil {
		p.line.Stop()
	}
}

func (p *progressLine) poll() (progress.Status, bool) {
	a, ok := p.host.Activity()
	if !ok {
		return progress.Status{}, false
	}
	// The real clock, not env.Now: EXORUN_NOW pins that one for the
	// script, and the elapsed time would stand still.
	return statusOf(a, time.Now()), true
}

// statusOf is what the line shows of an activity at now.
func statusOf(a bindings.Activity, now time.Time) progress.Status {
	return progress.Status{
		Cmdlet: a.Cmdlet, Objects: a.Objects, Pages: a.Pages,
		Calls: a.Calls, Total: a.Total,
		Retries: a.Retries, ThrottleWait: a.ThrottleWait,
		Elapsed: now.Sub(a.Started),
	}
}

package cli

import (
	"bytes"
	"io"
	"sync"
	"time"

	"github.com/exorun/exorun/internal/progress"
)

// sharedStream is stdout or stderr shared by the tenants of a run: each
// write reaches it whole, so two tenants' lines never mix within a line.
type sharedStream struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *sharedStream) write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// maxPending is the most of an unfinished line a tenant's lineWriter
// holds: a longer one is written as it stands, and continued on the next
// line with the prefix again.
const maxPending = 64 << 10

// lines is a writer for one tenant whose every line starts with
// "TENANT | ", as docker compose shows its services' logs.
func (s *sharedStream) lines(tenant string) *lineWriter {
	return &lineWriter{s: s, prefix: []byte(tenant + " | ")}
}

// whole is a writer that passes each write on whole (a JSON document, a
// JSON log record), which names its tenant itself.
func (s *sharedStream) whole() wholeWriter { return wholeWriter{s} }

type wholeWriter struct{ s *sharedStream }

func (w wholeWriter) Write(p []byte) (int, error) { return w.s.write(p) }

// lineWriter holds a tenant's unfinished line until it ends.
type lineWriter struct {
	s       *sharedStream
	prefix  []byte
	mu      sync.Mutex
	pending []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, p...)
	end := bytes.LastIndexByte(l.pending, '\n') + 1
	if end == 0 && len(l.pending) < maxPending {
		return len(p), nil
	}
	if end == 0 {
		l.pending, end = append(l.pending, '\n'), len(l.pending)+1
	}
	if err := l.emit(l.pending[:end]); err != nil {
		return 0, err
	}
	l.pending = append(l.pending[:0], l.pending[end:]...)
	return len(p), nil
}

// emit writes whole lines, each with the prefix, in one write.
func (l *lineWriter) emit(text []byte) error {
	var b bytes.Buffer
	b.Grow(len(text) + len(l.prefix)*(bytes.Count(text, []byte("\n"))+1))
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n') + 1
		b.Write(l.prefix)
		b.Write(text[:i])
		text = text[i:]
	}
	_, err := l.s.write(b.Bytes())
	return err
}

// flush writes what is left of the last line, ended.
func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) > 0 {
		_ = l.emit(append(l.pending, '\n'))
		l.pending = nil
	}
}

// tenantBoard counts the tenants of a run and shows them on a progress
// line on a terminal: done, running, failed, and the slowest running.
type tenantBoard struct {
	mu      sync.Mutex
	total   int
	done    int
	failed  int
	running map[string]time.Time // by tenant, since when
	started time.Time
	line    *progress.Line // nil when the run shows none
}

func newTenantBoard(env *Env, o *runOptions, total int) *tenantBoard {
	b := &tenantBoard{total: total, running: map[string]time.Time{}, started: time.Now()}
	if showsProgress(env, &o.scriptOptions) {
		b.line = progress.New(env.Stderr, progress.Options{Poll: b.poll, Width: env.StderrWidth})
	}
	return b
}

// stderr and stdout are where the tenants write: through the line, which
// is erased before each write, when there is one.
func (b *tenantBoard) stderr(env *Env) io.Writer {
	if b.line == nil {
		return env.Stderr
	}
	return b.line.Writer()
}

func (b *tenantBoard) stdout(env *Env) io.Writer {
	if b.line == nil || !env.StdoutTerminal {
		return env.Stdout
	}
	return b.line.Wrap(env.Stdout)
}

func (b *tenantBoard) start() {
	if b.line != nil {
		b.line.Start()
	}
}

func (b *tenantBoard) stop() {
	if b.line != nil {
		b.line.Stop()
	}
}

func (b *tenantBoard) begin(tenant string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// The real clock: EXORUN_NOW pins the script's, not this.
	b.running[tenant] = time.Now()
}

func (b *tenantBoard) end(tenant string, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.running, tenant)
	b.done++
	if !ok {
		b.failed++
	}
}

func (b *tenantBoard) poll() (progress.Status, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	t := progress.Tenants{Total: b.total, Done: b.done, Running: len(b.running), Failed: b.failed}
	for name, since := range b.running {
		if d := now.Sub(since); d > t.SlowestFor || t.Slowest == "" {
			t.Slowest, t.SlowestFor = name, d
		}
	}
	return progress.Status{Tenants: t, Elapsed: now.Sub(b.started)}, true
}

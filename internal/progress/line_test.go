package progress

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePoll is a Poll the test sets.
type fakePoll struct {
	mu      sync.Mutex
	s       Status
	running bool
	polls   int
}

func (f *fakePoll) set(s Status, running bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.s, f.running = s, running
}

func (f *fakePoll) poll() (Status, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	return f.s, f.running
}

// writes records each Write call, so tests see what went out together.
type writes struct {
	mu    sync.Mutex
	calls []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, string(p))
	return len(p), nil
}

func (w *writes) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.calls
	w.calls = nil
	return c
}

func newTestLine(width int) (*Line, *fakePoll, *writes) {
	p, w := &fakePoll{}, &writes{}
	return New(w, Options{Poll: p.poll, Width: func() int { return width }}), p, w
}

func eq(t *testing.T, step string, got []string, want ...string) {
	t.Helper()
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("%s: wrote %q, want %q", step, got, want)
	}
}

func TestLineDrawsOnlyChanges(t *testing.T) {
	l, p, w := newTestLine(100)
	l.tick()
	eq(t, "nothing running", w.take())

	s := Status{Cmdlet: "Get-Mailbox", Objects: 1000, Pages: 1, Elapsed: 200 * time.Millisecond}
	p.set(s, true)
	l.tick()
	eq(t, "first draw", w.take(), "\rGet-Mailbox  1,000 objects  1 page  0:00\x1b[K")
	l.tick()
	eq(t, "same text", w.take())

	s.Elapsed = 900 * time.Millisecond // the clock shows whole seconds
	p.set(s, true)
	l.tick()
	eq(t, "same second", w.take())

	s.Elapsed = 1100 * time.Millisecond
	p.set(s, true)
	l.tick()
	eq(t, "the clock advanced", w.take(), "\rGet-Mailbox  1,000 objects  1 page  909/s  0:01\x1b[K")

	p.set(Status{}, false)
	l.tick()
	eq(t, "the call ended", w.take(), "\r\x1b[K")
	l.tick()
	eq(t, "still nothing", w.take())
}

func TestLineFitsTheWidth(t *testing.T) {
	l, p, w := newTestLine(20)
	p.set(Status{Cmdlet: "Get-MailboxStatistics", Calls: 3, Total: 10}, true)
	l.tick()
	eq(t, "narrow", w.take(), "\rGet-MailboxStatisti\x1b[K")

	l, p, w = New(&writes{}, Options{Poll: (&fakePoll{}).poll}), &fakePoll{}, &writes{}
	l.w, l.o.Poll = w, p.poll
	p.set(Status{Cmdlet: strings.Repeat("x", 100)}, true)
	l.tick()
	if got := w.take(); len(got) != 1 || len(got[0]) != len("\r\x1b[K")+defaultWidth-1 {
		t.Errorf("no Width: %q, want %d columns", got, defaultWidth-1)
	}
}

func TestWriterErasesTheLineFirst(t *testing.T) {
	l, p, w := newTestLine(100)
	stderr := l.Writer()
	fmt.Fprint(stderr, "level=INFO msg=before\n")
	eq(t, "no line up: written as is", w.take(), "level=INFO msg=before\n")

	p.set(Status{Cmdlet: "Get-User", Objects: 5}, true)
	l.tick()
	w.take()
	fmt.Fprint(stderr, "level=WARN msg=during\n")
	eq(t, "line up: erased in the same write", w.take(), "\r\x1b[Klevel=WARN msg=during\n")
	l.tick()
	eq(t, "back at the next tick", w.take(), "\rGet-User  5 objects  0 pages  0:00\x1b[K")

	var stdout bytes.Buffer
	out := l.Wrap(&stdout)
	fmt.Fprint(out, "row 1\n")
	eq(t, "another stream: erased on this one first", w.take(), "\r\x1b[K")
	if stdout.String() != "row 1\n" {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestLineWaitsForAPartialLine(t *testing.T) {
	l, p, w := newTestLine(100)
	var stdout bytes.Buffer
	out := l.Wrap(&stdout)
	p.set(Status{Cmdlet: "Get-User"}, true)
	fmt.Fprint(out, "working... ")
	l.tick()
	eq(t, "after a partial line", w.take())
	fmt.Fprint(out, "done\n")
	l.tick()
	if got := w.take(); len(got) != 1 || !strings.HasPrefix(got[0], "\rGet-User") {
		t.Errorf("after the newline: %q, want the line", got)
	}
}

func TestStopErases(t *testing.T) {
	l, p, w := newTestLine(100)
	p.set(Status{Cmdlet: "Get-User"}, true)
	l.tick()
	w.take()
	l.Stop()
	eq(t, "stop", w.take(), "\r\x1b[K")
	l.Stop()
	l.tick()
	l.Start() // too late: a stopped line stays down
	fmt.Fprint(l.Writer(), "summary\n")
	eq(t, "after stop", w.take(), "summary\n")

	l, _, w = newTestLine(100)
	l.Stop()
	eq(t, "stop before start, nothing drawn", w.take())
}

// With the real ticker and a writer racing it, every record comes out
// whole and in order, each frame is erased before the next record, and
// the line is gone after Stop. Run it with -race.
func TestLineConcurrentWrites(t *testing.T) {
	var mu sync.Mutex
	var all bytes.Buffer
	sink := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return all.Write(p)
	})
	var n int64
	var nmu sync.Mutex
	poll := func() (Status, bool) {
		nmu.Lock()
		defer nmu.Unlock()
		return Status{Cmdlet: "Get-Mailbox", Objects: n, Elapsed: time.Duration(n) * time.Second}, true
	}
	l := New(sink, Options{Poll: poll, Interval: time.Millisecond})
	l.Start()
	stderr := l.Writer()
	var want strings.Builder
	for i := range 300 {
		nmu.Lock()
		n = int64(i)
		nmu.Unlock()
		rec := fmt.Sprintf("level=INFO msg=record n=%d\n", i)
		want.WriteString(rec)
		fmt.Fprint(stderr, rec)
		if i%50 == 0 {
			time.Sleep(3 * time.Millisecond) // let ticks in
		}
	}
	l.Stop()
	out := all.String()
	frames := regexp.MustCompile(`\r[^\r\n\x1b]*\x1b\[K`)
	if !frames.MatchString(out) {
		t.Fatalf("no frame drawn in %q", out)
	}
	if got := frames.ReplaceAllString(out, ""); got != want.String() {
		t.Errorf("records without the frames:\n%q\nwant\n%q", got, want.String())
	}
	// The last escape sequence is an erase (by a record or by Stop).
	locs := frames.FindAllStringIndex(out, -1)
	if last := locs[len(locs)-1]; out[last[0]:last[1]] != "\r\x1b[K" {
		t.Errorf("the line is not erased at the end: %q", out[last[0]:])
	}
	// A record follows either another record or an erase, never a drawn
	// frame.
	if bad := regexp.MustCompile(`\r[^\r\n\x1b]+\x1b\[Klevel=`).FindString(out); bad != "" {
		t.Errorf("a record written after a frame without erasing it: %q", bad)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

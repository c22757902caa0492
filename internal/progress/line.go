package progress

import (
	"io"
	"sync"
	"time"
)

// Escape sequences: carriage return to column 0, and erase from the
// cursor to the end of the line (ECMA-48 EL). Every terminal exorun
// draws on understands both; TERM=dumb is left out by the caller.
const (
	cr        = "\r"
	eraseLine = "\x1b[K"
)

// DefaultInterval is the tick of a Line without one: ten redraws a second
// at most, as often as a reader can follow.
const DefaultInterval = 100 * time.Millisecond

// defaultWidth is the width assumed when the terminal does not say.
const defaultWidth = 80

// Options configure a Line.
type Options struct {
	// Poll returns what is running now; false means nothing is, and the
	// line is hidden. It is called once per tick on the Line's own
	// goroutine, so it must be safe to call concurrently with the run.
	Poll func() (Status, bool)
	// Width is the terminal's width now (it can be resized during a long
	// run); nil, or 0 for unknown, means 80 columns.
	Width func() int
	// Interval is the tick: the line is redrawn at most once per tick
	// (default DefaultInterval).
	Interval time.Duration
}

// Line is a status line on a terminal. Draws and the writes of Writer and
// Wrap are serialised by one mutex, so a log record never lands inside a
// half-drawn line and the line is never drawn over a record.
type Line struct {
	w io.Writer
	o Options

	mu sync.Mutex
	// shown is the text on the terminal now; "" when the line is not
	// drawn.
	shown string
	// midLine: the last write through a wrapper did not end its line (a
	// prompt, print without a newline). Drawing would overwrite it, so
	// the line waits for the newline.
	midLine bool
	stopped bool
	buf     []byte // reused for every draw: no allocation per tick

	startOnce, stopOnce sync.Once
	started             bool // set once, under startOnce
	quit, done          chan struct{}
}

// New returns a Line that draws on w (a terminal's stderr).
func New(w io.Writer, o Options) *Line {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	return &Line{w: w, o: o, quit: make(chan struct{}), done: make(chan struct{})}
}

// Start starts the ticker goroutine. Each tick polls and redraws when the
// text changed (the elapsed time is part of it, so a running call is
// redrawn once a second at least).
func (l *Line) Start() {
	l.startOnce.Do(func() {
		l.started = true
		go l.loop()
	})
}

func (l *Line) loop() {
	defer close(l.done)
	// A bug in drawing must not end the run it only shows: the line
	// stops, the run goes on.
	defer func() { _ = recover() }()
	t := time.NewTicker(l.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			l.tick()
		}
	}
}

// Stop stops the ticker, waits for it and erases the line. Writes through
// Writer and Wrap go on passing through, with nothing left to erase.
func (l *Line) Stop() {
	l.stopOnce.Do(func() {
		l.startOnce.Do(func() {}) // no Start after Stop; and started is settled
		if l.started {
			close(l.quit)
			<-l.done
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stopped = true
		l.draw("")
	})
}

// tick polls and draws the result. Poll runs outside the mutex: it may
// take locks of its own, and a write waiting on the mutex should not wait
// for it too.
func (l *Line) tick() {
	st, ok := l.o.Poll()
	text := ""
	if ok {
		text = Render(st, l.width())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.draw(text)
	}
}

func (l *Line) width() int {
	if l.o.Width != nil {
		if w := l.o.Width(); w > 0 {
			return w
		}
	}
	return defaultWidth
}

// draw puts text on the terminal ("" erases the line) unless it is there
// already. The new text overwrites the old and erases what is left of it
// in one write, so the line never flickers blank. l.mu must be held.
func (l *Line) draw(text string) {
	if text == l.shown || (l.midLine && text != "") {
		return
	}
	l.buf = append(l.buf[:0], cr...)
	l.buf = append(l.buf, text...)
	l.buf = append(l.buf, eraseLine...)
	_, _ = l.w.Write(l.buf) // a terminal that fails a write has no one to tell
	l.shown = text
}

// Writer is the Line's own stream (stderr) for everything else: the line
// is erased and the bytes written in one write, and the line comes back
// at the next tick.
func (l *Line) Writer() io.Writer { return &wrapped{l: l, w: l.w, same: true} }

// Wrap returns w with the line erased before each write: for another
// stream that shows on the same terminal (stdout, when it is one).
func (l *Line) Wrap(w io.Writer) io.Writer { return &wrapped{l: l, w: w} }

// maxJoined is the largest write that is copied to go out with the erase
// in one write; a log record is far smaller.
const maxJoined = 16 << 10

type wrapped struct {
	l    *Line
	w    io.Writer
	same bool // w is the Line's own writer: erase and write as one write
}

func (x *wrapped) Write(p []byte) (int, error) {
	l := x.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(p) > 0 {
		l.midLine = p[len(p)-1] != '\n'
	}
	if l.shown == "" {
		return x.w.Write(p)
	}
	l.shown = ""
	if !x.same || len(p) > maxJoined {
		_, _ = l.w.Write([]byte(cr + eraseLine))
		return x.w.Write(p)
	}
	l.buf = append(append(l.buf[:0], cr+eraseLine...), p...)
	n, err := l.w.Write(l.buf)
	return max(0, n-len(cr+eraseLine)), err
}

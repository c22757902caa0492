package bench

import (
	"bytes"
	"io"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/exorun/exorun/internal/progress"
)

// sample is one client run: wall time and CPU time (user + system).
type sample struct {
	wall, cpu time.Duration
	stderr    string
	frames    int
}

// progressFrame is one drawing of the progress line.
var progressFrame = regexp.MustCompile(`\rGet-Mailbox  [\d,]+ objects[^\r\n\x1b]*\x1b\[K`)

// BenchmarkProgress is the cost of the progress line: the stream of
// BenchmarkStream (100,000 mailboxes, 20 ms per request) with the
// client's stderr on a pseudo-terminal (line on) and on a pipe (line
// off), in alternating order, five of each. The medians print as
// wall_on_s and wall_off_s and their difference as overhead_pct (the
// goal: under 1); min_overhead_pct compares the fastest runs, the least
// disturbed; cpu_overhead_pct is the same for the client's CPU time.
// noise_pct is the spread of the five runs without the line, (slowest -
// fastest) / fastest: an overhead below it is not resolved by this
// measurement, and the line's own cost is then best read from frames
// (how often it was drawn) times BenchmarkTick in internal/progress.
func BenchmarkProgress(b *testing.B) {
	if testing.Short() {
		b.Skip("builds exorun and generates 100,000 mailboxes")
	}
	const n, rounds = 100000, 5
	bin := build(b)
	ep := serve(b, bin, "--mailboxes", "100000", "--latency", "20ms")
	for range b.N {
		var on, off []sample
		for i := range rounds {
			if i%2 == 0 {
				off = append(off, streamPiped(b, bin, ep, n))
				on = append(on, streamOnPty(b, bin, ep, n))
			} else {
				on = append(on, streamOnPty(b, bin, ep, n))
				off = append(off, streamPiped(b, bin, ep, n))
			}
		}
		pct := func(on, off time.Duration) float64 { return 100 * (on.Seconds()/off.Seconds() - 1) }
		won, woff := pick(on, wallOf, rounds/2), pick(off, wallOf, rounds/2)
		con, coff := pick(on, cpuOf, rounds/2), pick(off, cpuOf, rounds/2)
		fastOff, slowOff := pick(off, wallOf, 0).wall, pick(off, wallOf, rounds-1).wall
		b.ReportMetric(won.wall.Seconds(), "wall_on_s")
		b.ReportMetric(woff.wall.Seconds(), "wall_off_s")
		b.ReportMetric(pct(won.wall, woff.wall), "overhead_pct")
		b.ReportMetric(pct(pick(on, wallOf, 0).wall, fastOff), "min_overhead_pct")
		b.ReportMetric(pct(slowOff, fastOff), "noise_pct")
		b.ReportMetric(con.cpu.Seconds(), "cpu_on_s")
		b.ReportMetric(coff.cpu.Seconds(), "cpu_off_s")
		b.ReportMetric(pct(con.cpu, coff.cpu), "cpu_overhead_pct")
		b.ReportMetric(float64(won.frames), "frames")
	}
}

func wallOf(s sample) time.Duration { return s.wall }
func cpuOf(s sample) time.Duration  { return s.cpu }

// pick is the i-th of ss ordered by by (rounds/2: the median).
func pick(ss []sample, by func(sample) time.Duration, i int) sample {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b sample) int { return int(by(a) - by(b)) })
	return ss[i]
}

// streamPiped runs testdata/stream.lua with stderr on a pipe: no line.
func streamPiped(b *testing.B, bin string, ep endpoints, n int) sample {
	b.Helper()
	cmd := client(bin, ep, "testdata/stream.lua")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	s := measure(b, cmd, n)
	s.stderr = stderr.String()
	if strings.ContainsAny(s.stderr, "\r\x1b") {
		b.Fatalf("progress text on a piped stderr: %q", s.stderr)
	}
	return s
}

// streamOnPty runs it with stderr on a 120-column pseudo-terminal, read
// as fast as a terminal would.
func streamOnPty(b *testing.B, bin string, ep endpoints, n int) sample {
	b.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		b.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		b.Fatal(err)
	}
	read := make(chan string)
	go func() {
		var buf bytes.Buffer
		_, _ = io.Copy(&buf, ptmx)
		read <- buf.String()
	}()
	cmd := client(bin, ep, "testdata/stream.lua")
	cmd.Env = append(cmd.Env, "TERM=xterm")
	cmd.Stderr = tty
	s := measure(b, cmd, n)
	tty.Close()
	select {
	case s.stderr = <-read:
	case <-time.After(5 * time.Second):
		ptmx.Close()
		s.stderr = <-read
	}
	s.frames = len(progressFrame.FindAllString(s.stderr, -1))
	if s.frames == 0 {
		b.Fatalf("no progress line on the terminal: %q", s.stderr)
	}
	return s
}

// measure runs cmd, checks it streamed n objects, and times it.
func measure(b *testing.B, cmd *exec.Cmd, n int) sample {
	b.Helper()
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	if c := counts(b, string(out)); c["objects"] != n {
		b.Fatalf("streamed %d objects, want %d", c["objects"], n)
	}
	var cpu time.Duration
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return sample{wall: wall, cpu: cpu}
}

// BenchmarkProgressLineCPU measures the line's own cost directly, where
// the end-to-end comparison drowns in the machine's noise: a Line at its
// real interval draws on a pseudo-terminal for five seconds with a count
// that changes at every tick (so every tick redraws), and this process's
// CPU time over that span, less its CPU time over five idle seconds, is
// the line's (the terminal's side, reading the pty, is a cat process of
// its own). line_cpu_pct is that CPU time over the wall time: the most the
// line can add to a run that keeps a core busy the whole time.
func BenchmarkProgressLineCPU(b *testing.B) {
	const span = 5 * time.Second
	ptmx, tty, err := pty.Open()
	if err != nil {
		b.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		b.Fatal(err)
	}
	terminal := exec.Command("cat")
	terminal.Stdin = ptmx
	if err := terminal.Start(); err != nil {
		b.Skipf("no cat to read the terminal: %v", err)
	}
	defer func() {
		_ = terminal.Process.Kill()
		_ = terminal.Wait()
	}()
	for range b.N {
		before := cpuTime(b)
		time.Sleep(span)
		idle := cpuTime(b) - before

		var polls atomic.Int64
		start := time.Now()
		poll := func() (progress.Status, bool) {
			n := polls.Add(1)
			return progress.Status{Cmdlet: "Get-Mailbox", Objects: n * 245, Pages: n / 4, Retries: 2,
				ThrottleWait: 1200 * time.Millisecond, Elapsed: time.Since(start)}, true
		}
		writes := &countingWriter{w: tty}
		line := progress.New(writes, progress.Options{Poll: poll, Width: func() int { return 120 }})
		before = cpuTime(b)
		line.Start()
		time.Sleep(span)
		line.Stop()
		used := cpuTime(b) - before - idle
		wall := time.Since(start)
		b.ReportMetric(100*used.Seconds()/wall.Seconds(), "line_cpu_pct")
		b.ReportMetric(float64(used.Microseconds())/wall.Seconds()/1000, "cpu_ms/s")
		b.ReportMetric(float64(idle.Microseconds())/span.Seconds()/1000, "idle_cpu_ms/s")
		b.ReportMetric(float64(polls.Load())/wall.Seconds(), "ticks/s")
		b.ReportMetric(float64(writes.n.Load())/wall.Seconds(), "draws/s")
	}
}

// countingWriter counts the writes that reach the terminal.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.w.Write(p)
}

// cpuTime is this process's CPU time so far (user + system).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

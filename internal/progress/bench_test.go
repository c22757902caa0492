package progress

import (
	"io"
	"testing"
	"time"
)

// BenchmarkRender is the cost of the line's text, once per tick.
func BenchmarkRender(b *testing.B) {
	s := Status{Cmdlet: "Get-Mailbox", Objects: 123456, Pages: 124, Retries: 3, ThrottleWait: 2500 * time.Millisecond, Elapsed: 83 * time.Second}
	b.ReportAllocs()
	for b.Loop() {
		Render(s, 120)
	}
}

// BenchmarkTick is one tick that redraws: poll, render, write. At ten
// ticks a second, ns/op × 10 is the line's share of a second of CPU.
func BenchmarkTick(b *testing.B) {
	s := Status{Cmdlet: "Get-Mailbox", Pages: 1, Elapsed: 2 * time.Second}
	l := New(io.Discard, Options{Poll: func() (Status, bool) { return s, true }, Width: func() int { return 120 }})
	b.ReportAllocs()
	for b.Loop() {
		s.Objects++ // a changed count: every tick draws
		l.tick()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)*10/1e9*100, "cpu_%_at_10Hz")
}

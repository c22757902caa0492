package adminapi

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator"
)

// streamOnce reads a whole Get-Mailbox -ResultSize Unlimited stream.
// decode makes the consumer do what the Lua decoder roughly does per
// object (json.Unmarshal into a map), so page-ahead has work to overlap.
func streamOnce(b *testing.B, c *Client, ahead, decode bool) (pages, objects int, wall time.Duration) {
	start := time.Now()
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox",
		Parameters: map[string]any{"ResultSize": "Unlimited"}, PageAhead: ahead})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for {
		v, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		objects++
		if decode {
			var m map[string]any
			if err := json.Unmarshal(v, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
	return s.Pages(), objects, time.Since(start)
}

// BenchmarkStream100k streams 100,000 mailboxes in pages of 1,000 from the
// emulator with 20 ms of latency per request, with and without page-ahead,
// and compares the wall time with the floor of a sequential client:
// pages × 20 ms + the time the same stream takes without latency.
//
//	go test -run '^$' -bench Stream100k -benchtime 1x ./connect/adminapi/
func BenchmarkStream100k(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 100,000-mailbox tenant")
	}
	const latency = 20 * time.Millisecond
	em := startEmulator(b, 100000)
	c := emulatorClient(b, em, catalog.Exchange, nil)

	// The emulator's and the client's own time: no latency, drain only,
	// then the consumer's decoding cost alone.
	streamOnce(b, c, false, false) // warm up
	pages, objects, bare := streamOnce(b, c, false, false)
	_, _, decoded := streamOnce(b, c, false, true)
	if objects != 100000 || pages != 100 {
		b.Fatalf("%d objects in %d pages", objects, pages)
	}
	floor := time.Duration(pages)*latency + bare
	b.Logf("no latency: %v per stream (%v per page); with decoding %v", bare, bare/time.Duration(pages), decoded)

	em.SetFaults(emulator.Faults{Latency: latency})
	for _, tc := range []struct {
		name          string
		ahead, decode bool
	}{
		{"sequential", false, false},
		{"pageahead", true, false},
		{"sequential+decode", false, true},
		{"pageahead+decode", true, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var total time.Duration
			n := 0
			for b.Loop() {
				p, o, wall := streamOnce(b, c, tc.ahead, tc.decode)
				if o != objects || p != pages {
					b.Fatalf("%d objects in %d pages", o, p)
				}
				total += wall
				n++
			}
			wall := total / time.Duration(n)
			fl := floor
			if tc.decode {
				fl = time.Duration(pages)*latency + decoded
			}
			b.ReportMetric(float64(pages), "pages")
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(fl.Seconds(), "floor-s")
			b.ReportMetric(float64(wall)/float64(fl), "wall/floor")
		})
	}
}

// BenchmarkParallelStatistics runs 5,000 Get-MailboxStatistics calls
// through a pool of N workers against an emulator that allows N requests in
// flight per tenant and adds 20 ms per request, and compares calls/s with
// the limit's ceiling N / (20 ms + service time). Every mailbox must be
// answered exactly once.
//
//	go test -run '^$' -bench ParallelStatistics -benchtime 1x ./connect/adminapi/
func BenchmarkParallelStatistics(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 5,000-mailbox tenant")
	}
	const (
		calls   = 5000
		limit   = 10
		latency = 20 * time.Millisecond
	)
	em := startEmulator(b, calls)
	c := emulatorClient(b, em, catalog.Exchange, nil)
	ctx := context.Background()
	s, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"ResultSize": "Unlimited"},
		Select: []string{"ExchangeGuid"}})
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for {
		v, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		var m struct{ ExchangeGuid string }
		json.Unmarshal(v, &m)
		ids = append(ids, m.ExchangeGuid)
	}
	s.Close()
	if len(ids) != calls {
		b.Fatalf("%d mailboxes", len(ids))
	}

	one := func(id string) (string, error) {
		s, err := c.Invoke(ctx, Request{Cmdlet: "Get-MailboxStatistics", Parameters: map[string]any{"Identity": id}})
		if err != nil {
			return "", err
		}
		defer s.Close()
		v, err := s.Next()
		if err != nil {
			return "", err
		}
		var m struct{ Identity string }
		if err := json.Unmarshal(v, &m); err != nil {
			return "", err
		}
		return m.Identity, nil
	}
	// Service time: sequential calls without latency.
	start := time.Now()
	for _, id := range ids[:200] {
		if _, err := one(id); err != nil {
			b.Fatal(err)
		}
	}
	service := time.Since(start) / 200
	ceiling := float64(limit) / (latency + service).Seconds()

	em.SetFaults(emulator.Faults{ConcurrencyLimit: limit, Latency: latency})
	for b.Loop() {
		em.ResetStats()
		before := c.Stats()
		var (
			mu      sync.Mutex
			answers = map[string]int{}
			failed  int
			wg      sync.WaitGroup
			jobs    = make(chan string)
		)
		start := time.Now()
		for range limit {
			wg.Go(func() {
				for id := range jobs {
					got, err := one(id)
					mu.Lock()
					if err != nil {
						failed++
					} else {
						answers[got]++
					}
					mu.Unlock()
				}
			})
		}
		for _, id := range ids {
			jobs <- id
		}
		close(jobs)
		wg.Wait()
		wall := time.Since(start)

		dup := 0
		for _, n := range answers {
			dup += n - 1
		}
		lost := calls - len(answers)
		if lost != 0 || dup != 0 || failed != 0 {
			b.Errorf("lost %d, duplicated %d, failed %d", lost, dup, failed)
		}
		after, es := c.Stats(), em.Stats()
		rate := float64(calls) / wall.Seconds()
		b.ReportMetric(rate, "calls/s")
		b.ReportMetric(ceiling, "ceiling-calls/s")
		b.ReportMetric(rate/ceiling, "of-ceiling")
		b.ReportMetric(float64(service.Microseconds())/1000, "service-ms")
		b.ReportMetric(float64(after.Throttled-before.Throttled), "throttled")
		b.ReportMetric(float64(lost+dup), "lost+dup")
		b.Logf("%d calls in %v: %.0f calls/s of a %.0f ceiling (service %v); emulator max in flight %d, throttled %d",
			calls, wall.Round(time.Millisecond), rate, ceiling, service, es.MaxInFlight, es.Throttled)
	}
}

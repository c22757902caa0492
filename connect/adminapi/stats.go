package adminapi

import (
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Stats count what a Client did since New.
type Stats struct {
	Calls     int64 // Invoke and ModuleCmdlets calls
	Requests  int64 // HTTP requests sent (retries and redirects included)
	Pages     int64 // pages received
	Objects   int64 // output objects received
	Retries   int64 // requests sent again after a failure (401 re-auth included)
	Throttled int64 // answers that said to slow down (429, the concurrency limit, 503)
	// ThrottleWait is the time spent waiting because the service said to
	// slow down; RetryWait is all waiting between attempts (ThrottleWait
	// included).
	ThrottleWait time.Duration
	RetryWait    time.Duration
	// Errors counts failed calls by Error.Code.
	Errors map[string]int
}

// stats is the live, concurrency-safe form of Stats.
type stats struct {
	calls, requests, pages, objects, retries, throttled atomic.Int64
	throttleWait, retryWait                             atomic.Int64 // nanoseconds

	mu     sync.Mutex
	errors map[string]int
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	errs := maps.Clone(s.errors)
	s.mu.Unlock()
	if errs == nil {
		errs = map[string]int{}
	}
	return Stats{
		Calls:        s.calls.Load(),
		Requests:     s.requests.Load(),
		Pages:        s.pages.Load(),
		Objects:      s.objects.Load(),
		Retries:      s.retries.Load(),
		Throttled:    s.throttled.Load(),
		ThrottleWait: time.Duration(s.throttleWait.Load()),
		RetryWait:    time.Duration(s.retryWait.Load()),
		Errors:       errs,
	}
}

// countError counts a call's final error by code.
func (s *stats) countError(err error) {
	code := "other"
	var e *Error
	if errors.As(err, &e) {
		code = e.Code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errors == nil {
		s.errors = map[string]int{}
	}
	s.errors[code]++
}

// Stats returns a copy of the counters. It is safe for concurrent use.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

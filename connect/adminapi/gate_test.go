package adminapi

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestGate: no limit until a refusal; a refusal with n in flight allows
// n-1; a waiter enters when a place frees, or gives up with its context;
// a long calm raises the limit by one.
func TestGate(t *testing.T) {
	var g gate
	ctx := context.Background()
	for range 5 {
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := g.leave(true); got != 4 || g.current() != 4 {
		t.Fatalf("refused with 5 in flight: limit %d (changed %d), want 4", g.current(), got)
	}
	// 4 in flight, limit 4: the next waits, until its context ends...
	short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancelShort()
	if err := g.enter(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("enter at the limit: %v, want it to wait until its deadline", err)
	}
	// ... or until a place frees.
	entered := make(chan error, 1)
	go func() { entered <- g.enter(ctx) }()
	g.leave(false)
	if err := <-entered; err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.enter(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("enter with an ended context: %v", err)
	}
	// A later refusal with fewer in flight lowers it further, never
	// raises it.
	if got := g.leave(true); got != 3 {
		t.Fatalf("refused with 4 in flight: changed %d, want 3", got)
	}
	for range 3 {
		g.leave(false)
	}
	if g.current() != 3 {
		t.Fatalf("limit %d", g.current())
	}
	for range raiseAfter * 3 {
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
		g.leave(false)
	}
	if g.current() != 4 {
		t.Fatalf("after a long calm the limit is %d, want 4", g.current())
	}
}

// current is the learned limit, 0 for none.
func (g *gate) current() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.limit
}

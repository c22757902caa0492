package adminapi

import (
	"context"
	"sync"
)

// gate keeps the client's requests in flight under the tenant's
// concurrency limit, which it learns from the service's refusals
// ("You have reached the maximum number of concurrent requests per
// tenant", PROTOCOL.md 3.7). Until the first refusal it lets everything
// through. A refusal arriving with n requests in flight (this client's)
// says the service allows fewer than n, so the gate allows n-1 from then
// on; a refused request waits its Retry-After, then for a free place. A
// long run of answers without a refusal lets one more through, in case
// the limit was met with another client's requests that have ended.
//
// Without it, exo.parallel at twice the limit keeps half its requests
// bouncing off the service until they run out of attempts.
type gate struct {
	mu       sync.Mutex
	limit    int // 0: none learned
	inFlight int
	// calm counts answers since the last refusal or raise.
	calm int
	// wake closes when a place frees or the limit rises; a new one
	// replaces it.
	wake chan struct{}
}

// raiseAfter is how many answers in a row, in multiples of the limit,
// raise the limit by one.
const raiseAfter = 8

// enter waits for a place; it fails only when ctx ends.
func (g *gate) enter(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.limit == 0 || g.inFlight < g.limit {
			g.inFlight++
			g.mu.Unlock()
			return nil
		}
		if g.wake == nil {
			g.wake = make(chan struct{})
		}
		wake := g.wake
		g.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// leave frees the place of a request that got its answer; refused says
// the answer was a concurrency refusal. It returns the limit when this
// answer changed it, else 0.
func (g *gate) leave(refused bool) (changed int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.inFlight
	g.inFlight--
	switch {
	case refused:
		g.calm = 0
		if learned := max(1, n-1); g.limit == 0 || learned < g.limit {
			g.limit, changed = learned, learned
		}
	case g.limit > 0:
		g.calm++
		if g.calm >= raiseAfter*g.limit {
			g.calm = 0
			g.limit++
			changed = g.limit
		}
	}
	if g.wake != nil {
		close(g.wake)
		g.wake = nil
	}
	return changed
}

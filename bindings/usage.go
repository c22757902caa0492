package bindings

import (
	"errors"
	"maps"
	"sync"

	"github.com/exorun/exorun/connect/adminapi"
)

// usage counts what a session asked of the service, as the run summary
// reports it: calls by cmdlet, and what became of each write. The client's
// own Stats count the wire (requests, pages, retries); these count the
// script's intent.
type usage struct {
	mu     sync.Mutex
	calls  map[string]int64 // cmdlets sent, by name
	writes Writes
}

// Writes is what became of a session's write cmdlets.
type Writes struct {
	// Sent were handed to the service (not held back by what-if).
	Sent int64 `json:"sent"`
	// WhatIf were held back by exo.what_if and only logged.
	WhatIf int64 `json:"what_if"`
	// Uncertain failed in a way that leaves open whether the service
	// applied them (write_uncertain): check the journal and the tenant.
	Uncertain int64 `json:"uncertain"`
}

// sent counts a request handed to the client.
func (u *usage) sent(req adminapi.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.calls == nil {
		u.calls = map[string]int64{}
	}
	u.calls[req.Cmdlet]++
	if req.Write {
		u.writes.Sent++
	}
}

// heldBack counts a write what-if kept from the service.
func (u *usage) heldBack() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.writes.WhatIf++
}

// finished counts how a write ended, once its outcome is known.
func (u *usage) finished(req adminapi.Request, err error) {
	var ae *adminapi.Error
	if !req.Write || !errors.As(err, &ae) || ae.Code != adminapi.CodeWriteUncertain {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.writes.Uncertain++
}

func (u *usage) snapshot() (map[string]int64, Writes) {
	u.mu.Lock()
	defer u.mu.Unlock()
	calls := maps.Clone(u.calls)
	if calls == nil {
		calls = map[string]int64{}
	}
	return calls, u.writes
}

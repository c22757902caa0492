package bindings

import (
	goruntime "runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exorun/exorun/connect/adminapi"
)

// Activity is the call a run is in now, for a progress display: a stream
// from the request until it ends (read to the end, failed or closed), or
// an exo.parallel from its first call until its last finished.
type Activity struct {
	Cmdlet string
	// Objects the script has been handed (a stream) or that finished
	// calls returned (exo.parallel); Pages received.
	Objects, Pages int64
	// Calls of Total have finished (exo.parallel); Total 0 is a stream.
	Calls, Total int64
	// Retries and ThrottleWait are the session's since the call started:
	// lookups made inside a stream's loop hold the stream up too.
	Retries      int64
	ThrottleWait time.Duration
	Started      time.Time
}

// Activity returns the outermost call still running, false when none
// is. It is safe to call from any goroutine while the script runs; the
// script's side pays only an atomic add per object.
//
// The outermost, because a script's main loop is what a reader follows:
// a lookup per object (exo.get_user{...}:first()) starts and ends many
// times a second and would make the display flicker between the two.
func (h *Host) Activity() (Activity, bool) {
	a := h.running.oldest()
	if a == nil {
		return Activity{}, false
	}
	st := a.client.Stats()
	out := Activity{
		Cmdlet: a.cmdlet, Total: a.total, Started: a.started,
		Objects: a.objects.Load(), Pages: a.pages.Load(), Calls: a.calls.Load(),
		Retries: st.Retries - a.base.Retries, ThrottleWait: st.ThrottleWait - a.base.ThrottleWait,
	}
	if a.total > 0 {
		// exo.parallel's calls run on many goroutines: their pages
		// are the session's since the start.
		out.Pages = st.Pages - a.base.Pages
	}
	return out, true
}

// activity is one running call. The counters are written by the call's
// goroutine(s) and read by Activity's.
type activity struct {
	cmdlet  string
	total   int64
	started time.Time
	client  *adminapi.Client
	base    adminapi.Stats // the session's counters when the call started

	objects, pages, calls atomic.Int64
}

// object counts one object handed to the script; pages is the stream's
// page count. Both are atomics: this runs once per object.
func (a *activity) object(pages int) {
	if a == nil {
		return
	}
	a.objects.Add(1)
	if p := int64(pages); a.pages.Load() != p {
		a.pages.Store(p) // only the stream's goroutine stores
	}
}

// called counts one finished exo.parallel call and its objects.
func (a *activity) called(objects int) {
	a.calls.Add(1)
	a.objects.Add(int64(objects))
}

// activities are a Host's running calls, oldest first. A call starts and
// ends under the mutex, once per call, never per object.
type activities struct {
	mu   sync.Mutex
	list []*activity
}

// start registers a call of s's session; total is the number of calls of
// an exo.parallel, 0 for a stream.
func (r *activities) start(s *session, cmdlet string, total int) *activity {
	c := s.conn.Client
	a := &activity{cmdlet: cmdlet, total: int64(total), started: s.host.opts.Now(), client: c, base: c.Stats()}
	r.mu.Lock()
	r.list = append(r.list, a)
	r.mu.Unlock()
	return a
}

// end unregisters a; it may be called more than once.
func (r *activities) end(a *activity) {
	if a == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.Index(r.list, a); i >= 0 {
		r.list = slices.Delete(r.list, i, i+1)
	}
}

func (r *activities) oldest() *activity {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.list) == 0 {
		return nil
	}
	return r.list[0]
}

// endWhenDropped ends a stream's activity when the script lets go of its
// results without reading them to the end or closing them (a break out
// of a for loop): otherwise that stream would stay "running" for the rest
// of the run. Go's collector decides when, which is soon enough for a
// display.
func (r *activities) endWhenDropped(rs *results, a *activity) {
	goruntime.AddCleanup(rs, r.end, a)
}

package bindings_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/emulator"
	xrt "github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// runProbed runs src with connect bound to tn and a global probe() that
// returns what Host.Activity says at that point as a string; extra adds
// more globals.
func (tn *tenant) runProbed(t *testing.T, src string, pageSize int, extra func(h *bindings.Host) map[string]lua.LGFunction) string {
	t.Helper()
	h := bindings.NewHost(bindings.Options{
		Settings: tn.settings,
		Connect:  connect.Options{ReadFile: os.ReadFile, PageSize: pageSize},
	})
	defer h.Close()
	globals := h.Globals()
	globals["probe"] = func(L *lua.LState) int {
		L.Push(lua.LString(describe(h.Activity())))
		return 1
	}
	if extra != nil {
		for k, v := range extra(h) {
			globals[k] = v
		}
	}
	return runtimetest.MustRun(t, src, xrt.Options{Globals: globals})
}

func describe(a bindings.Activity, ok bool) string {
	if !ok {
		return "idle"
	}
	if a.Started.IsZero() {
		return "no start time"
	}
	s := fmt.Sprintf("%s objects=%d pages=%d", a.Cmdlet, a.Objects, a.Pages)
	if a.Total > 0 {
		s += fmt.Sprintf(" calls=%d/%d", a.Calls, a.Total)
	}
	return s
}

func TestActivityOfAStream(t *testing.T) {
	tn := sharedTenant(t)
	out := tn.runProbed(t, `
		local exo = connect()
		print(probe())
		for m in exo.get_mailbox{ResultSize = "Unlimited"} do
			-- a lookup per object: the stream stays the one shown,
			-- and its count is its own
			exo.get_user{Identity = m.UserPrincipalName}:first()
			print(probe())
		end
		print(probe())
		pcall(function() return exo.get_mailbox{Identity = "nobody"}:all() end)
		print("after a failed call:", probe())
		local rs = exo.get_mailbox{ResultSize = "Unlimited"}
		rs()
		print(probe())
		rs:close()
		print("after close:", probe())
	`, 5, nil)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"idle"}
	for i := 1; i <= 12; i++ {
		want = append(want, fmt.Sprintf("Get-Mailbox objects=%d pages=%d", i, (i+4)/5))
	}
	want = append(want, "idle", "after a failed call:\tidle", "Get-Mailbox objects=1 pages=1", "after close:\tidle")
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// Retries and throttle waits are the session's since the call started:
// the 503 before connect{} is not the stream's, the one during it is.
func TestActivityCountsThrottling(t *testing.T) {
	tn := startTenant(t, "")
	tn.em.SetFaults(emulator.Faults{Unavailable: 1}) // connect{} is held up: not the stream's
	var a bindings.Activity
	out := tn.runProbed(t, `
		local exo = connect()
		unavailable()
		for m in exo.get_mailbox{} do grab() print(probe()) break end
	`, 0, func(h *bindings.Host) map[string]lua.LGFunction {
		return map[string]lua.LGFunction{
			"unavailable": func(L *lua.LState) int { tn.em.SetFaults(emulator.Faults{Unavailable: 1}); return 0 },
			"grab":        func(L *lua.LState) int { a, _ = h.Activity(); return 0 },
		}
	})
	if out != "Get-Mailbox objects=1 pages=1\n" {
		t.Fatalf("got %q", out)
	}
	if a.Retries != 1 || a.ThrottleWait < time.Second {
		t.Errorf("retries %d, throttle wait %s; want 1 and the 1 s Retry-After", a.Retries, a.ThrottleWait)
	}
}

// A stream left by a break is neither read to the end nor closed; it
// stops counting as running once Go collects its results.
func TestActivityEndsWhenAStreamIsDropped(t *testing.T) {
	tn := sharedTenant(t)
	out := tn.runProbed(t, `
		local exo = connect()
		local function first()
			for m in exo.get_mailbox{ResultSize = "Unlimited"} do return m end
		end
		first()
		print(probe())
		local ok = waitIdle()
		print(ok, probe())
	`, 5, func(h *bindings.Host) map[string]lua.LGFunction {
		return map[string]lua.LGFunction{"waitIdle": func(L *lua.LState) int {
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				// The Lua stack above the top may still hold the
				// results; clear it the way later calls would.
				for range 20 {
					L.Push(lua.LNil)
				}
				L.Pop(20)
				runtime.GC()
				if _, running := h.Activity(); !running {
					L.Push(lua.LTrue)
					return 1
				}
				time.Sleep(10 * time.Millisecond)
			}
			L.Push(lua.LFalse)
			return 1
		}}
	})
	if out != "Get-Mailbox objects=1 pages=1\ntrue\tidle\n" {
		t.Errorf("got %q", out)
	}
}

// exo.parallel runs in Go while Lua waits, so it is watched from another
// goroutine: calls count up to the total and the objects with them.
func TestActivityOfParallel(t *testing.T) {
	tn := startTenant(t, "")
	tn.em.SetFaults(emulator.Faults{Latency: 20 * time.Millisecond})
	var (
		mu   sync.Mutex
		seen []bindings.Activity
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	out := tn.runProbed(t, `
		local exo = connect()
		local inputs = {}
		for m in exo.get_mailbox{RecipientTypeDetails = "UserMailbox"} do
			inputs[#inputs + 1] = {Identity = m.UserPrincipalName}
		end
		watch()
		local r = exo.parallel("Get-MailboxStatistics", inputs, {concurrency = 2})
		unwatch()
		print(#inputs, probe())
	`, 0, func(h *bindings.Host) map[string]lua.LGFunction {
		return map[string]lua.LGFunction{
			"watch": func(L *lua.LState) int {
				go func() {
					defer close(done)
					for {
						select {
						case <-stop:
							return
						case <-time.After(2 * time.Millisecond):
						}
						if a, ok := h.Activity(); ok {
							mu.Lock()
							seen = append(seen, a)
							mu.Unlock()
						}
					}
				}()
				return 0
			},
			"unwatch": func(L *lua.LState) int { close(stop); <-done; return 0 },
		}
	})
	var n int64
	if _, err := fmt.Sscanf(out, "%d\tidle\n", &n); err != nil || n < 2 {
		t.Fatalf("script printed %q", out)
	}
	if len(seen) == 0 {
		t.Fatal("exo.parallel was never seen running")
	}
	var last int64
	for _, a := range seen {
		if a.Cmdlet != "Get-MailboxStatistics" || a.Total != n || a.Calls < last || a.Calls > n || a.Objects != a.Calls {
			t.Fatalf("observed %+v after %d calls (of %d)", a, last, n)
		}
		last = a.Calls
	}
	if seen[0].Calls == n {
		t.Errorf("first seen with every call done: %+v", seen[0])
	}
}

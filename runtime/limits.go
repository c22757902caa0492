package runtime

import (
	"fmt"
	"runtime/metrics"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
)

// Limits bound what one run may take from the host it shares with other
// jobs. The zero value sets no memory limit and the default grace period.
type Limits struct {
	// Memory is the most Go heap in use, in bytes, while the script runs;
	// 0 means no limit. The heap is the whole process's: results a stream
	// holds ahead of the script count as much as the script's tables.
	Memory int64
	// Grace is how long a stopped script may take to come back from a Go
	// built-in before Run stops waiting for it (default 2 s).
	Grace time.Duration
}

const (
	defaultGrace = 2 * time.Second
	// memoryTick is how often the heap is measured while a limited run
	// goes: often enough that a doubling string cannot double many times
	// between two looks, rare enough to cost nothing (a read of
	// runtime/metrics takes about a microsecond).
	memoryTick = 5 * time.Millisecond
	// memoryUrgent is how far past its limit the heap may grow after the
	// run was stopped before Run gives the run up without waiting out the
	// grace period: a built-in that keeps allocating must not take the
	// host down while exorun waits for it.
	memoryUrgent = 1.5
	// memoryGrace is the grace period of a run stopped for memory.
	memoryGrace = 100 * time.Millisecond
)

// MemoryError is a run stopped because the heap outgrew Limits.Memory.
type MemoryError struct {
	Limit int64 // bytes
	Heap  int64 // bytes in use when the limit was found exceeded
	// Asked is what a built-in was about to allocate when it stopped the
	// run instead (0 when the watcher found the heap over the limit), and
	// By names it ("a concatenation (..)").
	Asked int64
	By    string
}

func (e *MemoryError) Error() string {
	if e.Asked > 0 {
		return fmt.Sprintf("memory limit %s exceeded (heap in use %s; %s needs %s more)", FormatBytes(e.Limit), FormatBytes(e.Heap), e.By, FormatBytes(e.Asked))
	}
	return fmt.Sprintf("memory limit %s exceeded (heap in use %s)", FormatBytes(e.Limit), FormatBytes(e.Heap))
}

// Unwrap carries exitcode.Resources.
func (e *MemoryError) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Resources, Err: fmt.Errorf("memory limit exceeded")}
}

// FormatBytes is n in binary units, as --memory-limit takes them: "512 MiB", "1.5 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if v == float64(int64(v)) {
		s = fmt.Sprintf("%d", int64(v))
	}
	return s + " " + string("KMGTP"[exp]) + "iB"
}

// heapInUse is the bytes of heap objects, live or not yet swept: what the
// process holds, and what the host's memory sees.
func heapInUse() int64 {
	sample := [1]metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample[:])
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(sample[0].Value.Uint64())
}

// watchMemory measures the heap every memoryTick until done is closed,
// records the peak, and halts g when the heap is over limit; once halted,
// it gives the run up if the heap keeps growing.
func (s *State) watchMemory(g *guard, limit int64, done <-chan struct{}) {
	t := time.NewTicker(memoryTick)
	defer t.Stop()
	for {
		heap := heapInUse()
		s.notePeak(heap)
		switch {
		case heap > int64(memoryUrgent*float64(limit)) && g.halted.Load():
			g.giveUp()
		case heap > limit:
			g.halt(&MemoryError{Limit: limit, Heap: heap})
		}
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

func (s *State) notePeak(heap int64) {
	for {
		p := s.peakHeap.Load()
		if heap <= p || s.peakHeap.CompareAndSwap(p, heap) {
			return
		}
	}
}

// PeakHeap is the most heap in use measured while a memory-limited run
// went (0 when no limit was set).
func (s *State) PeakHeap() int64 { return s.peakHeap.Load() }

// builtins records which Go built-in a run is in, so that a run that does
// not come back from one after it was stopped can be reported as stuck
// there ("table.concat at report.lua:12"). Only the built-ins that can
// take long on a large value are tracked (slowBuiltin): a call of one
// costs two atomic stores of an int32, and the cheap ones that run in
// every loop (math.floor, string.sub, table.insert) pay nothing.
type builtins struct {
	names   []string     // tracked built-ins, by index
	current atomic.Int32 // index+1 of the one running, 0 for none
}

// slowBuiltin says which built-ins are tracked: they may run for long on a huge
// string or table, and none of them runs Lua code before it returns. That
// matters, because the watchdog reads the caller's position from the
// frames, which must not change while it does.
func slowBuiltin(name string) bool {
	switch name {
	case "string.rep", "string.upper", "string.lower", "string.reverse", "string.byte", "string.char",
		"string.find", "string.match", "table.concat", "unpack":
		return true
	}
	return false
}

// track makes the slow built-ins in t report themselves as prefix+name.
func (b *builtins) track(prefix string, t *lua.LTable) {
	t.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		fn, isFn := v.(*lua.LFunction)
		if !ok || !isFn || !fn.IsG || !slowBuiltin(prefix+string(name)) {
			return
		}
		fn.GFunction = b.wrap(prefix+string(name), fn.GFunction)
	})
}

func (b *builtins) wrap(name string, fn lua.LGFunction) lua.LGFunction {
	b.names = append(b.names, name)
	me := int32(len(b.names))
	return func(L *lua.LState) int {
		prev := b.current.Load()
		b.current.Store(me)
		defer b.current.Store(prev)
		return fn(L)
	}
}

// running is the tracked built-in the run is in, "" for none.
func (b *builtins) running() string {
	if i := b.current.Load(); i > 0 {
		return b.names[i-1]
	}
	return ""
}

// StuckError is a run that was stopped but did not come back from a Go
// built-in within the grace period. Run returns it and gives the state
// up: the built-in may still be running, so the process should exit.
type StuckError struct {
	Cause   error  // why the run was stopped
	Builtin string // the built-in it was in ("string.find"), "" if unknown
	Where   string // file:line that called it, "" if unknown
	Waited  time.Duration
	// Urgent: the heap kept growing past its limit, so the run was
	// given up without waiting out the grace period.
	Urgent bool
}

func (e *StuckError) Error() string {
	in := "Go code (a built-in, or an operator on a huge value)"
	if e.Builtin != "" {
		in = e.Builtin
	}
	if e.Where != "" {
		in += " at " + e.Where
	}
	if e.Urgent {
		return fmt.Sprintf("script stopped: %v; it was in %s and the heap kept growing, so exorun gave it up at once", e.Cause, in)
	}
	return fmt.Sprintf("script stopped: %v; it was in %s and had not come back %s later, so exorun gave it up", e.Cause, in, e.Waited)
}

// Unwrap is the cause, which carries the exit code (timeout, interrupted,
// resources).
func (e *StuckError) Unwrap() error { return e.Cause }

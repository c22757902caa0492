package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
)

const (
	// maxDefaultMemoryLimit caps the default --memory-limit: a report over
	// 100,000 mailboxes held with :all() needs about 2.5 GiB, a stream a
	// few MiB; a job that truly needs more says so with the flag.
	maxDefaultMemoryLimit = 1 << 30
	// minMemoryLimit is the smallest limit accepted: exorun itself (the
	// catalog, TLS, the HTTP client) uses some 10-20 MiB of heap.
	minMemoryLimit = 32 << 20
)

// byteSize is a flag value in bytes, written with a unit: 512MiB, 1GiB,
// 2G (binary units, as Docker and Kubernetes take them), or plain bytes.
type byteSize struct {
	n   int64
	set bool
}

func (b *byteSize) String() string {
	if !b.set {
		return ""
	}
	return runtime.FormatBytes(b.n)
}

func (b *byteSize) Type() string { return "size" }

func (b *byteSize) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	b.n, b.set = n, true
	return nil
}

// unit is the multiplier of a byteSize suffix, by lower-case spelling.
func unit(suffix string) (int64, bool) {
	switch suffix {
	case "", "b":
		return 1, true
	case "k", "kb", "kib":
		return 1 << 10, true
	case "m", "mb", "mib":
		return 1 << 20, true
	case "g", "gb", "gib":
		return 1 << 30, true
	case "t", "tb", "tib":
		return 1 << 40, true
	}
	return 0, false
}

func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, suffix := t, ""
	if i >= 0 {
		num, suffix = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult, ok := unit(suffix)
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || num == "" {
		return 0, fmt.Errorf("%q is not a size: want a number with an optional unit, e.g. 512MiB, 2GiB or 0", s)
	}
	bytes := v * float64(mult)
	if bytes > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if v > 0 && bytes < 1 {
		// It would round to 0, which means no limit at all.
		return 0, fmt.Errorf("%q is less than a byte: give a unit, e.g. 0.5GiB", s)
	}
	return int64(bytes), nil
}

// memoryLimit is the run's --memory-limit in bytes (0: none): the flag's
// value, or half the memory the machine (or the container's cgroup)
// gives the process, at most 1 GiB.
func (o *scriptOptions) memoryLimit(env *Env) (int64, error) {
	if o.MemoryLimit.set {
		n := o.MemoryLimit.n
		if n != 0 && n < minMemoryLimit {
			return 0, usageError("--memory-limit %s: too small; exorun itself needs about 20 MiB, so give at least %s, or 0 for no limit",
				runtime.FormatBytes(n), runtime.FormatBytes(minMemoryLimit))
		}
		return n, nil
	}
	limit := int64(maxDefaultMemoryLimit)
	if env.MemoryTotal != nil {
		if total := env.MemoryTotal(); total > 0 {
			limit = min(limit, max(total/2, minMemoryLimit))
		}
	}
	return limit, nil
}

// limitHint adds to a run's error what to do about a limit it met, and
// turns a Go panic into the one line that asks for a bug report.
func limitHint(err error, limit int64) error {
	var mem *runtime.MemoryError
	var internal *runtime.InternalError
	switch {
	case errors.As(err, &mem):
		return (&exitcode.Error{Code: exitcode.Resources, Err: err}).WithHint(fmt.Sprintf(
			"raise --memory-limit (now %s; 0 turns it off), or hold fewer objects at once: loop over a stream instead of :all()",
			runtime.FormatBytes(limit)))
	case errors.As(err, &internal):
		return (&exitcode.Error{Code: exitcode.Script, Err: err}).WithHint(
			"please report it at " + bugURL + " with the command you ran; --log-level debug shows where it happened")
	}
	return err
}

// bugURL is where users report a bug in exorun.
const bugURL = "https://github.com/exorun/exorun/issues"

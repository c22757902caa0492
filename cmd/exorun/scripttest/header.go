package scripttest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/suggest"
)

// header is what a test file's leading comment lines say about its
// tenant: `-- fixture: tenant.yaml`, `-- role: Global Reader`,
// `-- faults: throttle-every=3`, `-- now: 2026-11-01T09:00:00Z`,
// `-- timeout: 30s`.
type header struct {
	Fixture string // as written, relative to the test file's folder
	Role    string
	Faults  emulator.Faults
	Now     time.Time // zero: the default
	Timeout time.Duration
}

// headerKeys are the keys a header line may have, in the order the
// README lists them.
var headerKeys = []string{"fixture", "role", "faults", "now", "timeout"}

// parseHeader reads the header of a test file: the `-- key: value`
// lines among the comment and blank lines it starts with. A line whose
// key is close to a known one ("fixtrue") is an error, since a silently
// ignored typo would test the wrong tenant; other comments are prose.
func parseHeader(name string, src []byte) (header, error) {
	var h header
	for i, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#!") && i == 0 {
			continue
		}
		text, ok := strings.CutPrefix(line, "--")
		if !ok || strings.HasPrefix(text, "[[") || strings.HasPrefix(text, "[=") {
			break // the code (or a block comment) starts
		}
		key, value, ok := strings.Cut(text, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			continue
		}
		value = strings.TrimSpace(value)
		at := fmt.Sprintf("%s:%d", name, i+1)
		if err := h.set(key, value); err != nil {
			if err == errNotHeader {
				if near := suggest.Closest(key, headerKeys); near != "" {
					return h, fmt.Errorf("%s: unknown header %q; did you mean %q?", at, key, near)
				}
				continue
			}
			return h, fmt.Errorf("%s: %s: %w", at, key, err)
		}
	}
	return h, nil
}

type headerError string

func (e headerError) Error() string { return string(e) }

// errNotHeader says a `-- word: text` line is no header line.
const errNotHeader = headerError("not a header")

func (h *header) set(key, value string) error {
	if value == "" && key != "" && slices.Contains(headerKeys, key) {
		return fmt.Errorf("no value")
	}
	switch key {
	case "fixture":
		h.Fixture = value
	case "role":
		h.Role = value
	case "faults":
		f, err := parseFaults(value)
		if err != nil {
			return err
		}
		h.Faults = f
	case "now":
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return fmt.Errorf("%q: want an RFC 3339 time such as 2026-11-01T09:00:00Z", value)
		}
		h.Now = t
	case "timeout":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q: want a duration such as 30s or 2m", value)
		}
		h.Timeout = d
	default:
		return errNotHeader
	}
	return nil
}

// faultNames are the settings of a faults: header, as
// `exorun emulator serve` names its flags.
var faultNames = []string{"latency", "throttle-every", "retry-after", "unavailable", "close-mid-response", "concurrency-limit"}

// parseFaults reads "throttle-every=3, latency=20ms": settings separated
// by commas or spaces.
func parseFaults(s string) (emulator.Faults, error) {
	var f emulator.Faults
	for _, field := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return f, fmt.Errorf("%q: want name=value, e.g. throttle-every=3", field)
		}
		k = strings.ToLower(k)
		var err error
		switch k {
		case "latency":
			f.Latency, err = duration(v)
		case "retry-after":
			f.ThrottleRetryAfter, err = duration(v)
		case "throttle-every":
			f.ThrottleEvery, err = count(v)
		case "unavailable":
			f.Unavailable, err = count(v)
		case "close-mid-response":
			f.CloseMidResponse, err = count(v)
		case "concurrency-limit":
			f.ConcurrencyLimit, err = count(v)
		default:
			msg := fmt.Sprintf("unknown fault %q (want %s)", k, strings.Join(faultNames, ", "))
			if near := suggest.Closest(k, faultNames); near != "" {
				msg = fmt.Sprintf("unknown fault %q; did you mean %q?", k, near)
			}
			return f, headerError(msg)
		}
		if err != nil {
			return f, fmt.Errorf("%s=%q: %w", k, v, err)
		}
	}
	return f, nil
}

func duration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want a duration such as 20ms or 1s")
	}
	return d, nil
}

func count(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a whole number, 0 or more")
	}
	return n, nil
}

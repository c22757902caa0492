package progress

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is what the line shows: one running call.
type Status struct {
	Cmdlet         string
	Objects, Pages int64
	// Calls of Total have finished (exo.parallel); Total 0 is a stream.
	Calls, Total int64
	Retries      int64
	ThrottleWait time.Duration
	Elapsed      time.Duration
	// Tenants, when Total > 0, is a run over many tenants: the line
	// shows them rather than one call.
	Tenants Tenants
}

// Tenants is where a run over many tenants stands.
type Tenants struct {
	Total, Done, Running, Failed int
	// Slowest is the tenant running longest, for SlowestFor.
	Slowest    string
	SlowestFor time.Duration
}

// minRateElapsed is how long a call runs before its rate is shown: over
// the first page or two the figure is noise.
const minRateElapsed = time.Second

// segment is one field of the line; when the line is too wide the fields
// of lowest keep go first.
type segment struct {
	text string
	keep int
}

// Render is the line's text for s, at most width-1 columns wide (the last
// column is left free: writing into it makes some terminals wrap, and the
// next redraw would then land on a new row). width <= 0 means no limit.
// Fields are dropped, least useful first, before anything is cut.
func Render(s Status, width int) string {
	if s.Tenants.Total > 0 {
		return fitted(tenantSegments(s), width)
	}
	segs := make([]segment, 0, 6)
	segs = append(segs, segment{s.Cmdlet, 9})
	var rate string
	if s.Total > 0 {
		segs = append(segs, segment{group(s.Calls) + "/" + group(s.Total) + " calls", 8})
		segs = append(segs, segment{count(s.Objects, "object", "objects"), 2})
		if s.Elapsed >= minRateElapsed {
			rate = perSecond(s.Calls, s.Elapsed) + " calls/s"
		}
	} else {
		segs = append(segs, segment{count(s.Objects, "object", "objects"), 8})
		segs = append(segs, segment{count(s.Pages, "page", "pages"), 2})
		if s.Elapsed >= minRateElapsed {
			rate = perSecond(s.Objects, s.Elapsed) + "/s"
		}
	}
	if rate != "" {
		segs = append(segs, segment{rate, 3})
	}
	if t := retries(s.Retries, s.ThrottleWait); t != "" {
		segs = append(segs, segment{t, 5})
	}
	segs = append(segs, segment{clock(s.Elapsed), 7})
	return fitted(segs, width)
}

// tenantSegments are the fields of a run over many tenants: "tenants
// 12/50 done  4 running  1 failed  slowest fabrikam.onmicrosoft.com 41s
// 03:12".
func tenantSegments(s Status) []segment {
	t := s.Tenants
	segs := []segment{{"tenants " + group(int64(t.Done)) + "/" + group(int64(t.Total)) + " done", 9}}
	if t.Running > 0 {
		segs = append(segs, segment{group(int64(t.Running)) + " running", 8})
	}
	if t.Failed > 0 {
		segs = append(segs, segment{group(int64(t.Failed)) + " failed", 8})
	}
	if t.Slowest != "" {
		segs = append(segs, segment{"slowest " + t.Slowest + " " + clock(t.SlowestFor), 3})
	}
	return append(segs, segment{clock(s.Elapsed), 7})
}

// fitted joins segs into at most width-1 columns (no limit for width
// <= 0), dropping the least kept first.
func fitted(segs []segment, width int) string {
	if width <= 0 {
		return join(segs)
	}
	limit := width - 1
	for len(segs) > 1 && columns(segs) > limit {
		segs = dropLeastKept(segs)
	}
	return cut(join(segs), limit)
}

const sep = "  "

func join(segs []segment) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s.text)
	}
	return b.String()
}

// columns is the joined width; the text is ASCII but for the cmdlet name,
// so runes are a fair count of columns.
func columns(segs []segment) int {
	n := len(sep) * (len(segs) - 1)
	for _, s := range segs {
		n += len([]rune(s.text))
	}
	return n
}

// dropLeastKept removes the segment of lowest keep (the rightmost of
// equals).
func dropLeastKept(segs []segment) []segment {
	low := len(segs) - 1
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].keep < segs[low].keep {
			low = i
		}
	}
	return append(segs[:low], segs[low+1:]...)
}

// cut shortens s to at most limit runes.
func cut(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i]
		}
		n++
	}
	return s
}

func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return group(n) + " " + many
}

func retries(n int64, wait time.Duration) string {
	var t string
	if n > 0 {
		t = count(n, "retry", "retries")
	}
	if wait <= 0 {
		return t
	}
	w := waited(wait) + " throttled"
	if t == "" {
		return w
	}
	return t + " (" + w + ")"
}

// waited is a throttle wait: tenths of a second under a minute, whole
// seconds above.
func waited(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}

// perSecond is n/elapsed: one decimal below 10, whole numbers grouped
// above.
func perSecond(n int64, elapsed time.Duration) string {
	r := float64(n) / elapsed.Seconds()
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return group(int64(r + 0.5))
}

// clock is m:ss, or h:mm:ss from an hour on.
func clock(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// group writes n with thousands separators: 12,345.
func group(n int64) string {
	if n < 0 {
		return "-" + group(-n)
	}
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

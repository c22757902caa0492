package cli

import (
	"slices"
	"testing"
)

// TestLimitMemory: a run's memory limit sets the soft limit and, unless
// the user set GOGC, the collector's target; restore puts both back.
func TestLimitMemory(t *testing.T) {
	for _, gogc := range []bool{false, true} {
		var calls []string
		limit, percent := int64(-1), 100
		env := &Env{
			LookupEnv: func(k string) (string, bool) { return "50", gogc && k == "GOGC" },
			SetMemoryLimit: func(n int64) int64 {
				calls = append(calls, "limit")
				prev := limit
				limit = n
				return prev
			},
			SetGCPercent: func(n int) int {
				calls = append(calls, "percent")
				prev := percent
				percent = n
				return prev
			},
		}
		restore := env.limitMemory(1 << 30)
		wantPercent := gcPercent
		if gogc {
			wantPercent = 100
		}
		if limit != 1<<30 || percent != wantPercent {
			t.Errorf("GOGC set %v: limit %d, percent %d; want %d, %d", gogc, limit, percent, 1<<30, wantPercent)
		}
		restore()
		if limit != -1 || percent != 100 {
			t.Errorf("GOGC set %v: after restore limit %d, percent %d", gogc, limit, percent)
		}
		want := []string{"limit", "percent", "limit", "percent"}
		if gogc {
			want = []string{"limit", "limit"}
		}
		if !slices.Equal(calls, want) {
			t.Errorf("GOGC set %v: calls %v, want %v", gogc, calls, want)
		}
	}
	// No limit: nothing changes.
	env := &Env{SetMemoryLimit: func(int64) int64 { t.Error("set without a limit"); return 0 }}
	env.limitMemory(0)()
}

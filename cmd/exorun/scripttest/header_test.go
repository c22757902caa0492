package scripttest

import (
	"strings"
	"testing"
	"time"
)

func TestParseHeader(t *testing.T) {
	src := `#!/usr/bin/env exorun
-- The mailbox report on a small tenant.
-- fixture: tenant.yaml
-- Role: Global Reader
-- faults: throttle-every=3, latency=20ms retry-after=2s
-- now: 2026-11-01T09:00:00Z
-- timeout: 45s
-- Note: prose with a colon is no header.

local r = run("../x.lua")
-- fixture: after the code is no header
`
	h, err := parseHeader("x_test.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if h.Fixture != "tenant.yaml" || h.Role != "Global Reader" || h.Timeout != 45*time.Second ||
		!h.Now.Equal(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("header = %+v", h)
	}
	if f := h.Faults; f.ThrottleEvery != 3 || f.Latency != 20*time.Millisecond || f.ThrottleRetryAfter != 2*time.Second {
		t.Errorf("faults = %+v", f)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"-- fixtrue: a.yaml\n", `x_test.lua:1: unknown header "fixtrue"; did you mean "fixture"?`},
		{"\n-- faults: throttle-evry=3\n", `x_test.lua:2: faults: unknown fault "throttle-evry"; did you mean "throttle-every"?`},
		{"-- faults: latency=fast\n", `x_test.lua:1: faults: latency="fast": want a duration such as 20ms or 1s`},
		{"-- faults: throttle-every\n", `x_test.lua:1: faults: "throttle-every": want name=value, e.g. throttle-every=3`},
		{"-- faults: unavailable=-1\n", `x_test.lua:1: faults: unavailable="-1": want a whole number, 0 or more`},
		{"-- now: yesterday\n", `x_test.lua:1: now: "yesterday": want an RFC 3339 time such as 2026-11-01T09:00:00Z`},
		{"-- timeout: 0s\n", `x_test.lua:1: timeout: "0s": want a duration such as 30s or 2m`},
		{"-- role:\n", `x_test.lua:1: role: no value`},
	} {
		_, err := parseHeader("x_test.lua", []byte(c.src))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %s", strings.TrimSpace(c.src), err, c.want)
		}
	}
}

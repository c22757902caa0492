package catalog

import (
	"strings"
	"testing"
)

func TestParseService(t *testing.T) {
	for in, want := range map[string]Service{
		"": Exchange, "exchange": Exchange, "EXO": Exchange, "Exchange": Exchange,
		"compliance": Compliance, "SCC": Compliance, "ipps": Compliance,
	} {
		got, err := ParseService(in)
		if err != nil || got != want {
			t.Errorf("ParseService(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseService("sharepoint"); err == nil || !strings.Contains(err.Error(), `"sharepoint"`) {
		t.Errorf("ParseService(sharepoint) err = %v", err)
	}
}

func TestServiceKeyRoundTrips(t *testing.T) {
	for _, s := range []Service{Exchange, Compliance} {
		if got, err := ParseService(s.Key()); err != nil || got != s {
			t.Errorf("ParseService(%q) = %q, %v; want %q", s.Key(), got, err, s)
		}
	}
}

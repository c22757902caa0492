package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestOfFindsCodeThroughWrapping(t *testing.T) {
	inner := New(Permission, "set-mailbox is not allowed").WithHint("assign Exchange Administrator")
	err := fmt.Errorf("run report.lua: %w", inner)
	if got := Of(err); got != Permission {
		t.Fatalf("Of = %d, want %d", got, Permission)
	}
	if got := HintOf(err); got != "assign Exchange Administrator" {
		t.Fatalf("HintOf = %q", got)
	}
	if got := Of(errors.New("plain")); got != Script {
		t.Fatalf("unclassified error: Of = %d, want %d", got, Script)
	}
	if Of(nil) != OK || Wrap(Auth, nil) != nil {
		t.Fatal("nil must map to OK and stay nil when wrapped")
	}
}

func TestCodesAreUniqueAndNamed(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range Codes {
		if seen[c.Code] {
			t.Errorf("code %d listed twice", c.Code)
		}
		if c.Name == "" || c.Meaning == "" {
			t.Errorf("code %d lacks a name or meaning", c.Code)
		}
		seen[c.Code] = true
	}
}

func TestName(t *testing.T) {
	if Timeout.Name() != "timeout" || OK.Name() != "ok" || Code(42).Name() != "exit 42" {
		t.Errorf("names: %q %q %q", Timeout.Name(), OK.Name(), Code(42).Name())
	}
}

// The README shows Codes in order; a code added out of place would read
// as if the table skipped one.
func TestCodesAscend(t *testing.T) {
	for i := 1; i < len(Codes); i++ {
		if Codes[i].Code <= Codes[i-1].Code {
			t.Errorf("code %d (%s) is listed after %d (%s)", Codes[i].Code, Codes[i].Name, Codes[i-1].Code, Codes[i-1].Name)
		}
	}
}

func TestMostSevere(t *testing.T) {
	for _, tc := range []struct {
		codes []Code
		want  Code
	}{
		{nil, OK},
		{[]Code{OK, OK}, OK},
		{[]Code{OK, Checks, OK}, Checks},
		{[]Code{Checks, Script, Service}, Service},
		{[]Code{Throttled, Auth, Permission}, Auth},
		{[]Code{Auth, Usage}, Usage},
		{[]Code{Usage, Interrupted, Timeout}, Interrupted},
		{[]Code{Checks, Code(42)}, Code(42)},
		{[]Code{Code(42), Script}, Code(42)},
	} {
		if got := MostSevere(tc.codes...); got != tc.want {
			t.Errorf("MostSevere(%v) = %d, want %d", tc.codes, got, tc.want)
		}
	}
}

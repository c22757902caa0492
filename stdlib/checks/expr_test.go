package checks

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseRuleValid(t *testing.T) {
	agg := map[string]float64{"count": 3, "value": 2.5, "min": -1, "max": 10}
	cases := []struct {
		src   string
		want  bool
		names []string
	}{
		{"count == 3", true, []string{"count"}},
		{"count ~= 3", false, []string{"count"}},
		{"count != 3", false, []string{"count"}},
		{"count<4", true, []string{"count"}},
		{"count <= 2", false, []string{"count"}},
		{"value > 2.5", false, []string{"value"}},
		{"value >= 2.5", true, []string{"value"}},
		{"min > -2", true, []string{"min"}},
		{"min>-1.5e0", true, []string{"min"}},
		{"max == 1e1", true, []string{"max"}},
		{"max < .5", false, []string{"max"}},
		{"3 == count", true, []string{"count"}},
		{"count > 0 and value < 3", true, []string{"count", "value"}},
		{"count > 5 or value < 3", true, []string{"count", "value"}},
		{"count > 5 or value > 3", false, []string{"count", "value"}},
		{"not count == 0", true, []string{"count"}},
		{"not not (count == 0)", false, []string{"count"}},
		{"(count == 3 or max == 0) and not (min > 0)", true, []string{"count", "max", "min"}},
		{"count == 0 or count == 3 and max == 0", false, []string{"count", "max"}}, // and binds tighter, as in Lua
		{"((count)) == (3)", true, []string{"count"}},
		{"  count\t==\n3  ", true, []string{"count"}},
	}
	for _, c := range cases {
		r, err := parseRule(c.src, metricAggregates)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		got, err := r.eval(func(name string) (float64, error) { return agg[name], nil })
		if err != nil || got != c.want {
			t.Errorf("%q = %v, %v; want %v", c.src, got, err, c.want)
		}
		if !slices.Equal(r.names, c.names) {
			t.Errorf("%q reads %v, want %v", c.src, r.names, c.names)
		}
	}
}

func TestParseRuleInvalid(t *testing.T) {
	cases := []struct {
		src    string
		known  []string
		column int
		msg    string
	}{
		{"", metricAggregates, 1, "the rule is empty; want a condition such as count > 0"},
		{"   ", metricAggregates, 1, "the rule is empty; want a condition such as count > 0"},
		{"count", metricAggregates, 1, "the rule needs a condition, and count is a number; compare it, e.g. count > 0"},
		{"count >", metricAggregates, 8, `want a number, count, value, min, max or "(", found the end of the rule`},
		{"count >> 1", metricAggregates, 8, `want a number, count, value, min, max or "(", found ">"`},
		{"count = 0", metricAggregates, 7, `"=" is not a comparison; write == for equal`},
		{"count > 0 && max < 1", metricAggregates, 11, `"&&" is not an operator here; write and`},
		{"count > 0 || max < 1", metricAggregates, 11, `"||" is not an operator here; write or`},
		{"!(count > 0)", metricAggregates, 1, `"!" is not an operator here; write not, or != for not equal`},
		{"rate > 0.5", metricAggregates, 1, `unknown name "rate"; a rule can use count, value, min, max and numbers`},
		{"value > 0", checksAggregates, 1, `unknown name "value"; a rule can use passes, fails, count, rate and numbers`},
		{"count > 0 and max", metricAggregates, 15, "and needs a condition, and max is a number; compare it, e.g. max > 0"},
		{"count or max > 1", metricAggregates, 1, "or needs a condition, and count is a number; compare it, e.g. count > 0"},
		{"not count", metricAggregates, 5, "not needs a condition, and count is a number; compare it, e.g. count > 0"},
		{"(count > 1) == 1", metricAggregates, 1, "== compares numbers, and (count > 1) is a condition"},
		{"0 < count < 5", metricAggregates, 11, "comparisons do not chain; write 0 < count and count < ..."},
		{"(count > 1", metricAggregates, 11, `want ")" to close the "(" at column 1, found the end of the rule`},
		{"count > 1)", metricAggregates, 10, `unexpected ")" after a complete condition; join conditions with and or or`},
		{"count > 1 count < 2", metricAggregates, 11, `unexpected "count" after a complete condition; join conditions with and or or`},
		{"count > 1.2.3", metricAggregates, 9, `"1.2.3" is not a number`},
		{"count > 1e999", metricAggregates, 9, `"1e999" is not a number`},
		{"count > $x", metricAggregates, 9, `unexpected character '$'`},
		{"count > true", metricAggregates, 9, `unknown name "true"; a rule can use count, value, min, max and numbers`},
	}
	for _, c := range cases {
		_, err := parseRule(c.src, c.known)
		var pe *exprError
		if !errors.As(err, &pe) {
			t.Errorf("%q: want a parse error, got %v", c.src, err)
			continue
		}
		if pe.Column != c.column || pe.Message != c.msg {
			t.Errorf("%q:\n got column %d: %s\nwant column %d: %s", c.src, pe.Column, pe.Message, c.column, c.msg)
		}
	}
}

// and and or read only the side that decides, so a missing aggregate on a
// side never needed does not fail the rule; one that is needed does.
func TestRuleReadsLazily(t *testing.T) {
	missing := errors.New("no value")
	get := func(name string) (float64, error) {
		if name == "value" {
			return 0, missing
		}
		return 0, nil
	}
	for src, want := range map[string]error{
		"count == 0 or value > 1":        nil,
		"count > 0 and value > 1":        nil,
		"count == 0 and value > 1":       missing,
		"count > 0 or value > 1":         missing,
		"not (value > 1)":                missing,
		"value > 1 or count == 0":        missing,
		"count == 0 or not (value == 1)": nil,
	} {
		r, err := parseRule(src, metricAggregates)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if _, err := r.eval(get); !errors.Is(err, want) {
			t.Errorf("%q: error %v, want %v", src, err, want)
		}
	}
}

// A rule nested a million deep is refused by length, not by a crash.
func TestRuleTooLong(t *testing.T) {
	_, err := parseRule(strings.Repeat("(", 1_000_000)+"count > 0", []string{"count"})
	if err == nil || !strings.Contains(err.Error(), "a rule is at most 1000") {
		t.Errorf("got %v", err)
	}
}

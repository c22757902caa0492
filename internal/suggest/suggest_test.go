package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"wohami", "whoami", 1}, {"lsit", "list", 1},
		{"nwe", "new", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"héllo", "hello", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	words := []string{"fixture", "role", "faults", "now", "timeout"}
	for _, c := range []struct{ word, want string }{
		{"fixtrue", "fixture"}, {"ROLE", "role"}, {"fault", "faults"}, {"tim", "timeout"},
		{"description", ""}, {"x", ""}, {"nwo", "now"},
	} {
		if got := Closest(c.word, words); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	if got := DidYouMean("fixtrue", words); got != ` (did you mean "fixture"?)` {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := DidYouMean("zzz", words); got != "" {
		t.Errorf("DidYouMean(zzz) = %q, want none", got)
	}
}

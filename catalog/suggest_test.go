package catalog

import (
	"slices"
	"testing"
)

func TestSuggestParameters(t *testing.T) {
	c := mustLookup(t, "Get-Mailbox")
	for in, want := range map[string]string{
		"ResultSiz":   "ResultSize",
		"resultsize":  "ResultSize", // case only: still the closest
		"Identiy":     "Identity",
		"Idnetity":    "Identity", // swapped neighbours count once
		"Result":      "ResultSize",
		"Filtr":       "Filter",
		"SoftDeleted": "SoftDeletedMailbox",
	} {
		got := c.Suggest(in)
		if len(got) == 0 || got[0] != want {
			t.Errorf("Suggest(%q) = %v, want %s first", in, got, want)
		}
		if len(got) > maxSuggestions {
			t.Errorf("Suggest(%q) = %v, more than %d", in, got, maxSuggestions)
		}
	}
	for _, in := range []string{"", "Id", "Xq", "Frobnicate", "CompletelyUnrelatedName"} {
		if got := c.Suggest(in); len(got) > 0 {
			t.Errorf("Suggest(%q) = %v, want nothing", in, got)
		}
	}
}

func TestSuggestCmdlet(t *testing.T) {
	if got := SuggestCmdlet("Get-Mailbx"); len(got) == 0 || got[0] != "Get-Mailbox" {
		t.Errorf("SuggestCmdlet(Get-Mailbx) = %v", got)
	}
	if got := SuggestCmdlet("get_mailbox_permision"); len(got) == 0 || got[0] != "get_mailbox_permission" {
		t.Errorf("SuggestCmdlet(get_mailbox_permision) = %v", got)
	}
	if got := SuggestCmdlet("get_mailboxes"); !slices.Contains(got, "get_mailbox") {
		t.Errorf("SuggestCmdlet(get_mailboxes) = %v", got)
	}
}

func TestDistance(t *testing.T) {
	var rows [3][]int
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"abc", "ABC", 0},
		{"kitten", "sitting", 3}, {"ab", "ba", 1}, {"ca", "abc", 3},
		{"Identiy", "Identity", 1}, {"ResultSiz", "ResultSize", 1},
	} {
		if got := distance(c.a, c.b, &rows); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

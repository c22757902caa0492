package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompleteWords: what __complete answers, from the command tree and
// the flag declarations.
func TestCompleteWords(t *testing.T) {
	env, _, _ := testEnv(t)
	env.ConfigDir = t.TempDir()
	env.ReadDir = os.ReadDir
	if err := os.MkdirAll(filepath.Join(env.ConfigDir, "profiles"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"prod.json", "lab.json", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(env.ConfigDir, "profiles", p), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		line      string // the words before, then the word being completed after '|'
		want      []string
		directive string
	}{
		{"|", nil, directiveFiles}, // every command, and script files
		{"|doc", []string{"doctor"}, directiveFiles},
		{"run --profile |", []string{"lab", "prod"}, directiveNoFiles},
		{"whoami --profile |p", []string{"prod"}, directiveNoFiles},
		{"run --tenants |", nil, directiveFiles},
		{"run --out |", nil, directiveDirs},
		{"run --memory-limit |", nil, directiveNoFiles},
		{"run -o |x", []string{"xlsx"}, directiveNoFiles},
		{"version -o |", []string{"text", "json"}, directiveNoFiles},
		{"run --demo report.lua |", nil, directiveFiles},
		{"report.lua |--what", nil, directiveFiles}, // after the script, the script's words
		{"run x.lua |--t", nil, directiveFiles},
		{"|--de", []string{"--demo", "--demo-concurrency-limit", "--demo-latency", "--demo-mailboxes", "--demo-retry-after", "--demo-role", "--demo-throttle-every", "--demo-token-lifetime", "--demo-unavailable"}, directiveNoFiles},
		{"emulator admin role assign |--", []string{"--help"}, directiveNoFiles}, // --state is admin's, before the verb
		{"help emulator |", []string{"serve", "env", "admin"}, directiveNoFiles},
		{"help emulator admin role |a", []string{"assign"}, directiveNoFiles},
		{"run --certificate-file |", nil, directiveFiles},
		{"run |-o=j", []string{"-o=json"}, directiveNoFiles},
		{"emulator admin --state /tmp/s consent |", []string{"grant", "revoke"}, directiveNoFiles},
		{"cmdlets --role |Exchange R", []string{"Exchange Recipient Administrator"}, directiveNoFiles},
		{"run -- |", nil, directiveFiles},
		{"nosuch |", nil, directiveNoFiles},
	} {
		before, word, _ := strings.Cut(tc.line, "|")
		got, directive := completeWords(env, strings.Fields(before), word)
		if tc.want != nil && !slices.Equal(got, tc.want) || directive != tc.directive {
			t.Errorf("%q: %q %s, want %q %s", tc.line, got, directive, tc.want, tc.directive)
		}
		if tc.line == "|" && (!slices.Contains(got, "run") || !slices.Contains(got, "completion") || slices.Contains(got, completeCommand)) {
			t.Errorf("commands: %q", got)
		}
	}
}

package runtime

import "testing"

// SetPatternLimit makes limit the step budget of string.find, match,
// gmatch and gsub until t ends.
func SetPatternLimit(t testing.TB, limit func(subjectLen int) int64) {
	old := patternLimit
	patternLimit = limit
	t.Cleanup(func() { patternLimit = old })
}

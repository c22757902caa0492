package runtime

// SetPatternLimit makes limit the step budget of string.find, match,
// gmatch and gsub in states made with o.
func SetPatternLimit(o *Options, limit func(subjectLen int) int64) {
	o.patternLimit = limit
}

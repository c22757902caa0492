//go:build race

package golden

// raceEnabled: the race detector's shadow memory makes RSS say nothing
// about exorun's own, so exits -maxrss does not check it.
const raceEnabled = true

//go:build !race

package golden

// raceEnabled is false: see race_on.go.
const raceEnabled = false

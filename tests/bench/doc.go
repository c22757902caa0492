// Package bench measures exorun end to end, as separate processes: an
// `exorun emulator serve` with injected latency and a concurrency limit,
// and an `exorun run` client whose wall time and peak RSS are what an
// admin's job would see. The figures print as benchmark metrics:
//
//	go test -bench . -benchtime 1x ./tests/bench/
//
// The benchmarks build the binary and generate large tenants, so they take
// a few minutes; plain `go test` skips them.
package bench

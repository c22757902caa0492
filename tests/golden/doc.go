// Package golden holds exorun's end-to-end tests: txtar scripts in
// testdata/ that exec the real CLI (rogpeppe/go-internal testscript), and a
// runner that executes every script in scripts/examples/ and compares its
// output with the golden file beside it.
//
// EXORUN_UPDATE=1 go test ./tests/golden/... rewrites the expectations.
package golden

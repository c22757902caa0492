// Package cli is exorun's command line: it parses arguments (spf13/pflag),
// runs the subcommands, and maps failures to the documented exit codes.
//
// It is the only package that touches the process: arguments, environment,
// standard streams, signals, the terminal, the working directory and the
// user's config folder all arrive through one Env value, so tests run the
// whole CLI in-process with buffers (see Main and OSEnv).
//
// Each command is an options struct filled by its flag set plus a function
// that acts on it, so flag parsing is tested apart from behaviour.
package cli

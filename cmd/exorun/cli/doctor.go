package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/stdlib/out"
)

// cmdDoctor walks the onboarding steps and says which one is missing.
func cmdDoctor(env *Env, c *command, args []string) error {
	o, s, stop, err := parseSession(env, c, args)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancel := env.signalContext(context.Background())
	defer cancel()
	checks, sess, err := connect.Doctor(ctx, s, env.connectOptions(env.commandLogger()))
	if sess != nil {
		// Before stop: a demo emulator shutting down waits for open
		// connections to hang up.
		defer sess.Close()
	}
	if werr := writeChecks(env.Stdout, o.Output, checks, err == nil); werr != nil {
		return werr
	}
	if err != nil {
		return silent{err}
	}
	if o.Output == out.FormatTable {
		fmt.Fprintln(env.Stdout, "all onboarding steps are in place")
	}
	return nil
}

// doctorReport is `exorun doctor -o json`: ok is true when every step is
// in place; steps are the checks made, in order, up to the first that
// failed.
type doctorReport struct {
	OK    bool          `json:"ok"`
	Steps []doctorCheck `json:"steps"`
}

// doctorCheck is one step of the report (and a line of -o csv).
type doctorCheck struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

func doctorColumns() []column[doctorCheck] {
	return []column[doctorCheck]{
		{title: "Step", key: "step", cell: func(c doctorCheck) string { return c.Step }},
		{title: "OK", key: "ok", cell: func(c doctorCheck) string { return fmt.Sprint(c.OK) }},
		{title: "Detail", key: "detail", cell: func(c doctorCheck) string { return c.Detail }},
		{title: "Fix", key: "fix", cell: func(c doctorCheck) string { return c.Fix }},
	}
}

// writeChecks prints the checks in format; ok says whether all passed.
// The table format is the checklist a person reads, a fix under the
// step it mends: a box table would cut or stretch the long details.
func writeChecks(w io.Writer, format string, checks []connect.Check, ok bool) error {
	steps := make([]doctorCheck, len(checks))
	for i, c := range checks {
		steps[i] = doctorCheck{c.Step, c.OK, c.Detail, c.Fix}
	}
	switch format {
	case out.FormatJSON:
		return writeJSON(w, doctorReport{OK: ok, Steps: steps})
	case out.FormatCSV:
		return writeList(w, format, doctorColumns(), steps)
	}
	for _, c := range checks {
		mark := "ok  "
		switch {
		case c.Step == "warning":
			mark = "warn"
		case !c.OK:
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-10s %s\n", mark, c.Step, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(w, "     %-10s %s\n", "fix:", c.Fix)
		}
	}
	return nil
}

// silent is an error whose message the command already printed: Main
// only takes its exit code.
type silent struct{ err error }

func (s silent) Error() string { return s.err.Error() }
func (s silent) Unwrap() error { return s.err }

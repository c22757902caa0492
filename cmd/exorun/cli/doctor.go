package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/exorun/exorun/connect"
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
	if o.JSON {
		type jsonCheck struct {
			Step   string `json:"step"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
			Fix    string `json:"fix,omitempty"`
		}
		out := make([]jsonCheck, len(checks))
		for i, c := range checks {
			out[i] = jsonCheck{c.Step, c.OK, c.Detail, c.Fix}
		}
		data, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(env.Stdout, "%s\n", data)
	} else {
		for _, c := range checks {
			mark := "ok  "
			switch {
			case c.Step == "warning":
				mark = "warn"
			case !c.OK:
				mark = "FAIL"
			}
			fmt.Fprintf(env.Stdout, "%s %-10s %s\n", mark, c.Step, c.Detail)
			if c.Fix != "" {
				fmt.Fprintf(env.Stdout, "     %-10s %s\n", "fix:", c.Fix)
			}
		}
	}
	if err != nil {
		return silent{err}
	}
	fmt.Fprintln(env.Stdout, "all onboarding steps are in place")
	return nil
}

// silent is an error whose message the command already printed: Main
// only takes its exit code.
type silent struct{ err error }

func (s silent) Error() string { return s.err.Error() }
func (s silent) Unwrap() error { return s.err }

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/runtime"
)

type replOptions struct {
	scriptOptions
}

func replFlags(o *replOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("repl", pflag.ContinueOnError)
	o.register(fs)
	return fs
}

func cmdRepl(env *Env, c *command, args []string) error {
	o := &replOptions{}
	fs := replFlags(o)
	if err := parseFlags(env, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("repl takes no arguments (to run a script: exorun run %s)", fs.Arg(0))
	}
	if err := o.check(); err != nil {
		return err
	}
	host, err := newHost(env, &o.scriptOptions, ".", nil, "")
	if err != nil {
		return err
	}
	defer host.close()
	st := runtime.New(host.options())
	defer st.Close()

	lines, err := newLineSource(env)
	if err != nil {
		return err
	}
	defer lines.Close()
	if env.Terminal != nil {
		fmt.Fprintf(env.Stdout, "exorun %s — Lua REPL. Modules: %s (load with require). Ctrl-D quits.\n",
			version(), strings.Join(st.ModuleNames(), ", "))
	}
	err = replLoop(env, host, st, lines)
	if sessions := host.sessions(); len(sessions) > 0 && !o.Quiet {
		rec := newRunRecord("", "", o.WhatIf, env.clock())
		rec.sessions(sessions)
		rec.finish(err).writeText(env.Stderr, env.logTimes())
	}
	return err
}

// replLoop reads chunks until end of input. A chunk that is unfinished
// (an open block, an unterminated string) continues on the next line.
func replLoop(env *Env, h *host, st *runtime.State, lines LineEditor) error {
	var pending []string
	for {
		prompt := "exo> "
		if len(pending) > 0 {
			prompt = "...> "
		}
		line, err := lines.Prompt(prompt)
		if errors.Is(err, ErrPromptAborted) {
			pending = nil
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(pending) > 0 {
				return usageError("repl: input ended inside an unfinished chunk: %s", strings.Join(pending, " "))
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("repl: read input: %w", err)
		}
		if len(pending) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		pending = append(pending, line)
		chunk := strings.Join(pending, "\n")
		ctx, cancel := env.signalContext(context.Background())
		results, err := st.Eval(ctx, chunk)
		cancel()
		if runtime.Incomplete(err) {
			continue
		}
		pending = nil
		lines.AppendHistory(chunk)
		var exit *runtime.ExitError
		var stuck *runtime.StuckError
		if errors.As(err, &exit) || errors.As(err, &stuck) {
			// exit() ends the session as it ends a script; a stuck
			// built-in leaves a state no one may use again.
			return limitHint(err, h.memoryLimit)
		}
		if err != nil {
			err = limitHint(err, h.memoryLimit)
			h.debugStack(err)
			report(env.Stderr, err)
			continue
		}
		if len(results) > 0 {
			fmt.Fprintln(env.Stdout, strings.Join(results, "\t"))
		}
	}
}

// newLineSource is the terminal editor, or plain lines from Stdin.
func newLineSource(env *Env) (LineEditor, error) {
	if env.Terminal != nil {
		history := ""
		if env.ConfigDir != "" {
			history = filepath.Join(env.ConfigDir, "history")
		}
		return env.Terminal(history)
	}
	return &plainLines{sc: bufio.NewScanner(env.Stdin)}, nil
}

// plainLines reads a non-terminal stdin line by line, without prompts, so
// `exorun repl < chunks.lua` prints only results.
type plainLines struct{ sc *bufio.Scanner }

func (p *plainLines) Prompt(string) (string, error) {
	if p.sc.Scan() {
		return p.sc.Text(), nil
	}
	if err := p.sc.Err(); err != nil {
		return "", err
	}
	return "", io.EOF
}

func (p *plainLines) AppendHistory(string) {}

func (p *plainLines) Close() error { return nil }

package cli

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/peterh/liner"
)

// ErrPromptAborted is returned by LineEditor.Prompt on Ctrl-C.
var ErrPromptAborted = liner.ErrPromptAborted

// linerEditor is the terminal LineEditor (peterh/liner: history, Emacs
// keys, multi-line prompts), with history kept in a file.
type linerEditor struct {
	st      *liner.State
	history string
}

func newLinerEditor(historyFile string) (LineEditor, error) {
	st := liner.NewLiner()
	st.SetCtrlCAborts(true)
	st.SetMultiLineMode(true)
	e := &linerEditor{st: st, history: historyFile}
	if historyFile != "" {
		if f, err := os.Open(historyFile); err == nil {
			_, _ = st.ReadHistory(f)
			_ = f.Close()
		}
	}
	return e, nil
}

func (e *linerEditor) Prompt(p string) (string, error) { return e.st.Prompt(p) }

func (e *linerEditor) AppendHistory(line string) { e.st.AppendHistory(line) }

// SetCompleter completes the word at the cursor; a second Tab lists the
// candidates when there are several, as bash does.
func (e *linerEditor) SetCompleter(complete func(line string, pos int) (string, []string, string)) {
	e.st.SetWordCompleter(complete)
	e.st.SetTabCompletionStyle(liner.TabPrints)
}

func (e *linerEditor) Close() error {
	var errs []error
	if e.history != "" {
		if err := os.MkdirAll(filepath.Dir(e.history), 0o700); err == nil {
			if f, err := os.OpenFile(e.history, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
				_, werr := e.st.WriteHistory(f)
				errs = append(errs, werr, f.Close())
			}
		}
	}
	errs = append(errs, e.st.Close())
	return errors.Join(errs...)
}

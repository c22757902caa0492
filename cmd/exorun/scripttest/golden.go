package scripttest

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// expectGolden is expect_golden(text, file): text must equal the golden
// file, a path relative to the test file's folder; with --update the
// file is rewritten instead and the test says what changed.
func (t *testRun) expectGolden(L *lua.LState) int {
	got := L.CheckString(1)
	rel := L.CheckString(2)
	clean, err := runtime.CleanPath(rel)
	if err != nil || strings.HasPrefix(clean, "..") {
		L.ArgError(2, fmt.Sprintf("%q: a golden file must be inside the test's folder", rel))
	}
	name := filepath.Join(testDir(t.name), filepath.FromSlash(clean))
	shown := filepath.ToSlash(name)
	data, err := t.o.Files.ReadFile(name)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		runtime.Raise(L, fmt.Errorf("expect_golden: %w", err))
	}
	want := string(data)
	if !missing && got == want {
		return 0
	}
	if t.o.Update {
		if err := t.o.Files.WriteFile(name, []byte(got), 0o644); err != nil {
			runtime.Raise(L, fmt.Errorf("expect_golden: %w", err))
		}
		change := "created"
		if !missing {
			change = textDiff(shown, want, shown+" (new)", got)
		}
		t.updated = append(t.updated, update{File: shown, Diff: change})
		return 0
	}
	if missing {
		t.fail(L, "", fmt.Sprintf("golden file %s does not exist (exorun test --update writes it)", shown))
		return 0
	}
	t.fail(L, "", fmt.Sprintf("output differs from %s (exorun test --update rewrites it)\n%s", shown, textDiff(shown, want, "got", got)))
	return 0
}

// readFile is read_file(path): the text of a file beside the test (a
// path relative to its folder, which may not leave it), or nil and a
// message when there is none: expected data, a script's .args.
func (t *testRun) readFile(L *lua.LState) int {
	rel := L.CheckString(1)
	clean, err := runtime.CleanPath(rel)
	if err != nil {
		L.ArgError(1, err.Error())
	}
	data, err := t.o.Files.ReadFile(filepath.Join(testDir(t.name), filepath.FromSlash(clean)))
	if err != nil {
		L.Push(lua.LNil)
		if errors.Is(err, fs.ErrNotExist) {
			L.Push(lua.LString(rel + ": no such file"))
		} else {
			L.Push(lua.LString(err.Error()))
		}
		return 2
	}
	L.Push(lua.LString(data))
	return 1
}

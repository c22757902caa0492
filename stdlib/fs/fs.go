package fs

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path"
	"sort"
	"strings"
	"syscall"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// module is one state's "fs" table; it holds the folders, nothing mutable.
type module struct {
	script, out folder
}

// folder is one of the two places a script may touch.
type folder struct {
	dir  runtime.Dir
	key  string // the value of the from option that selects it
	desc string // how messages name it
}

// escapeError is a path that would leave its folder. It wraps
// runtime.ErrEscape.
type escapeError struct {
	fn, path, folder, reason string
}

func (e *escapeError) Error() string {
	return fmt.Sprintf("%s: %q leaves %s: %s", e.fn, e.path, e.folder, e.reason)
}

func (e *escapeError) Unwrap() error { return runtime.ErrEscape }

// opError is a failed file operation with a message for script authors;
// it wraps the operating system's error for Go callers.
type opError struct {
	msg string
	err error
}

func (e *opError) Error() string { return e.msg }

func (e *opError) Unwrap() error { return e.err }

const (
	reasonAbsolute = "absolute paths are not allowed; give a path relative to it"
	reasonDotDot   = `".." may not climb above it`
	reasonSymlink  = "a symbolic link on the way points outside it"
)

// raise raises err in L; it does not return.
func raise(L *lua.LState, err error) { runtime.Raise(L, err) }

func (m *module) read(L *lua.LState) int {
	const fn = "fs.read"
	p := pathArg(L, fn, 1)
	f := m.from(L, fn, 2)
	name := resolve(L, fn, f, p)
	info, err := iofs.Stat(f.dir, name)
	if err != nil {
		fail(L, fn, f, p, err)
	}
	if info.IsDir() {
		raise(L, fmt.Errorf("%s: %q is a folder in %s, not a file (fs.list lists it)", fn, p, f.desc))
	}
	data, err := iofs.ReadFile(f.dir, name)
	if err != nil {
		fail(L, fn, f, p, err)
	}
	L.Push(lua.LString(data))
	return 1
}

func (m *module) exists(L *lua.LState) int {
	const fn = "fs.exists"
	p := pathArg(L, fn, 1)
	f := m.from(L, fn, 2)
	name := resolve(L, fn, f, p)
	_, err := iofs.Stat(f.dir, name)
	switch {
	case err == nil:
		L.Push(lua.LTrue)
	case errors.Is(err, iofs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		L.Push(lua.LFalse)
	default:
		fail(L, fn, f, p, err)
	}
	return 1
}

func (m *module) list(L *lua.LState) int {
	const fn = "fs.list"
	p := "."
	if L.Get(1) != lua.LNil {
		p = pathArg(L, fn, 1)
	}
	f := m.from(L, fn, 2)
	name := resolve(L, fn, f, p)
	info, err := iofs.Stat(f.dir, name)
	if err != nil {
		fail(L, fn, f, p, err)
	}
	if !info.IsDir() {
		raise(L, fmt.Errorf("%s: %q is a file in %s, not a folder", fn, p, f.desc))
	}
	entries, err := iofs.ReadDir(f.dir, name)
	if err != nil {
		fail(L, fn, f, p, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		} else if e.Type()&iofs.ModeSymlink != 0 {
			// A link to a folder inside lists as a folder; a link that
			// leads outside cannot be followed and lists as a plain name.
			if ti, err := iofs.Stat(f.dir, path.Join(name, e.Name())); err == nil && ti.IsDir() {
				n += "/"
			}
		}
		names = append(names, n)
	}
	sort.Strings(names)
	L.Push(runtime.ToLua(L, names))
	return 1
}

func (m *module) write(L *lua.LState) int {
	m.put(L, "fs.write", false)
	return 0
}

func (m *module) append(L *lua.LState) int {
	m.put(L, "fs.append", true)
	return 0
}

// put writes or appends data (argument 2) to the path in argument 1,
// creating its parent folders.
func (m *module) put(L *lua.LState, fn string, appending bool) {
	p := pathArg(L, fn, 1)
	data := dataArg(L, fn, 2)
	f := m.out
	name := resolve(L, fn, f, p)
	if parent := path.Dir(name); parent != "." {
		if err := f.dir.MkdirAll(parent); err != nil {
			fail(L, fn, f, p, err)
		}
	}
	if info, err := iofs.Stat(f.dir, name); err == nil && info.IsDir() {
		raise(L, fmt.Errorf("%s: %q is a folder in %s, not a file", fn, p, f.desc))
	}
	open := f.dir.Create
	if appending {
		open = f.dir.Append
	}
	w, err := open(name)
	if err != nil {
		fail(L, fn, f, p, err)
	}
	_, err = io.WriteString(w, data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fail(L, fn, f, p, err)
	}
}

func (m *module) mkdir(L *lua.LState) int {
	const fn = "fs.mkdir"
	p := pathArg(L, fn, 1)
	f := m.out
	name := resolve(L, fn, f, p)
	if info, err := iofs.Stat(f.dir, name); err == nil && !info.IsDir() {
		raise(L, fmt.Errorf("%s: %q is a file in %s", fn, p, f.desc))
	}
	if err := f.dir.MkdirAll(name); err != nil {
		fail(L, fn, f, p, err)
	}
	return 0
}

func (m *module) remove(L *lua.LState) int {
	const fn = "fs.remove"
	p := pathArg(L, fn, 1)
	f := m.out
	name := resolve(L, fn, f, p)
	if name == "." {
		raise(L, fmt.Errorf("%s: %q is %s itself; remove what it holds instead", fn, p, f.desc))
	}
	err := f.dir.Remove(name)
	switch {
	case err == nil:
		L.Push(lua.LTrue)
	case errors.Is(err, iofs.ErrNotExist):
		L.Push(lua.LFalse)
	case errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST):
		// POSIX lets rmdir report a non-empty folder either way.
		raise(L, &opError{fmt.Sprintf("%s: %q: the folder is not empty", fn, p), err})
	default:
		fail(L, fn, f, p, err)
	}
	return 1
}

// pathArg returns argument n, which must be a string.
func pathArg(L *lua.LState, fn string, n int) string {
	s, ok := L.Get(n).(lua.LString)
	if !ok {
		raise(L, fmt.Errorf("%s: path must be a string, not %s", fn, L.Get(n).Type()))
	}
	return string(s)
}

// dataArg returns argument n, a string or a number.
func dataArg(L *lua.LState, fn string, n int) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	raise(L, fmt.Errorf("%s: data must be a string, not %s (encode tables first, e.g. with json)", fn, L.Get(n).Type()))
	return ""
}

// from reads the options table at argument n and returns the folder a read
// uses: the script's folder unless {from = "out"}.
func (m *module) from(L *lua.LState, fn string, n int) folder {
	switch opts := L.Get(n).(type) {
	case *lua.LNilType:
		return m.script
	case *lua.LTable:
		var unknown []string
		opts.ForEach(func(k, _ lua.LValue) {
			if k != lua.LString("from") {
				unknown = append(unknown, lua.LVAsString(k))
			}
		})
		if len(unknown) > 0 {
			sort.Strings(unknown)
			raise(L, fmt.Errorf("%s: unknown option %q (the only option is from = \"script\" or \"out\")", fn, unknown[0]))
		}
		switch v := opts.RawGetString("from"); v {
		case lua.LNil, lua.LString(m.script.key):
			return m.script
		case lua.LString(m.out.key):
			return m.out
		default:
			raise(L, fmt.Errorf("%s: from must be \"script\" or \"out\", not %s", fn, runtime.Format(v)))
		}
	default:
		raise(L, fmt.Errorf("%s: options must be a table such as {from = \"out\"}, not %s", fn, opts.Type()))
	}
	return folder{}
}

// resolve checks p for folder f and returns the name to use with f.dir.
func resolve(L *lua.LState, fn string, f folder, p string) string {
	if f.dir == nil {
		raise(L, fmt.Errorf("%s: %q: %s is not available to this script", fn, p, f.desc))
	}
	name, err := runtime.CleanPath(p)
	if errors.Is(err, runtime.ErrEscape) {
		reason := reasonDotDot
		if isAbs(p) {
			reason = reasonAbsolute
		}
		raise(L, &escapeError{fn: fn, path: p, folder: f.desc, reason: reason})
	}
	if err != nil {
		raise(L, fmt.Errorf("%s: %w", fn, err))
	}
	return name
}

// isAbs mirrors runtime.CleanPath's test for absolute paths and drive letters.
func isAbs(p string) bool {
	s := strings.ReplaceAll(p, `\`, "/")
	return strings.HasPrefix(s, "/") || (len(s) > 1 && s[1] == ':')
}

// fail raises err from an operation on p in f, reworded for script authors.
func fail(L *lua.LState, fn string, f folder, p string, err error) {
	switch {
	case errors.Is(err, runtime.ErrEscape):
		// CleanPath let the name through, so the folder refused it
		// while resolving: a symbolic link leads out.
		raise(L, &escapeError{fn: fn, path: p, folder: f.desc, reason: reasonSymlink})
	case errors.Is(err, iofs.ErrNotExist):
		raise(L, &opError{fmt.Sprintf("%s: %q: no such file or folder in %s", fn, p, f.desc), err})
	case errors.Is(err, iofs.ErrPermission):
		raise(L, &opError{fmt.Sprintf("%s: %q: permission denied", fn, p), err})
	case errors.Is(err, syscall.ENOTDIR) || errors.Is(err, iofs.ErrExist):
		// MkdirAll reports a file where a parent folder should be as
		// "file exists"; nothing here creates files exclusively.
		raise(L, &opError{fmt.Sprintf("%s: %q: part of the path is a file, not a folder", fn, p), err})
	}
	raise(L, &opError{fmt.Sprintf("%s: %q: %s", fn, p, osReason(err)), err})
}

// osReason is the operating system's reason for err, without the
// operation and the path it was given (which may be an absolute path the
// script should not see).
func osReason(err error) string {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

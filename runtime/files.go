package runtime

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// Dir is a folder a script may read and write. Names are slash-separated
// and relative (fs.ValidPath); the implementation must refuse any name that
// resolves outside the folder, symlinks included.
type Dir interface {
	fs.FS
	// Create truncates or creates name for writing.
	Create(name string) (io.WriteCloser, error)
	// Append opens name for appending, creating it if needed.
	Append(name string) (io.WriteCloser, error)
	MkdirAll(name string) error
	Remove(name string) error
}

// Folders are the two places a script's file access is confined to: the
// script's own folder and the --out folder (the script's folder when no
// --out was given). Either may be nil: every access to it then fails.
type Folders struct {
	Script Dir
	Out    Dir
}

// ErrEscape is returned for a path that would leave its folder.
var ErrEscape = errors.New("path leaves the folder")

// CleanPath turns a script-supplied path into a name valid for a Dir. It
// refuses absolute paths, drive letters and any ".." that climbs out, with a
// message that names the path.
func CleanPath(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty path")
	}
	slashed := strings.ReplaceAll(p, "\\", "/")
	if strings.HasPrefix(slashed, "/") || (len(slashed) > 1 && slashed[1] == ':') {
		return "", fmt.Errorf("%q: absolute paths are not allowed; paths are relative to the script's folder or --out: %w", p, ErrEscape)
	}
	clean := path.Clean(slashed)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("%q: %w", p, ErrEscape)
	}
	return clean, nil
}

// RootDir adapts an *os.Root, which the operating system confines (no "..",
// no absolute paths, no symlinks out), to Dir. The caller opens and closes
// the root; this package never opens paths of its own.
func RootDir(r *os.Root) Dir { return rootDir{r} }

type rootDir struct{ r *os.Root }

func (d rootDir) Open(name string) (fs.File, error) {
	f, err := d.r.Open(name)
	return f, escapeError(err)
}

func (d rootDir) Create(name string) (io.WriteCloser, error) {
	f, err := d.r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, escapeError(err)
	}
	return f, nil
}

func (d rootDir) Append(name string) (io.WriteCloser, error) {
	f, err := d.r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, escapeError(err)
	}
	return f, nil
}

func (d rootDir) MkdirAll(name string) error { return escapeError(d.r.MkdirAll(name, 0o755)) }

func (d rootDir) Remove(name string) error { return escapeError(d.r.Remove(name)) }

// Lstat tells a symbolic link from what it points to.
func (d rootDir) Lstat(name string) (fs.FileInfo, error) {
	fi, err := d.r.Lstat(name)
	return fi, escapeError(err)
}

// ReadDir lets fs.ReadDir list folders of a root.
func (d rootDir) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(d.r.FS(), name)
	return entries, escapeError(err)
}

// escapeError turns os.Root's refusal of a path that leaves the root (by
// "..", an absolute symlink or a symlink out) into ErrEscape. os.Root does
// not export its error value, so its text is the one thing to match, here
// and nowhere else.
func escapeError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "path escapes from parent") {
		return &fs.PathError{Op: pe.Op, Path: pe.Path, Err: ErrEscape}
	}
	return err
}

// ErrReadOnly is returned for a change to a read-only folder.
var ErrReadOnly = errors.New("the folder is read-only")

// ReadOnlyDir adapts fsys, which the caller has confined already (a
// bundle's files, checked against their hashes), to a Dir that refuses
// every change: a bundle's scripts read their own files and write only
// under --out.
func ReadOnlyDir(fsys fs.FS) Dir { return readOnlyDir{fsys} }

type readOnlyDir struct{ fs.FS }

func (d readOnlyDir) Create(name string) (io.WriteCloser, error) {
	return nil, &fs.PathError{Op: "create", Path: name, Err: ErrReadOnly}
}

func (d readOnlyDir) Append(name string) (io.WriteCloser, error) {
	return nil, &fs.PathError{Op: "append", Path: name, Err: ErrReadOnly}
}

func (d readOnlyDir) MkdirAll(name string) error {
	return &fs.PathError{Op: "mkdir", Path: name, Err: ErrReadOnly}
}

func (d readOnlyDir) Remove(name string) error {
	return &fs.PathError{Op: "remove", Path: name, Err: ErrReadOnly}
}

// ReadDir lets fs.ReadDir list the folder.
func (d readOnlyDir) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(d.FS, name) }

// WrittenOnlyDir is the --out folder of a bundle, a script from someone
// else: through it the bundle reads, lists and removes only what it
// wrote during this run; never touches a dot file or folder (.git,
// .ssh), a reserved name (exorun's journal) or a path through a symbolic
// link; replaces a file it did not write with a new one (mode 0644, so an
// executable or a hard-linked file is not written into); and appends to
// no executable.
func WrittenOnlyDir(d Dir, reserved ...string) Dir {
	return &writtenOnly{d: d, reserved: reserved, written: map[string]bool{}}
}

type writtenOnly struct {
	d        Dir
	reserved []string
	mu       sync.Mutex
	written  map[string]bool // clean names of files and folders this run made
}

// notWritten refuses a read; errors.Is(err, fs.ErrNotExist) holds, so
// fs.exists answers false and nothing says whether the file is there.
type notWritten struct{}

func (notWritten) Error() string {
	return "not written by this run (a bundle reads in --out only the files it wrote)"
}
func (notWritten) Is(target error) bool { return target == fs.ErrNotExist }

var (
	// ErrDotName refuses a dot file or folder.
	ErrDotName = errors.New("a bundle does not write dot files or folders")
	// ErrReserved refuses a name exorun itself writes (the journal).
	ErrReserved = errors.New("the name is exorun's own")
	// ErrSymlink refuses a path through a symbolic link.
	ErrSymlink = errors.New("a bundle does not write through symbolic links")
	// ErrExecutable refuses to append to an executable.
	ErrExecutable = errors.New("a bundle does not append to an executable file")
)

// lstater is a Dir that can tell a link from what it points to.
type lstater interface {
	Lstat(name string) (fs.FileInfo, error)
}

// guard refuses a change to name: a dot or reserved name, or a path
// through a symbolic link. It returns what is at name now, if anything.
func (w *writtenOnly) guard(op, name string) (fs.FileInfo, error) {
	clean := path.Clean(name)
	refuse := func(err error) (fs.FileInfo, error) { return nil, &fs.PathError{Op: op, Path: name, Err: err} }
	for elem := range strings.SplitSeq(clean, "/") {
		if strings.HasPrefix(elem, ".") && elem != "." {
			return refuse(ErrDotName)
		}
	}
	for _, r := range w.reserved {
		if strings.EqualFold(clean, r) {
			return refuse(ErrReserved)
		}
	}
	ls, ok := w.d.(lstater)
	if !ok {
		return refuse(ErrSymlink) // cannot tell: refuse rather than follow
	}
	var info fs.FileInfo
	prefix := ""
	for elem := range strings.SplitSeq(clean, "/") {
		prefix = path.Join(prefix, elem)
		fi, err := ls.Lstat(prefix)
		if err != nil {
			return nil, nil // nothing there yet below this point
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return refuse(ErrSymlink)
		}
		info = fi
	}
	return info, nil
}

// visible reports whether name was written, or is a folder above
// something written.
func (w *writtenOnly) visible(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if name == "." || w.written[name] {
		return true
	}
	for n := range w.written {
		if strings.HasPrefix(n, name+"/") {
			return true
		}
	}
	return false
}

func (w *writtenOnly) mark(name string) {
	w.mu.Lock()
	w.written[path.Clean(name)] = true
	w.mu.Unlock()
}

func (w *writtenOnly) Open(name string) (fs.File, error) {
	if !w.visible(path.Clean(name)) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: notWritten{}}
	}
	return w.d.Open(name)
}

func (w *writtenOnly) Create(name string) (io.WriteCloser, error) {
	info, err := w.guard("create", name)
	if err != nil {
		return nil, err
	}
	if info != nil && !info.IsDir() && !w.visible(path.Clean(name)) {
		// A new file, not the old one truncated: its mode, links and
		// whatever else points at it are left behind.
		if err := w.d.Remove(name); err != nil {
			return nil, err
		}
	}
	f, err := w.d.Create(name)
	if err == nil {
		w.mark(name)
	}
	return f, err
}

// Append to a file that was there before the run does not make it
// readable: what it held is not the run's.
func (w *writtenOnly) Append(name string) (io.WriteCloser, error) {
	info, err := w.guard("append", name)
	if err != nil {
		return nil, err
	}
	mine := w.visible(path.Clean(name))
	if info != nil && !mine && info.Mode()&0o111 != 0 {
		return nil, &fs.PathError{Op: "append", Path: name, Err: ErrExecutable}
	}
	f, err := w.d.Append(name)
	if err == nil && info == nil {
		w.mark(name)
	}
	return f, err
}

func (w *writtenOnly) MkdirAll(name string) error {
	if _, err := w.guard("mkdir", name); err != nil {
		return err
	}
	err := w.d.MkdirAll(name)
	if err == nil {
		w.mark(name)
	}
	return err
}

// Remove takes away only what the run wrote; anything else looks absent.
func (w *writtenOnly) Remove(name string) error {
	clean := path.Clean(name)
	if !w.visible(clean) {
		return &fs.PathError{Op: "remove", Path: name, Err: notWritten{}}
	}
	err := w.d.Remove(name)
	if err == nil {
		w.mu.Lock()
		delete(w.written, clean)
		w.mu.Unlock()
	}
	return err
}

// ReadDir lists only what this run wrote.
func (w *writtenOnly) ReadDir(name string) ([]fs.DirEntry, error) {
	name = path.Clean(name)
	if !w.visible(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: notWritten{}}
	}
	entries, err := fs.ReadDir(w.d, name)
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	for _, e := range entries {
		if w.visible(path.Join(name, e.Name())) {
			out = append(out, e)
		}
	}
	return out, nil
}

// NoWrites is the out folder of a bundle run without --out: it holds
// nothing to read, and every change fails with why.
func NoWrites(why error) Dir { return noWrites{why} }

type noWrites struct{ why error }

func (n noWrites) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: notWritten{}}
}
func (n noWrites) Create(name string) (io.WriteCloser, error) {
	return nil, &fs.PathError{Op: "create", Path: name, Err: n.why}
}
func (n noWrites) Append(name string) (io.WriteCloser, error) {
	return nil, &fs.PathError{Op: "append", Path: name, Err: n.why}
}
func (n noWrites) MkdirAll(name string) error {
	return &fs.PathError{Op: "mkdir", Path: name, Err: n.why}
}
func (n noWrites) Remove(name string) error {
	return &fs.PathError{Op: "remove", Path: name, Err: notWritten{}}
}

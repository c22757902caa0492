package runtime

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
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

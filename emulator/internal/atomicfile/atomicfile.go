// Package atomicfile replaces files so that a reader, or a restart after a
// crash, sees the old content or the new, never a mix. The emulator keeps
// all its state (directory, tenant data, keys, CA) this way.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write replaces path with what write produces: a temporary file in the
// same folder (created with the folder if needed), buffered, synced, given
// perm, renamed over path, then the folder synced so the rename is durable.
func Write(path string, perm os.FileMode, write func(io.Writer) error) error {
	return place(path, perm, write, os.Rename, "replace")
}

// Create is Write for a file that must never be replaced once it exists:
// the temporary file is hard-linked into place instead of renamed, so when
// two processes create path at once exactly one wins and the other gets an
// error wrapping fs.ErrExist (and should read the winner's file).
func Create(path string, perm os.FileMode, write func(io.Writer) error) error {
	return place(path, perm, write, os.Link, "create")
}

// place writes a complete, synced temporary file beside path and moves it
// there with move (rename or link); the temporary name never survives.
func place(path string, perm os.FileMode, write func(io.Writer) error, move func(tmp, path string) error, verb string) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// After a link the temporary name is a second name of the file, and
	// after a failure it is debris: either way it goes. After a rename it
	// no longer exists and Remove fails harmlessly.
	defer os.Remove(f.Name())
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err = move(f.Name(), path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err // keep fs.ErrExist visible without the temporary name
		}
		return fmt.Errorf("%s %s: %w", verb, path, err)
	}
	// Some platforms cannot sync a folder; the file itself is safe there.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// WriteBytes is Write for data already in memory.
func WriteBytes(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

package out

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// writeCSVFile writes the CSV of req to req.path in dir (the --out folder).
func writeCSVFile(L *lua.LState, dir runtime.Dir, req *request) error {
	w, err := createFile(dir, req.path)
	if err != nil {
		return err
	}
	err = writeCSV(L, w, req)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", req.path, err)
	}
	return nil
}

// createFile creates (or truncates) the file p in dir, and its parent
// folders. dir confines p: a path that leaves it fails with
// runtime.ErrEscape, as fs.write does.
func createFile(dir runtime.Dir, p string) (io.WriteCloser, error) {
	name, err := runtime.CleanPath(p)
	if err != nil {
		return nil, err
	}
	if dir == nil {
		return nil, fmt.Errorf("%s: no output folder is available", p)
	}
	if parent := path.Dir(name); parent != "." {
		if err := dir.MkdirAll(parent); err != nil {
			return nil, fileError(p, err)
		}
	}
	w, err := dir.Create(name)
	if err != nil {
		return nil, fileError(p, err)
	}
	return w, nil
}

// fileError names p without the system call's name and path: the script
// author knows p, not what it resolved to.
func fileError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", p, err)
}

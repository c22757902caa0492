package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// LockFile is the state folder's lock. The emulator serving the folder
// holds an OS lock on it (flock on unix, LockFileEx on Windows) for as
// long as it runs, so a second emulator on the same state is refused
// instead of both writing the same files; the OS drops the lock when
// the process ends, however it ends, so a crashed emulator's lock file
// blocks nothing. The file also says who holds it (see Server).
//
// The file is never removed: removing it while another process has it
// open would let two emulators each lock a different file of that name.
const LockFile = "serve.lock"

// ErrStateInUse is what Start's *InUseError matches with errors.Is.
var ErrStateInUse = errors.New("the state folder is served by another emulator")

// Server is the emulator that holds a state folder's lock, as it wrote
// itself into the lock file once it listened.
type Server struct {
	PID int `json:"pid"`
	// Authority is its base URL, "" while it is still starting.
	Authority string `json:"authority"`
}

// InUseError is Start's error when another emulator serves the state
// folder.
type InUseError struct {
	StateDir string
	Server   Server
}

func (e *InUseError) Error() string {
	who := "another emulator"
	if e.Server.PID > 0 {
		who = fmt.Sprintf("another emulator (pid %d)", e.Server.PID)
	}
	where := "is starting on it"
	if e.Server.Authority != "" {
		where = "serves it at " + e.Server.Authority
	}
	return fmt.Sprintf("emulator: state folder %s: %s %s", e.StateDir, who, where)
}

func (e *InUseError) Is(target error) bool { return target == ErrStateInUse }

// lockRetry is how long acquiring waits for a held lock: Serving holds
// it for an instant to probe, and a start must not fail because of that.
const lockRetry = 200 * time.Millisecond

// stateLock is a held lock on a state folder.
type stateLock struct{ f *os.File }

// errLocked is what tryLock returns when another open file holds the lock.
var errLocked = errors.New("locked")

// acquireLock locks dir's LockFile, or returns an *InUseError naming the
// holder.
func acquireLock(dir string) (*stateLock, error) {
	path := filepath.Join(dir, LockFile)
	// No O_TRUNC: the file may be the running emulator's, whose record
	// must survive this attempt.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("emulator: lock %s: %w", path, err)
	}
	deadline := time.Now().Add(lockRetry)
	for {
		err = tryLock(f)
		if !errors.Is(err, errLocked) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if errors.Is(err, errLocked) {
		holder := readServer(f)
		f.Close()
		return nil, &InUseError{StateDir: dir, Server: holder}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("emulator: lock %s: %w", path, err)
	}
	return &stateLock{f: f}, nil
}

// record writes who holds the lock into the file, for a refused start
// and for Serving to report.
func (l *stateLock) record(s Server) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("emulator: lock file: %w", err)
	}
	if _, err := l.f.WriteAt(append(data, '\n'), 0); err != nil {
		return fmt.Errorf("emulator: lock file: %w", err)
	}
	return nil
}

// release drops the lock; the file stays (see LockFile).
func (l *stateLock) release() error {
	return errors.Join(unlock(l.f), l.f.Close())
}

// readServer reads the holder's record; a record being written or never
// written reads as the zero Server.
func readServer(f *os.File) Server {
	var s Server
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err == nil {
		_ = json.Unmarshal(data, &s)
	}
	return s
}

// Serving reports whether an emulator serves stateDir now, and which: a
// held lock, not a file left behind, is what says so. It takes the lock
// for an instant when it is free, which a starting emulator waits out.
func Serving(stateDir string) (Server, bool, error) {
	path := filepath.Join(stateDir, LockFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Server{}, false, nil
	}
	if err != nil {
		return Server{}, false, fmt.Errorf("emulator: lock %s: %w", path, err)
	}
	defer f.Close()
	switch err := tryLock(f); {
	case errors.Is(err, errLocked):
		return readServer(f), true, nil
	case err != nil:
		return Server{}, false, fmt.Errorf("emulator: lock %s: %w", path, err)
	}
	return Server{}, false, unlock(f)
}

package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/exorun/exorun/emulator/internal/atomicfile"

	"github.com/google/uuid"
)

// FileName is the name of the directory's file inside the state folder.
const FileName = "directory.json"

// fileVersion is written into directory.json so a later format change can
// tell old files from new ones instead of misreading them.
const fileVersion = 1

// Errors callers tell apart with errors.Is.
var (
	ErrTenantNotFound      = errors.New("tenant not found")
	ErrAppNotFound         = errors.New("app not found")
	ErrCertificateNotFound = errors.New("certificate not found")
	ErrSecretNotFound      = errors.New("client secret not found")
	// ErrFederatedCredentialNotFound is RemoveFederatedCredential's
	// error for a name the app does not have.
	ErrFederatedCredentialNotFound = errors.New("federated credential not found")
	ErrExists                      = errors.New("already exists")
)

// Options tune a Directory; the zero value (or nil) means defaults.
type Options struct {
	// Now is the clock for creation times and default expiries
	// (default time.Now).
	Now func() time.Time
	// NewID makes the GUIDs of new tenants, apps and secrets (default:
	// random version 4 UUIDs). Tests pin it for reproducible output.
	NewID func() string
}

// Directory holds the tenants. It is safe for concurrent use. Every change
// is written to the state folder before it becomes visible, so what readers
// see is always what a restart would load.
type Directory struct {
	path  string // "" keeps the directory in memory only
	now   func() time.Time
	newID func() string

	mu      sync.RWMutex
	tenants []Tenant
	// stamp identifies the file as last loaded or saved, so a change made
	// by another process (exorun emulator admin) is picked up.
	stamp fileStamp
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{st.ModTime(), st.Size()}
}

// refreshLocked reloads the file when another process changed it since
// this Directory loaded or saved it; the caller holds d.mu for writing. A
// file that no longer parses is left for the next Open to report; the
// running directory keeps what it has.
func (d *Directory) refreshLocked() {
	if d.path == "" {
		return
	}
	now := stampOf(d.path)
	if now == d.stamp || now == (fileStamp{}) {
		return
	}
	data, err := os.ReadFile(d.path)
	if err != nil {
		return
	}
	if tenants, err := decode(data); err == nil {
		d.tenants, d.stamp = tenants, now
	}
}

// file is the layout of directory.json.
type file struct {
	Version int      `json:"version"`
	Tenants []Tenant `json:"tenants"`
}

// Open loads the directory kept in the state folder dir; a missing file is
// an empty directory (the folder is created on the first change). An empty
// dir keeps the directory in memory only. A file that cannot be read or
// parsed is an error naming it: it is never replaced, because it holds the
// only copy of the tenants an admin set up.
func Open(dir string, opts *Options) (*Directory, error) {
	d := &Directory{now: time.Now, newID: uuid.NewString}
	if opts != nil && opts.Now != nil {
		d.now = opts.Now
	}
	if opts != nil && opts.NewID != nil {
		d.newID = opts.NewID
	}
	if dir == "" {
		return d, nil
	}
	d.path = filepath.Join(dir, FileName)
	data, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	tenants, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("directory file %s: %w", d.path, err)
	}
	d.tenants = tenants
	d.stamp = stampOf(d.path)
	return d, nil
}

// Path is the file the directory is saved to ("" when in memory only).
func (d *Directory) Path() string { return d.path }

func decode(data []byte) ([]Tenant, error) {
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := position(data, syn.Offset)
			return nil, fmt.Errorf("line %d, column %d: %w", line, col, err)
		}
		return nil, err
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("unsupported version %d (this exorun reads version %d)", f.Version, fileVersion)
	}
	return f.Tenants, nil
}

// position turns a byte offset into a 1-based line and column, so a hand
// edited file's mistake can be found.
func position(data []byte, offset int64) (line, col int) {
	before := data[:min(int(offset), len(data))]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// read runs fn with the tenants under the read lock.
func (d *Directory) read(fn func(tenants []Tenant)) {
	d.mu.Lock()
	d.refreshLocked()
	d.mu.Unlock()
	d.mu.RLock()
	defer d.mu.RUnlock()
	fn(d.tenants)
}

// update applies fn to a copy of the tenants, saves the copy and only then
// makes it current: a change that fails, or cannot be saved, leaves both
// memory and file as they were.
func (d *Directory) update(fn func(tenants *[]Tenant) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refreshLocked()
	next := slices.Clone(d.tenants)
	for i := range next {
		next[i] = next[i].clone()
	}
	if err := fn(&next); err != nil {
		return err
	}
	if err := d.save(next); err != nil {
		return err
	}
	d.tenants = next
	if d.path != "" {
		d.stamp = stampOf(d.path)
	}
	return nil
}

func (d *Directory) save(tenants []Tenant) error {
	if d.path == "" {
		return nil
	}
	if tenants == nil {
		tenants = []Tenant{}
	}
	data, err := json.MarshalIndent(file{Version: fileVersion, Tenants: tenants}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode directory: %w", err)
	}
	if err := atomicfile.WriteBytes(d.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save directory: %w", err)
	}
	return nil
}

package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
)

// Entry is one file of a bundle.
type Entry struct {
	// Name is the file's slash-separated path relative to the bundle's
	// root, e.g. "lib/util.lua".
	Name string
	Data []byte
}

// Defaults for Limits: generous for scripts and their data files, small
// enough that reading a hostile bundle cannot exhaust a laptop.
const (
	DefaultMaxEntries     = 256
	DefaultMaxFileSize    = 8 << 20  // 8 MiB uncompressed
	DefaultMaxTotalSize   = 32 << 20 // 32 MiB uncompressed
	DefaultMaxArchiveSize = 64 << 20 // 64 MiB as stored
)

// Limits caps what Read accepts. A zero (or negative) field takes its
// default.
type Limits struct {
	// MaxEntries caps the number of entries, directories included.
	MaxEntries int
	// MaxFileSize caps one file, uncompressed.
	MaxFileSize int64
	// MaxTotalSize caps all files together, uncompressed.
	MaxTotalSize int64
	// MaxArchiveSize caps the archive itself.
	MaxArchiveSize int64
}

// DefaultLimits returns the limits Read applies to a zero Limits.
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:     DefaultMaxEntries,
		MaxFileSize:    DefaultMaxFileSize,
		MaxTotalSize:   DefaultMaxTotalSize,
		MaxArchiveSize: DefaultMaxArchiveSize,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxArchiveSize <= 0 {
		l.MaxArchiveSize = d.MaxArchiveSize
	}
	return l
}

// General purpose flag bits (APPNOTE 4.4.4) that mean the data is
// encrypted: archive/zip does not decrypt, it would hand back ciphertext.
const (
	flagEncrypted       = 0x1
	flagStrongEncrypted = 0x40
)

// Unix file type bits, as stored in the high half of ExternalAttrs.
const (
	unixTypeMask = 0o170000
	unixRegular  = 0o100000
	unixDir      = 0o040000
)

// Creator OS codes (high byte of CreatorVersion) whose ExternalAttrs hold
// a Unix mode.
const (
	creatorUnix  = 3
	creatorMacOS = 19
)

// zipEpochDate is 1980-01-01 in MS-DOS date format, the earliest date a
// zip can hold; with a zero MS-DOS time it is the fixed modification time
// Write gives every file.
const zipEpochDate = 0<<9 | 1<<5 | 1

// Write writes entries to w as a zip archive, the same bytes for the same
// entries in any order on any machine: sorted by name, every file
// Deflate-compressed with mode 0644 and modified at the zip epoch
// (1980-01-01 00:00:00), with no extra fields and no comments. It refuses
// names Read would refuse and duplicates, before writing anything.
//
// The bytes depend on compress/flate, so they are stable for a given Go
// release, not promised across releases.
func Write(w io.Writer, entries []Entry) error {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	names := newLayout()
	for _, e := range sorted {
		if reason := nameProblem(e.Name); reason != "" {
			return &Error{Entry: e.Name, Reason: reason}
		}
		if err := names.addFile(e.Name); err != nil {
			return err
		}
	}

	zw := zip.NewWriter(w)
	for _, e := range sorted {
		// Modified is left zero on purpose: setting it makes archive/zip
		// add an extended-timestamp extra field.
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, ModifiedDate: zipEpochDate}
		h.SetMode(0o644)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return &Error{Entry: e.Name, Reason: "cannot be written: " + err.Error(), Err: err}
		}
		if _, err := fw.Write(e.Data); err != nil {
			return &Error{Entry: e.Name, Reason: "cannot be written: " + err.Error(), Err: err}
		}
	}
	if err := zw.Close(); err != nil {
		return &Error{Reason: "cannot finish the archive: " + err.Error(), Err: err}
	}
	return nil
}

// Read parses the archive in data and returns its files sorted by name;
// directory entries are checked, then dropped. It refuses, with an
// *Error, anything unsafe to unpack or too big (see the package doc):
// every header is checked before any data is decompressed, and data is
// decompressed through a limit, so a header that lies about its size
// cannot make Read allocate more than lim allows.
func Read(data []byte, lim Limits) ([]Entry, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxArchiveSize {
		return nil, &Error{Reason: fmt.Sprintf("archive is %d bytes, over the limit of %d", len(data), lim.MaxArchiveSize)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	// ErrInsecurePath (GODEBUG zipinsecurepath=0) comes with a usable
	// reader: names are checked below either way.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if errors.Is(err, zip.ErrFormat) {
			return nil, &Error{Reason: "not a zip archive", Err: err}
		}
		return nil, &Error{Reason: "damaged zip archive: " + err.Error(), Err: err}
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, &Error{Reason: fmt.Sprintf("archive has %d entries, over the limit of %d", len(zr.File), lim.MaxEntries)}
	}
	files, err := checkHeaders(zr.File, lim)
	if err != nil {
		return nil, err
	}

	entries := make([]Entry, 0, len(files))
	var total int64
	for _, f := range files {
		content, err := readFile(f, lim.MaxFileSize)
		if err != nil {
			return nil, err
		}
		// Redundant with the declared sizes checked in checkHeaders as
		// long as archive/zip holds data to its declared size; kept so
		// that this limit does not rest on that.
		total += int64(len(content))
		if total > lim.MaxTotalSize {
			return nil, entryError(f.Name, "total uncompressed size is over the limit of %d bytes", lim.MaxTotalSize)
		}
		entries = append(entries, Entry{Name: f.Name, Data: content})
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return entries, nil
}

// checkHeaders checks every entry's header: name, type, encryption,
// compression method, declared sizes. It returns the regular files, in
// archive order.
func checkHeaders(all []*zip.File, lim Limits) ([]*zip.File, error) {
	var (
		files    []*zip.File
		names    = newLayout()
		declared uint64
	)
	for _, f := range all {
		// A directory's name is checked without its slash, as a file's is.
		dir, isDir := strings.CutSuffix(f.Name, "/")
		if reason := nameProblem(dir); reason != "" {
			return nil, &Error{Entry: f.Name, Reason: reason}
		}
		if reason := typeProblem(&f.FileHeader, isDir); reason != "" {
			return nil, &Error{Entry: f.Name, Reason: reason}
		}
		if f.Flags&(flagEncrypted|flagStrongEncrypted) != 0 {
			return nil, entryError(f.Name, "is encrypted")
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, entryError(f.Name, "uses compression method %d; only Store (0) and Deflate (8) are accepted", f.Method)
		}
		if isDir {
			// A directory's data is never read, but data there means the
			// entry is not what its name says.
			if f.UncompressedSize64 != 0 {
				return nil, entryError(f.Name, "is a directory but carries data")
			}
			if err := names.addDir(dir, f.Name); err != nil {
				return nil, err
			}
			continue
		}
		if f.UncompressedSize64 > uint64(lim.MaxFileSize) {
			return nil, entryError(f.Name, "uncompressed size %d is over the limit of %d bytes", f.UncompressedSize64, lim.MaxFileSize)
		}
		declared += f.UncompressedSize64 // cannot wrap: each term is below MaxInt64, and so is the sum so far
		if declared > uint64(lim.MaxTotalSize) {
			return nil, entryError(f.Name, "total uncompressed size is over the limit of %d bytes", lim.MaxTotalSize)
		}
		if err := names.addFile(f.Name); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// typeProblem says why the entry is not a plain file or directory, or "".
func typeProblem(h *zip.FileHeader, isDir bool) string {
	mode := h.Mode()
	if mode&fs.ModeSymlink != 0 {
		return "is a symbolic link"
	}
	// archive/zip reads a Unix file type it does not know as a regular
	// file; look at the raw bits so that nothing unusual slips through.
	if creator := h.CreatorVersion >> 8; creator == creatorUnix || creator == creatorMacOS {
		switch t := h.ExternalAttrs >> 16 & unixTypeMask; t {
		case 0, unixRegular, unixDir:
		default:
			return fmt.Sprintf("is not a regular file (Unix file type %#o)", t)
		}
	}
	switch {
	case isDir && mode.Type() != fs.ModeDir:
		return fmt.Sprintf("is not a plain directory (mode %v)", mode)
	case !isDir && mode.IsDir():
		return `is marked as a directory but its name does not end in "/"`
	case !isDir && mode.Type() != 0:
		return fmt.Sprintf("is not a regular file (mode %v)", mode)
	}
	return ""
}

// readFile decompresses one file, reading at most maxSize+1 bytes whatever
// its header claims, and checks its CRC-32.
func readFile(f *zip.File, maxSize int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, damaged(f.Name, err)
	}
	defer rc.Close()
	limit := maxSize
	if limit < math.MaxInt64 {
		limit++ // one byte more than allowed, to tell "at the limit" from "over it"
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return nil, damaged(f.Name, err)
	}
	if int64(len(data)) > maxSize {
		return nil, entryError(f.Name, "uncompressed size is over the limit of %d bytes", maxSize)
	}
	// archive/zip skips this check when the header's CRC is zero, which
	// would let a crafted header pass altered data.
	if crc32.ChecksumIEEE(data) != f.CRC32 {
		return nil, &Error{Entry: f.Name, Reason: "checksum mismatch: the entry is damaged", Err: zip.ErrChecksum}
	}
	return data, nil
}

// damaged is the *Error for an entry archive/zip cannot read back.
func damaged(name string, err error) *Error {
	if errors.Is(err, zip.ErrChecksum) {
		return &Error{Entry: name, Reason: "checksum mismatch: the entry is damaged", Err: err}
	}
	return &Error{Entry: name, Reason: "is damaged: " + err.Error(), Err: err}
}

package archive

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// nameProblem says what makes name unsafe as the path of a file inside a
// bundle, or "" when it is fine. The rules hold for every OS a bundle may
// be unpacked on, not just this one: "a\..\x" and "C:x" are plain names on
// Linux but escape the folder on Windows.
func nameProblem(name string) string {
	if name == "" {
		return "empty name"
	}
	if !utf8.ValidString(name) {
		return "name is not valid UTF-8"
	}
	for _, r := range name {
		// Format characters (Cf) include the bidi overrides that make a
		// name display as something it is not.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("name contains the control character %U", r)
		}
	}
	switch {
	case name[0] == '/':
		return "absolute path"
	case hasDrive(name):
		return "absolute Windows path (drive letter)"
	case strings.Contains(name, `\`):
		return "name contains a backslash"
	case strings.Contains(name, ":"):
		// Beyond drive letters, a colon names an NTFS alternate data
		// stream ("a.lua:hidden") and is not allowed in Windows names.
		return "name contains a colon"
	case slices.Contains(strings.Split(name, "/"), ".."):
		return `name contains ".."`
	case strings.HasSuffix(name, "/"):
		return "name ends in \"/\" (a directory, not a file)"
	case name == "." || !fs.ValidPath(name) || path.Clean(name) != name:
		return "name is not a clean relative path"
	}
	return ""
}

// hasDrive reports whether name starts with a Windows drive letter ("C:").
func hasDrive(name string) bool {
	return len(name) >= 2 && name[1] == ':' &&
		('a' <= name[0] && name[0] <= 'z' || 'A' <= name[0] && name[0] <= 'Z')
}

// layout holds the names accepted so far, to refuse two names that would
// be the same file once unpacked on a case-insensitive file system
// (Windows, macOS), and a path that would have to be both a file and a
// directory ("a" and "a/b").
type layout struct {
	files map[string]string // folded name → the file's name
	dirs  map[string]string // folded directory → a name that makes it one
}

func newLayout() *layout {
	return &layout{files: map[string]string{}, dirs: map[string]string{}}
}

// addFile accepts a file name that passed nameProblem, or says why not.
func (l *layout) addFile(name string) *Error {
	key := fold(name)
	if prev, ok := l.files[key]; ok {
		if prev == name {
			return entryError(name, "duplicate entry")
		}
		return entryError(name, "collides with %q on case-insensitive file systems", prev)
	}
	if by, ok := l.dirs[key]; ok {
		return entryError(name, "is a file, but %q uses it as a directory", by)
	}
	if err := l.markParents(name, name); err != nil {
		return err
	}
	l.files[key] = name
	return nil
}

// addDir accepts a directory entry's name (without its trailing slash).
func (l *layout) addDir(dir, entry string) *Error {
	if err := l.markParents(dir, entry); err != nil {
		return err
	}
	if file, ok := l.files[fold(dir)]; ok {
		return entryError(entry, "is a directory, but %q is a file", file)
	}
	l.dirs[fold(dir)] = entry
	return nil
}

// markParents records every directory above name as one, refusing when
// one of them is already a file.
func (l *layout) markParents(name, entry string) *Error {
	for i := range len(name) {
		if name[i] != '/' {
			continue
		}
		key := fold(name[:i])
		if file, ok := l.files[key]; ok {
			return entryError(entry, "uses %q as a directory, but it is a file", file)
		}
		l.dirs[key] = entry
	}
	return nil
}

// fold maps s to a key shared by every string equal to it under Unicode
// case folding (as strings.EqualFold sees it): each rune becomes the
// smallest rune of its folding orbit, so "A.lua" and "a.lua" meet, and
// so do "K" (U+212A, the Kelvin sign) and "k".
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

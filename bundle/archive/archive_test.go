package archive

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// zipOf builds a real archive with archive/zip; add writes its entries.
func zipOf(t testing.TB, add func(zw *zip.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add(zw)
	if err := zw.Close(); err != nil {
		t.Fatalf("building test zip: %v", err)
	}
	return buf.Bytes()
}

// put adds a Deflate entry with header h (name and mode already set).
func put(t testing.TB, zw *zip.Writer, h *zip.FileHeader, data string) {
	t.Helper()
	if h.Method == 0 && h.CreatorVersion == 0 {
		h.Method = zip.Deflate
	}
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatalf("CreateHeader(%q): %v", h.Name, err)
	}
	if data == "" {
		return // a directory takes no writes at all
	}
	if _, err := w.Write([]byte(data)); err != nil {
		t.Fatalf("writing %q: %v", h.Name, err)
	}
}

// file adds a regular file, as most zip tools would.
func file(t testing.TB, zw *zip.Writer, name, data string) {
	t.Helper()
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(0o644)
	put(t, zw, h, data)
}

// raw adds an entry whose header says whatever h says, followed by body
// as is: the way to build headers that lie.
func raw(t testing.TB, zw *zip.Writer, h *zip.FileHeader, body []byte) {
	t.Helper()
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatalf("CreateRaw(%q): %v", h.Name, err)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatalf("writing raw %q: %v", h.Name, err)
	}
}

// files builds an archive of regular files, in the order given.
func files(t testing.TB, nameData ...string) []byte {
	t.Helper()
	return zipOf(t, func(zw *zip.Writer) {
		for i := 0; i+1 < len(nameData); i += 2 {
			file(t, zw, nameData[i], nameData[i+1])
		}
	})
}

func deflated(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadRefuses(t *testing.T) {
	mode := func(name string, m fs.FileMode) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			return zipOf(t, func(zw *zip.Writer) {
				h := &zip.FileHeader{Name: name}
				h.SetMode(m)
				data := "x"
				if strings.HasSuffix(name, "/") {
					data = ""
				}
				put(t, zw, h, data)
			})
		}
	}
	named := func(names ...string) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			var nd []string
			for _, n := range names {
				data := "data"
				if strings.HasSuffix(n, "/") {
					data = ""
				}
				nd = append(nd, n, data)
			}
			return files(t, nd...)
		}
	}
	tests := []struct {
		name   string
		build  func(t *testing.T) []byte
		lim    Limits
		entry  string // the entry the error must name
		reason string // a part of the reason
	}{
		{name: "absolute", build: named("/etc/passwd"), entry: "/etc/passwd", reason: "absolute path"},
		{name: "drive backslash", build: named(`C:\x`), entry: `C:\x`, reason: "absolute Windows path"},
		{name: "drive slash", build: named("C:/x"), entry: "C:/x", reason: "absolute Windows path"},
		{name: "drive relative", build: named("c:x"), entry: "c:x", reason: "absolute Windows path"},
		{name: "dot dot", build: named("../evil.lua"), entry: "../evil.lua", reason: `".."`},
		{name: "dot dot inside", build: named("a/../../evil.lua"), entry: "a/../../evil.lua", reason: `".."`},
		{name: "dot dot dir", build: named("../"), entry: "../", reason: `".."`},
		{name: "backslash", build: named(`lib\..\..\x`), entry: `lib\..\..\x`, reason: "backslash"},
		{name: "NUL", build: named("a\x00.lua"), entry: "a\x00.lua", reason: "control character"},
		{name: "escape", build: named("\x1b[2J.lua"), entry: "\x1b[2J.lua", reason: "control character"},
		{name: "bidi override", build: named("a\u202egol.lua"), entry: "a\u202egol.lua", reason: "control character"},
		{name: "invalid UTF-8", build: named("\xff.lua"), entry: "\xff.lua", reason: "UTF-8"},
		{name: "colon", build: named("a.lua:stream"), entry: "a.lua:stream", reason: "colon"},
		{name: "empty", build: named(""), entry: "", reason: "empty name"},
		{name: "double slash", build: named("a//b"), entry: "a//b", reason: "clean relative path"},
		{name: "dot slash", build: named("./a"), entry: "./a", reason: "clean relative path"},
		{name: "inner dot", build: named("a/./b"), entry: "a/./b", reason: "clean relative path"},
		{name: "dot", build: named("."), entry: ".", reason: "clean relative path"},
		{name: "root dir", build: named("/"), entry: "/", reason: "empty name"},
		{name: "slash slash dir", build: named("a//"), entry: "a//", reason: `ends in "/"`},
		{
			name: "directory with data",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "lib/", UncompressedSize64: 3}, nil)
				})
			},
			entry: "lib/", reason: "directory but carries data",
		},
		{name: "symlink", build: mode("link.lua", fs.ModeSymlink|0o777), entry: "link.lua", reason: "symbolic link"},
		{name: "symlink dir name", build: mode("link/", fs.ModeSymlink|0o777), entry: "link/", reason: "symbolic link"},
		{name: "named pipe", build: mode("fifo", fs.ModeNamedPipe|0o644), entry: "fifo", reason: "not a regular file"},
		{name: "device", build: mode("sda", fs.ModeDevice|0o644), entry: "sda", reason: "not a regular file"},
		{name: "socket", build: mode("sock", fs.ModeSocket|0o644), entry: "sock", reason: "not a regular file"},
		{name: "dir mode on a file name", build: mode("lib", fs.ModeDir|0o755), entry: "lib", reason: "marked as a directory"},
		{
			name: "unknown unix file type",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					h := &zip.FileHeader{Name: "odd", CreatorVersion: creatorUnix << 8, ExternalAttrs: 0o150644 << 16}
					put(t, zw, h, "x")
				})
			},
			entry: "odd", reason: "Unix file type 0150000",
		},
		{name: "duplicate", build: named("a.lua", "a.lua"), entry: "a.lua", reason: "duplicate entry"},
		{name: "case duplicate", build: named("A.lua", "a.lua"), entry: "a.lua", reason: `collides with "A.lua"`},
		{name: "case duplicate in dir", build: named("Lib/x.lua", "lib/X.lua"), entry: "lib/X.lua", reason: "collides"},
		{name: "kelvin duplicate", build: named("\u212a.lua", "k.lua"), entry: "k.lua", reason: "collides"},
		{name: "file then dir", build: named("a", "a/b"), entry: "a/b", reason: `uses "a" as a directory, but it is a file`},
		{name: "dir then file", build: named("a/b", "a"), entry: "a", reason: `is a file, but "a/b" uses it as a directory`},
		{name: "folded file and dir", build: named("A", "a/b"), entry: "a/b", reason: "as a directory"},
		{name: "dir entry then file", build: named("a/", "a"), entry: "a", reason: "as a directory"},
		{name: "file then dir entry", build: named("a", "a/"), entry: "a/", reason: `"a" is a file`},
		{name: "file then nested dir entry", build: named("a", "a/b/"), entry: "a/b/", reason: `uses "a" as a directory`},
		{
			name:   "too many entries",
			build:  named("a", "b", "c"),
			lim:    Limits{MaxEntries: 2},
			reason: "3 entries, over the limit of 2",
		},
		{
			name:   "archive too big",
			build:  named("a", "b"),
			lim:    Limits{MaxArchiveSize: 100},
			reason: "over the limit of 100",
		},
		{
			name:   "file too big",
			build:  func(t *testing.T) []byte { return files(t, "big.csv", strings.Repeat("x", 101)) },
			lim:    Limits{MaxFileSize: 100},
			entry:  "big.csv",
			reason: "uncompressed size 101 is over the limit of 100",
		},
		{
			name:   "total too big",
			build:  func(t *testing.T) []byte { return files(t, "a", strings.Repeat("x", 60), "b", strings.Repeat("y", 60)) },
			lim:    Limits{MaxTotalSize: 100},
			entry:  "b",
			reason: "total uncompressed size is over the limit of 100",
		},
		{
			name: "bzip2",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "a.lua", Method: 12, CompressedSize64: 3, UncompressedSize64: 3}, []byte("BZh"))
				})
			},
			entry: "a.lua", reason: "compression method 12",
		},
		{
			name: "encrypted",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "a.lua", Flags: flagEncrypted, CompressedSize64: 4, UncompressedSize64: 4}, []byte("\x01\x02\x03\x04"))
				})
			},
			entry: "a.lua", reason: "encrypted",
		},
		{
			name: "strong encryption",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "a.lua", Flags: flagStrongEncrypted, CompressedSize64: 4, UncompressedSize64: 4}, []byte("\x01\x02\x03\x04"))
				})
			},
			entry: "a.lua", reason: "encrypted",
		},
		{
			name: "CRC mismatch",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "a.lua", CRC32: crc32.ChecksumIEEE([]byte("hello")) + 1, CompressedSize64: 5, UncompressedSize64: 5}, []byte("hello"))
				})
			},
			entry: "a.lua", reason: "checksum mismatch",
		},
		{
			// archive/zip does not check a zero CRC; Read does.
			name: "zero CRC",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "a.lua", CompressedSize64: 5, UncompressedSize64: 5}, []byte("hello"))
				})
			},
			entry: "a.lua", reason: "checksum mismatch",
		},
		{
			name: "short data",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					raw(t, zw, &zip.FileHeader{Name: "a.lua", CRC32: crc32.ChecksumIEEE([]byte("hello")), CompressedSize64: 5, UncompressedSize64: 9}, []byte("hello"))
				})
			},
			entry: "a.lua", reason: "damaged",
		},
		{name: "not a zip", build: func(*testing.T) []byte { return []byte("print('hello')\n") }, reason: "not a zip archive"},
		{name: "empty input", build: func(*testing.T) []byte { return nil }, reason: "not a zip archive"},
		{
			name:   "truncated",
			build:  func(t *testing.T) []byte { z := files(t, "a.lua", "print(1)"); return z[:len(z)-30] },
			reason: "not a zip archive",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := Read(tt.build(t), tt.lim)
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("Read = %d entries, %v; want an *Error", len(entries), err)
			}
			if ae.Entry != tt.entry || !strings.Contains(ae.Reason, tt.reason) {
				t.Errorf("Read error = entry %q reason %q; want entry %q reason containing %q", ae.Entry, ae.Reason, tt.entry, tt.reason)
			}
			if entries != nil {
				t.Errorf("Read returned entries with an error")
			}
		})
	}
}

func TestReadAccepts(t *testing.T) {
	lua := "print('hi')\n"
	tests := []struct {
		name  string
		build func(t *testing.T) []byte
		lim   Limits
		want  []string // entry names, in order
	}{
		{name: "empty archive", build: func(t *testing.T) []byte { return files(t) }},
		{name: "sorted by name", build: func(t *testing.T) []byte { return files(t, "main.lua", lua, "lib/a.lua", lua, "data/x.csv", "a,b\n") }, want: []string{"data/x.csv", "lib/a.lua", "main.lua"}},
		{
			name: "directory entries skipped",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					h := &zip.FileHeader{Name: "lib/"}
					h.SetMode(fs.ModeDir | 0o755)
					if _, err := zw.CreateHeader(h); err != nil {
						t.Fatal(err)
					}
					if _, err := zw.Create("lib/sub/"); err != nil { // no mode at all
						t.Fatal(err)
					}
					file(t, zw, "lib/a.lua", lua)
					file(t, zw, "lib/sub/b.lua", lua)
				})
			},
			want: []string{"lib/a.lua", "lib/sub/b.lua"},
		},
		{name: "same directory twice", build: func(t *testing.T) []byte { return files(t, "a/", "", "a/", "", "a/x", lua) }, want: []string{"a/x"}},
		{
			name: "stored, no mode (FAT creator), executable bit",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					if _, err := zw.CreateHeader(&zip.FileHeader{Name: "a.lua", Method: zip.Store}); err != nil {
						t.Fatal(err)
					}
					h := &zip.FileHeader{Name: "b.sh"}
					h.SetMode(0o755)
					put(t, zw, h, "echo")
				})
			},
			want: []string{"a.lua", "b.sh"},
		},
		{
			name: "created on Windows",
			build: func(t *testing.T) []byte {
				return zipOf(t, func(zw *zip.Writer) {
					put(t, zw, &zip.FileHeader{Name: "a.lua", Method: zip.Deflate, CreatorVersion: 11 << 8, ExternalAttrs: 0x20}, lua)
				})
			},
			want: []string{"a.lua"},
		},
		{
			name:  "at the limits",
			build: func(t *testing.T) []byte { return files(t, "a", strings.Repeat("x", 100), "b", "") },
			lim:   Limits{MaxEntries: 2, MaxFileSize: 100, MaxTotalSize: 100},
			want:  []string{"a", "b"},
		},
		{name: "unicode name", build: func(t *testing.T) []byte { return files(t, "données/été.csv", "a\n") }, want: []string{"données/été.csv"}},
		{name: "dots in a name", build: func(t *testing.T) []byte { return files(t, "v1..2.csv", "a\n", ".hidden", "") }, want: []string{".hidden", "v1..2.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := Read(tt.build(t), tt.lim)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Read names = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadData(t *testing.T) {
	entries, err := Read(files(t, "b.lua", "second", "a.lua", "first", "empty", ""), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"a.lua", []byte("first")}, {"b.lua", []byte("second")}, {"empty", []byte{}}}
	if !sameEntries(entries, want) {
		t.Errorf("Read = %q, want %q", entries, want)
	}
}

// TestZipBomb reads 10 MB of zeros that compress to a few kilobytes,
// under a 1 MiB file limit: refused, without allocating anywhere near
// 10 MB, whether the header tells the truth about the size or not.
func TestZipBomb(t *testing.T) {
	zeros := make([]byte, 10<<20)
	body := deflated(t, zeros)
	crc := crc32.ChecksumIEEE(zeros)
	tests := []struct {
		name     string
		declared uint64
		reason   string
	}{
		{name: "honest header", declared: uint64(len(zeros)), reason: "over the limit"},
		{name: "header says small", declared: 1000, reason: "damaged"},
		{name: "header says just under the limit", declared: 1 << 20, reason: "damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bomb := zipOf(t, func(zw *zip.Writer) {
				h := &zip.FileHeader{Name: "zeros.csv", Method: zip.Deflate, CRC32: crc,
					CompressedSize64: uint64(len(body)), UncompressedSize64: tt.declared}
				raw(t, zw, h, body)
			})
			if len(bomb) > 64<<10 {
				t.Fatalf("bomb is %d bytes; the test wants a small archive", len(bomb))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Read(bomb, Limits{MaxFileSize: 1 << 20})
			runtime.ReadMemStats(&after)
			var ae *Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Reason, tt.reason) {
				t.Fatalf("Read = %v; want an *Error with %q", err, tt.reason)
			}
			if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 8<<20 {
				t.Errorf("Read allocated %d bytes refusing a bomb", allocated)
			}
		})
	}
}

func TestWriteDeterministic(t *testing.T) {
	entries := []Entry{
		{"main.lua", []byte("local m = require('lib.m')\nm.run()\n")},
		{"lib/m.lua", []byte("return { run = function() end }\n")},
		{"data/users.csv", []byte("name\nalice\n")},
		{"empty.txt", nil},
	}
	reversed := []Entry{entries[3], entries[2], entries[1], entries[0]}
	var first, second bytes.Buffer
	if err := Write(&first, entries); err != nil {
		t.Fatal(err)
	}
	if err := Write(&second, reversed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("Write gave different bytes for the same entries in another order")
	}
	if entries[0].Name != "main.lua" {
		t.Error("Write reordered its caller's slice")
	}

	// The headers carry nothing from the machine that wrote them.
	zr, err := zip.NewReader(bytes.NewReader(first.Bytes()), int64(first.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Comment != "" {
		t.Errorf("archive comment %q", zr.Comment)
	}
	epoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(epoch) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, epoch)
		}
		if f.Mode() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", f.Name, f.Mode())
		}
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want Deflate", f.Name, f.Method)
		}
		if len(f.Extra) != 0 || f.Comment != "" {
			t.Errorf("%s: extra %x, comment %q; want none", f.Name, f.Extra, f.Comment)
		}
	}
	if want := "data/users.csv empty.txt lib/m.lua main.lua"; strings.Join(names, " ") != want {
		t.Errorf("archive order %q, want %q", names, want)
	}

	back, err := Read(first.Bytes(), Limits{})
	if err != nil {
		t.Fatalf("Read(Write(entries)): %v", err)
	}
	if want := sortedCopy(entries); !sameEntries(back, want) {
		t.Errorf("round trip = %q, want %q", back, want)
	}
}

func TestWriteRefuses(t *testing.T) {
	tests := []struct {
		name   string
		names  []string
		entry  string
		reason string
	}{
		{name: "absolute", names: []string{"/a"}, entry: "/a", reason: "absolute"},
		{name: "dot dot", names: []string{"a/../../b"}, entry: "a/../../b", reason: `".."`},
		{name: "backslash", names: []string{`a\b`}, entry: `a\b`, reason: "backslash"},
		{name: "directory", names: []string{"lib/"}, entry: "lib/", reason: `ends in "/"`},
		{name: "empty", names: []string{""}, entry: "", reason: "empty"},
		{name: "unclean", names: []string{"a//b"}, entry: "a//b", reason: "clean"},
		{name: "duplicate", names: []string{"a", "a"}, entry: "a", reason: "duplicate"},
		{name: "case duplicate", names: []string{"a.lua", "A.lua"}, entry: "a.lua", reason: "collides"},
		{name: "file and dir", names: []string{"a/b", "a"}, entry: "a/b", reason: "as a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var entries []Entry
			for _, n := range tt.names {
				entries = append(entries, Entry{Name: n, Data: []byte("x")})
			}
			var buf bytes.Buffer
			err := Write(&buf, entries)
			var ae *Error
			if !errors.As(err, &ae) || ae.Entry != tt.entry || !strings.Contains(ae.Reason, tt.reason) {
				t.Fatalf("Write = %v; want an *Error for %q with %q", err, tt.entry, tt.reason)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before refusing", buf.Len())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	err := Write(failingWriter{}, []Entry{{Name: "a.lua", Data: bytes.Repeat([]byte("x"), 1<<16)}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write = %v; want the writer's error", err)
	}
}

func TestErrorMessage(t *testing.T) {
	if got, want := (&Error{Entry: "a\x1b.lua", Reason: "is a symbolic link"}).Error(), `bundle entry "a\x1b.lua": is a symbolic link`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (&Error{Reason: "not a zip archive"}).Error(), "bundle: not a zip archive"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, err := Read(zipOf(t, func(zw *zip.Writer) {
		raw(t, zw, &zip.FileHeader{Name: "a", CRC32: 1, CompressedSize64: 1, UncompressedSize64: 1}, []byte("x"))
	}), Limits{})
	if !errors.Is(err, zip.ErrChecksum) {
		t.Errorf("Read = %v; want it to wrap zip.ErrChecksum", err)
	}
}

func TestDefaultLimits(t *testing.T) {
	got := Limits{MaxEntries: -1}.withDefaults()
	if got != DefaultLimits() {
		t.Errorf("withDefaults = %+v, want %+v", got, DefaultLimits())
	}
	own := Limits{MaxEntries: 1, MaxFileSize: 2, MaxTotalSize: 3, MaxArchiveSize: 4}
	if own.withDefaults() != own {
		t.Errorf("withDefaults changed set limits: %+v", own.withDefaults())
	}
}

func sortedCopy(entries []Entry) []Entry {
	out := slices.Clone(entries)
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// sameEntries compares names and contents; nil and empty data are equal.
func sameEntries(a, b []Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			return false
		}
	}
	return true
}

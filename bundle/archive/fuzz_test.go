package archive

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzLimits are small, so that the fuzzer reaches every limit.
func fuzzLimits() Limits {
	return Limits{MaxEntries: 8, MaxFileSize: 4 << 10, MaxTotalSize: 8 << 10, MaxArchiveSize: 64 << 10}
}

// fuzzSeeds are the f.Add seeds; testdata/fuzz/FuzzRead holds the same
// archives as corpus files.
func fuzzSeeds(t testing.TB) map[string][]byte {
	write := func(entries ...Entry) []byte {
		var buf bytes.Buffer
		if err := Write(&buf, entries); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	lua := []byte("local out = require('out')\nout.print('hello')\n")
	return map[string][]byte{
		"valid-one":   write(Entry{"main.lua", lua}),
		"valid-tree":  write(Entry{"main.lua", lua}, Entry{"lib/util.lua", lua}, Entry{"data/users.csv", []byte("name\nalice\n")}, Entry{"empty", nil}),
		"valid-empty": write(),
		"dir-entries": zipOf(t, func(zw *zip.Writer) {
			if _, err := zw.Create("lib/"); err != nil {
				t.Fatal(err)
			}
			file(t, zw, "lib/a.lua", "return 1")
		}),
		"zip-slip":       files(t, "../evil.lua", "x", `..\evil.lua`, "y"),
		"case-duplicate": files(t, "A.lua", "x", "a.lua", "y"),
		"file-and-dir":   files(t, "a", "x", "a/b", "y"),
		"symlink": zipOf(t, func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: "link"}
			h.SetMode(fs.ModeSymlink | 0o777)
			put(t, zw, h, "/etc/passwd")
		}),
		"lying-size": zipOf(t, func(zw *zip.Writer) {
			zeros := make([]byte, 64<<10)
			body := deflated(t, zeros)
			raw(t, zw, &zip.FileHeader{Name: "zeros", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(zeros),
				CompressedSize64: uint64(len(body)), UncompressedSize64: 10}, body)
		}),
		"not-a-zip": []byte("-- just a Lua script\nprint(1)\n"),
	}
}

// FuzzRead checks that Read never panics, and that whatever it accepts
// is safe and survives Write then Read unchanged.
func FuzzRead(f *testing.F) {
	seeds := fuzzSeeds(f)
	for _, name := range slices.Sorted(maps.Keys(seeds)) {
		f.Add(seeds[name])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := fuzzLimits()
		entries, err := Read(data, lim)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Read error %T %v, want *Error", err, err)
			}
			if entries != nil {
				t.Fatal("Read returned entries with an error")
			}
			return
		}
		checkInvariants(t, entries, lim)

		var buf bytes.Buffer
		if err := Write(&buf, entries); err != nil {
			t.Fatalf("Write refused what Read accepted: %v", err)
		}
		// The rewritten archive may be bigger than the original (which
		// can share bytes between headers), so only its size is relaxed.
		again := lim
		again.MaxArchiveSize = 1 << 30
		back, err := Read(buf.Bytes(), again)
		if err != nil {
			t.Fatalf("Read(Write(entries)): %v", err)
		}
		if !sameEntries(back, entries) {
			t.Fatalf("round trip changed the entries: %q, want %q", back, entries)
		}
	})
}

// checkInvariants restates Read's promises independently of its code.
func checkInvariants(t *testing.T, entries []Entry, lim Limits) {
	t.Helper()
	if len(entries) > lim.MaxEntries {
		t.Fatalf("%d entries, limit %d", len(entries), lim.MaxEntries)
	}
	var total int64
	seen := map[string]bool{}
	for i, e := range entries {
		n := e.Name
		if i > 0 && entries[i-1].Name >= n {
			t.Fatalf("entries not sorted and unique: %q then %q", entries[i-1].Name, n)
		}
		if !utf8.ValidString(n) || !fs.ValidPath(n) || n == "." || strings.ContainsAny(n, `\:`) ||
			strings.HasPrefix(n, "/") || slices.Contains(strings.Split(n, "/"), "..") {
			t.Fatalf("unsafe name %q", n)
		}
		for _, r := range n {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character in %q", n)
			}
		}
		lower := strings.ToLower(n)
		if seen[lower] {
			t.Fatalf("case-insensitive duplicate %q", n)
		}
		seen[lower] = true
		if int64(len(e.Data)) > lim.MaxFileSize {
			t.Fatalf("%q is %d bytes, limit %d", n, len(e.Data), lim.MaxFileSize)
		}
		total += int64(len(e.Data))
	}
	if total > lim.MaxTotalSize {
		t.Fatalf("total %d bytes, limit %d", total, lim.MaxTotalSize)
	}
	for _, e := range entries {
		for i := range len(e.Name) {
			if e.Name[i] == '/' && seen[strings.ToLower(e.Name[:i])] {
				t.Fatalf("%q is both a file and a directory", e.Name[:i])
			}
		}
	}
}

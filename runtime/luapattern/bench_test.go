package luapattern

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/pm"
)

// benchSubject is about 1 MB of CSV-like log lines of the kind scripts
// parse: dates, addresses, counts, padded text.
var benchSubject = func() string {
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "  2024-05-%02d 12:%02d:%02d,user%d@contoso.onmicrosoft.com,UserMailbox,%d items,  quota   warning  \n",
			i%28+1, i%60, i*7%60, i, i*37%10000)
	}
	return b.String()
}()

var benchLines = strings.Split(strings.TrimSuffix(benchSubject, "\n"), "\n")

// findAll counts the matches of pattern in s, one Find at a time, as
// gmatch does.
func findAll(b *testing.B, s, pattern string) int {
	p, err := Compile(pattern)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for at := 0; at <= len(s); {
		m, ok, err := p.Find(s, at, &Budget{})
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			break
		}
		n++
		at = m.End
		if m.End == m.Start {
			at++
		}
	}
	return n
}

// gsub replaces every match of pattern in s with repl, as string.gsub
// with a string without captures does.
func gsub(b *testing.B, s, pattern, repl string) string {
	p, err := Compile(pattern)
	if err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	budget := Budget{}
	copied := 0
	for at := 0; at <= len(s); {
		m, ok, err := p.Find(s, at, &budget)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			break
		}
		if copied == 0 {
			out.Grow(len(s))
		}
		out.WriteString(s[copied:m.Start])
		out.WriteString(repl)
		copied, at = m.End, m.End
		if m.End == m.Start {
			at++
		}
	}
	out.WriteString(s[copied:])
	return out.String()
}

func pmFindAll(b *testing.B, s, pattern string) int {
	mds, err := pm.Find(pattern, []byte(s), 0, -1)
	if err != nil {
		b.Fatal(err)
	}
	return len(mds)
}

func pmGsub(b *testing.B, s, pattern, repl string) string {
	mds, err := pm.Find(pattern, []byte(s), 0, -1)
	if err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	out.Grow(len(s))
	copied := 0
	for _, md := range mds {
		out.WriteString(s[copied:md.Capture(0)])
		out.WriteString(repl)
		copied = md.Capture(1)
	}
	out.WriteString(s[copied:])
	return out.String()
}

// BenchmarkFind compares luapattern with gopher-lua's pm, which exorun
// used before, on patterns that scripts use, over 1 MB of text. Both find
// every match; pm materialises them all, luapattern finds one per call as
// gmatch and gsub now do.
func BenchmarkFind(b *testing.B) {
	s := benchSubject
	for _, c := range []struct {
		name string
		ours func(b *testing.B) int
		pm   func(b *testing.B) int
	}{
		{"digits", func(b *testing.B) int { return findAll(b, s, "%d+") }, func(b *testing.B) int { return pmFindAll(b, s, "%d+") }},
		{"csv-field", func(b *testing.B) int { return findAll(b, s, "([^,]*),") }, func(b *testing.B) int { return pmFindAll(b, s, "([^,]*),") }},
		{"email", func(b *testing.B) int { return findAll(b, s, "[%w%.]+@[%w%.]+") }, func(b *testing.B) int { return pmFindAll(b, s, "[%w%.]+@[%w%.]+") }},
		{"trim-each-line", func(b *testing.B) int {
			p, _ := Compile("^%s*(.-)%s*$")
			n := 0
			for _, line := range benchLines {
				if _, ok, err := p.Find(line, 0, &Budget{}); ok && err == nil {
					n++
				}
			}
			return n
		}, func(b *testing.B) int {
			n := 0
			for _, line := range benchLines {
				if mds, err := pm.Find("^%s*(.-)%s*$", []byte(line), 0, 1); len(mds) == 1 && err == nil {
					n++
				}
			}
			return n
		}},
		{"gsub-spaces", func(b *testing.B) int { return len(gsub(b, s, "%s+", " ")) }, func(b *testing.B) int { return len(pmGsub(b, s, "%s+", " ")) }},
	} {
		var want int
		b.Run(c.name+"/luapattern", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				want = c.ours(b)
			}
		})
		b.Run(c.name+"/gopher-lua-pm", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				if got := c.pm(b); got != want {
					b.Fatalf("pm found %d, luapattern %d", got, want)
				}
			}
		})
	}
}

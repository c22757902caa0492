package decode

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// BenchmarkObject30 decodes the realistic 30-property mailbox (41 keys with
// the annotations) again and again: every short value is found in the
// shared-value cache, the best case.
func BenchmarkObject30(b *testing.B) {
	L := newState(b)
	raw := mailbox(b)
	d := New()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Object(L, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkObject30Varied decodes 256 variants of the mailbox that differ,
// as real mailboxes do, in names, addresses and GUIDs.
func BenchmarkObject30Varied(b *testing.B) {
	L := newState(b)
	raw := mailbox(b)
	var objs [][]byte
	for i := range 256 {
		o := bytes.ReplaceAll(raw, []byte("CBergin"), fmt.Appendf(nil, "User%04d", i))
		o = bytes.ReplaceAll(o, []byte("Christie"), fmt.Appendf(nil, "Chris%03d", i))
		for _, g := range []string{"2be9c4d1", "c7d3a0f2", "5f2e8b1c", "5c1e9b0a"} {
			o = bytes.ReplaceAll(o, []byte(g), fmt.Appendf(nil, "%08x", uint32(i)*2654435761))
		}
		objs = append(objs, o)
	}
	d := New()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := d.Object(L, objs[i%len(objs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReference is the same through encoding/json, a map and
// runtime.ToLua, for contrast.
func BenchmarkReference(b *testing.B) {
	L := newState(b)
	raw := mailbox(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reference(L, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTablesOnly builds the tables of the decoded mailbox from ready
// keys and values, with nothing but CreateTable, RawSetString and
// MarkArray: the floor for any decoder using gopher-lua's public API.
func BenchmarkTablesOnly(b *testing.B) {
	L := newState(b)
	t, err := New().Object(L, mailbox(b))
	if err != nil {
		b.Fatal(err)
	}
	shape := shapeOf(t)
	b.ReportAllocs()
	for b.Loop() {
		shape.build(L)
	}
}

// shape is a decoded table taken apart: its keys (nil for an array), its
// scalar values and its sub-tables.
type shape struct {
	keys []string
	vals []lua.LValue
	subs []*shape // parallel to vals, for tables
}

func shapeOf(t *lua.LTable) *shape {
	s := &shape{}
	add := func(v lua.LValue) {
		var sub *shape
		if tv, ok := v.(*lua.LTable); ok {
			sub = shapeOf(tv)
		}
		s.vals, s.subs = append(s.vals, v), append(s.subs, sub)
	}
	if runtime.IsArray(t) {
		for i := 1; i <= t.Len(); i++ {
			add(t.RawGetInt(i))
		}
		return s
	}
	t.ForEach(func(k, v lua.LValue) {
		s.keys = append(s.keys, string(k.(lua.LString)))
		add(v)
	})
	return s
}

func (s *shape) build(L *lua.LState) *lua.LTable {
	value := func(i int) lua.LValue {
		if s.subs[i] != nil {
			return s.subs[i].build(L)
		}
		return s.vals[i]
	}
	if s.keys == nil {
		t := L.CreateTable(len(s.vals), 0)
		for i := range s.vals {
			t.Append(value(i))
		}
		return runtime.MarkArray(L, t)
	}
	t := L.CreateTable(0, len(s.keys))
	for i, k := range s.keys {
		t.RawSetString(k, value(i))
	}
	return t
}

// BenchmarkMailboxFull decodes the full Get-Mailbox objects the emulator
// sends (testdata/mailboxes-emulator.jsonl: 147 keys, about 6 KB each),
// as a stream hands them to a script: the decoder's cost per object.
//
//	go test -run '^$' -bench MailboxFull ./bindings/decode/
func BenchmarkMailboxFull(b *testing.B) {
	L := newState(b)
	data, err := os.ReadFile("testdata/mailboxes-emulator.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	objs := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	// shaped: rows of a result, as streamed. keybykey: the decoder forgets
	// its shapes before each object, the cost of a first row.
	for _, shaped := range []bool{true, false} {
		name := "shaped"
		if !shaped {
			name = "keybykey"
		}
		b.Run(name, func(b *testing.B) {
			d := New()
			b.SetBytes(int64(len(data) / len(objs)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if !shaped {
					clear(d.rows)
				}
				if _, err := d.Object(L, objs[i%len(objs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

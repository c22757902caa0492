package lua

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// order lists the keys of tb as next gives them, "k=v" each.
func order(tb *LTable) string {
	var b strings.Builder
	for k, v := tb.Next(LNil); k != LNil; k, v = tb.Next(k) {
		b.WriteString(k.String() + "=" + v.String() + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestTableShape(t *testing.T) {
	s := NewTableShape([]string{"a", "b", "a", "c"})
	errorIfNotEqual(t, 3, s.Len())
	errorIfNotEqual(t, 0, s.Index("a"))
	errorIfNotEqual(t, 2, s.Index("c"))
	errorIfNotEqual(t, -1, s.Index("d"))
}

// TestTableSize: shapes cost plain tables one pointer, which keeps LTable
// in the 96-byte size class of v1.1.2 (88 bytes there); every decoded
// array is a table.
func TestTableSize(t *testing.T) {
	if n := unsafe.Sizeof(LTable{}); n > 96 {
		t.Errorf("LTable is %d bytes, more than the 96-byte size class", n)
	}
}

func TestShapedTable(t *testing.T) {
	s := NewTableShape([]string{"a", "b", "c", "d"})
	tb := NewShapedTable(s, []LValue{LString("A"), nil, LNumber(3), LNil})
	errorIfNotEqual(t, LNil, tb.Metatable)
	errorIfNotEqual(t, "a=A c=3", order(tb))
	errorIfNotEqual(t, LString("A"), tb.RawGetString("a"))
	errorIfNotEqual(t, LString("A"), tb.RawGet(LString("a")))
	errorIfNotEqual(t, LString("A"), tb.RawGetH(LString("a")))
	errorIfNotEqual(t, LNil, tb.RawGetString("b"))
	errorIfNotEqual(t, LNil, tb.RawGetString("d"))
	errorIfNotEqual(t, LNil, tb.RawGetString("x"))

	// Keys of the shape are set in place, others are added after them.
	tb.RawSetString("x", LString("X"))
	tb.RawSetString("b", LTrue)
	tb.RawSet(LString("d"), LNumber(4))
	tb.RawSetInt(1, LString("one"))
	tb.RawSetH(LTrue, LString("T"))
	errorIfNotEqual(t, "1=one a=A b=true c=3 d=4 x=X true=T", order(tb))

	// Removing a key of the shape and setting it again keeps its place.
	tb.RawSetString("a", LNil)
	errorIfNotEqual(t, "1=one b=true c=3 d=4 x=X true=T", order(tb))
	tb.RawSetString("a", LString("again"))
	errorIfNotEqual(t, "1=one a=again b=true c=3 d=4 x=X true=T", order(tb))

	got := map[string]string{}
	tb.ForEach(func(k, v LValue) { got[k.String()] = v.String() })
	want := map[string]string{"1": "one", "a": "again", "b": "true", "c": "3", "d": "4", "x": "X", "true": "T"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ForEach visited %v, want %v", got, want)
	}

	// The shape is shared, the values are not.
	other := NewShapedTable(s, make([]LValue, s.Len()))
	errorIfNotEqual(t, "", order(other))
	other.RawSetString("c", LString("C"))
	errorIfNotEqual(t, LNumber(3), tb.RawGetString("c"))
	errorIfNotEqual(t, "c=C", order(other))
}

func TestShapedTableValuesMustMatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for values that do not match the shape")
		}
	}()
	NewShapedTable(NewTableShape([]string{"a"}), nil)
}

// TestShapedTableFromLua: pairs, next, assignment and removal during a
// traversal behave as for any table.
func TestShapedTableFromLua(t *testing.T) {
	L := NewState()
	defer L.Close()
	s := NewTableShape([]string{"Name", "Size", "Empty"})
	L.SetGlobal("row", NewShapedTable(s, []LValue{LString("a"), LNumber(7), nil}))
	errorIfScriptFail(t, L, `
		assert(type(row) == "table")
		assert(row.Name == "a" and row.Size == 7 and row.Empty == nil)
		local keys = {}
		for k, v in pairs(row) do keys[#keys + 1] = k end
		assert(table.concat(keys, ",") == "Name,Size", table.concat(keys, ","))
		row.Extra = true
		row.Empty = "now"
		keys = {}
		for k, v in pairs(row) do
			keys[#keys + 1] = k
			row[k] = nil -- removal during a traversal is allowed
		end
		assert(table.concat(keys, ",") == "Name,Size,Empty,Extra", table.concat(keys, ","))
		assert(next(row) == nil)
		row.Size = 1
		assert(next(row) == "Size")
	`)
}

// TestKeyIndexBuiltOnNeed: the key index of a plain table is built on the
// first removal or next from a key; the order stays the order of first
// insertion, with no key listed twice.
func TestKeyIndexBuiltOnNeed(t *testing.T) {
	tb := newLTable(0, 4)
	for _, k := range []string{"a", "b", "c"} {
		tb.RawSetString(k, LString(strings.ToUpper(k)))
	}
	tb.RawSetH(LNumber(1.5), LString("x"))
	tb.RawSetString("b", LString("B2")) // set again: no new entry
	errorIfNotEqual(t, 4, len(tb.keys))
	errorIfFalse(t, tb.k2i.Load() == nil, "index built before it was needed")
	errorIfNotEqual(t, "a=A b=B2 c=C 1.5=x", order(tb))
	errorIfFalse(t, tb.k2i.Load() != nil, "next from a key did not build the index")

	plain := newLTable(0, 4)
	plain.RawSetString("a", LTrue)
	plain.RawSetString("b", LTrue)
	plain.RawSetString("a", LNil)
	errorIfFalse(t, plain.k2i.Load() != nil, "removal did not build the index")
	plain.RawSetString("a", LFalse)
	plain.RawSetH(LNumber(2.5), LTrue)
	plain.RawSetH(LNumber(2.5), LNil)
	plain.RawSetH(LNumber(2.5), LFalse)
	errorIfNotEqual(t, "a=false b=true 2.5=false", order(plain))
	errorIfNotEqual(t, 3, len(plain.keys))
}

// TestConcurrentNext: walking a table only reads it, so goroutines may
// walk one table at once, as they may in gopher-lua v1.1.2, though the
// first walk builds the key index (run with -race).
func TestConcurrentNext(t *testing.T) {
	for _, shaped := range []bool{false, true} {
		var tb *LTable
		if shaped {
			s := NewTableShape([]string{"a", "b"})
			tb = NewShapedTable(s, []LValue{LTrue, LTrue})
		} else {
			tb = newLTable(0, 0)
		}
		for i := range 2000 {
			tb.RawSetString(fmt.Sprint("k", i), LNumber(i))
		}
		var wg sync.WaitGroup
		counts := make([]int, 4)
		for g := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k, _ := tb.Next(LNil); k != LNil; k, _ = tb.Next(k) {
					counts[g]++
				}
			}()
		}
		wg.Wait()
		n := 2000
		if shaped {
			n += 2
		}
		for g, c := range counts {
			if c != n {
				t.Errorf("shaped %v: goroutine %d visited %d entries, want %d", shaped, g, c, n)
			}
		}
	}
}

// BenchmarkNextOnEmptiedTable: next on a table whose 100,000 keys were
// all removed answers at once, as in v1.1.2, without walking the removed
// keys still listed for next.
func BenchmarkNextOnEmptiedTable(b *testing.B) {
	tb := newLTable(0, 0)
	for i := range 100000 {
		tb.RawSetString(fmt.Sprint("k", i), LTrue)
	}
	for k, _ := tb.Next(LNil); k != LNil; k, _ = tb.Next(k) {
		tb.RawSet(k, LNil)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if k, _ := tb.Next(LNil); k != LNil {
			b.Fatalf("next gave %v on an emptied table", k)
		}
	}
}

// FuzzTableOps runs one sequence of writes (ops: 3 bytes each, an action,
// a key and a value) on a plain table and on a shaped one, and checks
// both against a Go map after every write: each live entry is read back
// and visited by next exactly once, including when entries are removed
// while next walks the table.
func FuzzTableOps(f *testing.F) {
	f.Add([]byte{0, 1, 1, 0, 2, 2, 1, 1, 0, 0, 1, 3, 2, 9, 1, 3, 0, 0})
	f.Add([]byte{0, 0, 1, 0, 7, 1, 1, 0, 0, 4, 0, 0, 0, 0, 2, 3, 0, 0})
	keys := []LValue{LString("a"), LString("b"), LString("c"), LString("d"), LString("x"), LString("y"),
		LNumber(1), LNumber(2), LNumber(3), LNumber(1.5), LNumber(-1), LTrue}
	shape := NewTableShape([]string{"a", "b", "c", "d"})
	f.Fuzz(func(t *testing.T, ops []byte) {
		tables := []*LTable{newLTable(0, 0), NewShapedTable(shape, make([]LValue, shape.Len()))}
		model := map[LValue]LValue{}
		for i := 0; i+2 < len(ops); i += 3 {
			key := keys[int(ops[i+1])%len(keys)]
			var val LValue = LNil
			if ops[i+2]%4 != 0 {
				val = LNumber(ops[i+2])
			}
			if val == LNil {
				delete(model, key)
			} else {
				model[key] = val
			}
			for _, tb := range tables {
				switch ops[i] % 3 {
				case 0:
					tb.RawSet(key, val)
				case 1:
					if n, ok := key.(LNumber); ok && isArrayKey(n) {
						tb.RawSetInt(int(n), val) // RawSetH would bypass the array part
					} else {
						tb.RawSetH(key, val)
					}
				case 2:
					if s, ok := key.(LString); ok {
						tb.RawSetString(string(s), val)
					} else {
						tb.RawSet(key, val)
					}
				}
				check(t, tb, model)
			}
		}
		// Remove every entry while walking.
		for _, tb := range tables {
			seen := 0
			for k, _ := tb.Next(LNil); k != LNil; k, _ = tb.Next(k) {
				seen++
				tb.RawSet(k, LNil)
			}
			if seen != len(model) {
				t.Fatalf("removing while walking visited %d entries, want %d", seen, len(model))
			}
			check(t, tb, map[LValue]LValue{})
		}
	})
}

// check compares tb with model: reads, next and ForEach.
func check(t *testing.T, tb *LTable, model map[LValue]LValue) {
	t.Helper()
	for k, v := range model {
		if got := tb.RawGet(k); got != v {
			t.Fatalf("RawGet(%v) = %v, want %v", k, got, v)
		}
	}
	seen := map[LValue]bool{}
	for k, v := tb.Next(LNil); k != LNil; k, v = tb.Next(k) {
		if seen[k] || model[k] != v {
			t.Fatalf("next gave %v=%v (seen before: %v), want %v", k, v, seen[k], model[k])
		}
		seen[k] = true
	}
	if len(seen) != len(model) {
		t.Fatalf("next visited %d entries, want %d", len(seen), len(model))
	}
	n := 0
	tb.ForEach(func(k, v LValue) {
		n++
		if model[k] != v {
			t.Fatalf("ForEach gave %v=%v, want %v", k, v, model[k])
		}
	})
	if n != len(model) {
		t.Fatalf("ForEach visited %d entries, want %d", n, len(model))
	}
}

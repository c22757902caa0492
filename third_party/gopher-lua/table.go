package lua

const defaultArrayCap = 32
const defaultHashCap = 32

type lValueArraySorter struct {
	L      *LState
	Fn     *LFunction
	Values []LValue
}

func (lv lValueArraySorter) Len() int {
	return len(lv.Values)
}

func (lv lValueArraySorter) Swap(i, j int) {
	lv.Values[i], lv.Values[j] = lv.Values[j], lv.Values[i]
}

func (lv lValueArraySorter) Less(i, j int) bool {
	if lv.Fn != nil {
		lv.L.Push(lv.Fn)
		lv.L.Push(lv.Values[i])
		lv.L.Push(lv.Values[j])
		lv.L.Call(2, 1)
		return LVAsBool(lv.L.reg.Pop())
	}
	return lessThan(lv.L, lv.Values[i], lv.Values[j])
}

func newLTable(acap int, hcap int) *LTable {
	if acap < 0 {
		acap = 0
	}
	if hcap < 0 {
		hcap = 0
	}
	tb := &LTable{}
	tb.Metatable = LNil
	if acap != 0 {
		tb.array = make([]LValue, 0, acap)
	}
	if hcap != 0 {
		tb.strdict = make(map[string]LValue, hcap)
		tb.keys = make([]LValue, 0, hcap)
	}
	return tb
}

// TableShape is an ordered set of string keys shared by the tables built
// with it (NewShapedTable). Such a table keeps the values of these keys in
// one slice, by position, instead of one map entry and one index entry per
// key and table: many tables with the same keys (the rows of a result)
// cost a slice each. A shape is immutable and safe to share between
// tables and goroutines.
type TableShape struct {
	keys  []LValue // LString, in order
	index map[string]int
}

// NewTableShape returns the shape of keys, in that order. A key that
// repeats keeps its first position.
func NewTableShape(keys []string) *TableShape {
	s := &TableShape{keys: make([]LValue, 0, len(keys)), index: make(map[string]int, len(keys))}
	for _, k := range keys {
		if _, ok := s.index[k]; !ok {
			s.index[k] = len(s.keys)
			s.keys = append(s.keys, LString(k))
		}
	}
	return s
}

// Len returns the number of keys of the shape.
func (s *TableShape) Len() int { return len(s.keys) }

// Index returns the position of key in the shape, or -1.
func (s *TableShape) Index(key string) int {
	if i, ok := s.index[key]; ok {
		return i
	}
	return -1
}

// NewShapedTable returns a table with the keys of shape and, for the i-th
// key, the value values[i] (nil or LNil: absent). The table owns values;
// len(values) must be shape.Len(). The table behaves as any other: keys
// may be set, removed and added, and next visits the shape's keys in
// order, then the keys added later in the order they were added.
func NewShapedTable(shape *TableShape, values []LValue) *LTable {
	if len(values) != len(shape.keys) {
		panic("lua: NewShapedTable: values do not match the shape")
	}
	return &LTable{Metatable: LNil, shaped: &shapedPart{shape: shape, vals: values}}
}

// shapedPart is the values of a shaped table: vals[i] is the value of
// shape's i-th key, nil when absent.
type shapedPart struct {
	shape *TableShape
	vals  []LValue
}

// shapeGet returns the value of key in the shape part, and whether the
// shape has key.
func (tb *LTable) shapeGet(key string) (LValue, bool) {
	i, ok := tb.shaped.shape.index[key]
	if !ok {
		return LNil, false
	}
	if v := tb.shaped.vals[i]; v != nil {
		return v, true
	}
	return LNil, true
}

// index returns k2i, built if need be (see LTable). Readers that race to
// build it build equal maps; one is kept.
func (tb *LTable) index() map[LValue]int {
	if p := tb.k2i.Load(); p != nil {
		return *p
	}
	m := make(map[LValue]int, len(tb.keys))
	for i, k := range tb.keys {
		m[k] = i
	}
	if !tb.k2i.CompareAndSwap(nil, &m) {
		return *tb.k2i.Load()
	}
	return m
}

// listed appends key to keys unless it is there: known says whether the
// key had an entry in strdict or dict before it was set.
func (tb *LTable) listed(key LValue, known bool) {
	p := tb.k2i.Load()
	if p == nil {
		if !known {
			tb.keys = append(tb.keys, key)
		}
		return
	}
	if _, ok := (*p)[key]; !ok {
		(*p)[key] = len(tb.keys)
		tb.keys = append(tb.keys, key)
	}
}

// Len returns length of this LTable without using __len.
func (tb *LTable) Len() int {
	if tb.array == nil {
		return 0
	}
	var prev LValue = LNil
	for i := len(tb.array) - 1; i >= 0; i-- {
		v := tb.array[i]
		if prev == LNil && v != LNil {
			return i + 1
		}
		prev = v
	}
	return 0
}

// Append appends a given LValue to this LTable.
func (tb *LTable) Append(value LValue) {
	if value == LNil {
		return
	}
	if tb.array == nil {
		tb.array = make([]LValue, 0, defaultArrayCap)
	}
	if len(tb.array) == 0 || tb.array[len(tb.array)-1] != LNil {
		tb.array = append(tb.array, value)
	} else {
		i := len(tb.array) - 2
		for ; i >= 0; i-- {
			if tb.array[i] != LNil {
				break
			}
		}
		tb.array[i+1] = value
	}
}

// Insert inserts a given LValue at position `i` in this table.
func (tb *LTable) Insert(i int, value LValue) {
	if tb.array == nil {
		tb.array = make([]LValue, 0, defaultArrayCap)
	}
	if i > len(tb.array) {
		tb.RawSetInt(i, value)
		return
	}
	if i <= 0 {
		tb.RawSet(LNumber(i), value)
		return
	}
	i -= 1
	tb.array = append(tb.array, LNil)
	copy(tb.array[i+1:], tb.array[i:])
	tb.array[i] = value
}

// MaxN returns a maximum number key that nil value does not exist before it.
func (tb *LTable) MaxN() int {
	if tb.array == nil {
		return 0
	}
	for i := len(tb.array) - 1; i >= 0; i-- {
		if tb.array[i] != LNil {
			return i + 1
		}
	}
	return 0
}

// Remove removes from this table the element at a given position.
func (tb *LTable) Remove(pos int) LValue {
	if tb.array == nil {
		return LNil
	}
	larray := len(tb.array)
	if larray == 0 {
		return LNil
	}
	i := pos - 1
	oldval := LNil
	switch {
	case i >= larray:
		// nothing to do
	case i == larray-1 || i < 0:
		oldval = tb.array[larray-1]
		tb.array = tb.array[:larray-1]
	default:
		oldval = tb.array[i]
		copy(tb.array[i:], tb.array[i+1:])
		tb.array[larray-1] = nil
		tb.array = tb.array[:larray-1]
	}
	return oldval
}

// RawSet sets a given LValue to a given index without the __newindex metamethod.
// It is recommended to use `RawSetString` or `RawSetInt` for performance
// if you already know the given LValue is a string or number.
func (tb *LTable) RawSet(key LValue, value LValue) {
	switch v := key.(type) {
	case LNumber:
		if isArrayKey(v) {
			if tb.array == nil {
				tb.array = make([]LValue, 0, defaultArrayCap)
			}
			index := int(v) - 1
			alen := len(tb.array)
			switch {
			case index == alen:
				tb.array = append(tb.array, value)
			case index > alen:
				for i := 0; i < (index - alen); i++ {
					tb.array = append(tb.array, LNil)
				}
				tb.array = append(tb.array, value)
			case index < alen:
				tb.array[index] = value
			}
			return
		}
	case LString:
		tb.RawSetString(string(v), value)
		return
	}

	tb.RawSetH(key, value)
}

// RawSetInt sets a given LValue at a position `key` without the __newindex metamethod.
func (tb *LTable) RawSetInt(key int, value LValue) {
	if key < 1 || key >= MaxArrayIndex {
		tb.RawSetH(LNumber(key), value)
		return
	}
	if tb.array == nil {
		tb.array = make([]LValue, 0, 32)
	}
	index := key - 1
	alen := len(tb.array)
	switch {
	case index == alen:
		tb.array = append(tb.array, value)
	case index > alen:
		for i := 0; i < (index - alen); i++ {
			tb.array = append(tb.array, LNil)
		}
		tb.array = append(tb.array, value)
	case index < alen:
		tb.array[index] = value
	}
}

// RawSetString sets a given LValue to a given string index without the __newindex metamethod.
func (tb *LTable) RawSetString(key string, value LValue) {
	if tb.shaped != nil {
		if i, ok := tb.shaped.shape.index[key]; ok {
			if value == LNil {
				value = nil
			}
			tb.shaped.vals[i] = value
			return
		}
	}
	if value == LNil {
		if _, ok := tb.strdict[key]; ok {
			// A removed key stays in keys (so that next from it goes
			// on): from now on k2i says what keys holds.
			tb.index()
			delete(tb.strdict, key)
		}
		return
	}
	if tb.strdict == nil {
		tb.strdict = make(map[string]LValue, defaultHashCap)
	}
	n := len(tb.strdict)
	tb.strdict[key] = value
	tb.listed(LString(key), len(tb.strdict) == n)
}

// RawSetH sets a given LValue to a given index without the __newindex metamethod.
func (tb *LTable) RawSetH(key LValue, value LValue) {
	if s, ok := key.(LString); ok {
		tb.RawSetString(string(s), value)
		return
	}
	if value == LNil {
		if _, ok := tb.dict[key]; ok {
			tb.index() // see RawSetString
			delete(tb.dict, key)
		}
		return
	}
	if tb.dict == nil {
		tb.dict = make(map[LValue]LValue, len(tb.strdict))
	}
	n := len(tb.dict)
	tb.dict[key] = value
	tb.listed(key, len(tb.dict) == n)
}

// RawGet returns an LValue associated with a given key without __index metamethod.
func (tb *LTable) RawGet(key LValue) LValue {
	switch v := key.(type) {
	case LNumber:
		if isArrayKey(v) {
			if tb.array == nil {
				return LNil
			}
			index := int(v) - 1
			if index >= len(tb.array) {
				return LNil
			}
			return tb.array[index]
		}
	case LString:
		return tb.RawGetString(string(v))
	}
	if tb.dict == nil {
		return LNil
	}
	if v, ok := tb.dict[key]; ok {
		return v
	}
	return LNil
}

// RawGetInt returns an LValue at position `key` without __index metamethod.
func (tb *LTable) RawGetInt(key int) LValue {
	if tb.array == nil {
		return LNil
	}
	index := int(key) - 1
	if index >= len(tb.array) || index < 0 {
		return LNil
	}
	return tb.array[index]
}

// RawGet returns an LValue associated with a given key without __index metamethod.
func (tb *LTable) RawGetH(key LValue) LValue {
	if s, sok := key.(LString); sok {
		return tb.RawGetString(string(s))
	}
	if tb.dict == nil {
		return LNil
	}
	if v, ok := tb.dict[key]; ok {
		return v
	}
	return LNil
}

// RawGetString returns an LValue associated with a given key without __index metamethod.
func (tb *LTable) RawGetString(key string) LValue {
	if tb.shaped != nil {
		if v, ok := tb.shapeGet(key); ok {
			return v
		}
	}
	if tb.strdict == nil {
		return LNil
	}
	if v, vok := tb.strdict[string(key)]; vok {
		return v
	}
	return LNil
}

// ForEach iterates over this table of elements, yielding each in turn to a given function.
func (tb *LTable) ForEach(cb func(LValue, LValue)) {
	if tb.array != nil {
		for i, v := range tb.array {
			if v != LNil {
				cb(LNumber(i+1), v)
			}
		}
	}
	if tb.shaped != nil {
		for i, v := range tb.shaped.vals {
			if v != nil && v != LNil {
				cb(tb.shaped.shape.keys[i], v)
			}
		}
	}
	if tb.strdict != nil {
		for k, v := range tb.strdict {
			if v != LNil {
				cb(LString(k), v)
			}
		}
	}
	if tb.dict != nil {
		for k, v := range tb.dict {
			if v != LNil {
				cb(k, v)
			}
		}
	}
}

// This function is equivalent to lua_next ( http://www.lua.org/manual/5.1/manual.html#lua_next ).
// The order is: the array part, the keys of the table's shape (if it has
// one), then the other keys in the order they were first set.
func (tb *LTable) Next(key LValue) (LValue, LValue) {
	init := false
	if key == LNil {
		key = LNumber(0)
		init = true
	}

	if init || key != LNumber(0) {
		if kv, ok := key.(LNumber); ok && isInteger(kv) && int(kv) >= 0 && kv < LNumber(MaxArrayIndex) {
			index := int(kv)
			if tb.array != nil {
				for ; index < len(tb.array); index++ {
					if v := tb.array[index]; v != LNil {
						return LNumber(index + 1), v
					}
				}
			}
			if tb.array == nil || index == len(tb.array) {
				if tb.shaped == nil && len(tb.dict) == 0 && len(tb.strdict) == 0 {
					return LNil, LNil // keys may list removed keys only
				}
				return tb.nextHash(0)
			}
		}
	}

	nshape := 0
	if tb.shaped != nil {
		if s, ok := key.(LString); ok {
			if i, ok := tb.shaped.shape.index[string(s)]; ok {
				return tb.nextHash(i + 1)
			}
		}
		nshape = len(tb.shaped.shape.keys)
	}
	return tb.nextHash(nshape + tb.index()[key] + 1)
}

// nextHash returns the first entry at or after position p of the hash
// part, whose positions are the shape's keys, then keys.
func (tb *LTable) nextHash(p int) (LValue, LValue) {
	if tb.shaped != nil {
		for ; p < len(tb.shaped.vals); p++ {
			if v := tb.shaped.vals[p]; v != nil && v != LNil {
				return tb.shaped.shape.keys[p], v
			}
		}
		p -= len(tb.shaped.vals)
	}
	for ; p < len(tb.keys); p++ {
		key := tb.keys[p]
		if v := tb.RawGetH(key); v != LNil {
			return key, v
		}
	}
	return LNil, LNil
}

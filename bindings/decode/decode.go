package decode

import (
	"fmt"
	"hash/maphash"
	"slices"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

const (
	// maxDepth bounds nesting, as encoding/json does.
	maxDepth = 10000
	// maxCached bounds each name cache, so objects with ever new keys
	// (hashtables built from user data) cannot grow it without end.
	maxCached = 4096
	// maxShared is the longest string value worth sharing.
	maxShared = 48
)

// SyntaxError is input that is not one well-formed JSON object.
type SyntaxError struct {
	Msg    string
	Offset int // byte offset in the input where decoding stopped
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("decode: %s at offset %d", e.Msg, e.Offset)
}

// Decoder builds Lua tables from JSON objects. It keeps scratch buffers and
// interned property names between calls, so reuse one per Lua state; it is
// not safe for concurrent use.
type Decoder struct {
	ls   *lua.LState // the state of the current call
	data []byte      // the input of the current call
	pos  int         // next byte to read

	names map[string]lua.LString // interned property names
	bytes map[string]lua.LString // "<Name>" -> "<Name>Bytes"
	order []keyInfo              // the keys of the last top-level object, see lookup
	buf   []byte                 // unescaped strings, formatted dates

	shared [256]lua.LValue // recent short string values, see text
	seed   maphash.Seed

	// Stacks shared by the containers being decoded: a container pushes
	// its contents above its parent's and pops them when it is built.
	items []lua.LValue // array elements
	pairs []pair       // object fields
	notes []note       // date annotations

	quants []quant // byte quantities of the top-level object

	rows map[rowKey]*rowShape // the names of top-level objects, see shaped
}

// maxRows bounds the kinds of rows a Decoder keeps shapes for: one per
// cmdlet output type a script reads at once is plenty.
const maxRows = 64

// rowKey picks the rowShape an object's names may match: their number,
// first and last. The names are compared one by one after.
type rowKey struct {
	n           int
	first, last lua.LString
}

// rowShape is the field names of a top-level object, in order, and once
// another object had them, their shape.
type rowShape struct {
	names  []lua.LString
	shape  *lua.TableShape // nil until the names repeat
	quantd []lua.LString   // the names whose <Name>Bytes shape holds, after names
	plain  bool            // a name repeats: built key by key
}

type pair struct {
	key lua.LString
	val lua.LValue // lua.LNil for JSON null
}

// quant is a byte quantity found among the fields of the top-level object.
type quant struct {
	field int // index of the quantity among the fields
	n     lua.LNumber
}

// note records a date annotation ("WhenCreated@data.type": "System.DateTime")
// for the field key; at is how many fields of its object came before it.
type note struct {
	key lua.LString
	at  int
}

// New returns a Decoder. The zero Decoder is ready to use as well.
func New() *Decoder { return new(Decoder) }

// Object decodes raw, one JSON object, into a new table of L following the
// package rules. The table does not refer to raw. Malformed input gives a
// *SyntaxError.
func (d *Decoder) Object(L *lua.LState, raw []byte) (*lua.LTable, error) {
	if d.names == nil { // first use
		d.names = make(map[string]lua.LString, 128)
		d.bytes = make(map[string]lua.LString, 16)
		d.rows = make(map[rowKey]*rowShape)
		d.seed = maphash.MakeSeed()
	}
	d.ls, d.data, d.pos = L, raw, 0
	defer d.release()
	d.space()
	if !d.at('{') {
		return nil, d.fail("expected a JSON object")
	}
	t, err := d.object(1, true)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.pos < len(d.data) {
		return nil, d.fail("unexpected data after the object")
	}
	return t, nil
}

// release drops what the call referred to; after an error the stacks may
// still hold values.
func (d *Decoder) release() {
	d.ls, d.data = nil, nil
	clear(d.items)
	clear(d.pairs)
	d.items, d.pairs, d.notes = d.items[:0], d.pairs[:0], d.notes[:0]
}

// value decodes the value at d.pos, depth levels down. lenient says the
// value is annotated as a date.
func (d *Decoder) value(depth int, lenient bool) (lua.LValue, error) {
	if d.pos >= len(d.data) {
		return nil, d.fail("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '"':
		b, err := d.str()
		if err != nil {
			return nil, err
		}
		return d.text(b, lenient), nil
	case c == '{':
		t, err := d.object(depth, false)
		if err != nil {
			return nil, err
		}
		return t, nil
	case c == '[':
		return d.array(depth, lenient)
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case d.word("true"):
		return lua.LTrue, nil
	case d.word("false"):
		return lua.LFalse, nil
	case d.word("null"):
		return lua.LNil, nil
	default:
		return nil, d.fail(fmt.Sprintf("invalid character %q", c))
	}
}

// object decodes the object at d.pos. Fields are gathered on d.pairs first,
// so the table is created at its final size and annotations that follow
// their value still apply; top enables the byte-quantity rule.
func (d *Decoder) object(depth int, top bool) (*lua.LTable, error) {
	if depth > maxDepth {
		return nil, d.fail("nesting too deep")
	}
	d.pos++ // {
	base, nbase := len(d.pairs), len(d.notes)
	d.space()
	if d.at('}') {
		d.pos++
		return d.ls.CreateTable(0, 0), nil
	}
	for i := 0; ; i++ {
		d.space()
		if !d.at('"') {
			return nil, d.fail("expected a property name")
		}
		kb, err := d.str()
		if err != nil {
			return nil, err
		}
		k := d.lookup(kb, top, i)
		d.space()
		if !d.at(':') {
			return nil, d.fail("expected ':'")
		}
		d.pos++
		d.space()
		if k.annotation {
			if err := d.annotation(depth, k.name, len(d.pairs)-base); err != nil {
				return nil, err
			}
		} else {
			v, err := d.value(depth+1, d.dated(k.name, nbase))
			if err != nil {
				return nil, err
			}
			d.pairs = append(d.pairs, pair{key: k.name, val: v})
		}
		d.space()
		if d.at(',') {
			d.pos++
			continue
		}
		if d.at('}') {
			d.pos++
			return d.build(base, nbase, top), nil
		}
		return nil, d.fail("expected ',' or '}'")
	}
}

// keyInfo is what an object key stands for.
type keyInfo struct {
	raw        string      // the key, unescaped
	annotation bool        // an annotation key, dropped
	name       lua.LString // the property, or the one a type annotation types
}

// lookup says what the key kb at position i of its object is. Results of
// one cmdlet list their properties in the same order, so for the top-level
// object the answer at each position is remembered and checked first: one
// comparison instead of a map lookup and an annotation scan.
func (d *Decoder) lookup(kb []byte, top bool, i int) keyInfo {
	if top && i < len(d.order) && d.order[i].raw == string(kb) {
		return d.order[i]
	}
	var k keyInfo
	switch annotation, typed := splitAnnotation(kb); {
	case typed != nil:
		k = keyInfo{annotation: true, name: d.intern(typed)}
	case annotation:
		k.annotation = true
	default:
		k.name = d.intern(kb)
	}
	if top && i <= len(d.order) && i < maxCached {
		k.raw = string(d.intern(kb))
		if i == len(d.order) {
			d.order = append(d.order, k)
		} else {
			d.order[i] = k
		}
	}
	return k
}

// annotation reads the value of an annotation key. A type annotation of
// field key (key != "") that names a date type is noted; at is the number
// of fields before it. Other values are checked and dropped.
func (d *Decoder) annotation(depth int, key lua.LString, at int) error {
	if !d.at('"') {
		_, err := d.value(depth+1, false)
		return err
	}
	b, err := d.str() // read in place: no Lua string for a dropped value
	if err != nil {
		return err
	}
	if key != "" && isDateType(b) {
		d.notes = append(d.notes, note{key: key, at: at})
	}
	return nil
}

// dated reports whether a date annotation of the current object (the notes
// from nbase on) has named key.
func (d *Decoder) dated(key lua.LString, nbase int) bool {
	for _, n := range d.notes[nbase:] {
		if n.key == key {
			return true
		}
	}
	return false
}

// build makes the table of the object whose fields start at d.pairs[base]
// and pops them.
func (d *Decoder) build(base, nbase int, top bool) *lua.LTable {
	fields := d.pairs[base:]
	// An annotation that came after its value: convert the value now.
	for _, n := range d.notes[nbase:] {
		for i := range fields[:n.at] {
			if fields[i].key == n.key {
				fields[i].val = d.redate(fields[i].val)
			}
		}
	}
	d.notes = d.notes[:nbase]
	d.quants = d.quants[:0]
	if top {
		for i, p := range fields {
			if s, ok := p.val.(lua.LString); ok {
				if n, ok := quantity(string(s)); ok {
					d.quants = append(d.quants, quant{field: i, n: lua.LNumber(n)})
				}
			}
		}
	}

	if top {
		if t := d.shaped(fields); t != nil {
			clear(fields)
			d.pairs = d.pairs[:base]
			return t
		}
	}
	t := d.ls.CreateTable(0, len(fields)+len(d.quants))
	for _, p := range fields {
		if p.val != lua.LNil {
			t.RawSetString(string(p.key), p.val)
		} else if t.RawGetString(string(p.key)) != lua.LNil {
			t.RawSetString(string(p.key), lua.LNil) // a null after a duplicate
		}
	}
	for _, q := range d.quants {
		p := fields[q.field]
		k := string(d.bytesKey(p.key))
		// Only for the value that stayed (a name may repeat), and never
		// over a <Name>Bytes the object sent itself.
		if t.RawGetString(string(p.key)) == p.val && t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, q.n)
		}
	}
	clear(fields)
	d.pairs = d.pairs[:base]
	return t
}

// shaped builds the table of a top-level object with fields, and d.quants
// found, as a shaped table (lua.NewShapedTable) when an earlier object had
// the same field names in the same order: the rows of one result do, so
// they share one set of keys and cost one slice of values each instead of
// a map. Rows of a few kinds may interleave (a mailbox, its statistics,
// the next mailbox). It returns nil for other objects, which are built
// key by key.
func (d *Decoder) shaped(fields []pair) *lua.LTable {
	if len(fields) == 0 {
		return nil
	}
	k := rowKey{n: len(fields), first: fields[0].key, last: fields[len(fields)-1].key}
	r := d.rows[k]
	if r == nil || !sameNames(fields, r.names) {
		if r == nil {
			if len(d.rows) >= maxRows {
				clear(d.rows)
			}
			r = new(rowShape)
			d.rows[k] = r
		}
		r.names = r.names[:0]
		for _, p := range fields {
			r.names = append(r.names, p.key)
		}
		r.shape, r.quantd, r.plain = nil, r.quantd[:0], false
		return nil
	}
	if r.plain {
		return nil
	}
	grow := r.shape == nil
	for _, q := range d.quants {
		if !slices.Contains(r.quantd, fields[q.field].key) {
			r.quantd = append(r.quantd, fields[q.field].key)
			grow = true
		}
	}
	if grow {
		// <Name>Bytes keys in the order of their names, as a row built
		// key by key adds them, whichever row showed each first.
		slices.SortFunc(r.quantd, func(a, b lua.LString) int {
			return slices.Index(r.names, a) - slices.Index(r.names, b)
		})
		keys := make([]string, 0, len(fields)+len(r.quantd))
		for _, p := range fields {
			keys = append(keys, string(p.key))
		}
		for _, name := range r.quantd {
			keys = append(keys, string(d.bytesKey(name)))
		}
		r.shape = lua.NewTableShape(keys)
		for i, p := range fields {
			if r.shape.Index(string(p.key)) != i { // a name repeats
				r.shape, r.plain = nil, true
				return nil
			}
		}
	}
	vals := make([]lua.LValue, r.shape.Len())
	for i, p := range fields {
		if p.val != lua.LNil {
			vals[i] = p.val
		}
	}
	for _, q := range d.quants {
		i := r.shape.Index(string(d.bytesKey(fields[q.field].key)))
		if i < len(fields) {
			// The object sends <Name>Bytes itself: a row built key by
			// key lists it where it is set, not where it was sent as null.
			return nil
		}
		vals[i] = q.n
	}
	return lua.NewShapedTable(r.shape, vals)
}

// sameNames reports whether fields have names, in that order.
func sameNames(fields []pair, names []lua.LString) bool {
	if len(fields) != len(names) {
		return false
	}
	for i, p := range fields {
		if p.key != names[i] {
			return false
		}
	}
	return true
}

// array decodes the array at d.pos into a marked table.
func (d *Decoder) array(depth int, lenient bool) (lua.LValue, error) {
	if depth > maxDepth {
		return nil, d.fail("nesting too deep")
	}
	d.pos++ // [
	base := len(d.items)
	d.space()
	if d.at(']') {
		d.pos++
	} else {
		for {
			d.space()
			v, err := d.value(depth+1, lenient)
			if err != nil {
				return nil, err
			}
			if v != lua.LNil {
				d.items = append(d.items, v)
			}
			d.space()
			if d.at(',') {
				d.pos++
				continue
			}
			if d.at(']') {
				d.pos++
				break
			}
			return nil, d.fail("expected ',' or ']'")
		}
	}
	items := d.items[base:]
	t := d.ls.CreateTable(len(items), 0)
	for _, v := range items {
		t.Append(v)
	}
	clear(items)
	d.items = d.items[:base]
	return runtime.MarkArray(d.ls, t), nil
}

// intern returns b as a Lua string, shared with earlier uses of the same
// name. The lookup with string(b) does not allocate.
func (d *Decoder) intern(b []byte) lua.LString {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := lua.LString(b)
	if len(d.names) < maxCached {
		d.names[string(s)] = s
	}
	return s
}

// bytesKey returns name+"Bytes", cached.
func (d *Decoder) bytesKey(name lua.LString) lua.LString {
	if s, ok := d.bytes[string(name)]; ok {
		return s
	}
	s := name + "Bytes"
	if len(d.bytes) < maxCached {
		d.bytes[string(name)] = s
	}
	return s
}

// fail makes the error for the input at d.pos. At the end of the input,
// whatever was expected, the input is cut short.
func (d *Decoder) fail(msg string) error {
	if d.pos >= len(d.data) {
		msg = "unexpected end of input"
	}
	return &SyntaxError{Msg: msg, Offset: d.pos}
}

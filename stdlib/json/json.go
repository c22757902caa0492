package json

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"

	"github.com/exorun/exorun/runtime"
	lua "github.com/yuin/gopher-lua"
)

// indentUnit is what one level of json.encode's indent = true adds.
const indentUnit = "  "

// encode is json.encode(value [, {indent = true}]).
func encode(L *lua.LState) int {
	if L.GetTop() < 1 {
		L.RaiseError("json.encode: bad argument #1: expected a value to encode")
	}
	v := L.Get(1)
	indent := ""
	if opts := runtime.OptionsArg(L, "json.encode", 2, "indent"); opts != nil {
		switch x := opts.RawGetString("indent").(type) {
		case *lua.LNilType:
		case lua.LBool:
			if x {
				indent = indentUnit
			}
		default:
			L.RaiseError("json.encode: option indent must be a boolean, got %s", x.Type())
		}
	}
	b, err := runtime.EncodeJSON(v, indent)
	if err != nil {
		L.RaiseError("json.encode: %s", encodeMessage(err))
	}
	L.Push(lua.LString(b))
	return 1
}

// encodeMessage is the text of an encoding failure without encoding/json's
// own prefixes.
func encodeMessage(err error) string {
	var uv *stdjson.UnsupportedValueError
	if errors.As(err, &uv) {
		return fmt.Sprintf("%s is not a number JSON can hold", uv.Str)
	}
	return err.Error()
}

// decode is json.decode(text).
func decode(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if !ok {
		L.RaiseError("json.decode: bad argument #1: expected a string, got %s", L.Get(1).Type())
	}
	data := []byte(s)
	if err := validate(data); err != nil {
		L.RaiseError("json.decode: %v", err)
	}
	v, err := runtime.DecodeJSON(L, data)
	if err != nil {
		L.RaiseError("json.decode: %v", err)
	}
	L.Push(v)
	return 1
}

// validate checks that data is exactly one JSON value. A syntax error, and
// data after the value, are reported with where they are.
func validate(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty input: no JSON value")
	}
	var raw stdjson.RawMessage
	err := stdjson.Unmarshal(data, &raw)
	var se *stdjson.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s at %s", se.Error(), position(data, se.Offset))
	}
	return err
}

// position describes the byte at which a decoder stopped after reading
// offset bytes: the offset and the 1-based line and column (in characters)
// of the last byte read.
func position(data []byte, offset int64) string {
	at := int(min(max(offset-1, 0), int64(len(data))))
	before := data[:at]
	line := bytes.Count(before, []byte("\n")) + 1
	column := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("offset %d (line %d, column %d)", offset, line, column)
}

// array is json.array([t]).
func array(L *lua.LState) int {
	mark := runtime.NewArray(L, 0)
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
		L.Push(mark)
	case *lua.LTable:
		if err := markArray(v, mark.Metatable); err != nil {
			L.RaiseError("json.array: %v", err)
		}
		L.Push(v)
	default:
		L.RaiseError("json.array: bad argument #1: expected a table or nothing, got %s", v.Type())
	}
	return 1
}

// markArray gives t the array metatable mt after checking that t holds only
// the keys 1..n and has no metatable of its own.
func markArray(t *lua.LTable, mt lua.LValue) error {
	if t.Metatable == mt {
		return nil
	}
	if t.Metatable != lua.LNil {
		return errors.New("the table already has a metatable; an array cannot keep it")
	}
	count := 0
	t.ForEach(func(lua.LValue, lua.LValue) { count++ })
	var bad []string
	t.ForEach(func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) != math.Trunc(float64(n)) || n < 1 || int(n) > count {
			if s, ok := k.(lua.LString); ok {
				bad = append(bad, fmt.Sprintf("%q", string(s)))
			} else {
				bad = append(bad, k.String())
			}
		}
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("the table has the key %s; an array holds only the keys 1..n, without gaps", bad[0])
	}
	t.Metatable = mt
	return nil
}

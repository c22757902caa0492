package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// EncodeJSON encodes a Lua value as JSON with object keys sorted (stable
// output for golden files), integers without a fraction, arrays as arrays
// (marked or 1..n tables) and other tables as objects; an unmarked empty
// table is {}. indent "" gives compact output. HTML characters stay as is.
func EncodeJSON(v lua.LValue, indent string) ([]byte, error) {
	g, err := FromLua(v)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(g); err != nil {
		var uv *json.UnsupportedValueError
		if errors.As(err, &uv) {
			return nil, fmt.Errorf("%s is not a number JSON can hold", uv.Str)
		}
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// DecodeJSON decodes one JSON document into a Lua value; arrays come back
// marked (so they encode as arrays again, even when empty), null as nil.
func DecodeJSON(L *lua.LState, data []byte) (lua.LValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return lua.LNil, fmt.Errorf("decode json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return lua.LNil, fmt.Errorf("decode json: unexpected data after the first value at offset %d", dec.InputOffset())
	}
	return ToLua(L, v), nil
}

// Text is the plain text of a value in a table cell or CSV field: strings
// as they are, integers without a fraction, nil as "", arrays joined with
// ", ", other tables as compact JSON.
func Text(v lua.LValue) string {
	switch x := v.(type) {
	case *lua.LNilType:
		return ""
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return fmt.Sprint(Number(x))
	case *lua.LTable:
		if IsArray(x) {
			parts := make([]string, 0, x.Len())
			for i := 1; i <= x.Len(); i++ {
				parts = append(parts, Text(x.RawGetInt(i)))
			}
			return strings.Join(parts, ", ")
		}
		if b, err := EncodeJSON(x, ""); err == nil {
			return string(b)
		}
		return "<table>"
	}
	return v.String()
}

package runtime

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// arrayKey is the registry key of the metatable that marks a table as an
// array. Lua cannot tell an empty array from an empty object; values that
// came from JSON arrays or Go slices carry the mark so they stay arrays when
// encoded again. An unmarked empty table is an object.
const arrayKey = "exorun.array"

func arrayMeta(L *lua.LState) *lua.LTable {
	if mt, ok := L.GetTypeMetatable(arrayKey).(*lua.LTable); ok {
		return mt
	}
	mt := L.NewTypeMetatable(arrayKey)
	mt.RawSetString("__name", lua.LString("array"))
	return mt
}

// NewArray returns an empty table marked as an array, with room for n items.
func NewArray(L *lua.LState, n int) *lua.LTable {
	t := L.CreateTable(n, 0)
	t.Metatable = arrayMeta(L)
	return t
}

// MarkArray marks t as an array (so an empty t encodes as []) and returns it.
func MarkArray(L *lua.LState, t *lua.LTable) *lua.LTable {
	t.Metatable = arrayMeta(L)
	return t
}

// IsArray reports whether t is an array: marked as one, or a non-empty table
// whose keys are exactly 1..n.
func IsArray(t *lua.LTable) bool {
	if mt, ok := t.Metatable.(*lua.LTable); ok {
		if name, _ := mt.RawGetString("__name").(lua.LString); name == "array" {
			return true
		}
	}
	n := t.Len()
	if n == 0 {
		return false
	}
	count := 0
	array := true
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if f, ok := k.(lua.LNumber); !ok || float64(f) != math.Trunc(float64(f)) || f < 1 || int(f) > n {
			array = false
		}
	})
	return array && count == n
}

// ToLua converts a Go value to Lua: nil, bools, numbers, strings, time.Time
// (as an RFC 3339 string), json.Number, slices (marked arrays), maps with
// string keys (tables) and lua.LValue as is. Other values become their
// fmt.Sprint text.
func ToLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case lua.LValue:
		return x
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case int:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case int32:
		return lua.LNumber(x)
	case float32:
		return lua.LNumber(x)
	case uint64:
		return lua.LNumber(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return lua.LString(x)
		}
		return lua.LNumber(f)
	case time.Time:
		return lua.LString(x.Format(time.RFC3339Nano))
	case time.Duration:
		return lua.LNumber(x.Seconds())
	case []any:
		t := NewArray(L, len(x))
		for _, e := range x {
			t.Append(ToLua(L, e))
		}
		return t
	case []string:
		t := NewArray(L, len(x))
		for _, e := range x {
			t.Append(lua.LString(e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, ToLua(L, e))
		}
		return t
	case []map[string]any:
		t := NewArray(L, len(x))
		for _, e := range x {
			t.Append(ToLua(L, e))
		}
		return t
	}
	return reflectToLua(L, reflect.ValueOf(v))
}

func reflectToLua(L *lua.LState, rv reflect.Value) lua.LValue {
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		t := NewArray(L, rv.Len())
		for i := range rv.Len() {
			t.Append(ToLua(L, rv.Index(i).Interface()))
		}
		return t
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			t := L.CreateTable(0, rv.Len())
			iter := rv.MapRange()
			for iter.Next() {
				t.RawSetString(iter.Key().String(), ToLua(L, iter.Value().Interface()))
			}
			return t
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		n, _ := strconv.ParseFloat(fmt.Sprint(rv.Interface()), 64)
		return lua.LNumber(n)
	case reflect.Pointer:
		if rv.IsNil() {
			return lua.LNil
		}
		return ToLua(L, rv.Elem().Interface())
	}
	return lua.LString(fmt.Sprint(rv.Interface()))
}

// MaxNesting is how deep tables may nest for FromLua and Format: walking
// deeper could outgrow the Go stack, a fatal error no recover catches.
const MaxNesting = 1000

// FromLua converts a Lua value to Go: nil, bool, int64 (integral numbers
// within ±2^53), float64, string, []any (arrays) and map[string]any (other
// tables; number keys become their decimal text). Functions, userdata,
// threads, cyclic tables and tables nested deeper than MaxNesting are
// errors.
func FromLua(v lua.LValue) (any, error) {
	// visiting is the path from v down: cycles and depth both show in it.
	return fromLua(v, map[*lua.LTable]bool{})
}

func fromLua(v lua.LValue, visiting map[*lua.LTable]bool) (any, error) {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LNumber:
		return Number(x), nil
	case lua.LString:
		return string(x), nil
	case *lua.LTable:
		if visiting[x] {
			return nil, fmt.Errorf("cannot convert a table that contains itself")
		}
		if len(visiting) >= MaxNesting {
			// The Go stack of a deeper walk could outgrow its limit,
			// a fatal error no recover catches.
			return nil, fmt.Errorf("cannot convert tables nested more than %d deep", MaxNesting)
		}
		visiting[x] = true
		defer delete(visiting, x)
		if IsArray(x) {
			out := make([]any, 0, x.Len())
			for i := 1; i <= x.Len(); i++ {
				e, err := fromLua(x.RawGetInt(i), visiting)
				if err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
				out = append(out, e)
			}
			return out, nil
		}
		out := make(map[string]any)
		var err error
		x.ForEach(func(k, e lua.LValue) {
			if err != nil {
				return
			}
			var key string
			switch kk := k.(type) {
			case lua.LString:
				key = string(kk)
			case lua.LNumber:
				key = kk.String()
			default:
				err = fmt.Errorf("cannot convert a table key of type %s", k.Type())
				return
			}
			var gv any
			if gv, err = fromLua(e, visiting); err != nil {
				err = fmt.Errorf("%s: %w", key, err)
				return
			}
			out[key] = gv
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot convert a %s value", v.Type())
}

// Number returns n as int64 when it is integral and exactly representable,
// else as float64, so integers print as integers.
func Number(n lua.LNumber) any {
	f := float64(n)
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return int64(f)
	}
	return f
}

// UnionKeys returns the sorted union of the string keys of tables: the
// columns of a list of keyed rows, when a report names none.
func UnionKeys(tables []*lua.LTable) []string {
	seen := map[string]bool{}
	keys := []string{}
	for _, t := range tables {
		t.ForEach(func(k, _ lua.LValue) {
			if s, ok := k.(lua.LString); ok && !seen[string(s)] {
				seen[string(s)] = true
				keys = append(keys, string(s))
			}
		})
	}
	sort.Strings(keys)
	return keys
}

// SortedKeys returns the string keys of t in order (other keys are skipped).
func SortedKeys(t *lua.LTable) []string {
	var keys []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			keys = append(keys, string(s))
		}
	})
	sort.Strings(keys)
	return keys
}

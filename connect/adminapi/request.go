package adminapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Request is one cmdlet call.
type Request struct {
	// Cmdlet is the cmdlet name, e.g. Get-Mailbox.
	Cmdlet string
	// Parameters are Go values, encoded per PROTOCOL.md 3.3:
	//
	//	string, bool, integers, floats, json.Number   plain JSON value (a switch is true)
	//	[]string, []any, other slices                 JSON array
	//	map[string]any, map[string]string             hashtable: object with "@odata.type":"#Exchange.GenericHashTable" (nested too)
	//	[]map[string]any, []any of hashtables         array plus sibling "{Name}@odata.type":"#Collection(Exchange.GenericHashTable)"
	//	[]byte                                        {"@odata.type":"#Exchange.ByteArrayType","Data":"<base64>"}
	//	[][]byte, []any of []byte                     array of those plus "{Name}@odata.type":"#Collection(Exchange.ByteArrayType)"
	//	time.Time                                     UTC "2006-01-02T15:04:05.0000000Z"
	//	time.Duration                                 TimeSpan text [-][d.]hh:mm:ss[.fffffff]
	//	net.IP, netip.Addr                            their text
	//	json.RawMessage                               as given (must be valid JSON)
	//	nil, nil pointer                              null
	//
	// Named types with those kinds (type Mode string) encode as their kind.
	// Anything else (structs, channels, NaN) fails before sending, with
	// code bad_parameter.
	Parameters map[string]any
	// Write is true for cmdlets that change the tenant (anything but
	// Get-/Test-/Search-...). It decides what may be retried; see the
	// package documentation.
	Write bool
	// Select lists properties for $select; empty means all.
	Select []string
	// PageAhead fetches the next page while the consumer reads the current
	// one.
	PageAhead bool
}

// Annotation values of PROTOCOL.md 3.3.
const (
	typeHashtable       = "#Exchange.GenericHashTable"
	typeHashtableList   = "#Collection(Exchange.GenericHashTable)"
	typeByteArray       = "#Exchange.ByteArrayType"
	typeByteArrayList   = "#Collection(Exchange.ByteArrayType)"
	dateTimeWireLayout  = "2006-01-02T15:04:05.0000000Z"
	odataTypeAnnotation = "@odata.type"
)

// encodeBody returns {"CmdletInput":{"CmdletName":...,"Parameters":{...}}}.
// Keys are sorted, so equal requests give equal bytes.
func encodeBody(cmdlet string, params map[string]any) ([]byte, error) {
	b := make([]byte, 0, 128)
	b = append(b, `{"CmdletInput":{"CmdletName":`...)
	b = appendString(b, cmdlet)
	b = append(b, `,"Parameters":`...)
	for name := range params {
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("a parameter has an empty name")
		}
	}
	b, err := appendMembers(b, params, false, "")
	if err != nil {
		return nil, err
	}
	return append(b, "}}"...), nil
}

// appendMembers encodes a parameter set or hashtable as a JSON object, with
// the hashtable annotation first when typed.
func appendMembers(b []byte, m map[string]any, typed bool, path string) ([]byte, error) {
	b = append(b, '{')
	comma := false
	if typed {
		b = append(b, `"@odata.type":"`+typeHashtable+`"`...)
		comma = true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		p := k
		if path != "" {
			p = path + "." + k
		}
		if coll := collectionType(v); coll != "" {
			if comma {
				b = append(b, ',')
			}
			b = appendString(b, k+odataTypeAnnotation)
			b = append(b, ':')
			b = appendString(b, coll)
			comma = true
		}
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, v, p); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// collectionType is the sibling annotation a value needs: a non-empty list
// of hashtables or of byte arrays.
func collectionType(v any) string {
	switch x := v.(type) {
	case []map[string]any:
		if len(x) > 0 {
			return typeHashtableList
		}
	case [][]byte:
		if len(x) > 0 {
			return typeByteArrayList
		}
	case []any:
		if len(x) == 0 {
			return ""
		}
		tables, blobs := true, true
		for _, e := range x {
			switch e.(type) {
			case map[string]any, map[string]string:
				blobs = false
			case []byte:
				tables = false
			default:
				return ""
			}
		}
		if tables {
			return typeHashtableList
		}
		if blobs {
			return typeByteArrayList
		}
	}
	return ""
}

// appendValue encodes one value; path names it in errors.
func appendValue(b []byte, v any, path string) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return appendFloat(b, x, 64, path)
	case float32:
		return appendFloat(b, float64(x), 32, path)
	case json.Number:
		if _, err := strconv.ParseFloat(string(x), 64); err != nil {
			return nil, fmt.Errorf("parameter %s: %q is not a number", path, string(x))
		}
		return append(b, x...), nil
	case json.RawMessage:
		if !json.Valid(x) {
			return nil, fmt.Errorf("parameter %s: the raw JSON value is not valid JSON", path)
		}
		return append(b, x...), nil
	case time.Time:
		return appendString(b, x.UTC().Format(dateTimeWireLayout)), nil
	case time.Duration:
		return appendString(b, timeSpan(x)), nil
	case []byte:
		return appendByteArray(b, x), nil
	case [][]byte:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendByteArray(b, e)
		}
		return append(b, ']'), nil
	case map[string]any, map[string]string:
		return appendMembers(b, asTable(x), true, path)
	case []map[string]any:
		// The module sends hashtable[] elements as plain objects; the
		// sibling "{Name}@odata.type" says what they are.
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendMembers(b, e, false, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []any:
		listOfTables := collectionType(x) == typeHashtableList
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			p := path + "[" + strconv.Itoa(i) + "]"
			var err error
			if listOfTables {
				b, err = appendMembers(b, asTable(e), false, p)
			} else {
				b, err = appendValue(b, e, p)
			}
			if err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']'), nil
	case net.IP:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendString(b, x.String()), nil
	case netip.Addr:
		return appendString(b, x.String()), nil
	}
	return appendReflect(b, reflect.ValueOf(v), path)
}

// asTable returns a hashtable value as map[string]any.
func asTable(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m
	}
	return nil
}

// appendReflect handles named and less common types by kind.
func appendReflect(b []byte, rv reflect.Value, path string) ([]byte, error) {
	switch rv.Kind() {
	case reflect.String:
		return appendString(b, rv.String()), nil
	case reflect.Bool:
		return strconv.AppendBool(b, rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, rv.Uint(), 10), nil
	case reflect.Float32:
		return appendFloat(b, rv.Float(), 32, path)
	case reflect.Float64:
		return appendFloat(b, rv.Float(), 64, path)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return append(b, "null"...), nil
		}
		return appendValue(b, rv.Elem().Interface(), path)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return appendByteArray(b, rv.Bytes()), nil
		}
		b = append(b, '[')
		for i := range rv.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, rv.Index(i).Interface(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()] = it.Value().Interface()
		}
		return appendMembers(b, m, true, path)
	case reflect.Invalid:
		return append(b, "null"...), nil
	}
	return nil, fmt.Errorf("parameter %s: a value of type %s cannot be sent to the service", path, rv.Type())
}

func appendFloat(b []byte, f float64, bits int, path string) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("parameter %s: %v is not a number JSON can carry", path, f)
	}
	// encoding/json's number format: integers without a fraction, no
	// exponent for ordinary magnitudes.
	fmtc := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	b = strconv.AppendFloat(b, f, fmtc, -1, bits)
	if fmtc == 'e' {
		// 1e-09 -> 1e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

func appendByteArray(b []byte, data []byte) []byte {
	b = append(b, `{"@odata.type":"`+typeByteArray+`","Data":"`...)
	b = base64.StdEncoding.AppendEncode(b, data)
	return append(b, `"}`...)
}

// timeSpan is .NET's TimeSpan.ToString(): [-][d.]hh:mm:ss[.fffffff].
func timeSpan(d time.Duration) string {
	var b strings.Builder
	ticks := int64(d / 100) // a tick is 100 ns
	if ticks < 0 {
		b.WriteByte('-')
		ticks = -ticks
	}
	const perSecond = int64(time.Second / 100)
	frac := ticks % perSecond
	secs := ticks / perSecond
	days := secs / 86400
	secs %= 86400
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('.')
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if frac > 0 {
		fmt.Fprintf(&b, ".%07d", frac)
	}
	return b.String()
}

// appendString appends s as a JSON string exactly as encoding/json with
// SetEscapeHTML(false) does: the short escapes \" \\ \b \f \n \r \t,
// other control characters as \u00XX, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 escaped for JavaScript readers. <, > and & are left as they are:
// HTML escaping is for pages, not the admin API, and the emulator's
// encoder leaves them too. It is the client's only JSON string encoder;
// testdata/json-string-escapes.txt is the table it shares with the
// emulator's, so the two sides cannot drift apart again.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// selectQuery is "?$select=A,B" for names, or "".
func selectQuery(names []string) (string, error) {
	if len(names) == 0 {
		return "", nil
	}
	esc := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || strings.Contains(n, ",") {
			return "", fmt.Errorf("$select: %q is not a property name", n)
		}
		esc = append(esc, url.QueryEscape(n))
	}
	return "?$select=" + strings.Join(esc, ","), nil
}

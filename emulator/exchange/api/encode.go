package api

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/exorun/exorun/emulator/exchange"
)

// contentType is the real service's success Content-Type (PROTOCOL.md 3.4).
const contentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// dateLayout is how the service writes System.DateTime values:
// 2022-06-29T17:57:03.0000000+00:00 (PROTOCOL.md 3.4).
const dateLayout = "2006-01-02T15:04:05.0000000-07:00"

// flushAt is how much encoded JSON collects before it goes to the
// connection: pages stream out in pieces of about this size.
const flushAt = 16 << 10

// page is one InvokeCommand response body.
type page struct {
	context  string
	warnings []string
	objects  []exchange.Object
	sel      []string // $select names; nil keeps every property
	nextLink string
}

// checkObject rejects values outside the types exchange.Prop allows, so a
// backend bug is a clean 500 before the first byte of a 200 goes out.
func checkObject(o exchange.Object) error {
	for _, p := range o {
		if err := checkValue(p.Value); err != nil {
			return fmt.Errorf("property %s: %w", p.Name, err)
		}
	}
	return nil
}

func checkValue(v any) error {
	switch v := v.(type) {
	case nil, string, bool, int64, float64, exchange.GUID, time.Time, []string:
		return nil
	case exchange.Object:
		return checkObject(v)
	case []exchange.Object:
		for i, o := range v {
			if err := checkObject(o); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		return nil
	default:
		return fmt.Errorf("unsupported value type %T", v)
	}
}

// jsonWriter collects encoded JSON and hands it to w in pieces.
type jsonWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (j *jsonWriter) maybeFlush() {
	if len(j.buf) >= flushAt {
		j.flush()
	}
}

func (j *jsonWriter) flush() {
	if j.err == nil && len(j.buf) > 0 {
		_, j.err = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
}

// encodePage writes the envelope of PROTOCOL.md 3.4 in the service's
// member order, one object at a time.
func encodePage(j *jsonWriter, pg *page) {
	b := append(j.buf, `{"@odata.context":`...)
	b = appendString(b, pg.context)
	b = append(b, `,"adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[`...)
	for i, w := range pg.warnings {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, w)
	}
	b = append(b, `],"value":[`...)
	j.buf = b
	for i, o := range pg.objects {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.buf = appendObject(j.buf, o, false, pg.sel)
		j.maybeFlush()
	}
	j.buf = append(j.buf, ']')
	if pg.nextLink != "" {
		j.buf = append(j.buf, `,"@odata.nextLink":`...)
		j.buf = appendString(j.buf, pg.nextLink)
	}
	j.buf = append(j.buf, '}')
	j.flush()
}

// appendObject encodes o in Prop order. typed adds the object's own
// "@odata.type", which OData wants on a complex value that is not inside
// an annotated collection.
func appendObject(b []byte, o exchange.Object, typed bool, sel []string) []byte {
	b = append(b, '{')
	comma := false
	if typed {
		b = append(b, `"@odata.type":"#Exchange.GenericHashTable"`...)
		comma = true
	}
	for _, p := range o {
		if sel != nil && !hasFold(sel, p.Name) {
			continue
		}
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = appendProp(b, p.Name, p.Value)
	}
	return append(b, '}')
}

// appendProp encodes one property with the annotations PROTOCOL.md 3.4
// shows for its type: GUIDs carry System.Guid/#Guid, dates System.DateTime,
// string arrays #Collection(String).
func appendProp(b []byte, name string, v any) []byte {
	switch v := v.(type) {
	case nil:
		b = appendName(b, name)
		return append(b, "null"...)
	case string:
		b = appendName(b, name)
		return appendString(b, v)
	case bool:
		b = appendName(b, name)
		return strconv.AppendBool(b, v)
	case int64:
		// A JSON integer reads as Edm.Int32; a wider value needs its
		// type, as the service annotates Int16 with #Int16.
		if v < math.MinInt32 || v > math.MaxInt32 {
			b = appendAnnotation(b, name, "@odata.type", "#Int64")
		}
		b = appendName(b, name)
		return strconv.AppendInt(b, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// IEEE754Compatible=false still cannot write these as
			// numbers; OData spells them as annotated strings.
			b = appendAnnotation(b, name, "@odata.type", "#Double")
			b = appendName(b, name)
			switch {
			case math.IsNaN(v):
				return append(b, `"NaN"`...)
			case v > 0:
				return append(b, `"INF"`...)
			default:
				return append(b, `"-INF"`...)
			}
		}
		b = appendName(b, name)
		return appendFloat(b, v)
	case exchange.GUID:
		b = appendAnnotation(b, name, "@data.type", "System.Guid")
		b = appendAnnotation(b, name, "@odata.type", "#Guid")
		b = appendName(b, name)
		return appendString(b, string(v))
	case time.Time:
		b = appendAnnotation(b, name, "@data.type", "System.DateTime")
		b = appendName(b, name)
		b = append(b, '"')
		b = v.UTC().AppendFormat(b, dateLayout)
		return append(b, '"')
	case []string:
		b = appendAnnotation(b, name, "@odata.type", "#Collection(String)")
		b = appendName(b, name)
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case exchange.Object:
		b = appendName(b, name)
		return appendObject(b, v, true, nil)
	case []exchange.Object:
		b = appendAnnotation(b, name, "@odata.type", "#Collection(Exchange.GenericHashTable)")
		b = appendName(b, name)
		b = append(b, '[')
		for i, o := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendObject(b, o, false, nil)
		}
		return append(b, ']')
	}
	// checkObject ran first; this is unreachable for a checked page.
	b = appendName(b, name)
	return append(b, "null"...)
}

// appendAnnotation writes "Name@term":"value", (with the comma).
func appendAnnotation(b []byte, name, term, value string) []byte {
	b = appendString(b, name+term)
	b = append(b, ':')
	b = appendString(b, value)
	return append(b, ',')
}

func appendName(b []byte, name string) []byte {
	b = appendString(b, name)
	return append(b, ':')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does,
// except that <, > and & stay as they are (the service does not escape
// them): control characters escaped, invalid UTF-8 replaced by U+FFFD,
// U+2028/U+2029 escaped for JavaScript readers.
func appendString(b []byte, s string) []byte {
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
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
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
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat writes a finite float as encoding/json does: the shortest
// exact decimal, exponent form only for very large or small magnitudes.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

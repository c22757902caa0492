package decode

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// space skips JSON whitespace.
func (d *Decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// at reports whether the next byte is c.
func (d *Decoder) at(c byte) bool {
	return d.pos < len(d.data) && d.data[d.pos] == c
}

// word consumes the literal w if it comes next.
func (d *Decoder) word(w string) bool {
	if len(d.data)-d.pos >= len(w) && string(d.data[d.pos:d.pos+len(w)]) == w {
		d.pos += len(w)
		return true
	}
	return false
}

// str reads the string at d.pos (its opening quote) and returns its
// content, unescaped. The result is a slice of the input when the string
// needs no unescaping (the usual case), else of d.buf; either way it is
// valid only until the next call.
func (d *Decoder) str() ([]byte, error) {
	b, start := d.data, d.pos+1
	var high byte // OR of the bytes: >= 0x80 means non-ASCII was seen
	for i := start; i < len(b); {
		if i+8 <= len(b) {
			m := specials(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8 // the first byte that needs a look
		}
		switch c := b[i]; {
		case c == '"':
			s := b[start:i]
			if high >= utf8.RuneSelf && !utf8.Valid(s) {
				return d.unescape(start)
			}
			d.pos = i + 1
			return s, nil
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			d.pos = i
			return nil, d.fail("control character in string")
		default:
			high |= c
			i++
		}
	}
	d.pos = len(b)
	return nil, d.fail("unexpected end of input")
}

// specials flags (with its high bit) each byte of x, read little-endian,
// that needs a look: a quote, a backslash, a control character or
// non-ASCII. These are the classic SWAR tests: (v-lsb)&^v&msb flags zero
// bytes of v, (x-n*lsb)&^x&msb bytes of x below n. A borrow can only flag
// bytes above a truly flagged one, so the lowest flag is always exact.
func specials(x uint64) uint64 {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(lsb*'"'), x^(lsb*'\\')
	return ((q-lsb)&^q | (bs-lsb)&^bs | (x-lsb*0x20)&^x | x) & msb
}

// unescape is the slow path of str: it copies the string starting at
// start into d.buf, resolving escapes and replacing invalid UTF-8 and lone
// surrogates with U+FFFD, as encoding/json does.
func (d *Decoder) unescape(start int) ([]byte, error) {
	b, buf := d.data, d.buf[:0]
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.buf, d.pos = buf, i+1
			return buf, nil
		case c < 0x20:
			d.pos = i
			return nil, d.fail("control character in string")
		case c < utf8.RuneSelf && c != '\\':
			buf = append(buf, c)
			i++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, b[i:i+n]...)
			}
			i += n
		case i+1 >= len(b):
			d.pos = len(b)
			return nil, d.fail("unexpected end of input")
		default: // an escape
			e := b[i+1]
			if e != 'u' {
				switch e {
				case '"', '\\', '/':
				case 'b':
					e = '\b'
				case 'f':
					e = '\f'
				case 'n':
					e = '\n'
				case 'r':
					e = '\r'
				case 't':
					e = '\t'
				default:
					d.pos = i
					return nil, d.fail("invalid escape in string")
				}
				buf = append(buf, e)
				i += 2
				continue
			}
			r := u4(b[i:])
			if r < 0 {
				d.pos = i
				return nil, d.fail(`invalid \u escape in string`)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// Only a high surrogate followed by a low one is a rune.
				if pair := utf16.DecodeRune(r, u4(b[i:])); pair != utf8.RuneError {
					r = pair
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		}
	}
	d.buf, d.pos = buf, len(b)
	return nil, d.fail("unexpected end of input")
}

// u4 decodes the \uXXXX escape at the start of b, or returns -1.
func u4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// number reads the number at d.pos, checking the JSON grammar.
func (d *Decoder) number() (lua.LValue, error) {
	b, start := d.data, d.pos
	p := start
	digits := func() int {
		n := 0
		for p < len(b) && '0' <= b[p] && b[p] <= '9' {
			p++
			n++
		}
		return n
	}
	if b[p] == '-' {
		p++
	}
	if p < len(b) && b[p] == '0' {
		p++
	} else if digits() == 0 {
		d.pos = p
		return nil, d.fail("invalid number")
	}
	integer := true
	if p < len(b) && b[p] == '.' {
		p++
		integer = false
		if digits() == 0 {
			d.pos = p
			return nil, d.fail("invalid number")
		}
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		p++
		integer = false
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		if digits() == 0 {
			d.pos = p
			return nil, d.fail("invalid number")
		}
	}
	d.pos = p
	lit := b[start:p]

	// Up to 15 digits an integer is exact in a float64: skip ParseFloat.
	if integer && len(lit) <= 15 {
		neg := lit[0] == '-'
		if neg {
			lit = lit[1:]
		}
		var n int64
		for _, c := range lit {
			n = n*10 + int64(c-'0')
		}
		f := float64(n)
		if neg {
			f = -f // -0 stays -0, as with ParseFloat
		}
		return lua.LNumber(f), nil
	}
	// The grammar is checked, so the only error left is range: ParseFloat
	// then returns ±Inf, which we keep.
	f, _ := strconv.ParseFloat(string(lit), 64)
	return lua.LNumber(f), nil
}

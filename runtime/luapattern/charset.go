package luapattern

import "math/bits"

// charSet is a set of bytes, one bit per byte value. Every single-character
// item of a pattern (a character, '.', %a, a [set]) compiles to one, so
// testing a character is one lookup whatever the item.
type charSet [4]uint64

func (s *charSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }

func (s *charSet) add(c byte) { s[c>>6] |= 1 << (c & 63) }

func (s *charSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}

func (s *charSet) fill() { *s = charSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)} }

func (s *charSet) invert() {
	for i := range s {
		s[i] = ^s[i]
	}
}

// addClass adds what %c matches: a class (%a, %D...) or, for any other
// character, the character itself (%% is '%', %. is '.').
func (s *charSet) addClass(c byte) {
	if cl := &classes[c]; *cl != (charSet{}) {
		for i := range s {
			s[i] |= cl[i]
		}
		return
	}
	s.add(c)
}

// single returns the set's character when it holds exactly one.
func (s *charSet) single() (byte, bool) {
	n, at := 0, 0
	for i, w := range s {
		if w != 0 {
			n += bits.OnesCount64(w)
			at = i*64 + bits.TrailingZeros64(w)
		}
	}
	return byte(at), n == 1
}

// classes maps a class letter to its set: %a, %c, %d, %l, %p, %s, %u, %w,
// %x, %z and their upper-case complements, as the C library's ctype
// functions define them in the "C" locale (what Lua uses by default).
// Other characters map to the empty set.
var classes [256]charSet

func init() {
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	isAlpha := func(c byte) bool { return isUpper(c) || isLower(c) }
	isAlnum := func(c byte) bool { return isAlpha(c) || isDigit(c) }
	for letter, in := range map[byte]func(c byte) bool{
		'a': isAlpha,
		'c': func(c byte) bool { return c < 32 || c == 127 },
		'd': isDigit,
		'l': isLower,
		'p': func(c byte) bool { return 33 <= c && c <= 126 && !isAlnum(c) },
		's': func(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' },
		'u': isUpper,
		'w': isAlnum,
		'x': func(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' },
		'z': func(c byte) bool { return c == 0 },
	} {
		var set charSet
		for c := range 256 {
			if in(byte(c)) {
				set.add(byte(c))
			}
		}
		classes[letter] = set
		set.invert()
		classes[letter-'a'+'A'] = set
	}
}

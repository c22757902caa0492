package store

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/exorun/exorun/emulator/exchange"
)

// UUID is a GUID stored in 16 bytes rather than a 36-byte string, which
// matters at 200,000 mailboxes with three GUIDs each.
type UUID [16]byte

// IsZero reports whether u is the nil GUID (used for "no value").
func (u UUID) IsZero() bool { return u == UUID{} }

// String formats u as 8-4-4-4-12 lower-case hex, as Exchange does.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// guid is u as the front end's annotated GUID value, or nil when zero.
func (u UUID) guid() any {
	if u.IsZero() {
		return nil
	}
	return exchange.GUID(u.String())
}

// MarshalText writes the 36-character form.
func (u UUID) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// UnmarshalText reads the 36-character form (braces allowed).
func (u *UUID) UnmarshalText(b []byte) error {
	v, ok := ParseUUID(string(b))
	if !ok {
		return fmt.Errorf("invalid guid %q", b)
	}
	*u = v
	return nil
}

// ParseUUID reads "8-4-4-4-12" hex, optionally in braces, any case.
func ParseUUID(s string) (UUID, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return UUID{}, false
	}
	var u UUID
	src := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(u[:], []byte(src)); err != nil {
		return UUID{}, false
	}
	return u, true
}

// nameUUID derives a stable version-5-style GUID from its parts, so the
// fixture and objects created by cmdlets get the same GUIDs on every run.
func nameUUID(parts ...string) UUID {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

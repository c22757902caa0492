package tenant

import (
	"crypto/sha1"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/exorun/exorun/emulator/exchange"
)

// UUID is a GUID stored in 16 bytes rather than a 36-byte string, which
// matters at 200,000 mailboxes with three GUIDs each.
type UUID [16]byte

// IsZero reports whether u is the nil GUID (used for "no value").
func (u UUID) IsZero() bool { return u == UUID{} }

// String formats u as 8-4-4-4-12 lower-case hex, as Exchange does.
func (u UUID) String() string { return uuid.UUID(u).String() }

// guid is u as the front end's annotated GUID value, or nil when zero.
func (u UUID) GUID() any {
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
// uuid.Parse also takes the urn: and 32-digit forms, which Exchange does
// not accept as an identity, so the length is checked first.
func ParseUUID(s string) (UUID, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 {
		return UUID{}, false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return UUID{}, false
	}
	return UUID(u), true
}

// NameUUID derives a stable version-5-style GUID from its parts, so the
// tenants built from fixtures and objects created by cmdlets get the same
// GUIDs on every run.
func NameUUID(parts ...string) UUID {
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

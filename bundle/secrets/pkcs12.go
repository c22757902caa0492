package secrets

import "bytes"

// pkcs7DataPrefix is the DER encoding of the OID 1.2.840.113549.1.7 (PKCS#7
// content types) without its last arc: a PFX's authSafe is data (.1) or,
// rarely, signedData (.2).
const pkcs7DataPrefix = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07"

// looksLikePKCS12 reports whether data starts like a PKCS#12 file (RFC
// 7292): PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo
// ::= SEQUENCE { contentType OID pkcs7-data, ... }, ... }. Checking the
// version and the OID too, not just a SEQUENCE, keeps other DER files
// (certificates, which are fine to share) out.
func looksLikePKCS12(data []byte) bool {
	rest, ok := derSequence(data)
	if !ok || !bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x03}) {
		return false
	}
	rest, ok = derSequence(rest[3:])
	if !ok || !bytes.HasPrefix(rest, []byte(pkcs7DataPrefix)) || len(rest) < len(pkcs7DataPrefix)+1 {
		return false
	}
	last := rest[len(pkcs7DataPrefix)]
	return last == 0x01 || last == 0x02
}

// derSequence reads a SEQUENCE's tag and length at the start of b and
// returns what follows them. The length must fit in b, or be indefinite
// (BER, which some older tools wrote for PFX files).
func derSequence(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != 0x30 {
		return nil, false
	}
	n := int(b[1])
	b = b[2:]
	switch {
	case n == 0x80: // indefinite
		return b, true
	case n < 0x80: // short form
	case n <= 0x84: // long form: n-0x80 length bytes follow
		size := n - 0x80
		if len(b) < size {
			return nil, false
		}
		n = 0
		for _, c := range b[:size] {
			n = n<<8 | int(c)
		}
		b = b[size:]
	default:
		return nil, false
	}
	if n > len(b) {
		return nil, false
	}
	return b, true
}

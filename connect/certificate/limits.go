package certificate

import (
	"encoding/asn1"
	"fmt"
	"math/big"
)

// Password-based encryption reads its work factor from the file itself,
// and neither go-pkcs12 nor youmark/pkcs8 bounds it: one damaged byte in
// an iteration count can ask for trillions of PBKDF2 rounds, and Load
// would hang instead of failing. boundedWork looks at every work factor
// it can see before those libraries run.

// maxIterations is far above what any tool writes (OpenSSL 2048, Windows
// 2000 to 10000, OWASP's advice for PBKDF2-SHA256 600000) and still
// derives a key in seconds.
const maxIterations = 10_000_000

// oidScrypt is refused outright: its cost multiplies memory, and a
// damaged factor asks for gigabytes. No certificate tool writes it by
// default.
var oidScrypt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}

// boundedWork reports, for DER data, a work factor too large to honour.
// Iteration counts sit right after a salt in every structure that has
// them (PBES1 and PBKDF2 parameters, PKCS#12 MacData): an INTEGER that
// follows an OCTET STRING.
func boundedWork(der []byte, subject string) error {
	problem, _ := findExcessiveWork(der, 0)
	if problem == "" {
		return nil
	}
	return refuse(subject, ErrUnreadable, hintFormat, "%s; the file is damaged or was not written by a certificate tool", problem)
}

// findExcessiveWork walks the DER elements in der. wellFormed says
// whether all of der parsed, so encrypted bytes inside an OCTET STRING
// that happen to look like DER for a while are not mistaken for
// structure.
func findExcessiveWork(der []byte, depth int) (problem string, wellFormed bool) {
	if depth > 32 {
		return "", false
	}
	afterSalt, wellFormed := false, true
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			return "", false
		}
		der = rest
		universal := v.Class == asn1.ClassUniversal
		switch {
		case universal && v.Tag == asn1.TagInteger && afterSalt:
			if n := new(big.Int).SetBytes(v.Bytes); !n.IsInt64() || n.Int64() > maxIterations {
				return fmt.Sprintf("it asks for %s key-derivation rounds, more than the %d this package allows", n, maxIterations), true
			}
			continue // a work factor may follow another (scrypt's N, r, p)
		case universal && v.Tag == asn1.TagOID:
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(v.FullBytes, &oid); err == nil && oid.Equal(oidScrypt) {
				return "its key is encrypted with scrypt, which this package does not read", true
			}
		case v.IsCompound:
			problem, ok := findExcessiveWork(v.Bytes, depth+1)
			if problem != "" {
				return problem, true
			}
			wellFormed = wellFormed && ok
		case universal && v.Tag == asn1.TagOctetString:
			if problem, ok := findExcessiveWork(v.Bytes, depth+1); ok && problem != "" {
				return problem, true
			}
		}
		afterSalt = universal && v.Tag == asn1.TagOctetString
	}
	return "", wellFormed
}

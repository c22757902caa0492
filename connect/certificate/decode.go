package certificate

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"unicode/utf16"

	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"
)

// access is what decoding needs besides the bytes: the password that
// opens them, and the caller's names for the settings its hints mention.
type access struct {
	password string
	names    Names
}

// decode sniffs data and reads the certificates and key it holds. subject
// names the data in errors ("certificate file app.pfx"). A PFX is told
// from a DER certificate or key by its first field, so it is recognised
// first and exactly; PEM and base64 are text; what is left must be DER.
func decode(data []byte, a access, subject string) (bundle, error) {
	return decodeLayer(data, a, subject, true)
}

func decodeLayer(data []byte, a access, subject string, base64Allowed bool) (bundle, error) {
	text := asText(data)
	switch {
	case len(bytes.TrimSpace(text)) == 0:
		return bundle{}, refuse(subject, ErrUnreadable, hintFormat, "the data is empty")
	case isPKCS12(data):
		return decodePKCS12(data, a, subject)
	case bytes.Contains(text, []byte("-----BEGIN ")):
		return decodePEM(text, a, subject)
	case isBase64Text(text) && base64Allowed:
		// Bytes from a secret store or an environment variable: base64 of
		// a PFX or of a PEM file.
		if raw, err := decodeBase64(text); err == nil {
			return decodeLayer(raw, a, subject, false)
		}
		return bundle{}, refuse(subject, ErrUnreadable, hintFormat, "the data looks like base64 but does not decode")
	case isBase64Text(text):
		// One layer only: base64 of base64 is a mistake upstream, better
		// named than silently unwrapped.
		return bundle{}, refuse(subject, ErrUnreadable, hintFormat, "the data is base64 of base64 text; decode it once")
	}
	return decodeDER(data, a, subject)
}

// asText undoes what Windows editors and PowerShell 5's ">" do to text: a
// UTF-8 byte order mark, or UTF-16LE with its mark. Binary data comes back
// unchanged.
func asText(data []byte) []byte {
	if rest, ok := bytes.CutPrefix(data, []byte{0xEF, 0xBB, 0xBF}); ok {
		return rest
	}
	rest, ok := bytes.CutPrefix(data, []byte{0xFF, 0xFE})
	if !ok || len(rest)%2 != 0 {
		return data
	}
	units := make([]uint16, len(rest)/2)
	for i := range units {
		units[i] = uint16(rest[2*i]) | uint16(rest[2*i+1])<<8
	}
	return []byte(string(utf16.Decode(units)))
}

// isPKCS12 reports whether data starts like a PFX: a SEQUENCE (DER or BER
// length) whose first field is INTEGER 3, the PFX version. A DER
// certificate starts with a SEQUENCE inside the SEQUENCE instead, and a
// PKCS#1 or PKCS#8 key with version 0.
func isPKCS12(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	header := 2
	switch n := data[1]; {
	case n > 0x80 && n <= 0x84: // long form: n&0x7f length bytes follow
		header += int(n & 0x7f)
	case n > 0x84:
		return false
	}
	return bytes.HasPrefix(data[min(header, len(data)):], []byte{0x02, 0x01, 0x03})
}

// isBase64Text reports whether text holds only the characters of the
// standard and URL-safe base64 alphabets, padding and whitespace.
func isBase64Text(text []byte) bool {
	for _, c := range text {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("+/-_= \t\r\n", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// decodeBase64 accepts the standard and URL-safe alphabets, with or
// without padding, wrapped or not: secret stores and shells hand out all
// of them.
func decodeBase64(text []byte) ([]byte, error) {
	clean := make([]byte, 0, len(text))
	for _, c := range text {
		switch c {
		case ' ', '\t', '\r', '\n', '=':
			continue
		case '-':
			c = '+'
		case '_':
			c = '/'
		}
		clean = append(clean, c)
	}
	return base64.RawStdEncoding.DecodeString(string(clean))
}

// decodePEM reads CERTIFICATE blocks and at most one private key block;
// other blocks (EC PARAMETERS, CERTIFICATE REQUEST, …) are ignored.
func decodePEM(text []byte, a access, subject string) (bundle, error) {
	b := bundle{format: formatPEM}
	for rest := text; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return bundle{}, refuse(subject, ErrUnreadable, hintFormat,
					"certificate %d in the PEM data is damaged: %v", len(b.certs)+1, err)
			}
			b.certs = append(b.certs, cert)
		case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if b.key != nil {
				return bundle{}, refuse(subject, ErrUnreadable, hintFormat, "the PEM data holds more than one private key")
			}
			key, err := parsePEMKey(block, a, subject)
			if err != nil {
				return bundle{}, err
			}
			b.key = key
		}
	}
	if len(b.certs) == 0 && b.key == nil {
		return bundle{}, refuse(subject, ErrUnreadable, hintFormat, "the PEM data holds no certificate and no private key")
	}
	return b, nil
}

func parsePEMKey(block *pem.Block, a access, subject string) (crypto.PrivateKey, error) {
	if block.Type == "ENCRYPTED PRIVATE KEY" {
		return decryptPKCS8(block.Bytes, a, subject)
	}
	der := block.Bytes
	// x509 deprecates RFC 1423 ("Proc-Type: 4,ENCRYPTED") for being weak,
	// but old OpenSSL still wrote keys that way; reading them is the point.
	legacyEncrypted := x509.IsEncryptedPEMBlock(block)
	if legacyEncrypted {
		if a.password == "" {
			return nil, refuse(subject, ErrPasswordNeeded, a.names.passwordHint(), "the private key is encrypted and no password was given")
		}
		var err error
		der, err = x509.DecryptPEMBlock(block, []byte(a.password))
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, refuse(subject, ErrWrongPassword, a.names.passwordHint(), "")
		}
		if err != nil {
			return nil, refuse(subject, ErrUnreadable, hintFormat, "the encrypted private key is damaged: %v", err)
		}
	}
	var (
		key crypto.PrivateKey
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	default:
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		if legacyEncrypted {
			// RFC 1423 has no integrity check: a wrong password usually
			// decrypts to garbage rather than failing the padding test.
			return nil, refuse(subject, ErrWrongPassword, a.names.passwordHint(), "")
		}
		return nil, refuse(subject, ErrUnreadable, hintFormat, "the %s is damaged: %v", strings.ToLower(block.Type), err)
	}
	return key, nil
}

// decryptPKCS8 opens an EncryptedPrivateKeyInfo (PBES2, as OpenSSL 3 and
// .NET write it).
func decryptPKCS8(der []byte, a access, subject string) (key crypto.PrivateKey, err error) {
	if a.password == "" {
		return nil, refuse(subject, ErrPasswordNeeded, a.names.passwordHint(), "the private key is encrypted and no password was given")
	}
	// youmark/pkcs8 feeds lengths from the file to crypto/cipher, which
	// panics on ciphertext that is not a whole number of blocks.
	defer recoverDamaged(&err, subject)
	if err := boundedWork(der, subject); err != nil {
		return nil, err
	}
	key, _, err = pkcs8.ParsePrivateKey(der, []byte(a.password))
	if err == nil {
		return key, nil
	}
	// The library reports a wrong password as a failure to parse the
	// decrypted key (CBC) or to authenticate it (GCM); everything else
	// is an encryption scheme it does not support, or damage.
	if msg := err.Error(); strings.Contains(msg, "incorrect password") || strings.Contains(msg, "authentication failed") {
		return nil, refuse(subject, ErrWrongPassword, a.names.passwordHint(), "")
	}
	return nil, refuse(subject, ErrUnreadable,
		"re-encrypt the key with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-aes.pem",
		"the private key's encryption is not supported: %v", err)
}

// decodePKCS12 reads a PFX with go-pkcs12, which handles both the modern
// encoding (PBES2/AES-256, SHA-256 MAC: OpenSSL 3, current Windows) and
// the legacy one (3DES/RC2, SHA-1 MAC).
func decodePKCS12(data []byte, a access, subject string) (b bundle, err error) {
	defer recoverDamaged(&err, subject) // the same parser stack as above
	if err := boundedWork(data, subject); err != nil {
		return bundle{}, err
	}
	key, first, rest, err := pkcs12.DecodeChain(data, a.password)
	switch {
	case err == nil:
		return bundle{certs: append([]*x509.Certificate{first}, rest...), key: key, format: formatPKCS12}, nil
	case isPKCS12PasswordError(err):
		if a.password == "" {
			return bundle{}, refuse(subject, ErrPasswordNeeded, a.names.passwordHint(), "the PKCS#12 file is protected by a password and none was given")
		}
		if _, _, _, errEmpty := pkcs12.DecodeChain(data, ""); errEmpty == nil {
			return bundle{}, refuse(subject, ErrWrongPassword, "give no password for this file",
				"wrong password: the PKCS#12 file has none")
		}
		return bundle{}, refuse(subject, ErrWrongPassword, a.names.passwordHint(), "")
	case strings.Contains(err.Error(), "private key missing"):
		return bundle{}, refuse(subject, ErrNoPrivateKey, a.names.noKeyHint(), "the PKCS#12 file holds no private key")
	case strings.Contains(err.Error(), "certificate missing"):
		return bundle{}, refuse(subject, ErrNoCertificate, hintNoCert, "the PKCS#12 file holds no certificate")
	case strings.Contains(err.Error(), "UCS-2"):
		// No PFX can have this password: PKCS#12 passwords are BMPStrings.
		return bundle{}, refuse(subject, ErrWrongPassword, a.names.passwordHint(),
			"wrong password: it holds characters a PKCS#12 password cannot")
	}
	return bundle{}, refuse(subject, ErrUnreadable, hintFormat, "damaged or unsupported PKCS#12 file: %v", err)
}

// isPKCS12PasswordError recognises go-pkcs12's wrong-password failures.
// The MAC check returns ErrIncorrectPassword itself; decrypting a bag
// with a password the MAC did not cover reports it only as text.
func isPKCS12PasswordError(err error) bool {
	if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, pkcs12.ErrIncorrectPassword.Error()) || strings.Contains(msg, pkcs12.ErrDecryption.Error())
}

// decodeDER reads binary data that is not a PFX: one or more DER
// certificates (a .cer), or a DER private key (a key file).
func decodeDER(data []byte, a access, subject string) (bundle, error) {
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
		return bundle{certs: certs, format: formatDER}, nil
	}
	key, err := parseDERKey(data, a, subject)
	if err != nil {
		return bundle{}, err
	}
	return bundle{key: key, format: formatDER}, nil
}

// parseDERKey reads a DER private key: PKCS#8, PKCS#1, SEC 1, or an
// encrypted PKCS#8.
func parseDERKey(der []byte, a access, subject string) (crypto.PrivateKey, error) {
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return key, nil
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return key, nil
	}
	if key, err := x509.ParseECPrivateKey(der); err == nil {
		return key, nil
	}
	if isEncryptedPKCS8(der) {
		return decryptPKCS8(der, a, subject)
	}
	return nil, refuse(subject, ErrUnreadable, hintFormat,
		"not PKCS#12, PEM, a DER certificate or key, or base64 of one of them")
}

// isEncryptedPKCS8 reports whether der has the shape of an
// EncryptedPrivateKeyInfo: an algorithm identifier and an octet string.
func isEncryptedPKCS8(der []byte) bool {
	var info struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue `asn1:"optional"`
		}
		Data []byte
	}
	rest, err := asn1.Unmarshal(der, &info)
	return err == nil && len(rest) == 0
}

// recoverDamaged turns a panic in a third-party parser into an
// ErrUnreadable error: a damaged file must not crash the run.
func recoverDamaged(err *error, subject string) {
	if r := recover(); r != nil {
		*err = refuse(subject, ErrUnreadable, hintFormat, "the data is damaged (%v)", r)
	}
}

package secrets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Finding says why a file must not be shared.
type Finding struct {
	// File is the name given to Scan.
	File string
	// Line is the 1-based line the finding is on; 0 when it is about the
	// file as a whole.
	Line int
	// Reason says what was found, without the secret itself.
	Reason string
}

// String is the finding as the CLI shows it, e.g.
// "report.lua:12: looks like a password (password is set to a literal string)".
func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Reason)
	}
	return f.File + ": " + f.Reason
}

// maxFindings caps the findings for one file: one is enough to refuse it,
// and a log full of tokens should not print thousands of lines.
const maxFindings = 20

const reasonPFX = "a PKCS#12 (PFX) file holds a private key"

// Scan looks at one file's name (slash-separated path) and contents and
// returns what makes it unsafe to share, in line order, or nil. It
// reports at most one finding per line, and at most maxFindings (20) in
// all.
func Scan(name string, data []byte) []Finding {
	r := report{file: name}
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	ext := path.Ext(base)
	if reason := byName(base, data); reason != "" {
		r.add(0, reason)
	}
	// PKCS#12 is binary; only sniff data that cannot be UTF-8 text, so no
	// text file is ever mistaken for one.
	if !utf8.Valid(data) && looksLikePKCS12(data) {
		r.add(0, reasonPFX)
	}
	if text, ok := asText(data); ok {
		scanText(&r, ext, text)
		if ext == ".csv" {
			scanCSV(&r, text)
		}
	}
	return r.result()
}

// byName returns why a file is a secret by its (lower-case) base name
// alone, or "".
func byName(base string, data []byte) string {
	ext := path.Ext(base)
	switch {
	case ext == ".pfx" || ext == ".p12":
		return reasonPFX
	case ext == ".kdbx":
		return "a KeePass database holds passwords"
	case ext == ".publishsettings":
		return "an Azure publish settings file holds management credentials"
	case ext == ".ppk":
		return "a PuTTY private key file"
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == ".env":
		return "a .env file holds environment secrets"
	case isSSHKeyName(base):
		return "an SSH private key file"
	case ext == ".key" && len(data) > 0 && bytes.IndexByte(data, 0) >= 0:
		// A PEM .key is judged by its content (scanText); a binary one is
		// a DER private key in all likelihood.
		return "a binary .key file is likely a DER-encoded private key"
	}
	return ""
}

// isSSHKeyName reports whether base is the default name of an OpenSSH
// private key (the public halves end in .pub and are fine).
func isSSHKeyName(base string) bool {
	switch base {
	case "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk":
		return true
	}
	return false
}

// asText returns data as text to scan line by line, decoding UTF-16 (what
// Windows PowerShell's Out-File writes), or false when data is binary.
// Text that is not valid UTF-8 (say, Latin-1) is still scanned: the rules
// look for ASCII.
func asText(data []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return decodeUTF16(data[2:], binary.LittleEndian), true
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return decodeUTF16(data[2:], binary.BigEndian), true
	case bytes.IndexByte(data, 0) >= 0:
		return "", false
	}
	return string(data), true
}

func decodeUTF16(b []byte, order binary.ByteOrder) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units))
}

// report collects one file's findings: one per line at most, and one per
// reason for the file as a whole.
type report struct {
	file     string
	findings []Finding
	lines    map[int]bool
}

// add records a finding unless its line (or, for line 0, its reason) is
// already reported. It returns false once the report is full.
func (r *report) add(line int, reason string) bool {
	if len(r.findings) >= maxFindings {
		return false
	}
	if line == 0 && slices.ContainsFunc(r.findings, func(f Finding) bool { return f.Line == 0 && f.Reason == reason }) {
		return true
	}
	if line > 0 {
		if r.lines[line] {
			return true
		}
		if r.lines == nil {
			r.lines = map[int]bool{}
		}
		r.lines[line] = true
	}
	r.findings = append(r.findings, Finding{File: r.file, Line: line, Reason: reason})
	return true
}

func (r *report) full() bool { return len(r.findings) >= maxFindings }

func (r *report) result() []Finding {
	if len(r.findings) == 0 {
		return nil
	}
	slices.SortStableFunc(r.findings, func(a, b Finding) int { return a.Line - b.Line })
	return r.findings
}

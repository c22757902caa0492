package secrets

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// The patterns below are compiled once, on first use (not at start-up:
// every exorun command links this package), and never change;
// a *regexp.Regexp is safe for concurrent use.
var (
	// A PEM private key's BEGIN line: PKCS#8 ("PRIVATE KEY"), PKCS#1
	// ("RSA PRIVATE KEY"), SEC 1 ("EC"), "ENCRYPTED", "OPENSSH", PGP.
	pemBeginRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----`)
	})
	// What follows the BEGIN line of a real key: optional headers
	// (Proc-Type, DEK-Info, Version) and separators, be they newlines, "\n"
	// escapes in a JSON string or Lua concatenation, then base64. A script
	// that merely mentions the marker (to look for keys, say) has none.
	pemBodyRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:[\s"'.,+]|\\[nr]|[A-Za-z-]+: [^\n\\]*)*[A-Za-z0-9+/]{40}`)
	})
	// A private key as the value of a JSON field, as in a Google or Azure
	// service account file.
	jsonKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)"private_?key"\s*:\s*"-----BEGIN`) })
	// JWT: header.payload.signature in base64url; the header always
	// starts with `{"` (eyJ). It is confirmed by decoding the header.
	jwtRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}`)
	})
	// Entra ID (Azure AD) client secret, current format: three characters,
	// a digit, "Q~", then 31 to 34 more, standing alone.
	entraRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:^|[^A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?:$|[^A-Za-z0-9_~.-])`)
	})
	awsRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`) })
	// GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_),
	// server-to-server (ghs_), refresh (ghr_), fine-grained (github_pat_).
	githubRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b`)
	})
	// Azure connection strings and SAS URLs carry their key in the clear.
	// Their keys are matched as Azure writes them, in that case.
	accountKeyRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{20,}`)
	})
	sasRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\bSharedAccessSignature=[^;"'\s]{8,}|[?&]sig=[A-Za-z0-9%+/]{20,}`)
	})
	// What follows a key in key = "value" (Lua), "key": "value" (JSON),
	// key: 'value' (YAML), ["key"] = [[value]] (Lua); groups 1 to 3 are
	// the value. "==", "~=" and "<=" are comparisons, not assignments, and
	// do not match: the key must be followed directly by "=" or ":".
	valueRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^["']?\]?\s*(?::=|=|:)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\[\[(.*?)\]\])`)
	})
	// key = value, unquoted, as a whole line of an ini-like file.
	unquotedRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s*[$]?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*([^\s"'#;]+)\s*(?:[#;].*)?$`)
	})
	// Upper snake case: the name of an environment variable, not a secret.
	envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`) })
)

// allowsUnquoted reports whether, in files with extension ext, an
// unquoted key = value is data rather than code (in Lua, password =
// p.password is a reference, not a password).
func allowsUnquoted(ext string) bool {
	switch ext {
	case "", ".ini", ".cfg", ".conf", ".config", ".properties", ".toml", ".yaml", ".yml", ".txt":
		return true
	}
	return false
}

// scanText runs the line rules over a text file; ext is its lower-case
// extension.
func scanText(r *report, ext string, text string) {
	unquoted := allowsUnquoted(ext)
	offset := 0
	for i, line := range strings.Split(text, "\n") {
		if reason := lineProblem(line, text[offset:], unquoted); reason != "" {
			if !r.add(i+1, reason) {
				return
			}
		}
		offset += len(line) + 1
	}
}

// lineProblem returns why line carries a secret, or "". rest is the text
// from the start of the line to the end of the file, for the rules that
// look past the line (a PEM key's body).
func lineProblem(line, rest string, unquoted bool) string {
	if jsonKeyRE().MatchString(line) {
		return "private key material in JSON (private_key)"
	}
	if loc := pemBeginRE().FindStringSubmatchIndex(line); loc != nil && pemBodyRE().MatchString(window(rest[loc[1]:])) {
		return fmt.Sprintf("holds a PEM private key (%s)", line[loc[2]:loc[3]])
	}
	for _, m := range jwtRE().FindAllString(line, -1) {
		if isJWT(m) {
			return "looks like a JWT (token)"
		}
	}
	// Each pattern is tried only on lines holding its fixed part: the
	// patterns that start with a character class are slow to search for.
	switch {
	case strings.Contains(line, "Q~") && entraRE().MatchString(line):
		return "looks like an Entra ID (Azure AD) client secret"
	case (strings.Contains(line, "AKIA") || strings.Contains(line, "ASIA")) && awsRE().MatchString(line):
		return "looks like an AWS access key ID"
	case (strings.Contains(line, "gh") || strings.Contains(line, "github_pat_")) && githubRE().MatchString(line):
		return "looks like a GitHub token"
	case strings.Contains(line, "Key=") && accountKeyRE().MatchString(line):
		return "looks like a connection string with its account key (AccountKey=)"
	case (strings.Contains(line, "SharedAccessSignature=") || strings.Contains(line, "sig=")) && sasRE().MatchString(line):
		return "looks like a shared access signature (SAS)"
	}
	if key, kind := quotedAssignment(line); kind != "" {
		return fmt.Sprintf("looks like %s (%s is set to a literal string)", kind, key)
	}
	if unquoted {
		if m := unquotedRE().FindStringSubmatch(strings.TrimSuffix(line, "\r")); m != nil {
			if kind := secretKind(m[1]); kind != "" && isLiteralSecret(m[2]) {
				return fmt.Sprintf("looks like %s (%s is set to a literal value)", kind, shorten(m[1]))
			}
		}
	}
	return ""
}

// shorten keeps a key name from the file short enough for a message.
func shorten(key string) string {
	if len(key) <= 40 {
		return key
	}
	return key[:37] + "..."
}

// window caps how far past a PEM BEGIN line its body is looked for, so
// that a file full of markers costs linear time.
func window(s string) string { return s[:min(len(s), 1024)] }

// maxValue caps how far past a key its quoted value is looked for, so
// that a long line with many keys and no closing quote costs linear time.
// Longer secrets are tokens and keys, which their own rules catch.
const maxValue = 4096

// quotedAssignment finds, in one line, a secret-sounding key set to a
// quoted literal that looks like the secret itself, and returns the key
// and what its value would be (kind), or "" for both. It walks the line's
// identifiers once, trying the value pattern only after a key that
// secretKind recognises.
func quotedAssignment(line string) (key, kind string) {
	quotes := quoteTracker{line: line}
	for end := 0; end < len(line); {
		start := end
		for start < len(line) && !isKeyByte(line[start]) {
			start++
		}
		end = start
		for end < len(line) && isKeyByte(line[end]) {
			end++
		}
		if start == end {
			break
		}
		kind := secretKind(line[start:end])
		if kind == "" {
			continue
		}
		// A key inside a string literal ("password: " .. p) is text, not
		// a key; a JSON key is the exception: the string holds just it.
		if q := quotes.openAt(start); q != 0 && (end == len(line) || line[end] != q) {
			continue
		}
		m := valueRE().FindStringSubmatch(line[end:min(len(line), end+maxValue)])
		if m == nil {
			continue
		}
		if isLiteralSecret(m[1] + m[2] + m[3]) { // only one of them matched
			return shorten(line[start:end]), kind
		}
	}
	return "", ""
}

// isKeyByte reports whether c can be part of a key name: identifiers,
// dotted paths (cfg.password) and ini-style names (db-password).
func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

// quoteTracker follows one line left to right, telling whether the
// position reached is inside a "..." or '...' string literal (with
// backslash escapes). After a Lua comment ("--") nothing is. It only moves
// forward, so a line with many matches is still read once.
type quoteTracker struct {
	line    string
	pos     int
	quote   byte // the open literal's quote character, or 0
	comment bool
}

// openAt returns the quote character of the literal open at position to,
// or 0; to must not decrease from one call to the next.
func (t *quoteTracker) openAt(to int) byte {
	for ; t.pos < to && !t.comment; t.pos++ {
		c := t.line[t.pos]
		switch {
		case t.quote != 0 && c == '\\':
			t.pos++ // skip the escaped character
		case t.quote != 0 && c == t.quote:
			t.quote = 0
		case t.quote != 0:
		case c == '"' || c == '\'':
			t.quote = c
		case c == '-' && strings.HasPrefix(t.line[t.pos:], "--"):
			t.comment = true
		}
	}
	if t.comment {
		return 0
	}
	return t.quote
}

// isJWT confirms a jwtRE match: its header must decode to a JSON object
// with an "alg", as every JWS and JWE header has.
func isJWT(token string) bool {
	header, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return false
	}
	_, ok := fields["alg"]
	return ok
}

// secretKind says what a value assigned to key would be ("a password"),
// or "" when key does not name a secret.
//
// It looks at how the key ends (lower case, without "_", "-", "." and
// spaces, so "Client Secret" and clientSecret are client_secret):
// that catches db_password and appSecret, and lets through names that
// only refer to a secret: certificate_password_env, password_file,
// secret_name.
func secretKind(key string) string {
	suffixes := [...]struct{ suffix, kind string }{
		{"clientsecret", "a client secret"},
		{"secret", "a secret"},
		{"password", "a password"},
		{"passwd", "a password"},
		{"passphrase", "a password"},
		{"accesstoken", "an access token"},
		{"refreshtoken", "an access token"},
		{"bearertoken", "an access token"},
		{"authtoken", "an access token"},
		{"apitoken", "an access token"},
		{"apikey", "an API key"},
		{"privatekey", "a private key"},
	}
	for _, s := range suffixes {
		if hasKeySuffix(key, s.suffix) {
			return s.kind
		}
	}
	return ""
}

// hasKeySuffix reports whether key ends in suffix (lower-case letters),
// ignoring case and the separators "_", "-", "." and " ".
func hasKeySuffix(key, suffix string) bool {
	i := len(suffix) - 1
	for k := len(key) - 1; k >= 0 && i >= 0; k-- {
		c := key[k]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
		i--
	}
	return i < 0
}

// isLiteralSecret reports whether value, assigned to a secret-sounding
// key, looks like the secret itself rather than a stand-in for it: long
// enough, and not a placeholder, a reference to an environment variable
// or a mask.
func isLiteralSecret(value string) bool {
	if len([]rune(value)) < 8 {
		return false
	}
	switch {
	case strings.HasPrefix(value, "$"), // $VAR, ${VAR}, $(command)
		strings.HasPrefix(value, "%") && strings.HasSuffix(value, "%"), // %VAR%
		strings.HasPrefix(value, "<") && strings.HasSuffix(value, ">"), // <your secret>
		strings.HasPrefix(value, "[") && strings.HasSuffix(value, "]"), // [REDACTED]
		strings.Contains(strings.ToLower(value), "redacted"),
		strings.HasPrefix(value, "{{") && strings.HasSuffix(value, "}}"),
		strings.HasPrefix(strings.ToLower(value), "env:"),
		envNameRE().MatchString(value):
		return false
	}
	// A mask: "********", "xxxxxxxx".
	first, _ := utf8.DecodeRuneInString(value)
	return strings.Trim(value, string(first)) != ""
}

// scanCSV looks for secrets in a CSV's structure: a column named like a
// password, or rows of key,value pairs ("client_secret,abc...").
func scanCSV(r *report, text string) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return
	}
	columns := map[int]string{} // index → kind
	for i, name := range header {
		if kind := secretKind(strings.TrimSpace(name)); kind != "" {
			columns[i] = kind
		}
	}
	for !r.full() {
		record, err := cr.Read()
		if err != nil {
			return // io.EOF, or not CSV after all: the line rules still ran
		}
		for i, value := range record {
			if kind, ok := columns[i]; ok && isLiteralSecret(value) {
				line, _ := cr.FieldPos(i)
				r.add(line, fmt.Sprintf("looks like %s (column %q holds a value)", kind, shorten(strings.TrimSpace(header[i]))))
			}
		}
		if len(record) >= 2 {
			if kind := secretKind(strings.TrimSpace(record[0])); kind != "" && isLiteralSecret(record[1]) {
				line, _ := cr.FieldPos(1)
				r.add(line, fmt.Sprintf("looks like %s (%q is set to a literal value)", kind, shorten(strings.TrimSpace(record[0]))))
			}
		}
	}
}

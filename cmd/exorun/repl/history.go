package repl

import (
	"fmt"
	"strings"

	"github.com/exorun/exorun/connect"
)

// HistoryEntry returns the one-line form of a chunk the user entered (possibly several lines) for the history, or ok=false when the chunk must not be kept because it holds a secret.
//
// The line editor keeps one entry per line of its history file, so the
// chunk is rewritten to run the same on one line: outside strings, a run
// of blanks that holds a line break or a comment becomes one space
// (comments are dropped); a long string that spans lines becomes a quoted
// string with escapes; a backslash-newline in a quoted string becomes \n.
// A string or comment the chunk leaves open (it did not compile) is
// copied with its line breaks turned to spaces, as broken as it was.
//
// A chunk is not kept when it sets a secret connect{} key (client_secret,
// certificate_password... connect.Fields with Secret) anywhere, inline in
// connect{} or in a table built for it, calls log.secret, or holds a
// string that looks like a JWT (an access token).
func HistoryEntry(chunk string) (line string, ok bool) {
	all := lexLua(chunk)
	s := &tokens{src: chunk}
	for _, t := range all {
		if t.kind != tokComment {
			s.toks = append(s.toks, t)
		}
	}
	if holdsSecret(s) {
		return "", false
	}
	var b strings.Builder
	prev := 0 // end of the last token written
	for i, t := range s.toks {
		if gap := chunk[prev:t.start]; b.Len() > 0 && gap != "" {
			if strings.ContainsAny(gap, "\r\n-") { // a line break or a comment
				b.WriteByte(' ')
			} else {
				b.WriteString(gap)
			}
		}
		prev = t.end
		text := chunk[t.start:t.end]
		switch {
		case t.kind != tokString:
			b.WriteString(text)
		case t.open:
			b.WriteString(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(text))
		case t.long && strings.ContainsAny(text, "\r\n"):
			v, _ := s.stringValue(i)
			b.WriteString(quoteLua(normalizeNewlines(v)))
		case t.long:
			b.WriteString(text)
		default:
			writeShortString(&b, text)
		}
	}
	return strings.TrimRight(b.String(), " \t"), true
}

// normalizeNewlines turns each line break (\r\n, \n\r, \r, \n) into \n,
// as Lua reads them in a long string.
func normalizeNewlines(v string) string {
	if !strings.ContainsRune(v, '\r') {
		return v
	}
	var b strings.Builder
	for j := 0; j < len(v); {
		if c := v[j]; c == '\r' || c == '\n' {
			b.WriteByte('\n')
			j = newlineEnd(v, j)
			continue
		}
		b.WriteByte(v[j])
		j++
	}
	return b.String()
}

// quoteLua writes v as a double-quoted Lua string on one line: \n, \",
// \\ escaped, other control bytes as \ddd (three digits, so that a digit
// after them is not read as part of the escape).
func quoteLua(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\n':
			b.WriteString(`\n`)
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\%03d`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeShortString copies a closed quoted string, turning each escaped
// line break (a backslash at the end of a line) into \n.
func writeShortString(b *strings.Builder, text string) {
	for j := 0; j < len(text); {
		if text[j] != '\\' {
			b.WriteByte(text[j])
			j++
			continue
		}
		end := escapeEnd(text, j)
		if c := text[end-1]; end-j > 1 && (c == '\n' || c == '\r') {
			b.WriteString(`\n`)
		} else {
			b.WriteString(text[j:end])
		}
		j = end
	}
}

// holdsSecret reports whether the chunk's tokens set a secret connect{}
// key, call log.secret or hold a JWT in a string.
func holdsSecret(s *tokens) bool {
	for i, t := range s.toks {
		switch t.kind {
		case tokString:
			if hasJWT(s.text(i)) {
				return true
			}
			// ["client_secret"] = ...
			if v, ok := s.stringValue(i); ok && isSecretKey(v) && s.isOp(i-1, "[") && s.isOp(i+1, "]") && s.isOp(i+2, "=") {
				return true
			}
		case tokName:
			name := s.text(i)
			// client_secret = ..., in connect{...} or cfg.client_secret = ...
			if isSecretKey(name) && s.isOp(i+1, "=") {
				return true
			}
			// log.secret(...), log.secret "...", or keeping log.secret in a
			// variable: whatever it wraps is a secret.
			if name == "secret" && (s.isOp(i-1, ".") || s.isOp(i-1, ":")) && s.isName(i-2) && s.text(i-2) == "log" {
				return true
			}
		}
	}
	return false
}

// isSecretKey reports whether key is a connect{} setting that is a
// secret, ignoring case.
func isSecretKey(key string) bool {
	for _, f := range connect.Fields() {
		if f.Secret && strings.EqualFold(f.Key, key) {
			return true
		}
	}
	return false
}

// hasJWT reports whether s holds what looks like a JSON Web Token: three
// base64url segments joined by dots, the first starting with "eyJ" (the
// encoding of `{"`).
func hasJWT(s string) bool {
	for i := 0; ; {
		k := strings.Index(s[i:], "eyJ")
		if k < 0 {
			return false
		}
		j, segments := i+k, 0
		for {
			n := base64URLRun(s[j:])
			if n == 0 {
				break
			}
			segments++
			j += n
			if segments == 3 || j >= len(s) || s[j] != '.' {
				break
			}
			j++
		}
		if segments == 3 {
			return true
		}
		i += k + 3
	}
}

// base64URLRun is the length of the base64url characters s starts with.
func base64URLRun(s string) int {
	n := 0
	for n < len(s) && (isNameByte(s[n]) || s[n] == '-') {
		n++
	}
	return n
}

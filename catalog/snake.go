package catalog

import "strings"

// SnakeName is the cmdlet's name in Lua: "Get-MailboxPermission" becomes
// "get_mailbox_permission". See snakeName for the rules.
func (c *Cmdlet) SnakeName() string {
	if c.snake == "" {
		return snakeName(c.Name)
	}
	return c.snake
}

// snakeName splits "Verb-Noun" into words and joins them lower-case with
// '_'. It is mechanical, so a script author can predict it:
//
//   - a new word starts at an upper-case letter after a lower-case letter
//     or a digit ("MailboxPermission" -> mailbox, permission;
//     "M365Data" -> m365, data);
//   - a run of capitals is one word, its last capital starting the next
//     word when a lower-case letter follows ("CASMailbox" -> cas, mailbox;
//     "EXOMailbox" -> exo, mailbox);
//   - digits stay with the word before ("MessageTraceV2" -> ..., v2);
//   - a capital run followed by a lone "s" is a plural acronym and keeps
//     it ("DatacenterIPs" -> datacenter, ips);
//   - snakeToken lists words the rules above would cut wrongly.
//
// TestSnakeNamesUnique checks that no two cmdlets of the catalog share a
// snake name.
func snakeName(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 8)
	verb, noun, _ := strings.Cut(name, "-")
	writeSnake(&b, verb)
	if noun != "" {
		b.WriteByte('_')
		writeSnake(&b, noun)
	}
	return b.String()
}

// writeSnake writes one part of a name ("MailboxPermission") as lower-case
// words joined by '_'.
func writeSnake(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		start := i == 0 || wordStart(s, i)
		if start && i > 0 {
			b.WriteByte('_')
		}
		if start {
			if t := snakeToken(s[i:]); t != "" {
				for k := 0; k < len(t); k++ {
					b.WriteByte(lowerASCII(t[k]))
				}
				i += len(t)
				continue
			}
		}
		b.WriteByte(lowerASCII(s[i]))
		i++
	}
}

// snakeToken returns the mixed-case word of the reference that s starts
// with and that is one word: "IPv6" (not i_pv6), "OAuth" (not o_auth),
// "eDiscovery" (not e_discovery); "" if none.
func snakeToken(s string) string {
	for _, t := range [...]string{"IPv6", "OAuth", "eDiscovery"} {
		if strings.HasPrefix(s, t) {
			return t
		}
	}
	return ""
}

// wordStart reports whether a new word starts at s[i] (i > 0).
func wordStart(s string, i int) bool {
	if i == 0 || !isUpper(s[i]) {
		return false
	}
	p := s[i-1]
	if isLower(p) || isDigit(p) {
		return true
	}
	if !isUpper(p) || i+1 >= len(s) || !isLower(s[i+1]) {
		return false
	}
	// "ABc": B starts "Bc", unless the lower-case letter is a plural "s"
	// closing the acronym ("IPs", "IPsFor").
	plural := s[i+1] == 's' && (i+2 == len(s) || !isLower(s[i+2]))
	return !plural
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Package jsoncases holds the JSON encoding cases that the client's and
// the emulator's encoders are both tested against. The two sides share no
// encoder (a wrong field in a shared struct would pass every test and fail
// against the real service), so they share the expected wire text instead.
package jsoncases

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed string-escapes.txt
var stringEscapes string

// StringCase is one string and how the admin API writes it in JSON.
type StringCase struct {
	Line int    // line in string-escapes.txt, for messages
	In   string // the Go string
	JSON string // the quoted JSON text
}

// StringEscapes returns the cases of string-escapes.txt.
func StringEscapes() ([]StringCase, error) {
	var cases []StringCase
	for i, line := range strings.Split(stringEscapes, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var fields [2]string
		rest := line
		for f := range fields {
			lit, err := strconv.QuotedPrefix(rest)
			if err == nil {
				fields[f], err = strconv.Unquote(lit)
			}
			if err != nil {
				return nil, fmt.Errorf("string-escapes.txt:%d: field %d is not a Go string literal: %v", i+1, f+1, err)
			}
			rest = strings.TrimLeft(rest[len(lit):], " \t")
		}
		if rest != "" {
			return nil, fmt.Errorf("string-escapes.txt:%d: text after the expected JSON: %q", i+1, rest)
		}
		cases = append(cases, StringCase{Line: i + 1, In: fields[0], JSON: fields[1]})
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("string-escapes.txt holds no cases")
	}
	return cases, nil
}

// Package suggest answers "did you mean": the candidate closest to a
// mistyped word. It is the one spelling check of the CLI's commands and
// flags, test file headers and tenant fixture fields.
package suggest

import (
	"fmt"
	"strings"
)

// Closest is the candidate closest to word, ignoring case: the one fewest
// edits away (a swap of two neighbouring letters is one edit) if at most
// a third of word's letters (at least one) differ, or else the first that
// word begins; "" when none is close.
func Closest(word string, candidates []string) string {
	word = strings.ToLower(word)
	best, bestDist := "", max(1, len(word)/3)+1
	for _, c := range candidates {
		if d := Distance(word, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" && len(word) >= 2 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), word) {
				return c
			}
		}
	}
	return best
}

// DidYouMean is ` (did you mean "X"?)` for the candidate closest to word,
// "" when none is close: the tail of an error message.
func DidYouMean(word string, candidates []string) string {
	if s := Closest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// Distance is the optimal string alignment distance of a and b:
// insertions, deletions, substitutions and swaps of neighbours each cost
// one. It compares runes, exactly.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

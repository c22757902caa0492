package catalog

import (
	"slices"
	"strings"
)

// maxSuggestions caps a "did you mean" list: more is noise.
const maxSuggestions = 3

// Suggest returns the cmdlet's parameter names closest to name, best
// first, for "did you mean ResultSize?". Closeness is the edit distance
// (insertions, deletions, substitutions and swaps of neighbours), ignoring
// case, at most 3 and at most a third of name's length (so "Id" suggests
// nothing rather than everything short); a name that begins with at least
// three letters of name counts as distance 1 ("Result" -> ResultSize).
func (c *Cmdlet) Suggest(name string) []string {
	names := make([]string, len(c.Parameters))
	for i := range c.Parameters {
		names[i] = c.Parameters[i].Name
	}
	return closest(name, names)
}

// SuggestCmdlet returns the cmdlet names closest to name, as Suggest does
// for parameters. A name written the Lua way (with '_' or no '-') is
// compared with snake names and answered with snake names.
func SuggestCmdlet(name string) []string {
	snake := strings.Contains(name, "_") || !strings.Contains(name, "-")
	ix := loaded()
	names := make([]string, len(ix.cmdlets))
	for i, c := range ix.cmdlets {
		if snake {
			names[i] = c.snake
		} else {
			names[i] = c.Name
		}
	}
	return closest(name, names)
}

func closest(name string, candidates []string) []string {
	limit := min(3, len(name)/3)
	if limit == 0 {
		return nil
	}
	type hit struct {
		name string
		dist int
	}
	var hits []hit
	var rows [3][]int
	for _, cand := range candidates {
		var d int
		switch {
		case len(name) >= 3 && hasPrefixFold(cand, name):
			d = min(len(cand)-len(name), 1)
		case max(len(cand)-len(name), len(name)-len(cand)) > limit:
			continue // the length difference alone exceeds the limit
		default:
			d = distance(name, cand, &rows)
		}
		if d <= limit {
			hits = append(hits, hit{cand, d})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return compareFold(a.name, b.name)
	})
	var out []string
	for i := 0; i < len(hits) && i < maxSuggestions; i++ {
		out = append(out, hits[i].name)
	}
	return out
}

// distance is the optimal string alignment distance between a and b,
// ignoring ASCII case. rows is scratch space reused across calls.
func distance(a, b string, rows *[3][]int) int {
	n := len(b) + 1
	for i := range rows {
		if cap(rows[i]) < n {
			rows[i] = make([]int, n)
		}
		rows[i] = rows[i][:n]
	}
	prev2, prev, cur := rows[0], rows[1], rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		ai := lowerASCII(a[i-1])
		for j := 1; j <= len(b); j++ {
			bj := lowerASCII(b[j-1])
			cost := 1
			if ai == bj {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ai == lowerASCII(b[j-2]) && lowerASCII(a[i-2]) == bj {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix)
}

// sortFold sorts names case-insensitively, the catalog's order.
func sortFold(names []string) { slices.SortFunc(names, compareFold) }

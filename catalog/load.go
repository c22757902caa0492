package catalog

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The catalog's facts (names, parameters, types, sets) come from the
// shared reference through a generated, committed text file that is
// embedded and decoded once, on first use. Why text and not a generated Go
// literal: the package adds about 0.6 MB to a binary this way, and the
// same data as a package-level Go literal added 1.9 MB (measured with a
// throwaway generator); a reference update reviews as a readable line
// diff; decoding costs a few milliseconds once (BenchmarkLoad) and slices
// every string out of the embedded data without copying. Gzip would save
// another ~370 KB but cost the diffs and a copy, so no. Format:
// internal/refgen.

//go:generate go run ./internal/gencatalog ../../shared/reference/exo-cmdlets.json cmdlets_gen.txt

//go:embed cmdlets_gen.txt
var catalogData string

// index is the decoded catalog. It is built once and read-only afterwards.
type index struct {
	cmdlets []*Cmdlet          // sorted by name, case-insensitively
	byName  map[string]*Cmdlet // lower-case name
	bySnake map[string]*Cmdlet // snake name; ambiguous ones are absent
	// ambiguous snake names and the module-only cmdlets the data held,
	// for the tests.
	ambiguous map[string][]string
	skipped   []string
}

// loaded decodes the embedded data on first use. The data is generated
// and tested, so a decoding error is a build defect: panic like
// regexp.MustCompile rather than run with half a catalog.
var loaded = sync.OnceValue(func() *index {
	ix, err := decode(catalogData)
	if err != nil {
		panic("catalog: embedded cmdlets_gen.txt: " + err.Error())
	}
	addRetired(ix) // after decode, which reads only the generated file
	return ix
})

// decode parses the catalog text (format in internal/refgen) and applies
// the package's own decisions: module-only cmdlets left out, Get-EXO*
// wrappers, app-only gaps.
func decode(data string) (*index, error) {
	svcE, svcC, svcEC := []Service{Exchange}, []Service{Compliance}, []Service{Exchange, Compliance}
	servicesOf := func(code string, inherit []Service) ([]Service, error) {
		switch code {
		case "E":
			return svcE, nil
		case "C":
			return svcC, nil
		case "EC":
			return svcEC, nil
		case "-":
			if inherit != nil {
				return inherit, nil
			}
		}
		return nil, fmt.Errorf("bad services %q", code)
	}
	skip := map[string]bool{}
	for _, m := range moduleOnlyCmdlets() {
		skip[strings.ToLower(m.name)] = true
	}

	// Everything lands in a few flat slices; each cmdlet's and set's
	// slices are cut from them at the end, once nothing appends any more.
	nc, np, ns, ne := countRecords(data)
	var (
		cmdlets = make([]Cmdlet, 0, nc)
		params  = make([]Parameter, 0, np)
		sets    = make([]ParameterSet, 0, ns)
		entries = make([]SetParam, 0, ne)
		aliases []paramAlias
		spans   = make([]span, 0, nc)
		setSpan = make([]span, 0, ns)
		skipped []string
	)
	aliasLists := map[string][]string{} // one shared slice per distinct alias field
	skipping, header := false, false
	for lineNo := 1; data != ""; lineNo++ {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if line == "" {
			continue
		}
		if line[0] == '#' {
			header = header || line == "# "+formatVersion
			continue
		}
		if !header {
			return nil, lineErr(lineNo, "no %q header before the data", formatVersion)
		}
		var fa [5]string
		f := fields(line, &fa)
		switch f[0] {
		case "C":
			if len(f) != 3 {
				return nil, lineErr(lineNo, "C wants 3 fields, has %d", len(f))
			}
			name := f[1]
			if skipping = has(skip, name); skipping {
				skipped = append(skipped, name)
				continue
			}
			verb, noun, ok := strings.Cut(name, "-")
			if !ok {
				return nil, lineErr(lineNo, "cmdlet %q is not Verb-Noun", name)
			}
			svc, err := servicesOf(f[2], nil)
			if err != nil {
				return nil, lineErr(lineNo, "%v", err)
			}
			if len(cmdlets) > 0 && compareFold(cmdlets[len(cmdlets)-1].Name, name) >= 0 {
				return nil, lineErr(lineNo, "cmdlet %s out of order", name)
			}
			cmdlets = append(cmdlets, Cmdlet{Name: name, Verb: verb, Noun: noun, Services: svc, Effect: effectOf(verb)})
			spans = append(spans, span{len(params), len(params), len(sets), len(sets), len(aliases), len(aliases)})
		case "P":
			if skipping {
				continue
			}
			if len(f) != 5 || len(cmdlets) == 0 {
				return nil, lineErr(lineNo, "P wants 5 fields after a C line")
			}
			c, sp := &cmdlets[len(cmdlets)-1], &spans[len(spans)-1]
			svc, err := servicesOf(f[3], c.Services)
			if err != nil {
				return nil, lineErr(lineNo, "%v", err)
			}
			if sp.p1 > sp.p0 && compareFold(params[sp.p1-1].Name, f[1]) >= 0 {
				return nil, lineErr(lineNo, "parameter %s out of order", f[1])
			}
			p := Parameter{Name: f[1], Type: f[2], Switch: f[2] == "SwitchParameter", Services: svc}
			if f[4] != "" {
				list, ok := aliasLists[f[4]]
				if !ok {
					list = strings.Split(f[4], ",")
					aliasLists[f[4]] = list
				}
				p.Aliases = list
				for _, a := range list {
					aliases = append(aliases, paramAlias{a, sp.p1 - sp.p0})
				}
				sp.a1 = len(aliases)
			}
			params = append(params, p)
			sp.p1++
		case "S":
			if skipping {
				continue
			}
			if len(f) != 5 || len(cmdlets) == 0 {
				return nil, lineErr(lineNo, "S wants 5 fields after a C line")
			}
			sp := &spans[len(spans)-1]
			s := ParameterSet{Name: f[1], Default: f[2] == "*"}
			if f[4] != "" {
				s.DroppedRequired = strings.Split(f[4], ",")
			}
			e0 := len(entries)
			for list := f[3]; list != ""; {
				var e string
				e, list, _ = strings.Cut(list, " ")
				sp2, err := setParam(e, params[sp.p0:sp.p1])
				if err != nil {
					return nil, lineErr(lineNo, "set %s: %v", s.Name, err)
				}
				entries = append(entries, sp2)
			}
			sets = append(sets, s)
			setSpan = append(setSpan, span{p0: e0, p1: len(entries)})
			sp.s1++
		default:
			return nil, lineErr(lineNo, "unknown record %q", f[0])
		}
	}
	if len(cmdlets) == 0 {
		return nil, errors.New("no cmdlets")
	}

	for i := range sets {
		sets[i].Params = entries[setSpan[i].p0:setSpan[i].p1:setSpan[i].p1]
	}
	ix := &index{
		cmdlets:   make([]*Cmdlet, len(cmdlets)),
		byName:    make(map[string]*Cmdlet, len(cmdlets)),
		bySnake:   make(map[string]*Cmdlet, len(cmdlets)),
		ambiguous: map[string][]string{},
		skipped:   skipped,
	}
	for i := range cmdlets {
		c, sp := &cmdlets[i], spans[i]
		c.Parameters = params[sp.p0:sp.p1:sp.p1]
		c.Sets = sets[sp.s0:sp.s1:sp.s1]
		c.aliases = aliases[sp.a0:sp.a1:sp.a1]
		c.snake = snakeName(c.Name)
		ix.cmdlets[i] = c
		ix.byName[strings.ToLower(c.Name)] = c
		// Two cmdlets with one snake name would make exo.<name> a
		// guess; neither gets it, and TestSnakeNamesUnique fails.
		if other, dup := ix.bySnake[c.snake]; dup || ix.ambiguous[c.snake] != nil {
			if dup {
				ix.ambiguous[c.snake] = append(ix.ambiguous[c.snake], other.Name)
				delete(ix.bySnake, c.snake)
			}
			ix.ambiguous[c.snake] = append(ix.ambiguous[c.snake], c.Name)
			continue
		}
		ix.bySnake[c.snake] = c
	}
	applyWrappers(ix.byName)
	applyAppOnly(ix.byName)
	return ix, nil
}

// formatVersion must match internal/refgen.Version.
const formatVersion = "exorun-catalog/1"

// countRecords counts the C, P and S lines and the set entries, so that
// decode allocates each flat slice once.
func countRecords(data string) (c, p, s, entries int) {
	for data != "" {
		line, rest, _ := strings.Cut(data, "\n")
		data = rest
		if line == "" {
			continue
		}
		switch line[0] {
		case 'C':
			c++
		case 'P':
			p++
		case 'S':
			s++
			entries += strings.Count(line, " ") + 1
		}
	}
	return c, p, s, entries
}

// lineErr reports a malformed line.
func lineErr(line int, format string, args ...any) error {
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}

// fields splits a line at tabs into dst without allocating; a line with
// more fields than dst holds reports len(dst)+1 so the caller rejects it.
func fields(line string, dst *[5]string) []string {
	n := 0
	for {
		if n == len(dst) {
			return make([]string, len(dst)+1)
		}
		f, rest, more := strings.Cut(line, "\t")
		dst[n] = f
		n++
		if !more {
			return dst[:n]
		}
		line = rest
	}
}

// span records where one cmdlet's (or set's) records sit in the flat
// slices while decoding.
type span struct{ p0, p1, s0, s1, a0, a1 int }

// setParam decodes one set entry, "index[r][@position]".
func setParam(e string, params []Parameter) (SetParam, error) {
	num, pos, positional := strings.Cut(e, "@")
	num, required := strings.CutSuffix(num, "r")
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || i >= len(params) {
		return SetParam{}, fmt.Errorf("bad entry %q", e)
	}
	sp := SetParam{Name: params[i].Name, Required: required, Position: Named}
	if positional {
		if sp.Position, err = strconv.Atoi(pos); err != nil || sp.Position < 0 {
			return SetParam{}, fmt.Errorf("bad position in %q", e)
		}
	}
	return sp, nil
}

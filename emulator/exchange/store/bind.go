package store

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/exorun/exorun/catalog"

	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/opath"
)

// listParams are the parameters every list cmdlet models: bind.go's
// resultSize and view.go's filterOf give them their meaning.
const listParams = "Identity Anr Filter ResultSize"

// commonParams are PowerShell's common parameters: every cmdlet binds
// them and none changes what the emulator does. The reference file leaves
// them out.
func isCommonParam(name string) bool {
	switch strings.ToLower(name) {
	case "erroraction", "warningaction", "informationaction", "errorvariable", "warningvariable",
		"informationvariable", "outvariable", "outbuffer", "pipelinevariable", "verbose", "debug", "progressaction":
		return true
	}
	return false
}

// args are a call's parameters bound to the cmdlet's declared names. The
// typed accessors convert values as PowerShell's binder would and keep the
// first conversion error, which the cmdlet checks with failed() before
// acting, so a call either binds completely or changes nothing.
type args struct {
	cmdlet string
	vals   map[string]any    // by lower-case declared name
	decl   map[string]string // lower-case name -> declared spelling
	err    error
}

// v returns a bound value by name, in any case.
func (a *args) v(name string) (any, bool) {
	v, ok := a.vals[strings.ToLower(name)]
	return v, ok
}

// bind matches the sent parameter names against the catalog's
// declaration: exact names and aliases first, then unambiguous prefixes,
// as PowerShell does. It refuses names the real cmdlet lacks, real
// parameters the emulator does not model, combinations no parameter set
// allows, and missing mandatory parameters.
func bind(c *cmdlet, params exchange.Params, svc catalog.Service) (*args, error) {
	ref := c.ref
	a := &args{cmdlet: ref.Name, vals: make(map[string]any, len(params)), decl: make(map[string]string, len(params))}
	sent := make([]string, 0, len(params))
	for k := range params {
		sent = append(sent, k)
	}
	sort.Strings(sent)
	for _, k := range sent {
		if isCommonParam(k) {
			continue
		}
		p, err := matchParam(ref, k, svc)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(p.Name)
		if _, dup := a.vals[key]; dup {
			return nil, exchange.BadParameter("Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.Name)
		}
		a.vals[key] = params[k]
		a.decl[key] = p.Name
	}
	if err := checkSets(ref, a.vals); err != nil {
		return nil, err
	}
	for _, name := range a.decl {
		if !c.models(name) {
			return nil, exchange.BadParameter("The emulated tenant does not model the parameter '%s' of %s. It is a real parameter of the cmdlet, but the emulator cannot give it the service's meaning; leave it out or run against a real tenant.", name, ref.Name)
		}
	}
	return a, nil
}

func matchParam(ref *catalog.Cmdlet, name string, svc catalog.Service) (*catalog.Parameter, error) {
	notFound := exchange.BadParameter("A parameter cannot be found that matches parameter name '%s'.", name)
	if p, ok := ref.Param(name); ok {
		if !p.Runs(svc) {
			return nil, notFound
		}
		return p, nil
	}
	var hits []*catalog.Parameter
	for i := range ref.Parameters {
		p := &ref.Parameters[i]
		if p.Runs(svc) && len(name) < len(p.Name) && strings.EqualFold(p.Name[:len(name)], name) {
			hits = append(hits, p)
		}
	}
	switch len(hits) {
	case 0:
		return nil, notFound
	case 1:
		return hits[0], nil
	}
	var names []string
	for _, h := range hits {
		names = append(names, "-"+h.Name)
	}
	return nil, exchange.BadParameter("Parameter cannot be processed because the parameter name '%s' is ambiguous. Possible matches include: %s.", name, strings.Join(names, " "))
}

// checkSets finds a parameter set that holds every bound parameter and
// whose mandatory parameters are all present.
func checkSets(ref *catalog.Cmdlet, vals map[string]any) error {
	if len(ref.Sets) == 0 {
		return nil
	}
	var fits []*catalog.ParameterSet
	for i := range ref.Sets {
		s := &ref.Sets[i]
		if len(s.DroppedRequired) > 0 {
			continue
		}
		ok := true
		for name := range vals {
			if !slices.ContainsFunc(s.Params, func(p catalog.SetParam) bool { return strings.EqualFold(p.Name, name) }) {
				ok = false
				break
			}
		}
		if ok {
			fits = append(fits, s)
		}
	}
	if len(fits) == 0 {
		return exchange.BadParameter("Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.")
	}
	var missing []string
	for _, s := range fits {
		var m []string
		for _, p := range s.Params {
			if _, ok := vals[strings.ToLower(p.Name)]; p.Required && !ok {
				m = append(m, p.Name)
			}
		}
		if len(m) == 0 {
			return nil
		}
		if missing == nil || s.Default {
			missing = m
		}
	}
	return exchange.BadParameter("Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(missing, " "))
}

func (a *args) has(name string) bool {
	_, ok := a.v(name)
	return ok
}

func (a *args) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

func (a *args) failed() error { return a.err }

// names lists the bound parameters, sorted, for the audit log.
func (a *args) names() []string {
	out := make([]string, 0, len(a.decl))
	for _, k := range a.decl {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// text renders a bound value for the admin audit log.
func (a *args) text(name string) string {
	v, _ := a.v(name)
	return valueText(v)
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "$null"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + valueText(x[k])
		}
		return "@{" + strings.Join(parts, "; ") + "}"
	}
	return fmt.Sprint(v)
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "System.Object[]"
	case map[string]any:
		return "System.Collections.Hashtable"
	case bool:
		return "System.Boolean"
	case float64:
		return "System.Double"
	}
	return "System.String"
}

// scalarText is a single value as text: the string form PowerShell would
// pass to a string parameter.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case nil:
		return "", true
	case bool, float64:
		return valueText(x), true
	case []any:
		if len(x) == 1 {
			return scalarText(x[0])
		}
	}
	return "", false
}

// str is a string parameter ("" when absent or $null).
func (a *args) str(name string) string {
	v, ok := a.v(name)
	if !ok {
		return ""
	}
	s, ok := scalarText(v)
	if !ok {
		a.fail(exchange.BadParameter("Cannot convert '%s' to the type 'System.String' required by parameter '%s'. Specified method is not supported.", typeName(v), name))
	}
	return strings.TrimSpace(s)
}

// boolean is a Boolean or switch parameter (false when absent).
func (a *args) boolean(name string) bool {
	v, ok := a.v(name)
	if !ok {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		if x == 0 || x == 1 {
			return x == 1
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "$true", "1":
			return true
		case "false", "$false", "0":
			return false
		}
	}
	a.fail(exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.", name, valueText(v)))
	return false
}

// integer is an Int32 parameter.
func (a *args) integer(name string) int64 {
	v, ok := a.v(name)
	if !ok {
		return 0
	}
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= math.MaxInt32 {
			return int64(x)
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 32); err == nil {
			return n
		}
	}
	a.fail(exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"", name, valueText(v)))
	return 0
}

// date is a DateTime parameter.
func (a *args) date(name string) (time.Time, bool) {
	v, ok := a.v(name)
	if !ok || v == nil {
		return time.Time{}, false
	}
	s, _ := scalarText(v)
	t, ok := opath.ParseDate(s)
	if !ok {
		a.fail(exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"System.DateTime\". Error: \"String was not recognized as a valid DateTime.\"", name, valueText(v)))
		return time.Time{}, false
	}
	return t, true
}

// strs is a multi-valued parameter given as one value or an array.
func (a *args) strs(name string) []string {
	v, ok := a.v(name)
	if !ok || v == nil {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			s, ok := scalarText(e)
			if !ok {
				a.fail(exchange.BadParameter("Cannot convert '%s' to the type 'System.String' required by parameter '%s'. Specified method is not supported.", typeName(e), name))
				return nil
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case map[string]any:
		a.fail(exchange.BadParameter("Cannot convert the \"System.Collections.Hashtable\" value of type \"System.Collections.Hashtable\" to type \"System.String[]\" required by parameter '%s'.", name))
	default:
		s, _ := scalarText(v)
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// enum is an enumeration parameter; it returns the declared spelling.
func (a *args) enum(name, typ string, allowed ...string) string {
	s := a.str(name)
	if !a.has(name) || a.err != nil {
		return ""
	}
	for _, v := range allowed {
		if strings.EqualFold(v, s) {
			return v
		}
	}
	a.fail(exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\n%s\"", name, s, typ, s, strings.Join(allowed, ", ")))
	return ""
}

// edit is a change to a multi-valued property: a plain value or array
// replaces it; a hashtable @{Add=...; Remove=...} edits it.
type edit struct {
	replace     bool
	values      []string // the new value when replace
	add, remove []string
}

func (a *args) edit(name string) edit {
	v, ok := a.v(name)
	if !ok {
		return edit{}
	}
	h, isHash := v.(map[string]any)
	if !isHash {
		return edit{replace: true, values: a.strs(name)}
	}
	var e edit
	for k, val := range h {
		items := (&args{vals: map[string]any{strings.ToLower(name): val}}).strs(name)
		switch strings.ToLower(k) {
		case "add":
			e.add = append(e.add, items...)
		case "remove":
			e.remove = append(e.remove, items...)
		default:
			a.fail(exchange.BadParameter("Cannot process argument transformation on parameter '%s'. The hashtable key '%s' isn't valid: use Add or Remove, for example @{Add=\"value\"}.", name, k))
		}
	}
	return e
}

// apply applies the edit to a list, matching case-insensitively. keyOf
// gives the comparison key of an element (nil: the element itself).
func (e edit) apply(cur []string, keyOf func(string) string) []string {
	if keyOf == nil {
		keyOf = strings.ToLower
	}
	if e.replace {
		return dedupe(e.values, keyOf)
	}
	out := slices.Clone(cur)
	for _, r := range e.remove {
		out = slices.DeleteFunc(out, func(s string) bool { return keyOf(s) == keyOf(r) })
	}
	out = append(out, e.add...)
	return dedupe(out, keyOf)
}

func dedupe(in []string, keyOf func(string) string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if k := keyOf(s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// resultSize is -ResultSize: a positive number or "Unlimited" (-1).
func (a *args) resultSize(def int) int {
	v, ok := a.v("ResultSize")
	if !ok {
		return def
	}
	s, _ := scalarText(v)
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "unlimited") {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 1 {
		a.fail(exchange.BadParameter("Cannot process argument transformation on parameter 'ResultSize'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\". Error: \"The value must be a positive number or 'Unlimited'.\"", valueText(v)))
		return def
	}
	return int(n)
}

// moreResults is the warning list cmdlets add when ResultSize cut the list.
const moreResults = "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter."

package tenants

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/exorun/exorun/connect"
)

// Tenant is one row of a tenants file.
type Tenant struct {
	// Organization is the tenant as the row gives it (its .onmicrosoft.com
	// domain, another verified domain or its GUID), lower-cased: the
	// tenant's name in output, its folder under --out and its shard key.
	Organization string
	// Settings are the row's connection columns, Organization included;
	// empty fields fall back to the run's flags, environment and profile.
	Settings connect.Settings
	// SecretEnv maps a secret setting's key (certificate_password,
	// client_secret) to the environment variable the row names for it.
	SecretEnv map[string]string
	// Params are the row's other columns, the script's parameters for
	// this tenant; an empty cell is no parameter.
	Params map[string]string
	// Line is the row's line in the file, for messages.
	Line int
}

// Error is a tenants file that cannot be used, with where.
type Error struct {
	File string
	Line int // 0 when the whole file is meant
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// MaxTenants bounds a file: 5,000 customer tenants is a large partner;
// more rows than this is a file that is not a tenant list.
const MaxTenants = 100_000

var (
	// identifier is a free column (a Lua identifier, as params.declare
	// names parameters) and an environment variable's name.
	identifier = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
	// organization is a domain or a GUID: it becomes a folder name, so
	// nothing else is allowed in it.
	organization = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	})
)

// secretWords are the words of a free column name that say its cells
// hold a secret, which a tenants file must not; secretPairs the same for
// two words in a row ("api key").
var (
	secretWords = map[string]bool{"password": true, "passwd": true, "pwd": true, "pass": true, "passphrase": true,
		"secret": true, "token": true, "credential": true, "credentials": true, "apikey": true, "pfx": true, "p12": true}
	secretPairs = map[[2]string]bool{{"api", "key"}: true, {"private", "key"}: true, {"access", "key"}: true, {"shared", "key"}: true}
)

// secretLike reports whether a column name says it holds a secret.
func secretLike(name string) bool {
	words := nameWords(name)
	for i, w := range words {
		if secretWords[w] || secretWords[strings.TrimRight(w, "0123456789")] {
			return true
		}
		if i > 0 && secretPairs[[2]string{words[i-1], w}] {
			return true
		}
	}
	return false
}

// nameWords splits a column name into its lower-case words: at anything
// but a letter or digit (snake_case, kebab-case), before an upper-case
// letter after a lower-case one or a digit (camelCase), and before the
// last capital of an acronym that starts a word (SMTPPassword, APIKey).
func nameWords(name string) []string {
	var (
		words []string
		cur   []rune
	)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && i > 0 {
			prev := rs[i-1]
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// column is what one header names.
type column struct {
	name  string
	field *connect.Field // a connection setting
	// secretEnv is the key of the secret whose variable the column names.
	secretEnv string
}

// classify says what a header names, or why it cannot be a column.
func classify(name string) (column, error) {
	key := strings.ToLower(name)
	if secret, ok := strings.CutSuffix(key, "_env"); ok {
		if f, found := connect.FieldByKey(secret); found {
			if !f.Secret {
				return column{}, fmt.Errorf("column %q: only secrets are named by an environment variable; give %s itself", name, f.Key)
			}
			return column{name: name, secretEnv: f.Key}, nil
		}
	}
	if f, ok := connect.FieldByKey(key); ok {
		switch {
		case f.Secret:
			return column{}, fmt.Errorf("column %q would hold a secret, and a tenants file holds none: name an environment variable in a %q column instead", name, key+"_env")
		case f.Key == "service":
			return column{}, fmt.Errorf("column %q: the script's connect{} chooses the service", name)
		}
		return column{name: name, field: &f}, nil
	}
	switch {
	case !identifier().MatchString(name):
		return column{}, fmt.Errorf("column %q: a parameter column is a name of letters, digits and _ that does not start with a digit", name)
	case secretLike(name):
		return column{}, fmt.Errorf("column %q looks like it holds a secret, and a tenants file holds none: keep secrets in environment variables or a secret store", name)
	}
	return column{name: name}, nil
}

// Parse reads a tenants file: JSON when its name ends in .json or its
// text starts with '[', CSV otherwise. name is the file's name in errors.
func Parse(name string, data []byte) ([]Tenant, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from Excel
	var (
		list []Tenant
		err  error
	)
	if strings.EqualFold(path.Ext(name), ".json") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		list, err = parseJSON(name, data)
	} else {
		list, err = parseCSV(name, data)
	}
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, &Error{File: name, Msg: "no tenants in the file"}
	}
	seen, caches := map[string]int{}, map[string]int{}
	for _, t := range list {
		if first, dup := seen[t.Organization]; dup {
			return nil, &Error{File: name, Line: t.Line, Msg: fmt.Sprintf("organization %s is listed twice (also on line %d): each tenant runs once", t.Organization, first)}
		}
		seen[t.Organization] = t.Line
		if c := t.Settings.TokenCache; c != "" {
			if first, dup := caches[c]; dup {
				return nil, &Error{File: name, Line: t.Line, Msg: fmt.Sprintf("token_cache %s is also line %d's: tenants that run at once would overwrite each other's tokens", c, first)}
			}
			caches[c] = t.Line
		}
	}
	return list, nil
}

// row builds one tenant from its cells, by column.
func row(file string, line int, cols []column, cells []string) (Tenant, error) {
	t := Tenant{Line: line}
	for i, c := range cols {
		v := strings.TrimSpace(cells[i])
		if v == "" {
			continue
		}
		switch {
		case c.secretEnv != "":
			if !identifier().MatchString(v) {
				// Never echoed: a secret pasted where its variable's
				// name belongs must not reach a log or a summary.
				return t, &Error{File: file, Line: line, Msg: fmt.Sprintf("column %s holds no environment variable name (letters, digits and _): it names the variable that holds the secret, never the secret itself", c.name)}
			}
			if t.SecretEnv == nil {
				t.SecretEnv = map[string]string{}
			}
			t.SecretEnv[c.secretEnv] = v
		case c.field != nil:
			c.field.Set(&t.Settings, v)
		default:
			if t.Params == nil {
				t.Params = map[string]string{}
			}
			t.Params[c.name] = v
		}
	}
	org := strings.ToLower(t.Settings.Organization)
	switch {
	case org == "":
		return t, &Error{File: file, Line: line, Msg: "no organization: every row names its tenant"}
	case !organization().MatchString(org) || len(org) > 253:
		return t, &Error{File: file, Line: line, Msg: fmt.Sprintf("organization %q is neither a domain (contoso.onmicrosoft.com) nor a tenant GUID", t.Settings.Organization)}
	}
	t.Organization, t.Settings.Organization = org, org
	return t, nil
}

// header checks a file's columns.
func header(file string, line int, names []string) ([]column, error) {
	cols := make([]column, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("column %d has no name", i+1)}
		}
		c, err := classify(n)
		if err != nil {
			return nil, &Error{File: file, Line: line, Msg: err.Error()}
		}
		key := strings.ToLower(n)
		if seen[key] {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("column %q appears twice", n)}
		}
		seen[key] = true
		cols[i] = c
	}
	if !slices.ContainsFunc(cols, func(c column) bool { return c.field != nil && c.field.Key == "organization" }) {
		return nil, &Error{File: file, Line: line, Msg: "no organization column: the header must name one (organization,app_id,...)"}
	}
	return cols, nil
}

func parseCSV(file string, data []byte) ([]Tenant, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = 0 // every row as wide as the header
	var (
		cols []column
		list []Tenant
	)
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{File: file, Line: pe.Line, Msg: pe.Err.Error()}
			}
			return nil, &Error{File: file, Msg: err.Error()}
		}
		line, _ := r.FieldPos(0) // a record read without error has positions
		if cols == nil {
			if cols, err = header(file, line, cells); err != nil {
				return nil, err
			}
			continue
		}
		if len(list) == MaxTenants {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("more than %d tenants", MaxTenants)}
		}
		t, err := row(file, line, cols, cells)
		if err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	if cols == nil {
		return nil, &Error{File: file, Msg: "empty: want a header row (organization,...) and a row per tenant"}
	}
	return list, nil
}

func parseJSON(file string, data []byte) ([]Tenant, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lineAt := func(offset int64) int { return 1 + bytes.Count(data[:offset], []byte("\n")) }
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, &Error{File: file, Line: 1, Msg: "want a JSON array of objects, one per tenant"}
	}
	var list []Tenant
	for dec.More() {
		start := dec.InputOffset()
		// The object starts after the comma and blanks that follow the
		// offset.
		rest := data[start:]
		start += int64(len(rest) - len(bytes.TrimLeft(rest, ", \t\r\n")))
		line := lineAt(start)
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil || obj == nil {
			if err == nil {
				err = errors.New("got null")
			}
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("want an object of strings, numbers and booleans: %v", err)}
		}
		if len(list) == MaxTenants {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("more than %d tenants", MaxTenants)}
		}
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range obj {
				if !yield(k) {
					return
				}
			}
		})
		cols, err := header(file, line, names)
		if err != nil {
			return nil, err
		}
		cells := make([]string, len(names))
		for i, n := range names {
			if cells[i], err = scalar(obj[n]); err != nil {
				return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("%q: %v", n, err)}
			}
		}
		t, err := row(file, line, cols, cells)
		if err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, &Error{File: file, Line: lineAt(dec.InputOffset()), Msg: fmt.Sprintf("the array does not end: %v", err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: lineAt(dec.InputOffset()), Msg: "text after the array"}
	}
	return list, nil
}

// scalar is a JSON cell as text: a string, a number as written, true or
// false; null is an empty cell.
func scalar(raw json.RawMessage) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", errors.New("want a string, number or boolean")
}

package log

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Redacted is what a secret prints as.
const Redacted = "[REDACTED]"

// The log formats.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// Options configure NewLogger and NewHandler.
type Options struct {
	// Level is the lowest level printed (the --log-level flag); the zero
	// value is slog.LevelInfo.
	Level slog.Level
	// Format is "text" (also when empty): slog's key=value lines, or
	// "json": one JSON object a line. Any other value means text; check
	// the flag with ParseFormat.
	Format string
	// OmitTime drops the time attribute, for output stable enough for
	// golden files.
	OmitTime bool
}

// NewLogger returns a logger writing to w (the CLI passes stderr) that
// redacts secrets (see RedactAttr).
func NewLogger(w io.Writer, opts Options) *slog.Logger {
	return slog.New(NewHandler(w, opts))
}

// NewHandler is the handler of NewLogger.
func NewHandler(w io.Writer, opts Options) slog.Handler {
	replace := RedactAttr
	if opts.OmitTime {
		replace = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return RedactAttr(groups, a)
		}
	}
	ho := &slog.HandlerOptions{Level: opts.Level, ReplaceAttr: replace}
	if opts.Format == FormatJSON {
		return slog.NewJSONHandler(w, ho)
	}
	return slog.NewTextHandler(w, ho)
}

// ParseLevel reads a --log-level value: debug, info, warn or error, in any
// case.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q: want debug, info, warn or error", s)
}

// ParseFormat reads a log format name: text or json, in any case; ""
// means text.
func ParseFormat(s string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case "":
		return FormatText, nil
	case FormatText, FormatJSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown log format %q: want text or json", s)
}

// sensitiveWords are the key fragments whose values never print.
var sensitiveWords = [...]string{"password", "secret", "token", "assertion", "authorization", "cookie"}

// SensitiveKey reports whether an attribute or field named key is redacted:
// it contains, in any case, password, secret, token, assertion,
// authorization or cookie.
func SensitiveKey(key string) bool {
	key = strings.ToLower(key)
	for _, w := range sensitiveWords {
		if strings.Contains(key, w) {
			return true
		}
	}
	return false
}

// RedactAttr is a slog.HandlerOptions.ReplaceAttr that replaces with
// [REDACTED] the value of an attribute with a sensitive key (SensitiveKey)
// or inside a group with one, and any secret value (a *Secret, or a Lua
// userdata made by NewSecret).
func RedactAttr(groups []string, a slog.Attr) slog.Attr {
	if SensitiveKey(a.Key) || isSecretValue(a.Value) {
		return slog.String(a.Key, Redacted)
	}
	for _, g := range groups {
		if SensitiveKey(g) {
			return slog.String(a.Key, Redacted)
		}
	}
	return a
}

func isSecretValue(v slog.Value) bool {
	if v.Kind() != slog.KindAny {
		return false
	}
	switch x := v.Any().(type) {
	case *Secret:
		return true
	case *lua.LUserData:
		_, ok := x.Value.(*Secret)
		return ok
	}
	return false
}

// Secret holds a value marked secret from Lua; it is the Value of the
// userdata NewSecret returns. Every way of printing it (fmt verbs, slog,
// encoding/json) gives [REDACTED].
type Secret struct {
	value lua.LValue
}

// String returns [REDACTED].
func (*Secret) String() string { return Redacted }

// GoString returns [REDACTED], so %#v does not show the value either.
func (*Secret) GoString() string { return Redacted }

// Format prints [REDACTED] for every fmt verb.
func (*Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// LogValue makes slog print [REDACTED].
func (*Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON encodes "[REDACTED]".
func (*Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// secretType names the metatable of secrets in a state's registry.
const secretType = "exorun.secret"

// secretValues names the registry table of the strings marked secret in a
// state (string -> true), which the Lua log functions scrub from output.
const secretValues = "exorun.secret.values"

// minScrub is the shortest secret string scrubbed from log text: shorter
// ones would mangle ordinary words.
const minScrub = 4

// NewSecret marks v as secret in L: a userdata holding a *Secret, whose
// tostring is [REDACTED]. A value that is already a secret is returned as
// it is.
func NewSecret(L *lua.LState, v lua.LValue) *lua.LUserData {
	if ud, ok := v.(*lua.LUserData); ok {
		if _, ok := ud.Value.(*Secret); ok {
			return ud
		}
	}
	if s, ok := v.(lua.LString); ok && len(s) >= minScrub {
		L.NewTypeMetatable(secretValues).RawSetString(string(s), lua.LTrue)
	}
	ud := L.NewUserData()
	ud.Value = &Secret{value: v}
	ud.Metatable = secretMeta(L)
	return ud
}

// Reveal returns the value a secret was made from; ok is false when v is
// not a secret.
func Reveal(v lua.LValue) (lua.LValue, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return lua.LNil, false
	}
	s, ok := ud.Value.(*Secret)
	if !ok {
		return lua.LNil, false
	}
	return s.value, true
}

func secretMeta(L *lua.LState) *lua.LTable {
	if mt, ok := L.GetTypeMetatable(secretType).(*lua.LTable); ok {
		return mt
	}
	mt := L.NewTypeMetatable(secretType)
	mt.RawSetString("__name", lua.LString("secret"))
	mt.RawSetString("__metatable", lua.LString(Redacted))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(Redacted))
		return 1
	}))
	mt.RawSetString("__concat", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("a secret cannot be joined to text; pass log.reveal(s) to the function that needs the value")
		return 0
	}))
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("a secret has no fields; use log.reveal(s) for its value")
		return 0
	}))
	return mt
}

// knownSecrets lists the strings marked secret in L, longest first (so a
// secret containing another is scrubbed whole).
func knownSecrets(L *lua.LState) []string {
	t, ok := L.GetTypeMetatable(secretValues).(*lua.LTable)
	if !ok {
		return nil
	}
	var out []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			out = append(out, string(s))
		}
	})
	sortLongestFirst(out)
	return out
}

// scrubber replaces the known secret strings of a state in log text.
type scrubber struct {
	r *strings.Replacer
}

func newScrubber(secrets []string) scrubber {
	if len(secrets) == 0 {
		return scrubber{}
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, Redacted)
	}
	return scrubber{strings.NewReplacer(pairs...)}
}

func (s scrubber) text(t string) string {
	if s.r == nil {
		return t
	}
	return s.r.Replace(t)
}

func sortLongestFirst(ss []string) {
	sort.Slice(ss, func(i, j int) bool {
		if len(ss[i]) != len(ss[j]) {
			return len(ss[i]) > len(ss[j])
		}
		return ss[i] < ss[j]
	})
}

// attrs turns a Lua fields table into slog attributes, sorted by key.
func attrs(L *lua.LState, fields *lua.LTable, sc scrubber) []slog.Attr {
	type kv struct {
		key string
		val lua.LValue
	}
	var kvs []kv
	fields.ForEach(func(k, v lua.LValue) {
		key := fieldKey(k)
		kvs = append(kvs, kv{key, v})
	})
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].key < kvs[j].key })
	out := make([]slog.Attr, 0, len(kvs))
	for _, e := range kvs {
		out = append(out, slog.Attr{Key: e.key, Value: attrValue(L, e.val, sc)})
	}
	return out
}

// attrValue is the slog value of one field.
func attrValue(L *lua.LState, v lua.LValue, sc scrubber) slog.Value {
	switch x := v.(type) {
	case lua.LString:
		return slog.StringValue(sc.text(string(x)))
	case lua.LNumber:
		switch n := runtime.Number(x).(type) {
		case int64:
			return slog.Int64Value(n)
		case float64:
			return slog.Float64Value(n)
		}
	case lua.LBool:
		return slog.BoolValue(bool(x))
	case *lua.LUserData:
		if s, ok := x.Value.(*Secret); ok {
			return slog.AnyValue(s)
		}
	case *lua.LTable:
		if runtime.IsArray(x) {
			parts := make([]string, 0, x.Len())
			for i := 1; i <= x.Len(); i++ {
				parts = append(parts, elementText(L, x.RawGetInt(i), sc))
			}
			return slog.StringValue(strings.Join(parts, ", "))
		}
		return slog.StringValue(jsonText(L, x, sc))
	}
	return slog.StringValue(sc.text(otherText(L, v)))
}

// elementText is the text of a list element in a joined field.
func elementText(L *lua.LState, v lua.LValue, sc scrubber) string {
	switch x := v.(type) {
	case lua.LString:
		return sc.text(string(x))
	case *lua.LTable:
		return jsonText(L, x, sc)
	case *lua.LUserData:
		if _, ok := x.Value.(*Secret); ok {
			return Redacted
		}
	}
	return sc.text(otherText(L, v))
}

// otherText is the text of a value with no better rendering: numbers and
// booleans as Lua prints them, userdata by its __tostring, functions and
// threads by their type.
func otherText(L *lua.LState, v lua.LValue) string {
	switch x := v.(type) {
	case lua.LNumber:
		return runtime.Text(x)
	case *lua.LUserData:
		if L.GetMetaField(x, "__tostring") != lua.LNil {
			return L.ToStringMeta(x).String()
		}
		return "<userdata>"
	case *lua.LFunction:
		return "<function>"
	case *lua.LState:
		return "<thread>"
	}
	return v.String()
}

// jsonText renders a table as compact JSON with sorted keys, values under
// sensitive keys and secrets redacted, secret strings scrubbed.
func jsonText(L *lua.LState, t *lua.LTable, sc scrubber) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSON(L, t, sc, map[*lua.LTable]bool{})); err != nil {
		return "<" + err.Error() + ">"
	}
	return strings.TrimRight(b.String(), "\n")
}

func toJSON(L *lua.LState, v lua.LValue, sc scrubber, visiting map[*lua.LTable]bool) any {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LBool:
		return bool(x)
	case lua.LNumber:
		return runtime.Number(x)
	case lua.LString:
		return sc.text(string(x))
	case *lua.LUserData:
		if _, ok := x.Value.(*Secret); ok {
			return Redacted
		}
	case *lua.LTable:
		if visiting[x] {
			return "<cycle>"
		}
		if len(visiting) >= runtime.MaxNesting {
			return "{...}"
		}
		visiting[x] = true
		defer delete(visiting, x)
		if runtime.IsArray(x) {
			list := make([]any, 0, x.Len())
			for i := 1; i <= x.Len(); i++ {
				list = append(list, toJSON(L, x.RawGetInt(i), sc, visiting))
			}
			return list
		}
		obj := map[string]any{}
		x.ForEach(func(k, e lua.LValue) {
			key := fieldKey(k)
			if SensitiveKey(key) {
				obj[key] = Redacted
				return
			}
			obj[key] = toJSON(L, e, sc, visiting)
		})
		return obj
	}
	return sc.text(otherText(L, v))
}

// fieldKey is a Lua table key as a log field name.
func fieldKey(k lua.LValue) string {
	switch kk := k.(type) {
	case lua.LString:
		return string(kk)
	case lua.LNumber:
		return kk.String()
	}
	return runtime.Format(k)
}

package log

import (
	"context"
	"fmt"
	"log/slog"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// Module returns the "log" module logging to logger; nil discards. Build
// logger with NewLogger so attributes with sensitive keys are redacted
// (secrets print as [REDACTED] with any handler).
func Module(logger *slog.Logger) runtime.Module {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return runtime.Module{
		Name: "log",
		Open: func(L *lua.LState) lua.LValue {
			t := L.NewTable()
			for name, level := range map[string]slog.Level{
				"debug": slog.LevelDebug,
				"info":  slog.LevelInfo,
				"warn":  slog.LevelWarn,
				"error": slog.LevelError,
			} {
				t.RawSetString(name, L.NewFunction(logFunc(logger, "log."+name, level)))
			}
			t.RawSetString("enabled", L.NewFunction(func(L *lua.LState) int {
				s, ok := L.Get(1).(lua.LString)
				if !ok {
					return runtime.Raise(L, fmt.Errorf("log.enabled: level must be a string, got %s", L.Get(1).Type()))
				}
				level, err := ParseLevel(string(s))
				if err != nil {
					return runtime.Raise(L, fmt.Errorf("log.enabled: %w", err))
				}
				L.Push(lua.LBool(logger.Enabled(luaContext(L), level)))
				return 1
			}))
			t.RawSetString("secret", L.NewFunction(secret))
			t.RawSetString("reveal", L.NewFunction(reveal))
			return t
		},
	}
}

func luaContext(L *lua.LState) context.Context {
	return runtime.Context(L)
}

// logFunc returns log.debug, log.info, log.warn or log.error.
func logFunc(logger *slog.Logger, name string, level slog.Level) lua.LGFunction {
	return func(L *lua.LState) int {
		var msg string
		switch m := L.Get(1).(type) {
		case lua.LString:
			msg = string(m)
		case lua.LNumber:
			msg = runtime.Text(m)
		case *lua.LUserData:
			if _, ok := m.Value.(*Secret); !ok {
				return runtime.Raise(L, fmt.Errorf("%s: message must be a string, got userdata", name))
			}
			msg = Redacted
		default:
			return runtime.Raise(L, fmt.Errorf("%s: message must be a string, got %s", name, m.Type()))
		}
		var fields *lua.LTable
		switch f := L.Get(2).(type) {
		case *lua.LNilType:
		case *lua.LTable:
			fields = f
		default:
			return runtime.Raise(L, fmt.Errorf("%s: fields must be a table, got %s", name, f.Type()))
		}
		ctx := luaContext(L)
		if !logger.Enabled(ctx, level) {
			return 0
		}
		sc := newScrubber(knownSecrets(L))
		var as []slog.Attr
		if fields != nil {
			as = attrs(L, fields, sc)
		}
		logger.LogAttrs(ctx, level, sc.text(msg), as...)
		return 0
	}
}

// secret is log.secret(value).
func secret(L *lua.LState) int {
	if L.GetTop() < 1 || L.Get(1) == lua.LNil {
		return runtime.Raise(L, fmt.Errorf("log.secret: want a value to mark secret, got nil"))
	}
	L.Push(NewSecret(L, L.Get(1)))
	return 1
}

// reveal is log.reveal(secret).
func reveal(L *lua.LState) int {
	v, ok := Reveal(L.Get(1))
	if !ok {
		return runtime.Raise(L, fmt.Errorf("log.reveal: want a value from log.secret, got %s", L.Get(1).Type()))
	}
	L.Push(v)
	return 1
}

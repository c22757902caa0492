package log

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// run runs src with the log module writing to a buffer and returns the log
// text and what print wrote to stdout.
func run(t *testing.T, opts Options, src string) (logged, stdout string) {
	t.Helper()
	var b bytes.Buffer
	stdout = runtimetest.MustRun(t, src, runtime.Options{Modules: []runtime.Module{Module(NewLogger(&b, opts))}})
	return b.String(), stdout
}

const leaky = `local log = require("log")
local pw = log.secret("Hunter2-Pa55word")
log.info("connecting", {
	user = "admin@contoso.com",
	password = pw,
	client_secret = "s3cr3t-Client-Value",
	Access_Token = "tok-123456",
	request = {method = "POST", headers = {Authorization = "Bearer abc.def.ghi"}, body = {pw, "plain"}},
	list = {pw, "b"},
	marked = pw,
})
log.warn("password in text: " .. log.reveal(pw), {copy = "was " .. log.reveal(pw)})
log.error(pw)
print(pw, tostring(pw))
`

var leaks = []string{"Hunter2-Pa55word", "s3cr3t-Client-Value", "tok-123456", "abc.def.ghi"}

func TestSecretsNeverPrint(t *testing.T) {
	for _, format := range []string{FormatText, FormatJSON} {
		logged, stdout := run(t, Options{Level: slog.LevelDebug, Format: format}, leaky)
		for _, secret := range leaks {
			if strings.Contains(logged+stdout, secret) {
				t.Errorf("%s: %q leaked:\n%s%s", format, secret, logged, stdout)
			}
		}
		if stdout != "[REDACTED]\t[REDACTED]\n" {
			t.Errorf("%s: print(secret) gave %q", format, stdout)
		}
		if !strings.Contains(logged, "admin@contoso.com") || !strings.Contains(logged, "POST") {
			t.Errorf("%s: ordinary fields missing:\n%s", format, logged)
		}
		// Access_Token, client_secret, list, marked, password, body,
		// Authorization, the two revealed copies and the secret message.
		if n := strings.Count(logged, Redacted); n != 10 {
			t.Errorf("%s: %d redactions, want 10:\n%s", format, n, logged)
		}
	}
}

func TestTextGolden(t *testing.T) {
	logged, _ := run(t, Options{Level: slog.LevelDebug, OmitTime: true}, leaky)
	want := `level=INFO msg=connecting Access_Token=[REDACTED] client_secret=[REDACTED] list="[REDACTED], b" marked=[REDACTED] password=[REDACTED] request="{\"body\":[\"[REDACTED]\",\"plain\"],\"headers\":{\"Authorization\":\"[REDACTED]\"},\"method\":\"POST\"}" user=admin@contoso.com
level=WARN msg="password in text: [REDACTED]" copy="was [REDACTED]"
level=ERROR msg=[REDACTED]
`
	if logged != want {
		t.Errorf("got:\n%s\nwant:\n%s", logged, want)
	}
}

func TestJSONGolden(t *testing.T) {
	logged, _ := run(t, Options{Level: slog.LevelDebug, Format: "json", OmitTime: true}, `local log = require("log")
log.info("moved", {mailbox = "alice@contoso.com", sizeGB = 12.5, items = 1200, done = true, token = "abc123456"})
log.debug("detail", {aliases = {"a@contoso.com", "b@contoso.com"}, quota = {warn = 49, max = 50}})
`)
	want := `{"level":"INFO","msg":"moved","done":true,"items":1200,"mailbox":"alice@contoso.com","sizeGB":12.5,"token":"[REDACTED]"}
{"level":"DEBUG","msg":"detail","aliases":"a@contoso.com, b@contoso.com","quota":"{\"max\":50,\"warn\":49}"}
`
	if logged != want {
		t.Errorf("got:\n%s\nwant:\n%s", logged, want)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(logged), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("not JSON: %s: %v", line, err)
		}
	}
}

func TestTimeKept(t *testing.T) {
	logged, _ := run(t, Options{}, `require("log").info("hello")`)
	if !strings.HasPrefix(logged, "time=") || !strings.HasSuffix(logged, " level=INFO msg=hello\n") {
		t.Errorf("got %q, want a time attribute first", logged)
	}
}

func TestLevelsFilter(t *testing.T) {
	src := `local log = require("log")
log.debug("d") log.info("i") log.warn("w") log.error("e")
print(log.enabled("debug"), log.enabled("INFO"), log.enabled("warn"), log.enabled("error"))
`
	for _, tc := range []struct {
		level   slog.Level
		logged  string
		enabled string
	}{
		{slog.LevelDebug, "level=DEBUG msg=d\nlevel=INFO msg=i\nlevel=WARN msg=w\nlevel=ERROR msg=e\n", "true\ttrue\ttrue\ttrue\n"},
		{slog.LevelInfo, "level=INFO msg=i\nlevel=WARN msg=w\nlevel=ERROR msg=e\n", "false\ttrue\ttrue\ttrue\n"},
		{slog.LevelWarn, "level=WARN msg=w\nlevel=ERROR msg=e\n", "false\tfalse\ttrue\ttrue\n"},
		{slog.LevelError, "level=ERROR msg=e\n", "false\tfalse\tfalse\ttrue\n"},
	} {
		logged, stdout := run(t, Options{Level: tc.level, OmitTime: true}, src)
		if logged != tc.logged {
			t.Errorf("level %v: logged\n%s\nwant\n%s", tc.level, logged, tc.logged)
		}
		if stdout != tc.enabled {
			t.Errorf("level %v: enabled %q, want %q", tc.level, stdout, tc.enabled)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, " Warn ": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "warning", "trace"} {
		_, err := ParseLevel(in)
		if want := fmt.Sprintf("unknown log level %q: want debug, info, warn or error", in); err == nil || err.Error() != want {
			t.Errorf("ParseLevel(%q): %v, want %s", in, err, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"": "text", "TEXT": "text", "json": "json"} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("logfmt"); err == nil || err.Error() != `unknown log format "logfmt": want text or json` {
		t.Errorf("ParseFormat(logfmt): %v", err)
	}
}

func TestRedactAttrFromGo(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	ud := NewSecret(L, lua.LString("ud-secret-value"))
	var b bytes.Buffer
	logger := NewLogger(&b, Options{OmitTime: true})
	logger.Info("go",
		slog.Group("creds", slog.String("Password", "pw-1"), slog.String("user", "u")),
		slog.Group("cookieJar", slog.String("session", "c-2")),
		slog.String("HTTP_AUTHORIZATION", "a-3"),
		slog.String("samlAssertion", "s-4"),
		slog.Any("ud", ud),
		slog.Any("s", ud.Value),
		slog.Int("count", 3),
	)
	want := "level=INFO msg=go creds.Password=[REDACTED] creds.user=u cookieJar.session=[REDACTED] HTTP_AUTHORIZATION=[REDACTED] samlAssertion=[REDACTED] ud=[REDACTED] s=[REDACTED] count=3\n"
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
}

func TestSecretGoValue(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	ud := NewSecret(L, lua.LString("plain-text-value"))
	s := ud.Value.(*Secret)
	printed := fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s)
	if strings.Contains(printed, "plain") || strings.Count(printed, Redacted) != 6 {
		t.Errorf("fmt: %s", printed)
	}
	j, err := json.Marshal(map[string]any{"s": s})
	if err != nil || string(j) != `{"s":"[REDACTED]"}` {
		t.Errorf("json: %s, %v", j, err)
	}
	if _, err := runtime.FromLua(ud); err == nil {
		t.Errorf("runtime.FromLua converted a secret")
	}
	if v, ok := Reveal(ud); !ok || v != lua.LString("plain-text-value") {
		t.Errorf("Reveal = %v, %v", v, ok)
	}
	if _, ok := Reveal(lua.LString("x")); ok {
		t.Errorf("Reveal of a string: ok")
	}
	if NewSecret(L, ud) != ud {
		t.Errorf("NewSecret of a secret made a new one")
	}
}

func TestErrors(t *testing.T) {
	for src, want := range map[string]string{
		`require("log").info()`:                         "log.info: message must be a string, got nil",
		`require("log").warn({})`:                       "log.warn: message must be a string, got table",
		`require("log").error("x", "y")`:                "log.error: fields must be a table, got string",
		`require("log").enabled("verbose")`:             `log.enabled: unknown log level "verbose": want debug, info, warn or error`,
		`require("log").secret(nil)`:                    "log.secret: want a value to mark secret, got nil",
		`require("log").reveal("x")`:                    "log.reveal: want a value from log.secret, got string",
		`local s = require("log").secret("abc") .. "x"`: "a secret cannot be joined to text; pass log.reveal(s) to the function that needs the value",
		`local v = require("log").secret("abc").value`:  "a secret has no fields; use log.reveal(s) for its value",
	} {
		_, err := runtimetest.Run(t, src, runtime.Options{Modules: []runtime.Module{Module(nil)}})
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: got %v, want ...%s", src, err, want)
		}
	}
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/log_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	logged, _ := run(t, Options{Level: slog.LevelInfo, OmitTime: true}, string(src))
	want := "level=INFO msg=\"signed in\" cert=[REDACTED] client_secret=[REDACTED] user=svc@contoso.com\n"
	if logged != want {
		t.Errorf("got:\n%s\nwant:\n%s", logged, want)
	}
}

func TestScrubOnlyLongSecrets(t *testing.T) {
	logged, _ := run(t, Options{OmitTime: true}, `local log = require("log")
local short, long = log.secret("abc"), log.secret("abcdef")
log.info("abc abcdefg " .. log.reveal(long), {k = "xabcdefx", n = 1})
`)
	want := "level=INFO msg=\"abc [REDACTED]g [REDACTED]\" k=x[REDACTED]x n=1\n"
	if logged != want {
		t.Errorf("got  %s\nwant %s", logged, want)
	}
}

package scripttest

import (
	"context"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// expectations runs src, a test file's body, with expect() alone, and
// returns the failures it recorded.
func expectations(t *testing.T, src string) []failure {
	t.Helper()
	tr := &testRun{name: "m_test.lua", src: []byte(src)}
	st := runtime.New(runtime.Options{Globals: map[string]lua.LGFunction{"expect": tr.expect}})
	defer st.Close()
	sc, err := runtime.Compile(tr.name, tr.src)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Run(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	return tr.failures
}

func TestMatchersPass(t *testing.T) {
	fails := expectations(t, `
expect(1 + 1).to_equal(2)
expect({a = {1, 2}, b = "x"}).to_equal({b = "x", a = {1, 2}})
expect("abc").not_to_equal("abd")
expect("forwarding to x@example.org").to_contain("x@example.org")
expect({{cmdlet = "Set-Mailbox", Identity = "LeeG", Extra = 1}}):to_contain{cmdlet = "Set-Mailbox", identity = "LeeG"}
expect({"a", "b"}).to_contain("b")
expect({"a", "b"}).not_to_contain("c")
expect("2026-11-01").to_match("^%d+%-%d+%-%d+$")
expect(5).to_be_greater_than(4)
expect(3).to_be_less_than(3.5)
expect(0).to_be_truthy()
expect(false).to_be_falsy()
expect(nil).to_be_nil()
expect({1, 2, 3}).to_have_length(3)
expect("abcd").to_have_length(4)
`)
	for _, f := range fails {
		t.Errorf("%s:%d: %s", f.File, f.Line, f.Message)
	}
}

func TestMatchersFail(t *testing.T) {
	src := `expect(1).to_equal(2)
expect({a = 1}).to_equal({a = 2})
expect("one\ntwo\n").to_equal("one\nthree\n")
expect({{Identity = "AdeleV"}}).to_contain{Identity = "LeeG"}
expect("abc").not_to_contain("b")
expect("x").to_be_greater_than(1)
expect(nil, "the mailbox must exist").to_be_truthy()
expect(1).to_be_nil()
expect("abc").to_match("^%d")
expect({1}).to_have_length(2)
expect(1).not_to_equal(1)
`
	fails := expectations(t, src)
	lines := strings.Split(strings.TrimSpace(src), "\n")
	if len(fails) != len(lines) {
		t.Fatalf("%d failures, want one a line (%d):\n%v", len(fails), len(lines), fails)
	}
	for i, f := range fails {
		if f.File != "m_test.lua" || f.Line != i+1 || !strings.HasPrefix(f.Message, lines[i]+"\n") {
			t.Errorf("failure %d: %s:%d: %q; want line %d, starting with its source", i, f.File, f.Line, f.Message, i+1)
		}
	}
	for i, want := range map[int]string{
		0: "got:  1\nwant: 2",
		1: "got:  { a = 1 }\nwant: { a = 2 }",
		2: "--- want\n+++ got\n@@ -1,2 +1,2 @@\n one\n-three\n+two",
		3: `does not contain { Identity = "LeeG" }`,
		6: "the mailbox must exist\ngot nil",
	} {
		if !strings.Contains(fails[i].Message, want) {
			t.Errorf("failure %d: %q does not say %q", i, fails[i].Message, want)
		}
	}
}

package params_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/stdlib/params"
)

var manifestSpec = params.Spec{
	"top":  {Type: "integer", Default: float64(10), Help: "how many"},
	"who":  {Required: true, Position: 1},
	"tags": {Type: "list", Default: []any{"a", "b"}},
}

// Resolve checks the command line against a spec before any script runs,
// with params.declare's own errors.
func TestSpecResolve(t *testing.T) {
	got, err := manifestSpec.Resolve(params.Input{Named: map[string]string{"TOP": "3"}, Args: []string{"AdeleV"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"top": int64(3), "who": "AdeleV", "tags": []any{"a", "b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
	for _, tc := range []struct {
		in   params.Input
		want string
	}{
		{params.Input{Args: []string{"x"}, Named: map[string]string{"tpo": "3"}}, `unknown parameter "tpo" (declared: tags, top, who); did you mean "top"?`},
		{params.Input{}, `missing required parameter "who"`},
		{params.Input{Args: []string{"x"}, Named: map[string]string{"top": "many"}}, `parameter "top": "many" is not an integer`},
	} {
		_, err := manifestSpec.Resolve(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.in, err, tc.want)
		}
		if exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%+v: exit code %d, want usage", tc.in, exitcode.Of(err))
		}
		if h := exitcode.HintOf(err); !strings.Contains(h, "--param top=INTEGER") {
			t.Errorf("hint %q does not list the parameters", h)
		}
	}
	if err := (params.Spec{"n": {Type: "int"}}).Check(); err == nil || !strings.Contains(err.Error(), `unknown type "int"`) {
		t.Errorf("Check: %v", err)
	}
}

// Under a bundle (Input.Fixed), params.declare() takes the manifest's
// parameters, the same table is accepted, and any other is refused.
func TestDeclareUnderAManifest(t *testing.T) {
	in := params.Input{Args: []string{"LeeG"}, Fixed: manifestSpec}
	mustRun(t, in, `
		local p = params.declare()
		assert(p.top == 10 and p.who == "LeeG" and p.tags[2] == "b")
		local q = params.declare{
			who = {required = true, position = 1},
			top = {type = "integer", default = 10, help = "how many"},
			tags = {type = "list", default = "a,b"},
		}
		assert(q.who == "LeeG")
	`)
	_, err := run(t, in, `params.declare{who = {required = true, position = 1}, top = "number"}`)
	for _, want := range []string{"the script declares other parameters than the bundle's manifest", "script: top{type=number", "manifest: tags{type=list"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	if _, err := run(t, params.Input{}, `params.declare()`); err == nil || !strings.Contains(err.Error(), "only a bundle") {
		t.Errorf("declare() outside a bundle: %v", err)
	}
}

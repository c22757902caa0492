package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
	"github.com/exorun/exorun/emulator/fixture"
)

const (
	testTenant = "3f2b8c1e-7a4d-4e5f-9b6a-0c1d2e3f4a5b"
	testOrg    = "contoso.onmicrosoft.com"
	testApp    = "6e1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
)

func testCaller() exchange.Caller {
	return exchange.Caller{TenantID: testTenant, Organization: testOrg, AppID: testApp, AppName: "exorun tests"}
}

// fixtureStore is an in-memory store holding the fixture, its clock
// pinned to ReferenceTime.
func fixtureStore(t testing.TB) *Store {
	t.Helper()
	s, err := New("", WithClock(tenant.ReferenceTime))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddTenant(fixture.Demo().Tenant(testTenant, testOrg)); err != nil {
		t.Fatal(err)
	}
	return s
}

type P = exchange.Params

func call(cmdlet string, params P) exchange.Call {
	return exchange.Call{Service: catalog.Exchange, Cmdlet: cmdlet, Params: params, Caller: testCaller(), RequestID: "req-1"}
}

func invoke(t testing.TB, s *Store, cmdlet string, params P) *exchange.Result {
	t.Helper()
	res, err := s.Invoke(context.Background(), call(cmdlet, params))
	if err != nil {
		t.Fatalf("%s %v: %v", cmdlet, params, err)
	}
	return res
}

// invokeErr runs a call that must fail with an *exchange.Error.
func invokeErr(t testing.TB, s *Store, cmdlet string, params P) *exchange.Error {
	t.Helper()
	res, err := s.Invoke(context.Background(), call(cmdlet, params))
	var xe *exchange.Error
	if !errors.As(err, &xe) {
		t.Fatalf("%s %v: got result %v, error %v; want an *exchange.Error", cmdlet, params, res, err)
	}
	return xe
}

func wantErr(t testing.TB, xe *exchange.Error, status int, contains ...string) {
	t.Helper()
	if xe.Status != status {
		t.Errorf("status %d, want %d (%s)", xe.Status, status, xe.Message)
	}
	for _, c := range contains {
		if !strings.Contains(xe.Message, c) {
			t.Errorf("message %q lacks %q", xe.Message, c)
		}
	}
}

func objects(res *exchange.Result) []exchange.Object {
	out := make([]exchange.Object, res.Count)
	for i := range out {
		out[i] = res.Object(i)
	}
	return out
}

func get(t testing.TB, o exchange.Object, name string) any {
	t.Helper()
	v, ok := o.Get(name)
	if !ok {
		t.Fatalf("object has no property %s", name)
	}
	return v
}

// values lists one property of every object, as text.
func values(t testing.TB, res *exchange.Result, name string) []string {
	t.Helper()
	var out []string
	for _, o := range objects(res) {
		out = append(out, fmt.Sprint(get(t, o, name)))
	}
	return out
}

func sameSet(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func wantNames(t testing.TB, res *exchange.Result, want ...string) {
	t.Helper()
	if got := values(t, res, "Name"); !sameSet(got, want) {
		t.Fatalf("names %v, want %v", got, want)
	}
}

// lastAudit is the newest admin audit log entry, via Search-AdminAuditLog.
func lastAudit(t testing.TB, s *Store) exchange.Object {
	t.Helper()
	res := invoke(t, s, "Search-AdminAuditLog", P{"ResultSize": 1.0})
	if res.Count != 1 {
		t.Fatalf("audit log empty")
	}
	return res.Object(0)
}

package msi

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"
)

// These tests drive the handler with MSAL Go's real managed identity client.
// They set IDENTITY_ENDPOINT / IDENTITY_HEADER with t.Setenv, which is
// process-wide, so none of them may run in parallel.
//
// MSAL's managedidentity package also keeps a process-wide token cache keyed
// by (identity, resource). Every acquisition here passes WithClaims, which
// makes MSAL skip its cache read, so each one really reaches the server
// whatever ran before it (other tests, or -count=N); the fake host's Issue
// log proves it did.

const outlookScope = outlook + "/.default"

// msalServer starts the endpoint on plain HTTP loopback, as App Service's is,
// and points MSAL at it.
func msalServer(t *testing.T, host Host, header, sentHeader string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler(host, header))
	t.Cleanup(srv.Close)
	t.Setenv("IDENTITY_ENDPOINT", srv.URL+"/msi/token")
	t.Setenv("IDENTITY_HEADER", sentHeader)
	// Set, it would turn the source into Service Fabric.
	t.Setenv("IDENTITY_SERVER_THUMBPRINT", "")
	if src, err := managedidentity.GetSource(); err != nil || src != managedidentity.AppService {
		t.Fatalf("MSAL source %q (err %v), want AppService", src, err)
	}
	return srv
}

func msalClient(t *testing.T, srv *httptest.Server, id managedidentity.ID) managedidentity.Client {
	t.Helper()
	c, err := managedidentity.New(id,
		managedidentity.WithHTTPClient(srv.Client()),
		// A refused request must fail at once, not after MSAL's retries.
		managedidentity.WithRetryPolicyDisabled())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fresh bypasses MSAL's process-wide cache (see the file comment). App
// Service ignores claims; MSAL does not even send them there.
func fresh(t *testing.T) managedidentity.AcquireTokenOption {
	return managedidentity.WithClaims(`{"access_token":{"xms_test":{"value":"` + t.Name() + `"}}}`)
}

func TestMSALSystemAssigned(t *testing.T) {
	header := newHeader(t)
	host := newFakeHost(systemIdentity, userIdentity)
	srv := msalServer(t, host, header, header)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := msalClient(t, srv, managedidentity.SystemAssigned()).AcquireToken(ctx, outlookScope, fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	checkMSALResult(t, host, res, systemIdentity)
}

func TestMSALUserAssigned(t *testing.T) {
	for _, c := range []struct {
		name string
		id   managedidentity.ID
	}{
		{"client id", managedidentity.UserAssignedClientID(userClientID)},
		{"client id upper case", managedidentity.UserAssignedClientID(strings.ToUpper(userClientID))},
		{"resource id", managedidentity.UserAssignedResourceID(userResID)},
		{"object id", managedidentity.UserAssignedObjectID(userObjectID)},
	} {
		t.Run(c.name, func(t *testing.T) {
			header := newHeader(t)
			host := newFakeHost(systemIdentity, userIdentity)
			srv := msalServer(t, host, header, header)

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := msalClient(t, srv, c.id).AcquireToken(ctx, outlookScope, fresh(t))
			if err != nil {
				t.Fatal(err)
			}
			checkMSALResult(t, host, res, userIdentity)
		})
	}
}

func checkMSALResult(t *testing.T, host *fakeHost, res managedidentity.AuthResult, want Identity) {
	t.Helper()
	calls := host.calls()
	if len(calls) != 1 {
		t.Fatalf("Issue called %d times, want 1", len(calls))
	}
	if calls[0].id != want {
		t.Errorf("issued for %+v, want %+v", calls[0].id, want)
	}
	// MSAL trims "/.default": App Service takes a resource, not a scope.
	if calls[0].resource != outlook {
		t.Errorf("resource %q, want %q", calls[0].resource, outlook)
	}
	if res.Metadata.TokenSource != managedidentity.TokenSourceIdentityProvider {
		t.Errorf("token source %v, want the identity provider", res.Metadata.TokenSource)
	}
	if want := fakeToken(want, outlook, host.expiresOn); res.AccessToken != want {
		t.Errorf("access token %q, want %q", res.AccessToken, want)
	}
	if c := claims(t, res.AccessToken); c["appid"] != want.ClientID || c["aud"] != outlook {
		t.Errorf("token claims %v", c)
	}
	if !res.ExpiresOn.Equal(host.expiresOn) {
		t.Errorf("ExpiresOn %v, want %v", res.ExpiresOn, host.expiresOn)
	}
}

func TestMSALWrongHeader(t *testing.T) {
	header := newHeader(t)
	wrong := newHeader(t)
	host := newFakeHost(systemIdentity)
	srv := msalServer(t, host, header, wrong)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := msalClient(t, srv, managedidentity.SystemAssigned()).AcquireToken(ctx, outlookScope, fresh(t))
	if err == nil {
		t.Fatal("AcquireToken succeeded with a wrong IDENTITY_HEADER")
	}
	msg := err.Error()
	if !strings.Contains(msg, "403") {
		t.Errorf("error %q does not name the 403", msg)
	}
	for _, secret := range []string{header, wrong} {
		if strings.Contains(msg, secret) {
			t.Errorf("error reveals an identity header: %q", msg)
		}
	}
	if n := len(host.calls()); n != 0 {
		t.Errorf("Issue called %d times for a refused request", n)
	}
}

func TestMSALUnknownIdentity(t *testing.T) {
	header := newHeader(t)
	host := newFakeHost(systemIdentity)
	srv := msalServer(t, host, header, header)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := msalClient(t, srv, managedidentity.UserAssignedClientID(userClientID)).AcquireToken(ctx, outlookScope, fresh(t))
	if err == nil {
		t.Fatal("AcquireToken succeeded for an identity the host does not have")
	}
	if msg := err.Error(); !strings.Contains(msg, "400") || !strings.Contains(msg, "No Managed Identity found") {
		t.Errorf("error %q, want the 400 No Managed Identity found", msg)
	}
	if strings.Contains(err.Error(), header) {
		t.Errorf("error reveals the identity header")
	}
}

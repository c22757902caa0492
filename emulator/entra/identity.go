package entra

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/directory"
)

// IssueFor signs an access token for the managed identity mi of tenant t,
// for resource (an App ID URI or application id, without /.default, as an
// identity endpoint receives it): what Entra does when a host's identity
// endpoint asks on the identity's behalf. The token is like any other the
// service issues, with appidacr "2" (the host authenticates with a
// certificate) and the identity's resource id as xms_mirid. A failure
// Entra would answer (a disabled identity, an unknown resource) is an
// error with an HTTPStatus() int method and the AADSTS code in its text.
func (s *Service) IssueFor(t directory.Tenant, mi directory.App, resource string) (token string, expiresOn time.Time, err error) {
	if mi.ManagedIdentity == nil {
		return "", time.Time{}, fmt.Errorf("issue managed identity token: %s (%s) is not a managed identity", mi.AppID, mi.DisplayName)
	}
	if mi.Disabled {
		return "", time.Time{}, fail("unauthorized_client", 7000112, "Application '%s'(%s) is disabled.", mi.AppID, mi.DisplayName)
	}
	requested := strings.TrimRight(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(resource), "/.default")), "/")
	if requested == "" {
		return "", time.Time{}, missingParam("resource")
	}
	res, ok := s.resource(requested)
	if !ok {
		return "", time.Time{}, fail("invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", requested, t.DisplayName)
	}
	tok, err := s.sign(t, mi, res.URI, acrCertificate)
	if err != nil {
		return "", time.Time{}, errors.Join(fail("temporarily_unavailable", 90033, "The emulator could not sign the token."), err)
	}
	return tok.raw, tok.claims.Exp, nil
}

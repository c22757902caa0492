package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

// Check is one onboarding step as doctor saw it.
type Check struct {
	Step   string
	OK     bool
	Detail string // what was found, or what is wrong
	Fix    string // for a failed step
}

// Doctor walks the onboarding steps in order and stops at the first that
// is missing. It returns every step it checked and, when one failed, that
// step's *StepError (whose exit code says auth or permission).
func Doctor(ctx context.Context, s Settings, o Options) ([]Check, *Session, error) {
	var checks []Check
	pass := func(step, format string, args ...any) {
		checks = append(checks, Check{Step: step, OK: true, Detail: fmt.Sprintf(format, args...)})
	}
	fail := func(err error) ([]Check, *Session, error) {
		var se *StepError
		if errors.As(err, &se) {
			checks = append(checks, Check{Step: se.Step, Detail: se.Msg, Fix: se.Fix})
		} else {
			checks = append(checks, Check{Step: "connect", Detail: err.Error(), Fix: exitcode.HintOf(err)})
		}
		return checks, nil, err
	}

	p, err := resolve(s, &o)
	if err != nil {
		return fail(err)
	}
	pass(StepSettings, "environment %s, service %s", p.env.Name, p.service)
	for _, w := range p.warnings {
		checks = append(checks, Check{Step: "warning", OK: true, Detail: w})
	}
	switch p.kind {
	case kindCertificate:
		leaf := p.cert.Leaf()
		pass(StepCredential, "certificate %s (%s), valid until %s, RSA %d bits", p.cert.Thumbprint(), leaf.Subject, leaf.NotAfter.UTC().Format(time.DateOnly), p.cert.KeyBits())
	case kindSecret:
		pass(StepCredential, "client secret (a certificate is the safer choice)")
	case kindToken:
		pass(StepCredential, "pre-acquired access token (cannot be refreshed)")
	case kindManagedIdentity:
		pass(StepCredential, "managed identity, %s; no secret", p.managed.describe())
	case kindFederated:
		if c := p.federated.claims(); c.Issuer != "" {
			pass(StepCredential, "federated token, %s: issuer %s, subject %s, audience %s, expires %s", p.federated.describe, c.Issuer, c.Subject, c.Audience, c.Expires.Format(time.RFC3339))
		} else {
			pass(StepCredential, "federated token, %s, fetched at sign-in", p.federated.describe)
		}
	}
	// A managed identity's token comes from the host's identity
	// endpoint, which knows the tenant; there is no authority to probe.
	if p.kind != kindToken && p.kind != kindManagedIdentity {
		if _, err := p.probeTenant(ctx); err != nil {
			return fail(err)
		}
		pass(StepTenant, "%s is a tenant of %s", p.settings.Organization, p.env.Name)
	}
	sess, err := p.connect(ctx, &o)
	if err != nil {
		return fail(err)
	}
	id := sess.Identity
	switch p.kind {
	case kindToken:
	case kindManagedIdentity:
		pass(StepIdentity, "%s issued a token for app %s in tenant %s", p.managed.where(), id.AppID, id.TenantID)
	default:
		pass(StepApp, "app %s is registered in tenant %s", id.AppID, id.TenantID)
		pass(StepUpload, "entra id accepted the %s", p.kind)
	}
	pass(StepToken, "token for %s, expires %s", id.Audience, id.ExpiresOn.Format(time.RFC3339))
	if err := sess.checkRights(); err != nil {
		var se *StepError
		if errors.As(err, &se) && se.Step == StepRole {
			pass(StepPermission, "Exchange.ManageAsApp granted and consented")
		}
		return fail(err)
	}
	pass(StepPermission, "Exchange.ManageAsApp granted and consented")
	pass(StepRole, "directory roles: %s", strings.Join(id.RoleNames(), ", "))
	cmdlets, err := sess.Client.ModuleCmdlets(ctx)
	if err != nil {
		return fail(serviceFailure(err, sess))
	}
	pass(StepService, "%s accepts the token and publishes %d service cmdlets for this app", sess.Service, len(cmdlets))
	return checks, sess, nil
}

// serviceFailure explains why the service refused a token Entra ID gave.
func serviceFailure(err error, s *Session) error {
	code := exitcode.Of(err)
	if code != exitcode.Auth && code != exitcode.Permission {
		code = exitcode.Service
	}
	return &StepError{Step: StepService, Code: code, Err: err,
		Msg: fmt.Sprintf("%s refused the session: %v", s.Service, err),
		Fix: "check that the tenant has the service and that the app's role and permission changes have propagated (this can take up to an hour)"}
}

// probeTenant asks the authority's discovery document, which answers
// AADSTS90002 for an unknown tenant before any credential is involved,
// and returns the tenant's id, read from the document's issuer.
func (p *plan) probeTenant(ctx context.Context) (string, error) {
	target := p.authority + "/v2.0/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", stepErr(StepSettings, exitcode.Usage, "check authority and organization", "authority %s: %v", p.authority, err)
	}
	resp, err := p.httpc.Do(req)
	if err != nil {
		return "", networkFailure(err, p)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return "", tokenFailure(fmt.Errorf("discovery %d: %s", resp.StatusCode, body), p)
	}
	var doc struct {
		Issuer string `json:"issuer"` // https://login.microsoftonline.com/{tid}/v2.0
	}
	// Only checkManagedTenant needs the id; a document without it is
	// still a tenant's.
	if json.Unmarshal(body, &doc) != nil {
		return "", nil
	}
	u, err := url.Parse(doc.Issuer)
	if err != nil {
		return "", nil
	}
	tid, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	return tid, nil
}

// checkManagedTenant makes sure a managed identity's token is for the
// tenant organization names. An identity signs in to its own tenant
// only, and the admin API takes the tenant from the token: unchecked, a
// run meant for another tenant (a --tenants row) would act on the
// identity's own.
func (p *plan) checkManagedTenant(ctx context.Context, tid string) error {
	org := p.settings.Organization
	want := org
	if !guidRE.MatchString(org) {
		id, err := p.probeTenant(ctx)
		if err != nil {
			return err
		}
		want = id
	}
	if !strings.EqualFold(want, tid) {
		return stepErr(StepTenant, exitcode.Auth,
			"a managed identity signs in to its own tenant only: set organization to that tenant, or reach other tenants with a multi-tenant app (certificate or federated credential)",
			"the managed identity belongs to tenant %s, but organization %s is tenant %s", tid, org, want)
	}
	return nil
}

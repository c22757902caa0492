package store

import (
	"fmt"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// handler runs one modelled cmdlet.
type handler func(*invocation) (*exchange.Result, error)

// decl is one modelled cmdlet as its area declares it: its name, the
// service it answers in, the parameters the emulator gives meaning to
// (space-separated; any other parameter the real cmdlet has is refused as
// not modelled) and its handler. That is the emulator's behaviour; what
// the cmdlet is (parameter types, aliases, sets, whether it writes) comes
// from the catalog, the one declaration of the service's cmdlets.
type decl struct {
	name    string
	service catalog.Service
	params  string
	run     handler
}

// declarations are every area's modelled cmdlets. Each cmd_*.go file
// declares its own; this is the only place that knows them all.
func declarations() []decl {
	var all []decl
	for _, area := range [][]decl{
		recipientCmdlets(), mailboxCmdlets(), permissionCmdlets(), groupCmdlets(), itemCmdlets(),
		orgCmdlets(), transportCmdlets(), logCmdlets(), complianceCmdlets(),
	} {
		all = append(all, area...)
	}
	return all
}

// cmdlet is one modelled cmdlet: its declaration checked against and
// joined with the catalog's.
type cmdlet struct {
	ref     *catalog.Cmdlet
	service catalog.Service
	// write is the catalog's Effect: a write holds the tenant's write lock
	// and is recorded in the admin audit log.
	write  bool
	params map[string]bool // lower-case names the emulator gives meaning to (or safely ignores)
	run    handler
}

func (c *cmdlet) models(name string) bool { return c.params[strings.ToLower(name)] }

// registry joins the declarations with the catalog, by lower-case name. A
// declaration the catalog contradicts (no such cmdlet, another service, a
// parameter it lacks) is a defect of the emulator, reported by New.
// Confirm is accepted everywhere it exists: the REST API never prompts.
func registry(decls []decl) (map[string]*cmdlet, error) {
	out := make(map[string]*cmdlet, len(decls))
	for _, d := range decls {
		ref, ok := catalog.Lookup(d.name)
		if !ok || ref.Name != d.name {
			return nil, fmt.Errorf("exchange store: %s is not a cmdlet of the catalog", d.name)
		}
		if ref.WrapperOf != "" || !ref.Runs(d.service) {
			return nil, fmt.Errorf("exchange store: the catalog says %s does not run in %s", d.name, d.service)
		}
		key := strings.ToLower(d.name)
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("exchange store: %s is declared twice", d.name)
		}
		c := &cmdlet{ref: ref, service: d.service, write: ref.Effect == catalog.Write, params: map[string]bool{}, run: d.run}
		names := strings.Fields(d.params)
		if p, ok := ref.Param("Confirm"); ok {
			names = append(names, p.Name)
		}
		for _, n := range names {
			p, ok := ref.Param(n)
			if !ok || !strings.EqualFold(p.Name, n) || !p.Runs(d.service) {
				return nil, fmt.Errorf("exchange store: %s models parameter %q, which the catalog does not declare for %s", d.name, n, d.service)
			}
			c.params[strings.ToLower(p.Name)] = true
		}
		out[key] = c
	}
	return out, nil
}

// views are every area's output views, built once per Store. Like
// declarations, this is the one place that knows every area; an area's
// handlers reach other areas' views (groups list recipients) through it.
type views struct {
	mailbox, recipient, user, mailUser, mailContact, cas, stats *view[*tenant.Recipient]
	distributionGroup, unifiedGroup                             *view[*tenant.Recipient]
	mailboxPermission                                           *view[aceRow]
	recipientPermission                                         *view[rpRow]
	inboxRule                                                   *view[ruleRow]
	mobileDevice, deviceStats                                   *view[deviceRow]
	acceptedDomain                                              *view[*tenant.AcceptedDomain]
	orgConfig, transportConfig, auditConfig                     *view[*tenant.Tenant]
	transportRule                                               *view[*tenant.TransportRule]
	contentFilter                                               *view[*tenant.ContentFilterPolicy]
	antiPhish                                                   *view[*tenant.AntiPhishPolicy]
	malware                                                     *view[*tenant.MalwareFilterPolicy]
	retention                                                   *view[*tenant.RetentionPolicy]
	messageTrace                                                *view[traceRow]
	audit                                                       *view[*tenant.AuditEntry]
	dlp                                                         *view[*tenant.DlpCompliancePolicy]
	retentionCompliance                                         *view[*tenant.RetentionCompliancePolicy]
	complianceSearch                                            *view[*tenant.ComplianceSearch]
	label                                                       *view[*tenant.SensitivityLabel]
}

func newViews() *views {
	return &views{
		mailbox:             mailboxView(),
		recipient:           recipientView(),
		user:                userView(),
		mailUser:            mailUserView(),
		mailContact:         mailContactView(),
		cas:                 casView(),
		stats:               statsView(),
		distributionGroup:   distributionGroupView(),
		unifiedGroup:        unifiedGroupView(),
		mailboxPermission:   mailboxPermissionView(),
		recipientPermission: recipientPermissionView(),
		inboxRule:           inboxRuleView(),
		mobileDevice:        mobileDeviceView(),
		deviceStats:         deviceStatsView(),
		acceptedDomain:      acceptedDomainView(),
		orgConfig:           orgConfigView(),
		transportConfig:     transportConfigView(),
		auditConfig:         auditConfigView(),
		transportRule:       transportRuleView(),
		contentFilter:       contentFilterView(),
		antiPhish:           antiPhishView(),
		malware:             malwareView(),
		retention:           retentionView(),
		messageTrace:        messageTraceView(),
		audit:               auditView(),
		dlp:                 dlpView(),
		retentionCompliance: retentionComplianceView(),
		complianceSearch:    complianceSearchView(),
		label:               labelView(),
	}
}

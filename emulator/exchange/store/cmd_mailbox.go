package store

import (
	"net/mail"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// mailboxCmdlets declares the cmdlets that read and change one mailbox's
// settings (see registry.go).
func mailboxCmdlets() []decl {
	return []decl{
		{"Set-Mailbox", catalog.Exchange, "Identity ForwardingSmtpAddress ForwardingAddress DeliverToMailboxAndForward HiddenFromAddressListsEnabled LitigationHoldEnabled GrantSendOnBehalfTo EmailAddresses DisplayName ProhibitSendQuota ProhibitSendReceiveQuota IssueWarningQuota Type AuditEnabled RetentionPolicy Force", setMailbox},
		{"Get-MailboxStatistics", catalog.Exchange, "Identity", getMailboxStatistics},
		{"Get-CASMailbox", catalog.Exchange, listParams + " RecipientTypeDetails", getCASMailbox},
		{"Set-CASMailbox", catalog.Exchange, "Identity PopEnabled ImapEnabled EwsEnabled ActiveSyncEnabled OWAEnabled MAPIEnabled SmtpClientAuthenticationDisabled", setCASMailbox},
	}
}

// maxQuota is the largest quota an Exchange Online Plan 2 mailbox takes.
const maxQuota int64 = 100 << 30

// setMailbox changes a mailbox. Every parameter is validated on a copy;
// the copy replaces the mailbox only when all of them are valid.
func setMailbox(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	r, err := inv.target(tenant.MailboxKinds())
	if err != nil {
		return nil, err
	}
	nr := *r
	nm := *r.Mailbox
	nr.Mailbox = &nm

	if a.has("DisplayName") {
		v := a.str("DisplayName")
		if v == "" && a.failed() == nil {
			return nil, exchange.Invalid("The DisplayName property can't be empty.")
		}
		nr.DisplayName = v
	}
	if a.has("ForwardingSmtpAddress") {
		v := a.str("ForwardingSmtpAddress")
		if v == "" {
			nm.ForwardingSmtpAddress = ""
		} else {
			addr, err := smtpAddress("ForwardingSmtpAddress", v)
			if err != nil {
				return nil, err
			}
			nm.ForwardingSmtpAddress = "smtp:" + addr
		}
	}
	if a.has("ForwardingAddress") {
		v := a.str("ForwardingAddress")
		if v == "" {
			nm.ForwardingAddress = tenant.UUID{}
		} else if a.failed() == nil {
			target, err := inv.ts.Resolve(v, tenant.RecipientKinds())
			if err != nil {
				return nil, err
			}
			nm.ForwardingAddress = target.Guid
		}
	}
	if a.has("DeliverToMailboxAndForward") {
		nm.DeliverToMailboxAndForward = a.boolean("DeliverToMailboxAndForward")
	}
	if a.has("HiddenFromAddressListsEnabled") {
		nr.HiddenFromAddressListsEnabled = a.boolean("HiddenFromAddressListsEnabled")
	}
	if a.has("AuditEnabled") {
		nm.AuditEnabled = a.boolean("AuditEnabled")
	}
	if a.has("LitigationHoldEnabled") {
		on := a.boolean("LitigationHoldEnabled")
		switch {
		case on && !nm.LitigationHoldEnabled:
			nm.LitigationHoldDate, nm.LitigationHoldOwner = inv.now, inv.call.Caller.AuditName()
		case !on:
			nm.LitigationHoldDate, nm.LitigationHoldOwner = time.Time{}, ""
		}
		nm.LitigationHoldEnabled = on
	}
	if a.has("GrantSendOnBehalfTo") {
		refs, err := editRefs(inv, "GrantSendOnBehalfTo", nr.GrantSendOnBehalfTo, tenant.MailboxKinds()|tenant.DLKinds()|tenant.KindSet(tenant.MailUser))
		if err != nil {
			return nil, err
		}
		nr.GrantSendOnBehalfTo = refs
	}
	if a.has("EmailAddresses") {
		addrs, err := editProxies(inv, r, r.EmailAddresses, a.edit("EmailAddresses"))
		if err != nil {
			return nil, err
		}
		nr.EmailAddresses = addrs
	}
	for _, q := range []struct {
		name string
		dst  *int64
	}{{"ProhibitSendQuota", &nm.ProhibitSendQuota}, {"ProhibitSendReceiveQuota", &nm.ProhibitSendReceiveQuota}, {"IssueWarningQuota", &nm.IssueWarningQuota}} {
		if !a.has(q.name) {
			continue
		}
		s := a.str(q.name)
		n, ok := parseQuota(s)
		if !ok {
			return nil, exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Unlimited`1[Microsoft.Exchange.Data.ByteQuantifiedSize]\". Error: \"The value must be a size such as 50GB, or 'Unlimited'.\"", q.name, s)
		}
		if n == tenant.Unlimited || n > maxQuota {
			return nil, exchange.Invalid("The value of property %s can't be larger than the mailbox plan allows: %s.", q.name, byteQuantity(maxQuota))
		}
		*q.dst = n
	}
	if err := checkQuotas(&nm); err != nil {
		return nil, err
	}
	if a.has("Type") {
		typ := a.enum("Type", "Microsoft.Exchange.Management.RecipientTasks.ConvertibleMailboxSubType", "Regular", "Room", "Equipment", "Shared", "Workspace")
		switch typ {
		case "Regular":
			nr.Kind = tenant.UserMailbox
		case "Room":
			nr.Kind = tenant.RoomMailbox
		case "Equipment":
			nr.Kind = tenant.EquipmentMailbox
		case "Shared":
			nr.Kind = tenant.SharedMailbox
		case "Workspace":
			return nil, exchange.BadParameter("The emulated tenant does not model workspace mailboxes (-Type Workspace).")
		}
	}
	if a.has("RetentionPolicy") {
		v := a.str("RetentionPolicy")
		if v == "" {
			nm.RetentionPolicy = ""
		} else if a.failed() == nil {
			p, ok := findConfig(inv.t.RetentionPolicies, v, func(p *tenant.RetentionPolicy) (string, tenant.UUID) { return p.Name, p.Guid })
			if !ok {
				return nil, exchange.NotFound(v)
			}
			nm.RetentionPolicy = p.Name
		}
	}
	a.boolean("Force")
	if err := a.failed(); err != nil {
		return nil, err
	}
	return inv.commit(r, nr), nil
}

func checkQuotas(m *tenant.Mailbox) error {
	le := func(a, b int64) bool { return b == tenant.Unlimited || (a != tenant.Unlimited && a <= b) }
	if !le(m.IssueWarningQuota, m.ProhibitSendQuota) {
		return exchange.Invalid("The value of property 'IssueWarningQuota' must be less than or equal to that of property 'ProhibitSendQuota'. IssueWarningQuota: %s, ProhibitSendQuota: %s.", quota(m.IssueWarningQuota), quota(m.ProhibitSendQuota))
	}
	if !le(m.ProhibitSendQuota, m.ProhibitSendReceiveQuota) {
		return exchange.Invalid("The value of property 'ProhibitSendQuota' must be less than or equal to that of property 'ProhibitSendReceiveQuota'. ProhibitSendQuota: %s, ProhibitSendReceiveQuota: %s.", quota(m.ProhibitSendQuota), quota(m.ProhibitSendReceiveQuota))
	}
	return nil
}

// smtpAddress validates an SMTP address given with or without "smtp:".
func smtpAddress(param, v string) (string, error) {
	addr := v
	if p, rest, ok := strings.Cut(v, ":"); ok && strings.EqualFold(p, "smtp") {
		addr = rest
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || !strings.Contains(addr[strings.LastIndex(addr, "@")+1:], ".") {
		return "", exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.ProxyAddress\". Error: \"The address '%s' is invalid: it isn't a valid SMTP address.\"", param, v, addr)
	}
	return addr, nil
}

// editRefs applies a multi-valued edit whose values name recipients and
// returns the new list of GUIDs. Every value must resolve.
func editRefs(inv *invocation, param string, cur []tenant.UUID, scope tenant.Kinds) ([]tenant.UUID, error) {
	e := inv.a.edit(param)
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	resolveAll := func(names []string) ([]tenant.UUID, error) {
		var out []tenant.UUID
		for _, n := range names {
			r, err := inv.ts.Resolve(n, scope)
			if err != nil {
				return nil, err
			}
			out = append(out, r.Guid)
		}
		return out, nil
	}
	var next []tenant.UUID
	if e.replace {
		ids, err := resolveAll(e.values)
		if err != nil {
			return nil, err
		}
		next = ids
	} else {
		rm, err := resolveAll(e.remove)
		if err != nil {
			return nil, err
		}
		add, err := resolveAll(e.add)
		if err != nil {
			return nil, err
		}
		next = slices.DeleteFunc(slices.Clone(cur), func(u tenant.UUID) bool { return slices.Contains(rm, u) })
		next = append(next, add...)
	}
	out := make([]tenant.UUID, 0, len(next))
	for _, u := range next {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// editProxies applies an -EmailAddresses edit to r's proxy addresses cur
// and checks the result as Exchange does: one primary SMTP address,
// accepted domains only, no address used by another recipient.
func editProxies(inv *invocation, r *tenant.Recipient, cur []string, e edit) ([]string, error) {
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	norm := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			if !strings.Contains(s, ":") {
				s = "smtp:" + s
			}
			out[i] = s
		}
		return out
	}
	e.values, e.add, e.remove = norm(e.values), norm(e.add), norm(e.remove)
	key := func(s string) string { return strings.ToLower(s) }
	next := e.apply(cur, key)
	// An added "SMTP:" address becomes the primary one and demotes the
	// old primary, as Set-Mailbox -EmailAddresses @{Add="SMTP:..."} does.
	var primaries []int
	for i, s := range next {
		if strings.HasPrefix(s, "SMTP:") {
			primaries = append(primaries, i)
		}
	}
	if len(primaries) > 1 && !e.replace {
		for _, i := range primaries {
			if !slices.Contains(e.add, next[i]) {
				next[i] = "smtp:" + next[i][5:]
			}
		}
		primaries = primaries[:0]
		for i, s := range next {
			if strings.HasPrefix(s, "SMTP:") {
				primaries = append(primaries, i)
			}
		}
	}
	switch {
	case len(primaries) == 0:
		return nil, exchange.Invalid("The primary SMTP address can't be removed: the EmailAddresses of '%s' must hold exactly one address with the prefix SMTP: (upper case).", r.Name)
	case len(primaries) > 1:
		return nil, exchange.Invalid("EmailAddresses of '%s' would hold more than one primary SMTP address (prefix SMTP:); only one is allowed.", r.Name)
	}
	for _, s := range next {
		p, addr, _ := strings.Cut(s, ":")
		if !strings.EqualFold(p, "smtp") {
			continue
		}
		if _, err := smtpAddress("EmailAddresses", addr); err != nil {
			return nil, err
		}
		domain := strings.ToLower(addr[strings.LastIndex(addr, "@")+1:])
		if !acceptedDomain(inv.t, domain) {
			return nil, exchange.Invalid("The proxy address \"%s\" can't be used: the domain '%s' isn't an accepted domain for your organization.", s, domain)
		}
		for _, other := range inv.ts.Lookup(addr, tenant.RecipientKinds()|tenant.KindSet(tenant.User)) {
			if other != r {
				return nil, exchange.Invalid("The proxy address \"%s\" is already being used by the proxy addresses or LegacyExchangeDN of \"%s\". Please choose another proxy address.", s, other.Name)
			}
		}
	}
	return next, nil
}

func acceptedDomain(t *tenant.Tenant, domain string) bool {
	for _, d := range t.AcceptedDomains {
		if strings.EqualFold(d.DomainName, domain) {
			return true
		}
	}
	return false
}

func statsView() *view[*tenant.Recipient] {
	st := func(name string, get func(r *tenant.Recipient, s *tenant.Stats) any) rcol {
		return mbc(name, func(_ *tenant.State, r *tenant.Recipient, m *tenant.Mailbox) any { return get(r, &m.Stats) })
	}
	cols := []rcol{
		st("DeletedItemCount", func(_ *tenant.Recipient, s *tenant.Stats) any { return s.DeletedItemCount }),
		fixed[*tenant.Recipient]("DisconnectDate", nil),
		fixed[*tenant.Recipient]("DisconnectReason", nil),
		recipientCol("DisplayName"),
		st("ItemCount", func(_ *tenant.Recipient, s *tenant.Stats) any { return s.ItemCount }),
		fixed[*tenant.Recipient]("LastLoggedOnUserAccount", nil),
		st("LastLogoffTime", func(_ *tenant.Recipient, s *tenant.Stats) any {
			if s.LastLogonTime.IsZero() {
				return nil
			}
			return s.LastLogonTime.Add(47 * time.Minute)
		}),
		st("LastLogonTime", func(_ *tenant.Recipient, s *tenant.Stats) any { return timeOrNil(s.LastLogonTime) }),
		rc("LegacyDN", func(_ *tenant.State, r *tenant.Recipient) any { return strings.ToUpper(tenant.LegacyDN(r)) }),
		mbc("MailboxGuid", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.ExchangeGuid.GUID() }),
		fixed[*tenant.Recipient]("MailboxType", "User"),
		rc("MailboxTypeDetail", func(_ *tenant.State, r *tenant.Recipient) any { return r.Kind.String() }),
		fixed[*tenant.Recipient]("ObjectClass", "Mailbox"),
		fixed[*tenant.Recipient]("StorageLimitStatus", nil),
		st("SystemMessageCount", func(_ *tenant.Recipient, s *tenant.Stats) any { return s.ItemCount/40 + 12 }),
		st("SystemMessageSize", func(_ *tenant.Recipient, s *tenant.Stats) any { return byteQuantity(s.TotalItemSize/200 + 24576) }),
		st("TotalDeletedItemSize", func(_ *tenant.Recipient, s *tenant.Stats) any { return byteQuantity(s.TotalDeletedItemSize) }),
		st("TotalItemSize", func(_ *tenant.Recipient, s *tenant.Stats) any { return byteQuantity(s.TotalItemSize) }),
		st("MessageTableTotalSize", func(_ *tenant.Recipient, s *tenant.Stats) any { return byteQuantity(s.TotalItemSize / 90) }),
		st("AttachmentTableTotalSize", func(_ *tenant.Recipient, s *tenant.Stats) any { return byteQuantity(s.TotalItemSize * 3 / 5) }),
		rc("OwnerADGuid", func(_ *tenant.State, r *tenant.Recipient) any { return r.Guid.GUID() }),
		rc("ExternalDirectoryOrganizationId", func(ts *tenant.State, _ *tenant.Recipient) any { return ts.T.ID }),
		fixed[*tenant.Recipient]("DatabaseName", databaseName),
		fixed[*tenant.Recipient]("ServerName", serverName),
		fixed[*tenant.Recipient]("IsDatabaseCopyActive", true),
		fixed[*tenant.Recipient]("IsQuarantined", false),
		fixed[*tenant.Recipient]("IsArchiveMailbox", false),
		fixed[*tenant.Recipient]("IsMoveDestination", false),
		st("LastInteractionTime", func(_ *tenant.Recipient, s *tenant.Stats) any { return timeOrNil(s.LastLogonTime) }),
		st("LastUserActionTime", func(_ *tenant.Recipient, s *tenant.Stats) any { return timeOrNil(s.LastLogonTime) }),
		mbc("Identity", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.ExchangeGuid.String() }),
		fixed[*tenant.Recipient]("IsValid", true),
		fixed[*tenant.Recipient]("ObjectState", "New"),
	}
	return newView(cols...)
}

func getMailboxStatistics(inv *invocation) (*exchange.Result, error) {
	id := inv.a.str("Identity")
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	r, err := inv.ts.Resolve(id, tenant.MailboxKinds())
	if err != nil {
		return nil, err
	}
	return lazy(inv.ts, []*tenant.Recipient{r}, inv.s.views.stats.render), nil
}

func casView() *view[*tenant.Recipient] {
	cas := func(name string, get func(c *tenant.CAS) any) rcol {
		return mbc(name, func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return get(&m.CAS) })
	}
	cols := []rcol{
		recipientCol("EmailAddresses"),
		recipientCol("LegacyExchangeDN"),
		recipientCol("PrimarySmtpAddress"),
		fixed[*tenant.Recipient]("ServerName", serverName),
		recipientCol("DisplayName"),
		fixed[*tenant.Recipient]("ActiveSyncAllowedDeviceIDs", []string{}),
		fixed[*tenant.Recipient]("ActiveSyncBlockedDeviceIDs", []string{}),
		fixed[*tenant.Recipient]("ActiveSyncMailboxPolicy", "Default"),
		fixed[*tenant.Recipient]("ActiveSyncMailboxPolicyIsDefaulted", true),
		fixed[*tenant.Recipient]("ActiveSyncDebugLogging", false),
		cas("ActiveSyncEnabled", func(c *tenant.CAS) any { return c.ActiveSyncEnabled }),
		mbc("HasActiveSyncDevicePartnership", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return len(m.Devices) > 0 }),
		fixed[*tenant.Recipient]("OwaMailboxPolicy", "OwaMailboxPolicy-Default"),
		cas("OWAEnabled", func(c *tenant.CAS) any { return c.OWAEnabled }),
		fixed[*tenant.Recipient]("OWAforDevicesEnabled", true),
		fixed[*tenant.Recipient]("ECPEnabled", true),
		cas("PopEnabled", func(c *tenant.CAS) any { return c.PopEnabled }),
		fixed[*tenant.Recipient]("PopUseProtocolDefaults", true),
		fixed[*tenant.Recipient]("PopMessagesRetrievalMimeFormat", "BestBodyFormat"),
		fixed[*tenant.Recipient]("PopEnableExactRFC822Size", false),
		fixed[*tenant.Recipient]("PopForceICalForCalendarRetrievalOption", false),
		cas("ImapEnabled", func(c *tenant.CAS) any { return c.ImapEnabled }),
		fixed[*tenant.Recipient]("ImapUseProtocolDefaults", true),
		fixed[*tenant.Recipient]("ImapMessagesRetrievalMimeFormat", "BestBodyFormat"),
		fixed[*tenant.Recipient]("ImapEnableExactRFC822Size", false),
		fixed[*tenant.Recipient]("ImapForceICalForCalendarRetrievalOption", false),
		cas("MAPIEnabled", func(c *tenant.CAS) any { return c.MAPIEnabled }),
		fixed[*tenant.Recipient]("MapiHttpEnabled", nil),
		fixed[*tenant.Recipient]("UniversalOutlookEnabled", true),
		fixed[*tenant.Recipient]("OutlookMobileEnabled", true),
		fixed[*tenant.Recipient]("MacOutlookEnabled", true),
		fixed[*tenant.Recipient]("OneWinNativeOutlookEnabled", true),
		cas("EwsEnabled", func(c *tenant.CAS) any { return c.EwsEnabled }),
		fixed[*tenant.Recipient]("EwsAllowOutlook", nil),
		fixed[*tenant.Recipient]("EwsAllowMacOutlook", nil),
		fixed[*tenant.Recipient]("EwsAllowEntourage", nil),
		fixed[*tenant.Recipient]("EwsApplicationAccessPolicy", nil),
		fixed[*tenant.Recipient]("EwsAllowList", nil),
		fixed[*tenant.Recipient]("EwsBlockList", nil),
		cas("SmtpClientAuthenticationDisabled", func(c *tenant.CAS) any { return boolOrNil(c.SmtpClientAuthenticationDisabled) }),
		recipientCol("ExternalDirectoryObjectId"),
		recipientCol("RecipientTypeDetails"),
		recipientCol("Alias"),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func getCASMailbox(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: tenant.MailboxKinds(), view: inv.s.views.cas, typeParam: "RecipientTypeDetails"})
}

func setCASMailbox(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	r, err := inv.target(tenant.MailboxKinds())
	if err != nil {
		return nil, err
	}
	next := r.Mailbox.CAS
	for _, f := range []struct {
		name string
		dst  *bool
	}{
		{"PopEnabled", &next.PopEnabled}, {"ImapEnabled", &next.ImapEnabled}, {"EwsEnabled", &next.EwsEnabled},
		{"ActiveSyncEnabled", &next.ActiveSyncEnabled}, {"OWAEnabled", &next.OWAEnabled}, {"MAPIEnabled", &next.MAPIEnabled},
	} {
		if a.has(f.name) {
			*f.dst = a.boolean(f.name)
		}
	}
	if a.has("SmtpClientAuthenticationDisabled") {
		if v, _ := a.v("SmtpClientAuthenticationDisabled"); v == nil {
			next.SmtpClientAuthenticationDisabled = nil
		} else {
			b := a.boolean("SmtpClientAuthenticationDisabled")
			next.SmtpClientAuthenticationDisabled = &b
		}
	}
	if err := a.failed(); err != nil {
		return nil, err
	}
	inv.object = r.Name
	if reflect.DeepEqual(next, r.Mailbox.CAS) {
		return none(unchanged(r.Name)), nil
	}
	m := *r.Mailbox
	m.CAS = next
	r.Mailbox = &m
	r.WhenChanged = inv.now
	return none(), nil
}

package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// groupCmdlets declares the distribution group and Microsoft 365 group
// cmdlets (see registry.go).
func groupCmdlets() []decl {
	return []decl{
		{"Get-DistributionGroup", catalog.Exchange, listParams + " RecipientTypeDetails ManagedBy", getDistributionGroup},
		{"New-DistributionGroup", catalog.Exchange, "Name Alias DisplayName PrimarySmtpAddress ManagedBy Members Type RoomList Notes Description MemberJoinRestriction MemberDepartRestriction RequireSenderAuthenticationEnabled CopyOwnerToMember", newDistributionGroup},
		{"Set-DistributionGroup", catalog.Exchange, "Identity Name DisplayName ManagedBy PrimarySmtpAddress EmailAddresses GrantSendOnBehalfTo HiddenFromAddressListsEnabled RequireSenderAuthenticationEnabled MemberJoinRestriction MemberDepartRestriction Description BypassSecurityGroupManagerCheck", setDistributionGroup},
		{"Remove-DistributionGroup", catalog.Exchange, "Identity BypassSecurityGroupManagerCheck", removeDistributionGroup},
		{"Get-DistributionGroupMember", catalog.Exchange, "Identity ResultSize", getDistributionGroupMember},
		{"Add-DistributionGroupMember", catalog.Exchange, "Identity Member BypassSecurityGroupManagerCheck", addDistributionGroupMember},
		{"Remove-DistributionGroupMember", catalog.Exchange, "Identity Member BypassSecurityGroupManagerCheck", removeDistributionGroupMember},
		{"Get-UnifiedGroup", catalog.Exchange, listParams + " IncludeAllProperties IncludeSoftDeletedGroups", getUnifiedGroup},
		{"Get-UnifiedGroupLinks", catalog.Exchange, "Identity LinkType ResultSize", getUnifiedGroupLinks},
	}
}

// gc is a column that reads group data.
func gc(name string, get func(ts *tenant.State, r *tenant.Recipient, g *tenant.Group) any) rcol {
	return rc(name, func(ts *tenant.State, r *tenant.Recipient) any {
		if r.Group == nil {
			return nil
		}
		return get(ts, r, r.Group)
	})
}

func groupType(r *tenant.Recipient) string {
	if r.Kind == tenant.MailUniversalSecurityGroup {
		return "Universal, SecurityEnabled"
	}
	return "Universal"
}

func distributionGroupView() *view[*tenant.Recipient] {
	cols := []rcol{
		rc("GroupType", func(_ *tenant.State, r *tenant.Recipient) any { return groupType(r) }),
		fixed[*tenant.Recipient]("BypassNestedModerationEnabled", false),
		fixed[*tenant.Recipient]("IsDirSynced", false),
		gc("ManagedBy", func(ts *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return ts.NamesOf(g.ManagedBy) }),
		gc("MemberJoinRestriction", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return g.MemberJoinRestriction }),
		gc("MemberDepartRestriction", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return g.MemberDepartRestriction }),
		fixed[*tenant.Recipient]("MigrationToUnifiedGroupInProgress", false),
		fixed[*tenant.Recipient]("ReportToManagerEnabled", false),
		fixed[*tenant.Recipient]("ReportToOriginatorEnabled", true),
		fixed[*tenant.Recipient]("SendOofMessageToOriginatorEnabled", false),
		gc("Description", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any {
			if g.Description == "" {
				return []string{}
			}
			return []string{g.Description}
		}),
		fixed[*tenant.Recipient]("AcceptMessagesOnlyFrom", []string{}),
		fixed[*tenant.Recipient]("AcceptMessagesOnlyFromDLMembers", []string{}),
		fixed[*tenant.Recipient]("AcceptMessagesOnlyFromSendersOrMembers", []string{}),
		recipientCol("Alias"),
		recipientCol("DisplayName"),
		recipientCol("EmailAddresses"),
		recipientCol("GrantSendOnBehalfTo"),
		recipientCol("HiddenFromAddressListsEnabled"),
		fixed[*tenant.Recipient]("HiddenGroupMembershipEnabled", false),
		recipientCol("LegacyExchangeDN"),
		fixed[*tenant.Recipient]("ModerationEnabled", false),
		recipientCol("PrimarySmtpAddress"),
		recipientCol("RecipientType"),
		recipientCol("RecipientTypeDetails"),
		gc("RequireSenderAuthenticationEnabled", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any {
			return g.RequireSenderAuthenticationEnabled
		}),
		rc("WindowsEmailAddress", func(_ *tenant.State, r *tenant.Recipient) any { return r.PrimarySmtpAddress() }),
		fixed[*tenant.Recipient]("MailTip", nil),
		recipientCol("ExternalDirectoryObjectId"),
	}
	cols = append(cols, identityCols("top", "group")...)
	return newView(cols...)
}

func unifiedGroupView() *view[*tenant.Recipient] {
	cols := []rcol{
		gc("AccessType", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return g.AccessType }),
		fixed[*tenant.Recipient]("AutoSubscribeNewMembers", false),
		fixed[*tenant.Recipient]("AlwaysSubscribeMembersToCalendarEvents", false),
		fixed[*tenant.Recipient]("CalendarMemberReadOnly", false),
		fixed[*tenant.Recipient]("ConnectorsEnabled", true),
		fixed[*tenant.Recipient]("HiddenFromExchangeClientsEnabled", false),
		fixed[*tenant.Recipient]("IsMembershipDynamic", false),
		fixed[*tenant.Recipient]("Language", "en-US"),
		gc("Notes", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return strOrNil(g.Notes) }),
		gc("ManagedBy", func(ts *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return ts.NamesOf(g.ManagedBy) }),
		gc("GroupMemberCount", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return int64(len(g.Members)) }),
		gc("GroupExternalMemberCount", func(ts *tenant.State, _ *tenant.Recipient, g *tenant.Group) any {
			n := int64(0)
			for _, u := range g.Members {
				if m := ts.ByID(u); m != nil && m.Kind == tenant.MailUser && strings.Contains(m.UserPrincipalName, "#EXT#") {
					n++
				}
			}
			return n
		}),
		fixed[*tenant.Recipient]("GroupSKU", "Unknown"),
		fixed[*tenant.Recipient]("GroupType", "Universal"),
		gc("ResourceProvisioningOptions", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any {
			if g.Team {
				return []string{"Team"}
			}
			return []string{}
		}),
		gc("SharePointSiteUrl", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any { return strOrNil(g.SharePointSiteURL) }),
		gc("SharePointDocumentsUrl", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any {
			if g.SharePointSiteURL == "" {
				return nil
			}
			return g.SharePointSiteURL + "/Shared Documents"
		}),
		fixed[*tenant.Recipient]("SubscriptionEnabled", true),
		fixed[*tenant.Recipient]("WelcomeMessageEnabled", true),
		fixed[*tenant.Recipient]("IsMailboxConfigured", true),
		recipientCol("Alias"),
		recipientCol("DisplayName"),
		recipientCol("EmailAddresses"),
		recipientCol("ExternalDirectoryObjectId"),
		recipientCol("HiddenFromAddressListsEnabled"),
		recipientCol("PrimarySmtpAddress"),
		recipientCol("RecipientType"),
		recipientCol("RecipientTypeDetails"),
		gc("RequireSenderAuthenticationEnabled", func(_ *tenant.State, _ *tenant.Recipient, g *tenant.Group) any {
			return g.RequireSenderAuthenticationEnabled
		}),
	}
	cols = append(cols, identityCols("top", "group")...)
	return newView(cols...)
}

func getDistributionGroup(inv *invocation) (*exchange.Result, error) {
	spec := listSpec{scope: tenant.DLKinds(), view: inv.s.views.distributionGroup, typeParam: "RecipientTypeDetails"}
	if inv.a.has("ManagedBy") {
		owner, err := inv.ts.Resolve(inv.a.str("ManagedBy"), trusteeKinds())
		if err != nil {
			return nil, err
		}
		spec.keep = func(r *tenant.Recipient) bool { return slices.Contains(r.Group.ManagedBy, owner.Guid) }
	}
	return listRecipients(inv, spec)
}

func getUnifiedGroup(inv *invocation) (*exchange.Result, error) {
	inv.a.boolean("IncludeAllProperties")
	inv.a.boolean("IncludeSoftDeletedGroups")
	return listRecipients(inv, listSpec{scope: tenant.KindSet(tenant.GroupMailbox), view: inv.s.views.unifiedGroup})
}

func ownerKinds() tenant.Kinds {
	return tenant.MailboxKinds() | tenant.KindSet(tenant.MailUser, tenant.MailUniversalSecurityGroup)
}
func memberKinds() tenant.Kinds {
	return tenant.MailboxKinds() | tenant.DLKinds() | tenant.KindSet(tenant.MailUser, tenant.MailContact)
}

func restrictionParam(inv *invocation, name string) string {
	return inv.a.enum(name, "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType", "Open", "Closed", "ApprovalRequired")
}

// aliasFrom derives an alias from a name, keeping the characters Exchange
// allows in one.
func aliasFrom(name string) string {
	var b strings.Builder
	for _, c := range name {
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", c) {
			b.WriteRune(c)
		}
	}
	return strings.Trim(b.String(), ".")
}

func defaultDomain(t *tenant.Tenant) string {
	for _, d := range t.AcceptedDomains {
		if d.Default {
			return d.DomainName
		}
	}
	return t.Organization
}

func newDistributionGroup(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	name := a.str("Name")
	alias := a.str("Alias")
	display := a.str("DisplayName")
	primary := a.str("PrimarySmtpAddress")
	kind := tenant.MailUniversalDistributionGroup
	if a.has("Type") && a.enum("Type", "Microsoft.Exchange.Management.RecipientTasks.GroupType", "Distribution", "Security") == "Security" {
		kind = tenant.MailUniversalSecurityGroup
	}
	if a.boolean("RoomList") {
		kind = tenant.RoomList
	}
	g := &tenant.Group{MemberJoinRestriction: "Closed", MemberDepartRestriction: "Closed", RequireSenderAuthenticationEnabled: true,
		Notes: a.str("Notes"), Description: strings.Join(a.strs("Description"), "\n")}
	if a.has("MemberJoinRestriction") {
		g.MemberJoinRestriction = restrictionParam(inv, "MemberJoinRestriction")
	}
	if a.has("MemberDepartRestriction") {
		g.MemberDepartRestriction = restrictionParam(inv, "MemberDepartRestriction")
	}
	if a.has("RequireSenderAuthenticationEnabled") {
		g.RequireSenderAuthenticationEnabled = a.boolean("RequireSenderAuthenticationEnabled")
	}
	copyOwners := a.boolean("CopyOwnerToMember")
	if err := a.failed(); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, exchange.BadParameter("Cannot validate argument on parameter 'Name'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.")
	}
	inv.object = name
	if other := inv.ts.NameTaken(name, nil); other != nil && strings.EqualFold(other.Name, name) {
		return nil, exchange.Invalid("The name \"%s\" is already being used. Please try another name.", name)
	}
	if alias == "" {
		base := aliasFrom(name)
		if base == "" {
			base = "group"
		}
		alias = base
		for n := 2; inv.ts.NameTaken(alias, nil) != nil || inv.ts.AddressTaken(alias+"@"+defaultDomain(inv.t), nil) != nil; n++ {
			alias = fmt.Sprintf("%s%d", base, n)
		}
	} else if aliasFrom(alias) != alias {
		return nil, exchange.BadParameter("Cannot process argument transformation on parameter 'Alias'. The alias \"%s\" contains characters an alias can't hold.", alias)
	} else if other := inv.ts.NameTaken(alias, nil); other != nil {
		return nil, exchange.Invalid("The alias \"%s\" is already being used by \"%s\". Please choose another alias.", alias, other.Name)
	}
	if display == "" {
		display = name
	}
	if primary == "" {
		primary = alias + "@" + defaultDomain(inv.t)
	} else {
		addr, err := smtpAddress("PrimarySmtpAddress", primary)
		if err != nil {
			return nil, err
		}
		primary = addr
	}
	if d := strings.ToLower(primary[strings.LastIndex(primary, "@")+1:]); !acceptedDomain(inv.t, d) {
		return nil, exchange.Invalid("The proxy address \"SMTP:%s\" can't be used: the domain '%s' isn't an accepted domain for your organization.", primary, d)
	}
	if other := inv.ts.AddressTaken(primary, nil); other != nil {
		return nil, exchange.Invalid("The proxy address \"SMTP:%s\" is already being used by the proxy addresses or LegacyExchangeDN of \"%s\". Please choose another proxy address.", primary, other.Name)
	}
	owners, err := resolveList(inv, a.strs("ManagedBy"), ownerKinds())
	if err != nil {
		return nil, err
	}
	members, err := resolveList(inv, a.strs("Members"), memberKinds())
	if err != nil {
		return nil, err
	}
	if copyOwners {
		for _, o := range owners {
			if !slices.Contains(members, o) {
				members = append(members, o)
			}
		}
	}
	g.ManagedBy, g.Members = owners, members
	addrs := []string{"SMTP:" + primary}
	if onms := alias + "@" + inv.t.Organization; !strings.EqualFold(onms, primary) {
		addrs = append(addrs, "smtp:"+onms)
	}
	r := &tenant.Recipient{Kind: kind, Guid: inv.newGUID("group"), ExternalDirectoryObjectID: inv.newGUID("group-directory"),
		Name: name, Alias: alias, DisplayName: display, EmailAddresses: addrs, WhenCreated: inv.now, WhenChanged: inv.now, Group: g}
	inv.t.Recipients = append(inv.t.Recipients, r)
	inv.ts.Index(r)
	return lazy(inv.ts, []*tenant.Recipient{r}, inv.s.views.distributionGroup.render), nil
}

func resolveList(inv *invocation, names []string, scope tenant.Kinds) ([]tenant.UUID, error) {
	var out []tenant.UUID
	for _, n := range names {
		r, err := inv.ts.Resolve(n, scope)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, r.Guid) {
			out = append(out, r.Guid)
		}
	}
	return out, nil
}

func setDistributionGroup(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	r, err := inv.target(tenant.DLKinds())
	if err != nil {
		return nil, err
	}
	nr := *r
	ng := *r.Group
	nr.Group = &ng
	if a.has("DisplayName") {
		nr.DisplayName = a.str("DisplayName")
	}
	if a.has("Name") {
		name := a.str("Name")
		if other := inv.ts.NameTaken(name, r); other != nil && strings.EqualFold(other.Name, name) {
			return nil, exchange.Invalid("The name \"%s\" is already being used. Please try another name.", name)
		}
		nr.Name = name
	}
	if a.has("HiddenFromAddressListsEnabled") {
		nr.HiddenFromAddressListsEnabled = a.boolean("HiddenFromAddressListsEnabled")
	}
	if a.has("RequireSenderAuthenticationEnabled") {
		ng.RequireSenderAuthenticationEnabled = a.boolean("RequireSenderAuthenticationEnabled")
	}
	if a.has("MemberJoinRestriction") {
		ng.MemberJoinRestriction = restrictionParam(inv, "MemberJoinRestriction")
	}
	if a.has("MemberDepartRestriction") {
		ng.MemberDepartRestriction = restrictionParam(inv, "MemberDepartRestriction")
	}
	if a.has("Description") {
		ng.Description = strings.Join(a.strs("Description"), "\n")
	}
	a.boolean("BypassSecurityGroupManagerCheck")
	if err := a.failed(); err != nil {
		return nil, err
	}
	if a.has("ManagedBy") {
		if ng.ManagedBy, err = editRefs(inv, "ManagedBy", ng.ManagedBy, ownerKinds()); err != nil {
			return nil, err
		}
	}
	if a.has("GrantSendOnBehalfTo") {
		if nr.GrantSendOnBehalfTo, err = editRefs(inv, "GrantSendOnBehalfTo", nr.GrantSendOnBehalfTo, tenant.MailboxKinds()|tenant.DLKinds()|tenant.KindSet(tenant.MailUser)); err != nil {
			return nil, err
		}
	}
	if a.has("EmailAddresses") {
		if nr.EmailAddresses, err = editProxies(inv, r, nr.EmailAddresses, a.edit("EmailAddresses")); err != nil {
			return nil, err
		}
	}
	if a.has("PrimarySmtpAddress") {
		addr, err := smtpAddress("PrimarySmtpAddress", a.str("PrimarySmtpAddress"))
		if err != nil {
			return nil, err
		}
		if nr.EmailAddresses, err = editProxies(inv, r, nr.EmailAddresses, edit{add: []string{"SMTP:" + addr}}); err != nil {
			return nil, err
		}
	}
	return inv.commit(r, nr), nil
}

func removeDistributionGroup(inv *invocation) (*exchange.Result, error) {
	id := inv.a.str("Identity")
	inv.a.boolean("BypassSecurityGroupManagerCheck")
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	r, err := inv.ts.Resolve(id, tenant.DLKinds())
	if err != nil {
		return nil, err
	}
	inv.object = r.Name
	inv.ts.RemoveRecipient(r)
	return none(), nil
}

func getDistributionGroupMember(inv *invocation) (*exchange.Result, error) {
	id := inv.a.str("Identity")
	size := inv.a.resultSize(1000)
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	g, err := inv.ts.Resolve(id, tenant.DLKinds())
	if err != nil {
		return nil, err
	}
	var out []*tenant.Recipient
	for _, u := range g.Group.Members {
		if m := inv.ts.ByID(u); m != nil {
			out = append(out, m)
		}
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.recipient.render, warn...), nil
}

func memberError(exception, format string, args ...any) error {
	e := exchange.Invalid(format, args...)
	e.Exception = exception
	return e
}

// groupMemberTarget binds the parameters Add- and
// Remove-DistributionGroupMember share and resolves the group and member.
func groupMemberTarget(inv *invocation) (g, m *tenant.Recipient, err error) {
	id, member := inv.a.str("Identity"), inv.a.str("Member")
	inv.a.boolean("BypassSecurityGroupManagerCheck")
	if err := inv.a.failed(); err != nil {
		return nil, nil, err
	}
	if !inv.a.has("Member") {
		return nil, nil, exchange.BadParameter("Cannot process command because of one or more missing mandatory parameters: Member.")
	}
	if g, err = inv.ts.Resolve(id, tenant.DLKinds()); err != nil {
		return nil, nil, err
	}
	inv.object = g.Name
	if m, err = inv.ts.Resolve(member, memberKinds()); err != nil {
		return nil, nil, err
	}
	return g, m, nil
}

func addDistributionGroupMember(inv *invocation) (*exchange.Result, error) {
	g, m, err := groupMemberTarget(inv)
	if err != nil {
		return nil, err
	}
	if m == g {
		return nil, exchange.Invalid("The group \"%s\" can't be a member of itself.", g.Name)
	}
	if slices.Contains(g.Group.Members, m.Guid) {
		return nil, memberError("Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException", "The recipient \"%s\" is already a member of the group \"%s\".", m.Name, g.Name)
	}
	ng := *g.Group
	ng.Members = append(slices.Clone(ng.Members), m.Guid)
	g.Group = &ng
	g.WhenChanged = inv.now
	return none(), nil
}

func removeDistributionGroupMember(inv *invocation) (*exchange.Result, error) {
	g, m, err := groupMemberTarget(inv)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(g.Group.Members, m.Guid) {
		return nil, memberError("Microsoft.Exchange.Management.Tasks.MemberNotFoundException", "The recipient \"%s\" isn't a member of the group \"%s\".", m.Name, g.Name)
	}
	ng := *g.Group
	ng.Members = slices.DeleteFunc(slices.Clone(ng.Members), func(u tenant.UUID) bool { return u == m.Guid })
	g.Group = &ng
	g.WhenChanged = inv.now
	return none(), nil
}

func getUnifiedGroupLinks(inv *invocation) (*exchange.Result, error) {
	id := inv.a.str("Identity")
	typ := inv.a.enum("LinkType", "Microsoft.Exchange.Data.Directory.Recipient.LinkType", "Members", "Owners", "Subscribers", "Aggregators", "EventSubscribers")
	size := inv.a.resultSize(-1)
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	g, err := inv.ts.Resolve(id, tenant.KindSet(tenant.GroupMailbox))
	if err != nil {
		return nil, err
	}
	var ids []tenant.UUID
	switch typ {
	case "Members", "Subscribers":
		ids = g.Group.Members
	case "Owners":
		ids = g.Group.ManagedBy
	}
	var out []*tenant.Recipient
	for _, u := range ids {
		if m := inv.ts.ByID(u); m != nil {
			out = append(out, m)
		}
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.recipient.render, warn...), nil
}

package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// permissionCmdlets declares the mailbox and recipient permission cmdlets
// (see registry.go).
func permissionCmdlets() []decl {
	return []decl{
		{"Get-MailboxPermission", catalog.Exchange, "Identity User ResultSize ReadFromDomainController", getMailboxPermission},
		{"Add-MailboxPermission", catalog.Exchange, "Identity User AccessRights InheritanceType AutoMapping Deny", addMailboxPermission},
		{"Remove-MailboxPermission", catalog.Exchange, "Identity User AccessRights InheritanceType Deny", removeMailboxPermission},
		{"Get-RecipientPermission", catalog.Exchange, "Identity Trustee AccessRights ResultSize ReadFromDomainController", getRecipientPermission},
		{"Add-RecipientPermission", catalog.Exchange, "Identity Trustee AccessRights", addRecipientPermission},
		{"Remove-RecipientPermission", catalog.Exchange, "Identity Trustee AccessRights", removeRecipientPermission},
	}
}

const selfPrincipal = `NT AUTHORITY\SELF`

// aceRow is one line of Get-MailboxPermission: an explicit grant, or one
// of the entries every Exchange Online mailbox shows (SELF and the
// inherited datacenter groups), which the store synthesises.
type aceRow struct {
	mailbox   *tenant.Recipient
	p         tenant.Permission
	principal string // set for synthesised entries
	inherited bool
}

func defaultACEs(mbx *tenant.Recipient) []aceRow {
	ace := func(principal string, rights string, deny bool) aceRow {
		return aceRow{mailbox: mbx, principal: principal, inherited: true,
			p: tenant.Permission{AccessRights: []string{rights}, Deny: deny, InheritanceType: "All"}}
	}
	return []aceRow{
		ace(forestShort+`\Administrator`, "FullAccess", true),
		ace(forestShort+`\Domain Admins`, "FullAccess", true),
		ace(forestShort+`\Enterprise Admins`, "FullAccess", true),
		ace(forestShort+`\Organization Management`, "FullAccess", true),
		ace(`NT AUTHORITY\SYSTEM`, "FullAccess", false),
		ace(`NT AUTHORITY\NETWORK SERVICE`, "ReadPermission", false),
	}
}

func selfACE(mbx *tenant.Recipient) aceRow {
	return aceRow{mailbox: mbx, principal: selfPrincipal,
		p: tenant.Permission{AccessRights: []string{"FullAccess", "ReadPermission"}, InheritanceType: "All"}}
}

func (row aceRow) user(ts *tenant.State) string {
	if row.principal != "" {
		return row.principal
	}
	return ts.PrincipalOf(row.p.User)
}

func mailboxPermissionView() *view[aceRow] {
	return newView(
		col("AccessRights", func(_ *tenant.State, x aceRow) any { return slices.Clone(x.p.AccessRights) }),
		col("Deny", func(_ *tenant.State, x aceRow) any { return x.p.Deny }),
		col("InheritanceType", func(_ *tenant.State, x aceRow) any { return x.p.InheritanceType }),
		col("User", func(ts *tenant.State, x aceRow) any { return x.user(ts) }),
		col("UserSid", func(ts *tenant.State, x aceRow) any { return sidOf(x.user(ts)) }),
		col("Identity", func(_ *tenant.State, x aceRow) any { return x.mailbox.Name }),
		col("IsInherited", func(_ *tenant.State, x aceRow) any { return x.inherited }),
		fixed[aceRow]("IsValid", true),
		fixed[aceRow]("ObjectState", "Unchanged"),
	)
}

// sidOf gives a principal a stable, well-formed SID; SELF and SYSTEM have
// their well-known ones.
func sidOf(principal string) string {
	switch principal {
	case selfPrincipal:
		return "S-1-5-10"
	case `NT AUTHORITY\SYSTEM`:
		return "S-1-5-18"
	case `NT AUTHORITY\NETWORK SERVICE`:
		return "S-1-5-20"
	}
	u := tenant.NameUUID("sid", strings.ToLower(principal))
	n := func(i int) uint32 { return uint32(u[i])<<24 | uint32(u[i+1])<<16 | uint32(u[i+2])<<8 | uint32(u[i+3]) }
	return fmt.Sprintf("S-1-5-21-%d-%d-%d-%d", n(0), n(4), n(8), 1000+n(12)%90000)
}

// principalFilter is a -User or -Trustee value: a recipient, or the name
// of a synthesised principal.
type principalFilter struct {
	guid tenant.UUID
	name string
}

func (inv *invocation) principal(param string, scope tenant.Kinds) (*principalFilter, error) {
	if !inv.a.has(param) {
		return nil, nil
	}
	v := inv.a.str(param)
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.ToUpper(v), "NT AUTHORITY\\") || strings.HasPrefix(strings.ToUpper(v), forestShort+`\`) {
		return &principalFilter{name: v}, nil
	}
	r, err := inv.ts.Resolve(v, scope)
	if err != nil {
		return nil, err
	}
	return &principalFilter{guid: r.Guid}, nil
}

func (f *principalFilter) matches(guid tenant.UUID, principal string) bool {
	if f == nil {
		return true
	}
	if f.name != "" {
		return strings.EqualFold(f.name, principal)
	}
	return principal == "" && guid == f.guid
}

func trusteeKinds() tenant.Kinds {
	return tenant.MailboxKinds() | tenant.KindSet(tenant.MailUser, tenant.User, tenant.MailUniversalSecurityGroup)
}

func getMailboxPermission(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	id := a.str("Identity")
	size := a.resultSize(-1)
	a.boolean("ReadFromDomainController")
	if err := a.failed(); err != nil {
		return nil, err
	}
	mbx, err := inv.ts.Resolve(id, tenant.MailboxKinds())
	if err != nil {
		return nil, err
	}
	who, err := inv.principal("User", trusteeKinds())
	if err != nil {
		return nil, err
	}
	rows := []aceRow{selfACE(mbx)}
	for _, p := range mbx.Mailbox.Permissions {
		rows = append(rows, aceRow{mailbox: mbx, p: p})
	}
	rows = append(rows, defaultACEs(mbx)...)
	var out []aceRow
	for _, row := range rows {
		if who.matches(row.p.User, row.principal) {
			out = append(out, row)
		}
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.mailboxPermission.render, warn...), nil
}

func mailboxRights() []string {
	return []string{"ChangeOwner", "ChangePermission", "DeleteItem", "ExternalAccount", "FullAccess", "ReadPermission"}
}

func inheritanceTypes() []string {
	return []string{"None", "All", "Descendents", "SelfAndChildren", "Children"}
}

// rightsParam reads -AccessRights against an enumeration.
func rightsParam(inv *invocation, typ string, allowed []string) []string {
	var out []string
	for _, v := range inv.a.strs("AccessRights") {
		ok := false
		for _, r := range allowed {
			if strings.EqualFold(r, v) {
				if !slices.Contains(out, r) {
					out = append(out, r)
				}
				ok = true
			}
		}
		if !ok {
			inv.a.fail(exchange.BadParameter("Cannot process argument transformation on parameter 'AccessRights'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\n%s\"", v, typ, v, strings.Join(allowed, ", ")))
		}
	}
	return out
}

// permissionTargets resolves the object (of the wanted kinds) and the
// trustee a permission cmdlet names, once the call's parameters have
// bound; the object is what the audit log records.
func (inv *invocation) permissionTargets(id string, want tenant.Kinds, trustee string) (obj, who *tenant.Recipient, err error) {
	if err := inv.a.failed(); err != nil {
		return nil, nil, err
	}
	if obj, err = inv.ts.Resolve(id, want); err != nil {
		return nil, nil, err
	}
	if who, err = inv.ts.Resolve(trustee, trusteeKinds()); err != nil {
		return nil, nil, err
	}
	inv.object = obj.Name
	return obj, who, nil
}

// mailboxACEParams reads what Add- and Remove-MailboxPermission share:
// the mailbox, the trustee, the rights, the inheritance type (All unless
// given) and whether the entry denies.
func mailboxACEParams(inv *invocation) (id, user string, rights []string, inheritance string, deny bool) {
	a := inv.a
	id, user = a.str("Identity"), a.str("User")
	rights = rightsParam(inv, "Microsoft.Exchange.Management.RecipientTasks.MailboxRights[]", mailboxRights())
	inheritance = "All"
	if a.has("InheritanceType") {
		inheritance = a.enum("InheritanceType", "System.DirectoryServices.ActiveDirectorySecurityInheritance", inheritanceTypes()...)
	}
	return id, user, rights, inheritance, a.boolean("Deny")
}

func addMailboxPermission(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	id, user, rights, inh, deny := mailboxACEParams(inv)
	autoMap := true
	if a.has("AutoMapping") {
		autoMap = a.boolean("AutoMapping")
	}
	mbx, trustee, err := inv.permissionTargets(id, tenant.MailboxKinds(), user)
	if err != nil {
		return nil, err
	}
	perms := slices.Clone(mbx.Mailbox.Permissions)
	i := slices.IndexFunc(perms, func(p tenant.Permission) bool {
		return p.User == trustee.Guid && p.Deny == deny && p.InheritanceType == inh
	})
	if i >= 0 && containsAll(perms[i].AccessRights, rights) {
		return lazy(inv.ts, []aceRow{{mailbox: mbx, p: perms[i]}}, inv.s.views.mailboxPermission.render,
			fmt.Sprintf("The appropriate access control entry is already present on the object \"%s\" for account \"%s\".", mbx.Name, inv.ts.PrincipalOf(trustee.Guid))), nil
	}
	if i >= 0 {
		p := perms[i]
		p.AccessRights = mergeRights(p.AccessRights, rights)
		p.AutoMapping = autoMap && slices.Contains(p.AccessRights, "FullAccess")
		perms[i] = p
	} else {
		perms = append(perms, tenant.Permission{User: trustee.Guid, AccessRights: rights, Deny: deny, InheritanceType: inh,
			AutoMapping: autoMap && slices.Contains(rights, "FullAccess")})
		i = len(perms) - 1
	}
	m := *mbx.Mailbox
	m.Permissions = perms
	mbx.Mailbox = &m
	mbx.WhenChanged = inv.now
	return lazy(inv.ts, []aceRow{{mailbox: mbx, p: perms[i]}}, inv.s.views.mailboxPermission.render), nil
}

func removeMailboxPermission(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	id, user, rights, inh, deny := mailboxACEParams(inv)
	mbx, trustee, err := inv.permissionTargets(id, tenant.MailboxKinds(), user)
	if err != nil {
		return nil, err
	}
	perms := slices.Clone(mbx.Mailbox.Permissions)
	i := slices.IndexFunc(perms, func(p tenant.Permission) bool {
		return p.User == trustee.Guid && p.Deny == deny && (!a.has("InheritanceType") || p.InheritanceType == inh)
	})
	if i < 0 || !containsAny(perms[i].AccessRights, rights) {
		return none(fmt.Sprintf("Can't remove the access control entry on the object \"%s\" for account \"%s\" because the ACE doesn't exist on the object.", mbx.Name, inv.ts.PrincipalOf(trustee.Guid))), nil
	}
	left := slices.DeleteFunc(slices.Clone(perms[i].AccessRights), func(r string) bool { return slices.Contains(rights, r) })
	if len(left) == 0 {
		perms = slices.Delete(perms, i, i+1)
	} else {
		perms[i].AccessRights = left
	}
	m := *mbx.Mailbox
	m.Permissions = perms
	mbx.Mailbox = &m
	mbx.WhenChanged = inv.now
	return none(), nil
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func containsAny(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

func mergeRights(have, add []string) []string {
	out := slices.Clone(have)
	for _, r := range add {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// rpRow is one line of Get-RecipientPermission: SendAs granted to a
// trustee, or the SELF entry every mailbox shows.
type rpRow struct {
	recipient *tenant.Recipient
	trustee   tenant.UUID
	self      bool
}

func recipientPermissionView() *view[rpRow] {
	return newView(
		col("Identity", func(_ *tenant.State, x rpRow) any { return x.recipient.Name }),
		col("Trustee", func(ts *tenant.State, x rpRow) any {
			if x.self {
				return selfPrincipal
			}
			return ts.PrincipalOf(x.trustee)
		}),
		fixed[rpRow]("AccessControlType", "Allow"),
		col("AccessRights", func(*tenant.State, rpRow) any { return []string{"SendAs"} }),
		fixed[rpRow]("IsInherited", false),
		fixed[rpRow]("InheritanceType", "None"),
		fixed[rpRow]("IsValid", true),
		fixed[rpRow]("ObjectState", "Unchanged"),
	)
}

func recipientRights() []string { return []string{"SendAs"} }

func getRecipientPermission(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	size := a.resultSize(1000)
	rightsParam(inv, "Microsoft.Exchange.Management.RecipientTasks.RecipientAccessRight", recipientRights())
	a.boolean("ReadFromDomainController")
	id := a.str("Identity")
	if err := a.failed(); err != nil {
		return nil, err
	}
	who, err := inv.principal("Trustee", trusteeKinds())
	if err != nil {
		return nil, err
	}
	targets := inv.t.Recipients
	if a.has("Identity") {
		r, err := inv.ts.Resolve(id, tenant.RecipientKinds())
		if err != nil {
			return nil, err
		}
		targets = []*tenant.Recipient{r}
	}
	var out []rpRow
	for i, r := range targets {
		if i%4096 == 0 {
			if err := inv.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !tenant.RecipientKinds().Has(r.Kind) {
			continue
		}
		if r.Kind.IsMailbox() && who.matches(tenant.UUID{}, selfPrincipal) {
			out = append(out, rpRow{recipient: r, self: true})
		}
		for _, t := range r.SendAs {
			if who.matches(t, "") {
				out = append(out, rpRow{recipient: r, trustee: t})
			}
		}
		if size >= 0 && len(out) > size {
			break
		}
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.recipientPermission.render, warn...), nil
}

// recipientPermissionTarget binds the parameters Add- and
// Remove-RecipientPermission share and resolves the recipient and trustee.
func recipientPermissionTarget(inv *invocation) (r, trustee *tenant.Recipient, err error) {
	a := inv.a
	id, who := a.str("Identity"), a.str("Trustee")
	rightsParam(inv, "Microsoft.Exchange.Management.RecipientTasks.RecipientAccessRight", recipientRights())
	return inv.permissionTargets(id, tenant.RecipientKinds(), who)
}

func addRecipientPermission(inv *invocation) (*exchange.Result, error) {
	r, trustee, err := recipientPermissionTarget(inv)
	if err != nil {
		return nil, err
	}
	row := []rpRow{{recipient: r, trustee: trustee.Guid}}
	if slices.Contains(r.SendAs, trustee.Guid) {
		return lazy(inv.ts, row, inv.s.views.recipientPermission.render,
			fmt.Sprintf("The appropriate access control entry is already present on the object \"%s\" for account \"%s\".", r.Name, inv.ts.PrincipalOf(trustee.Guid))), nil
	}
	r.SendAs = append(slices.Clone(r.SendAs), trustee.Guid)
	r.WhenChanged = inv.now
	return lazy(inv.ts, row, inv.s.views.recipientPermission.render), nil
}

func removeRecipientPermission(inv *invocation) (*exchange.Result, error) {
	r, trustee, err := recipientPermissionTarget(inv)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(r.SendAs, trustee.Guid) {
		return none(fmt.Sprintf("Can't remove the access control entry on the object \"%s\" for account \"%s\" because the ACE doesn't exist on the object.", r.Name, inv.ts.PrincipalOf(trustee.Guid))), nil
	}
	r.SendAs = slices.DeleteFunc(slices.Clone(r.SendAs), func(u tenant.UUID) bool { return u == trustee.Guid })
	r.WhenChanged = inv.now
	return none(), nil
}

package tenant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Generator limits: Generate clamps the mailbox count to this range.
const (
	MinGenerated = 10
	MaxGenerated = 200_000
)

// Generate builds a realistic tenant with the given number of mailboxes
// (clamped to 10..200,000): about 90% user mailboxes, 6% shared, 3% rooms
// and 1% equipment, with names from common first and last names,
// departments, offices and managers, long-tailed mailbox sizes (most a
// few GB, a few near their quota), last logons from today to never, and
// proportional mail users, contacts, distribution and Microsoft 365
// groups, delegate permissions, inbox rules (a few forwarding outside),
// mobile devices, message trace and audit entries.
//
// The same arguments always give the same tenant. Strings are shared
// where Exchange repeats them (a UPN is a slice of the primary address),
// which keeps a 100,000-mailbox tenant near 150 MB of heap.
func Generate(tenantID, organization string, mailboxes int, seed int64) *Tenant {
	n := min(max(mailboxes, MinGenerated), MaxGenerated)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	b := newBuilder(tenantID, organization, nil, func(parts ...string) UUID {
		return NameUUID(append([]string{"exorun-generated", strings.ToLower(tenantID), strconv.FormatInt(seed, 10)}, parts...)...)
	})
	g := &generator{b: b, rng: rng, ref: ReferenceTime(), aliases: make(map[string]int, n)}
	start := g.ref.AddDate(-8, 0, 0)
	b.OrgDefaults(start)
	g.mailboxes(n)
	g.others(n)
	g.groups(n)
	g.delegation()
	extraPolicies(b, g.users[0], g.users[min(1, len(g.users)-1)])
	transportRules(b)
	g.trace(min(n*3, 30_000))
	g.audit(min(max(n/200, 5), 500))
	complianceObjects(b, g.users[0], g.users[min(1, len(g.users)-1)], g.users[min(2, len(g.users)-1)])
	return b.t
}

type generator struct {
	b        *Builder
	rng      *rand.Rand
	ref      time.Time
	aliases  map[string]int
	users    []*Recipient // user mailboxes
	shared   []*Recipient
	all      []*Recipient // every mailbox
	managers []*Recipient
}

func (g *generator) guid() UUID {
	var u UUID
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	for i := 0; i < 8; i++ {
		u[i], u[8+i] = byte(hi>>(8*i)), byte(lo>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// uniqueAlias returns base, or base with the next free number.
func (g *generator) uniqueAlias(base string) string {
	n := g.aliases[base]
	g.aliases[base] = n + 1
	if n == 0 {
		return base
	}
	return base + strconv.Itoa(n+1)
}

// uniqueAddress returns local@domain, numbering the local part when the
// address was handed out before.
func (g *generator) uniqueAddress(local, domain string) string {
	key := local + "@" + domain
	n := g.aliases[key]
	g.aliases[key] = n + 1
	if n == 0 {
		return key
	}
	return local + strconv.Itoa(n+1) + "@" + domain
}

// between is a time uniformly between two instants, to the second.
func (g *generator) between(a, b time.Time) time.Time {
	span := b.Sub(a) / time.Second
	if span <= 0 {
		return a
	}
	return a.Add(time.Duration(g.rng.Int64N(int64(span))) * time.Second)
}

// recipient builds the common part; addresses share one allocation with
// the alias and UPN.
func (g *generator) recipient(kind Kind, alias, display string) *Recipient {
	b := g.b
	primary := "SMTP:" + alias + "@" + b.domain
	addrs := []string{primary}
	if b.domain != strings.ToLower(b.t.Organization) {
		addrs = append(addrs, "smtp:"+alias+"@"+b.t.Organization)
	}
	return &Recipient{Kind: kind, Guid: g.guid(), ExternalDirectoryObjectID: g.guid(),
		Name: primary[5 : 5+len(alias)], Alias: primary[5 : 5+len(alias)], DisplayName: display,
		EmailAddresses: addrs}
}

func (g *generator) mailboxes(n int) {
	firsts, lasts := firstNames(), lastNames()
	depts, offs := departments(), offices()
	purposes := sharedPurposes()
	created0, created1 := g.ref.AddDate(-8, 0, 0), g.ref.AddDate(0, 0, -5)
	company := OrgDisplayName(g.b.t.Organization)
	rooms, equipment := 0, 0
	for i := 0; i < n; i++ {
		var r *Recipient
		switch x := g.rng.Float64(); {
		case x < 0.90 || i < 3:
			first, last := g.pick(firsts), g.pick(lasts)
			alias := g.uniqueAlias(strings.ToLower(first + "." + last))
			r = g.recipient(UserMailbox, alias, first+" "+last)
			r.FirstName, r.LastName = first, last
			d := depts[g.rng.IntN(len(depts))]
			r.Department, r.Title = d.name, d.titles[g.rng.IntN(len(d.titles))]
			o := offs[g.rng.IntN(len(offs))]
			r.City, r.CountryOrRegion, r.Company = o[0], o[1], company
			r.Office = fmt.Sprintf("%s %d/%d", o[0], 1+g.rng.IntN(40), 1000+g.rng.IntN(3000))
			r.Phone = fmt.Sprintf("+1 %03d 555 %04d", 200+g.rng.IntN(700), g.rng.IntN(10000))
			r.AccountDisabled = g.chance(0.01)
		case x < 0.96:
			d := depts[g.rng.IntN(len(depts))]
			p := g.pick(purposes)
			alias := g.uniqueAlias(strings.ToLower(strings.ReplaceAll(d.name, " ", "") + "." + p))
			r = g.recipient(SharedMailbox, alias, d.name+" "+p)
			r.Department = d.name
		case x < 0.99:
			rooms++
			o := offs[g.rng.IntN(len(offs))]
			alias := g.uniqueAlias(strings.ToLower("room." + strings.ReplaceAll(o[0], " ", "")))
			r = g.recipient(RoomMailbox, alias, fmt.Sprintf("Conf Room %s %d", o[0], rooms))
			r.City, r.CountryOrRegion = o[0], o[1]
		default:
			equipment++
			Kinds := []string{"Projector", "Van", "Camera", "Laptop Cart", "Podcast Kit"}
			k := g.pick(Kinds)
			alias := g.uniqueAlias(strings.ToLower("equip." + strings.ReplaceAll(k, " ", "")))
			r = g.recipient(EquipmentMailbox, alias, fmt.Sprintf("%s %02d", k, equipment))
		}
		r.UserPrincipalName = r.EmailAddresses[0][5:]
		r.WhenCreated = g.between(created0, created1)
		r.WhenChanged = g.between(r.WhenCreated, g.ref.AddDate(0, 0, -1))
		g.fillMailbox(r)
		g.b.t.Recipients = append(g.b.t.Recipients, r)
		g.all = append(g.all, r)
		switch r.Kind {
		case UserMailbox:
			g.users = append(g.users, r)
		case SharedMailbox:
			g.shared = append(g.shared, r)
		}
	}
	// One user in fifty manages the others.
	for i, u := range g.users {
		if i%50 == 0 {
			g.managers = append(g.managers, u)
		}
	}
	for i, u := range g.users {
		if i%50 != 0 {
			u.Manager = g.managers[g.rng.IntN(len(g.managers))].Guid
		} else if i > 0 {
			u.Manager = g.managers[0].Guid
		}
	}
}

func (g *generator) fillMailbox(r *Recipient) {
	m := &Mailbox{ExchangeGuid: g.guid(), RetentionPolicy: "Default MRM Policy", AuditEnabled: !g.chance(0.02),
		CAS: CAS{EwsEnabled: true, ActiveSyncEnabled: true, OWAEnabled: true, MAPIEnabled: true}}
	r.Mailbox = m
	limit := userSend
	if r.Kind == UserMailbox {
		m.IssueWarningQuota, m.ProhibitSendQuota, m.ProhibitSendReceiveQuota = userWarning, userSend, userSendReceive
	} else {
		m.IssueWarningQuota, m.ProhibitSendQuota, m.ProhibitSendReceiveQuota = sharedWarning, sharedSend, sharedSendReceive
		r.AccountDisabled = true
		limit = sharedSend
	}
	// Sizes are log-normal: median about 1.5 GB, a long tail reaching
	// the quota, rooms and equipment far smaller.
	mu, sigma := math.Log(1.5*(1<<30)), 1.45
	if r.Kind == RoomMailbox || r.Kind == EquipmentMailbox {
		mu, sigma = math.Log(40<<20), 1.0
	}
	size := int64(math.Exp(mu + sigma*g.rng.NormFloat64()))
	size = min(max(size, 96<<10), limit-int64(g.rng.IntN(200<<20)))
	avgItem := int64(40<<10 + g.rng.IntN(120<<10))
	st := &m.Stats
	st.TotalItemSize = size
	st.ItemCount = max(size/avgItem, 3)
	st.DeletedItemCount = st.ItemCount * int64(1+g.rng.IntN(8)) / 100
	st.TotalDeletedItemSize = size * int64(1+g.rng.IntN(5)) / 100
	switch x := g.rng.Float64(); {
	case x < 0.74:
		st.LastLogonTime = g.between(g.ref.AddDate(0, 0, -7), g.ref)
	case x < 0.89:
		st.LastLogonTime = g.between(g.ref.AddDate(0, 0, -90), g.ref.AddDate(0, 0, -7))
	case x < 0.98:
		from := g.ref.AddDate(-2, 0, 0)
		if r.WhenCreated.After(from) {
			from = r.WhenCreated
		}
		st.LastLogonTime = g.between(from, g.ref.AddDate(0, 0, -90))
	}
	if st.LastLogonTime.Before(r.WhenCreated) {
		st.LastLogonTime = time.Time{}
	}
	if r.Kind != UserMailbox {
		return
	}
	if g.chance(0.2) {
		m.ArchiveGuid = g.guid()
	}
	if g.chance(0.03) {
		m.LitigationHoldEnabled = true
		m.LitigationHoldDate = g.between(r.WhenCreated, g.ref)
		m.LitigationHoldOwner = "admin@" + g.b.t.Organization
	}
	if g.chance(0.005) {
		m.ForwardingSmtpAddress = "smtp:" + strings.ToLower(r.FirstName+"."+r.LastName) + "@" + g.pick([]string{"gmail.com", "outlook.com", "yahoo.com"})
		m.DeliverToMailboxAndForward = g.chance(0.6)
	}
	r.HiddenFromAddressListsEnabled = g.chance(0.01)
	m.CAS.PopEnabled = g.chance(0.04)
	m.CAS.ImapEnabled = g.chance(0.06)
	if g.chance(0.01) {
		off := false
		m.CAS.SmtpClientAuthenticationDisabled = &off
	}
	g.rules(r)
	g.devices(r)
}

func (g *generator) rules(r *Recipient) {
	if !g.chance(0.08) {
		return
	}
	m := r.Mailbox
	count := 1 + g.rng.IntN(3)
	for i := 0; i < count; i++ {
		rule := InboxRule{RuleIdentity: g.rng.Uint64() >> 1, Priority: i + 1, Enabled: !g.chance(0.1)}
		switch g.rng.IntN(5) {
		case 0:
			rule.Name = "Newsletters"
			rule.From = []string{RuleRecipient("newsletter@"+g.pick(externalDomains()), "newsletter@"+g.pick(externalDomains()))}
			rule.MoveToFolder, rule.MarkAsRead = `Inbox\Newsletters`, true
		case 1:
			rule.Name = "Invoices"
			rule.SubjectContainsWords = []string{"invoice", "receipt"}
			rule.MoveToFolder = "Finance"
		case 2:
			rule.Name = "Mute notifications"
			rule.SubjectContainsWords = []string{"[notification]"}
			rule.DeleteMessage = true
		case 3:
			rule.Name = "Project mail"
			rule.SubjectContainsWords = []string{"project"}
			rule.MoveToFolder, rule.StopProcessingRules = "Projects", true
		default:
			rule.Name = "Clutter"
			rule.BodyContainsWords = []string{"unsubscribe"}
			rule.MoveToFolder = "Clutter"
		}
		m.InboxRules = append(m.InboxRules, rule)
	}
	if g.chance(0.09) { // about 0.7% of users forward outside the organization
		addr := strings.ToLower(r.FirstName+"."+r.LastName) + "@" + g.pick([]string{"gmail.com", "outlook.com", "proton.me"})
		m.InboxRules = append(m.InboxRules, InboxRule{Name: "Forward to personal", RuleIdentity: g.rng.Uint64() >> 1,
			Priority: len(m.InboxRules) + 1, Enabled: true, ForwardTo: []string{RuleRecipient(addr, addr)}})
	}
}

func (g *generator) devices(r *Recipient) {
	count := 0
	switch x := g.rng.Float64(); {
	case x < 0.10:
		count = 2
	case x < 0.45:
		count = 1
	}
	models := []struct{ model, os, typ, agent, client string }{
		{"Outlook for iOS and Android", "iOS 18.1", "Outlook", "Outlook-iOS/2.0", "Outlook"},
		{"Outlook for iOS and Android", "Android 14", "Outlook", "Outlook-Android/2.0", "Outlook"},
		{"iPhone15,3", "iOS 18.0.1 22A3370", "iPhone", "Apple-iPhone15C3/2200.3370", "EAS"},
		{"iPhone14,2", "iOS 17.6.1 21G93", "iPhone", "Apple-iPhone14C2/2107.93", "EAS"},
		{"SM-S921B", "Android 14", "Android", "Android-SAMSUNG-SM-S921B/102.140", "EAS"},
		{"Pixel 8", "Android 15", "Android", "Android/15-EAS-2.0", "EAS"},
		{"iPad13,4", "iOS 17.6.1 21G93", "iPad", "Apple-iPad13C4/2107.93", "EAS"},
	}
	for i := 0; i < count; i++ {
		d := models[g.rng.IntN(len(models))]
		first := g.between(r.WhenCreated, g.ref.AddDate(0, 0, -1))
		last := g.between(first, g.ref)
		state, version := "Allowed", "16.1"
		if g.chance(0.03) {
			state = "Quarantined"
		}
		if d.client == "Outlook" {
			version = "4.2444.0"
		}
		id := strings.ToUpper(strconv.FormatUint(g.rng.Uint64(), 16))
		r.Mailbox.Devices = append(r.Mailbox.Devices, MobileDevice{Guid: g.guid(), DeviceID: id, FriendlyName: d.model,
			DeviceModel: d.model, DeviceOS: d.os, DeviceType: d.typ, DeviceUserAgent: d.agent, ClientType: d.client,
			ClientVersion: version, DeviceAccessState: state, DeviceAccessStateReason: "Global", FirstSyncTime: first, LastSuccessSync: last})
	}
}

// others adds mail-less users, mail users (half of them guests) and contacts.
func (g *generator) others(n int) {
	t := g.b.t
	firsts, lasts, doms := firstNames(), lastNames(), externalDomains()
	for i := 0; i < max(n/50, 1); i++ {
		first, last := g.pick(firsts), g.pick(lasts)
		alias := g.uniqueAlias(strings.ToLower(first + "." + last))
		created := g.between(g.ref.AddDate(-6, 0, 0), g.ref)
		t.Recipients = append(t.Recipients, &Recipient{Kind: User, Guid: g.guid(), ExternalDirectoryObjectID: g.guid(),
			Name: alias, DisplayName: first + " " + last, FirstName: first, LastName: last,
			UserPrincipalName: alias + "@" + g.b.domain, Department: "Contractors", WhenCreated: created, WhenChanged: created})
	}
	for i := 0; i < max(n/100, 1); i++ {
		first, last := g.pick(firsts), g.pick(lasts)
		dom := g.pick(doms)
		ext := g.uniqueAddress(strings.ToLower(first+"."+last), dom)
		created := g.between(g.ref.AddDate(-4, 0, 0), g.ref)
		r := &Recipient{Kind: MailUser, Guid: g.guid(), ExternalDirectoryObjectID: g.guid(), FirstName: first, LastName: last,
			ExternalEmailAddress: "SMTP:" + ext, WhenCreated: created, WhenChanged: created}
		if i%2 == 0 {
			alias := g.uniqueAlias(strings.ReplaceAll(ext, "@", "_") + "#EXT#")
			r.Name, r.Alias, r.DisplayName = alias, alias, first+" "+last+" ("+dom+")"
			r.UserPrincipalName = alias + "@" + t.Organization
			r.EmailAddresses = []string{"SMTP:" + ext}
		} else {
			alias := g.uniqueAlias(strings.ToLower(first + "." + last + ".ext"))
			r.Name, r.Alias, r.DisplayName = alias, alias, first+" "+last+" (External)"
			r.UserPrincipalName = alias + "@" + g.b.domain
			r.EmailAddresses = []string{"SMTP:" + ext, "smtp:" + alias + "@" + t.Organization}
		}
		t.Recipients = append(t.Recipients, r)
	}
	for i := 0; i < max(n/50, 1); i++ {
		first, last := g.pick(firsts), g.pick(lasts)
		dom := g.pick(doms[:8])
		ext := g.uniqueAddress(strings.ToLower(first+"."+last), dom)
		alias := g.uniqueAlias(strings.ToLower(first + last + ".contact"))
		created := g.between(g.ref.AddDate(-5, 0, 0), g.ref)
		t.Recipients = append(t.Recipients, &Recipient{Kind: MailContact, Guid: g.guid(), ExternalDirectoryObjectID: g.guid(),
			Name: alias, Alias: alias, DisplayName: first + " " + last + " (" + dom + ")", FirstName: first, LastName: last,
			EmailAddresses: []string{"SMTP:" + ext}, ExternalEmailAddress: "SMTP:" + ext, WhenCreated: created, WhenChanged: created})
	}
}

// groups adds distribution groups (a fifth of them security groups) and
// Microsoft 365 groups, with members drawn from the users.
func (g *generator) groups(n int) {
	t := g.b.t
	depts, offs := departments(), offices()
	topics := []string{"Announcements", "Team", "Leads", "Social", "Project", "Committee", "Alerts", "Partners"}
	sample := func(count int) []UUID {
		out := make([]UUID, 0, count)
		for len(out) < count && len(out) < len(g.users) {
			u := g.users[g.rng.IntN(len(g.users))].Guid
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
		return out
	}
	memberCount := func() int {
		return min(int(math.Exp(math.Log(12)+1.1*g.rng.NormFloat64())), 500, len(g.users))
	}
	for i := 0; i < max(n/40, 4); i++ {
		kind := MailUniversalDistributionGroup
		if g.chance(0.2) {
			kind = MailUniversalSecurityGroup
		}
		var display string
		if g.chance(0.5) {
			display = depts[g.rng.IntN(len(depts))].name + " " + g.pick(topics)
		} else {
			display = offs[g.rng.IntN(len(offs))][0] + " " + g.pick(topics)
		}
		alias := g.uniqueAlias(strings.ToLower(strings.ReplaceAll(display, " ", "")))
		r := g.recipient(kind, alias, display)
		r.Name = alias
		r.WhenCreated = g.between(g.ref.AddDate(-7, 0, 0), g.ref.AddDate(0, 0, -2))
		r.WhenChanged = r.WhenCreated
		grp := &Group{MemberJoinRestriction: "Closed", MemberDepartRestriction: "Closed", RequireSenderAuthenticationEnabled: !g.chance(0.15)}
		if i%25 != 3 { // a few groups have no members
			grp.Members = sample(memberCount())
		}
		if i%20 != 7 { // and a few no owner
			grp.ManagedBy = sample(1 + g.rng.IntN(2))
		}
		r.Group = grp
		t.Recipients = append(t.Recipients, r)
	}
	for i := 0; i < max(n/60, 2); i++ {
		display := depts[g.rng.IntN(len(depts))].name + " " + g.pick(topics)
		alias := g.uniqueAlias(strings.ToLower(strings.ReplaceAll(display, " ", "")))
		r := g.recipient(GroupMailbox, alias, display)
		r.WhenCreated = g.between(g.ref.AddDate(-5, 0, 0), g.ref.AddDate(0, 0, -2))
		r.WhenChanged = r.WhenCreated
		r.HiddenFromAddressListsEnabled = g.chance(0.5)
		grp := &Group{MemberJoinRestriction: "Closed", MemberDepartRestriction: "Open", RequireSenderAuthenticationEnabled: true,
			AccessType: "Private", Team: g.chance(0.6),
			SharePointSiteURL: "https://" + strings.TrimSuffix(g.b.domain, ".com") + ".sharepoint.com/sites/" + alias}
		if g.chance(0.3) {
			grp.AccessType = "Public"
			grp.MemberJoinRestriction = "Open"
		}
		grp.ManagedBy = sample(1 + g.rng.IntN(3))
		grp.Members = append(slices.Clone(grp.ManagedBy), sample(2+g.rng.IntN(60))...)
		grp.Members = slices.Compact(grp.Members)
		r.Group = grp
		t.Recipients = append(t.Recipients, r)
	}
}

// delegation grants shared mailboxes to users and a few users to others.
func (g *generator) delegation() {
	if len(g.users) < 2 {
		return
	}
	user := func() *Recipient { return g.users[g.rng.IntN(len(g.users))] }
	for _, s := range g.shared {
		for i, n := 0, 1+g.rng.IntN(4); i < n; i++ {
			Grant(s, user(), g.chance(0.7), "FullAccess")
		}
		for i, n := 0, g.rng.IntN(3); i < n; i++ {
			if u := user(); !slices.Contains(s.SendAs, u.Guid) {
				s.SendAs = append(s.SendAs, u.Guid)
			}
		}
	}
	for _, u := range g.users {
		if g.chance(0.01) {
			if d := user(); d != u {
				Grant(u, d, true, "FullAccess")
			}
		}
		if g.chance(0.01) {
			if d := user(); d != u {
				u.GrantSendOnBehalfTo = append(u.GrantSendOnBehalfTo, d.Guid)
			}
		}
	}
}

func (g *generator) trace(count int) {
	t := g.b.t
	subjects, doms := mailSubjects(), externalDomains()
	statuses := []string{"Delivered", "Delivered", "Delivered", "Delivered", "Delivered", "Delivered", "Delivered", "Delivered",
		"Delivered", "Delivered", "Delivered", "Delivered", "FilteredAsSpam", "Quarantined", "Failed", "Pending", "Expanded"}
	from := g.ref.AddDate(0, 0, -10)
	t.MessageTrace = make([]MessageTraceRecord, 0, count)
	for i := 0; i < count; i++ {
		sender := g.all[g.rng.IntN(len(g.all))].EmailAddresses[0][5:]
		recipient := g.all[g.rng.IntN(len(g.all))].EmailAddresses[0][5:]
		fromIP, toIP := "10.2."+strconv.Itoa(g.rng.IntN(255))+"."+strconv.Itoa(1+g.rng.IntN(254)), ""
		switch g.rng.IntN(3) {
		case 0: // inbound
			sender = strings.ToLower(g.pick(firstNames())) + "@" + g.pick(doms)
			fromIP = "40.107." + strconv.Itoa(g.rng.IntN(255)) + "." + strconv.Itoa(1+g.rng.IntN(254))
		case 1: // outbound
			recipient = strings.ToLower(g.pick(lastNames())) + "@" + g.pick(doms)
			toIP = "52.101." + strconv.Itoa(g.rng.IntN(255)) + "." + strconv.Itoa(1+g.rng.IntN(254))
		}
		id := g.guid()
		t.MessageTrace = append(t.MessageTrace, MessageTraceRecord{
			Received: g.between(from, g.ref), SenderAddress: sender, RecipientAddress: recipient,
			Subject: g.pick(subjects), Status: g.pick(statuses), MessageTraceID: id,
			MessageID: "<" + strings.ToUpper(strconv.FormatUint(uint64(id[0])<<56|uint64(id[3])<<32|uint64(id[7])<<16|uint64(id[11]), 16)) + "@" + strings.ToLower(ForestShort) + ".prod.outlook.com>",
			Size:      int64(2<<10 + g.rng.IntN(4<<20)), FromIP: fromIP, ToIP: toIP})
	}
	slices.SortStableFunc(t.MessageTrace, func(a, b MessageTraceRecord) int { return a.Received.Compare(b.Received) })
}

func (g *generator) audit(count int) {
	t := g.b.t
	admin := "admin@" + t.Organization
	for i := 0; i < count; i++ {
		u := g.users[g.rng.IntN(len(g.users))]
		e := AuditEntry{ID: g.guid(), RunDate: g.between(g.ref.AddDate(0, 0, -90), g.ref), Caller: admin, Succeeded: true, ObjectModified: u.Name}
		switch g.rng.IntN(4) {
		case 0:
			e.CmdletName = "Set-Mailbox"
			e.Parameters = []AuditParam{{"Identity", u.Name}, {"HiddenFromAddressListsEnabled", "True"}}
		case 1:
			e.CmdletName = "Set-CASMailbox"
			e.Parameters = []AuditParam{{"Identity", u.Name}, {"PopEnabled", "False"}}
		case 2:
			e.CmdletName = "Add-MailboxPermission"
			e.Parameters = []AuditParam{{"Identity", u.Name}, {"User", admin}, {"AccessRights", "FullAccess"}}
		default:
			e.CmdletName = "Set-Mailbox"
			e.Parameters = []AuditParam{{"Identity", u.Name}, {"LitigationHoldEnabled", "True"}}
		}
		t.AuditLog = append(t.AuditLog, e)
	}
	slices.SortStableFunc(t.AuditLog, func(a, b AuditEntry) int { return a.RunDate.Compare(b.RunDate) })
}

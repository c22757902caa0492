package tenant

import (
	"fmt"
	"strings"
	"time"
)

// Fixture returns the small hand-written tenant golden tests run against:
// twelve mailboxes (eight users, two shared, a room and a projector), a
// user without a mailbox, two mail users (one a guest), two contacts,
// four distribution groups (one empty, one without an owner), two
// Microsoft 365 groups, delegate permissions, inbox rules (one forwarding
// outside the organization), a mailbox forwarding to an outside address,
// POP/IMAP on a few mailboxes, mobile devices, transport rules, policies,
// message trace, audit entries and Security & Compliance objects.
//
// GUIDs derive from the tenant id and object names, and dates are fixed
// relative to ReferenceTime, so output is the same on every run.
func Fixture(tenantID, organization string) *Tenant {
	b := newBuilder(tenantID, organization, func(parts ...string) UUID {
		return NameUUID(append([]string{"exorun-fixture", strings.ToLower(tenantID)}, parts...)...)
	})
	t := b.t
	created := time.Date(2023, 2, 14, 9, 12, 44, 0, time.UTC)
	b.orgDefaults(created.Add(-2 * time.Hour))

	user := func(alias, first, last, title, dept, office, city string, created time.Time) *Recipient {
		r := b.mailbox(UserMailbox, alias, first, last, first+" "+last, created)
		r.Title, r.Department, r.Office, r.City, r.CountryOrRegion, r.Company = title, dept, office, city, "United States", orgDisplayName(organization)
		r.Phone = fmt.Sprintf("+1 425 555 %04d", 100+len(t.Recipients)*7)
		return r
	}
	stats := func(r *Recipient, items, size, deleted, deletedSize int64, lastLogon time.Time) {
		r.Mailbox.Stats = Stats{ItemCount: items, TotalItemSize: size, DeletedItemCount: deleted, TotalDeletedItemSize: deletedSize, LastLogonTime: lastLogon}
	}

	lee := user("LeeG", "Lee", "Gu", "Director", "Manufacturing", "23/3101", "Redmond", created)
	adele := user("AdeleV", "Adele", "Vance", "Retail Manager", "Retail", "18/2111", "Bellevue", created.Add(3*time.Minute))
	alex := user("AlexW", "Alex", "Wilber", "Marketing Assistant", "Marketing", "131/1104", "San Diego", created.Add(5*time.Minute))
	diego := user("DiegoS", "Diego", "Siciliani", "HR Manager", "HR", "14/1108", "Birmingham", created.Add(8*time.Minute))
	grady := user("GradyA", "Grady", "Archie", "Designer", "R&D", "19/2109", "Bloomington", time.Date(2024, 5, 6, 14, 2, 9, 0, time.UTC))
	isaiah := user("IsaiahL", "Isaiah", "Langer", "Sales Rep", "Sales", "20/1101", "Tulsa", time.Date(2024, 9, 30, 8, 40, 0, 0, time.UTC))
	megan := user("MeganB", "Megan", "Bowen", "Marketing Manager", "Marketing", "12/1110", "Pittsburgh", created.Add(11*time.Minute))
	patti := user("PattiF", "Patti", "Fernandez", "President", "Executive Management", "15/1102", "Louisville", day(4, 16, 20))
	for _, r := range []*Recipient{adele, alex, diego, grady, isaiah, megan} {
		r.Manager = lee.Guid
	}
	lee.Manager = patti.Guid

	sales := b.mailbox(SharedMailbox, "Sales", "", "", "Sales Team", time.Date(2023, 3, 1, 10, 0, 0, 0, time.UTC))
	info := b.mailbox(SharedMailbox, "Info", "", "", "Contoso Info", time.Date(2023, 3, 1, 10, 5, 0, 0, time.UTC))
	info.DisplayName = orgDisplayName(organization) + " Info"
	room := b.mailbox(RoomMailbox, "ConfRoomAdams", "", "", "Conf Room Adams", time.Date(2023, 4, 12, 11, 30, 0, 0, time.UTC))
	room.Mailbox.ResourceCapacity = 12
	room.Office = "Building 18"
	projector := b.mailbox(EquipmentMailbox, "Projector01", "", "", "Projector 01", time.Date(2023, 4, 12, 11, 45, 0, 0, time.UTC))

	// Sizes range from a nearly empty new mailbox to two close to their
	// quota; three users have not signed in for more than 90 days and the
	// new president never has.
	stats(lee, 301_588, 94_597_018_624, 12_410, 3_221_225_472, day(2, 7, 58))
	stats(adele, 38_214, 4_509_715_660, 1_502, 188_743_680, day(1, 9, 14))
	stats(alex, 11_327, 1_288_490_188, 233, 14_680_064, day(109, 15, 2))
	stats(diego, 96_045, 13_636_521_574, 4_870, 536_870_912, day(2, 17, 45))
	stats(grady, 4_912, 367_001_600, 55, 2_097_152, day(243, 11, 20))
	stats(isaiah, 152_301, 51_861_727_232, 8_044, 1_073_741_824, day(1, 8, 5))
	stats(megan, 57_650, 6_979_321_856, 2_219, 301_989_888, day(1, 18, 31))
	stats(patti, 12, 184_320, 0, 0, time.Time{})
	stats(sales, 88_190, 21_474_836_480, 3_100, 805_306_368, day(3, 10, 0))
	stats(info, 20_455, 2_147_483_648, 912, 41_943_040, day(131, 9, 0))
	stats(room, 1_204, 52_428_800, 31, 1_048_576, day(30, 8, 0))
	stats(projector, 88, 2_097_152, 2, 65_536, day(200, 8, 0))

	isaiah.Mailbox.IssueWarningQuota, isaiah.Mailbox.ProhibitSendQuota, isaiah.Mailbox.ProhibitSendReceiveQuota = 49<<30, 50<<30, 55<<30
	diego.Mailbox.LitigationHoldEnabled = true
	diego.Mailbox.LitigationHoldDate = time.Date(2025, 6, 2, 13, 0, 0, 0, time.UTC)
	diego.Mailbox.LitigationHoldOwner = "admin@" + organization
	lee.Mailbox.RetentionPolicy = "Executive 7 Year Retention"
	patti.Mailbox.RetentionPolicy = "Executive 7 Year Retention"
	lee.Mailbox.ArchiveGuid = b.gen("archive", "LeeG")
	diego.Mailbox.ArchiveGuid = b.gen("archive", "DiegoS")
	alex.Mailbox.ForwardingSmtpAddress = "smtp:alex.wilber@outlook.com"
	alex.Mailbox.DeliverToMailboxAndForward = true
	alex.WhenChanged = day(40, 14, 12)
	room.HiddenFromAddressListsEnabled = false
	projector.HiddenFromAddressListsEnabled = true
	grady.Mailbox.AuditEnabled = false
	grady.AccountDisabled = true

	alex.Mailbox.CAS.PopEnabled, alex.Mailbox.CAS.ImapEnabled = true, true
	enabled, disabled := false, true
	alex.Mailbox.CAS.SmtpClientAuthenticationDisabled = &enabled
	lee.Mailbox.CAS.PopEnabled = true
	grady.Mailbox.CAS.ImapEnabled = true
	info.Mailbox.CAS.ImapEnabled = true
	patti.Mailbox.CAS.SmtpClientAuthenticationDisabled = &disabled

	christie := &Recipient{Kind: User, Guid: b.gen("guid", "ChristieC"), ExternalDirectoryObjectID: b.gen("edoid", "ChristieC"),
		Name: "ChristieC", DisplayName: "Christie Cline", FirstName: "Christie", LastName: "Cline",
		UserPrincipalName: "ChristieC@" + b.domain, Title: "Buyer", Department: "Sales", Office: "131/2105", City: "San Diego",
		CountryOrRegion: "United States", WhenCreated: created.Add(13 * time.Minute), WhenChanged: created.Add(13 * time.Minute)}
	t.Recipients = append(t.Recipients, christie)

	guest := b.mailUser("jordan.miller_fabrikam.com#EXT#", "Jordan Miller (Fabrikam)", "jordan.miller@fabrikam.com",
		"jordan.miller_fabrikam.com#EXT#@"+organization, time.Date(2025, 1, 20, 16, 0, 0, 0, time.UTC))
	guest.Name, guest.Alias = "jordan.miller_fabrikam.com#EXT#", "jordan.miller_fabrikam.com#EXT#"
	guest.EmailAddresses = []string{"SMTP:jordan.miller@fabrikam.com"}
	contractor := b.mailUser("SamR", "Sam Rivera (Contractor)", "sam.rivera@northwind.example", "SamR@"+b.domain, time.Date(2025, 8, 11, 9, 0, 0, 0, time.UTC))
	contractor.FirstName, contractor.LastName, contractor.Company = "Sam", "Rivera", "Northwind Traders"
	fabSupport := b.contact("FabrikamSupport", "Fabrikam Support", "support@fabrikam.com", time.Date(2024, 2, 2, 12, 0, 0, 0, time.UTC))
	tailspin := b.contact("TailspinBilling", "Tailspin Toys Billing", "billing@tailspintoys.com", time.Date(2024, 11, 19, 12, 0, 0, 0, time.UTC))
	fabSupport.Company, tailspin.Company = "Fabrikam", "Tailspin Toys"

	allStaff := b.group(MailUniversalDistributionGroup, "AllStaff", "All Staff", created.Add(time.Hour),
		[]*Recipient{lee}, []*Recipient{lee, adele, alex, diego, grady, isaiah, megan, patti})
	allStaff.Group.Description = "Everyone in the company."
	marketing := b.group(MailUniversalDistributionGroup, "MarketingTeam", "Marketing Team", created.Add(2*time.Hour),
		[]*Recipient{megan}, []*Recipient{megan, alex, fabSupport})
	marketing.Group.MemberJoinRestriction = "ApprovalRequired"
	marketing.Group.RequireSenderAuthenticationEnabled = false
	b.group(MailUniversalSecurityGroup, "FinanceApprovers", "Finance Approvers", time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC),
		nil, []*Recipient{diego, lee, contractor})
	phoenix := b.group(MailUniversalDistributionGroup, "ProjectPhoenix", "Project Phoenix", day(12, 10, 30), []*Recipient{grady}, nil)
	phoenix.Group.Notes = "Kick-off pending; no members yet."

	salesMkt := b.group(GroupMailbox, "SalesAndMarketing", "Sales and Marketing", time.Date(2023, 5, 5, 12, 0, 0, 0, time.UTC),
		[]*Recipient{megan}, []*Recipient{megan, alex, isaiah, guest})
	salesMkt.Group.Team = true
	salesMkt.HiddenFromAddressListsEnabled = true
	retail := b.group(GroupMailbox, "Retail", "Retail", time.Date(2023, 6, 1, 12, 0, 0, 0, time.UTC),
		[]*Recipient{adele}, []*Recipient{adele, diego})
	retail.Group.AccessType = "Public"
	retail.Group.MemberJoinRestriction = "Open"

	grant(sales, adele, true, "FullAccess")
	grant(sales, isaiah, false, "FullAccess")
	grant(info, megan, true, "FullAccess")
	grant(lee, diego, true, "FullAccess")
	grant(room, megan, false, "FullAccess")
	sales.SendAs = []UUID{isaiah.Guid}
	info.SendAs = []UUID{megan.Guid}
	megan.GrantSendOnBehalfTo = []UUID{alex.Guid}
	lee.GrantSendOnBehalfTo = []UUID{diego.Guid}

	adele.Mailbox.InboxRules = []InboxRule{
		{Name: "Forward to home", RuleIdentity: 3_425_412_337_916_460_033, Priority: 1, Enabled: true,
			ForwardTo: []string{RuleRecipient("adele.vance.home@gmail.com", "adele.vance.home@gmail.com")}},
		{Name: "Newsletters", RuleIdentity: 3_425_412_337_916_460_034, Priority: 2, Enabled: true,
			From: []string{RuleRecipient("Contoso News", "news@contoso-news.example")}, MoveToFolder: `Inbox\Newsletters`, MarkAsRead: true},
	}
	grady.Mailbox.InboxRules = []InboxRule{
		{Name: "Invoices", RuleIdentity: 7_286_518_902_513_516_545, Priority: 1, Enabled: true,
			SubjectContainsWords: []string{"invoice", "receipt"}, MoveToFolder: "Finance", StopProcessingRules: true},
	}
	isaiah.Mailbox.InboxRules = []InboxRule{
		{Name: "Leads to Sales", RuleIdentity: 1_148_417_904_979_476_481, Priority: 1, Enabled: true,
			SubjectContainsWords: []string{"lead", "quote"}, RedirectTo: []string{RuleRecipientInternal(sales)}},
	}
	diego.Mailbox.InboxRules = []InboxRule{
		{Name: "Delete recruiter spam", RuleIdentity: 5_012_393_001_874_227_201, Priority: 1, Enabled: false,
			From: []string{RuleRecipient("jobs@recruit-now.example", "jobs@recruit-now.example")}, DeleteMessage: true},
	}
	lee.Mailbox.InboxRules = []InboxRule{
		{Name: "Board packs to assistant", RuleIdentity: 2_905_882_145_039_548_417, Priority: 1, Enabled: true,
			SubjectContainsWords: []string{"board pack"}, ForwardAsAttachmentTo: []string{RuleRecipient("lee.gu@fabrikam-partners.example", "lee.gu@fabrikam-partners.example")}},
	}

	device := func(r *Recipient, id, model, os, typ, agent, client, version, state, reason string, first, last time.Time) {
		r.Mailbox.Devices = append(r.Mailbox.Devices, MobileDevice{Guid: b.gen("device", id), DeviceID: id, FriendlyName: model,
			DeviceModel: model, DeviceOS: os, DeviceType: typ, DeviceUserAgent: agent, ClientType: client, ClientVersion: version,
			DeviceAccessState: state, DeviceAccessStateReason: reason, FirstSyncTime: first, LastSuccessSync: last})
	}
	device(adele, "A5F3C2E19B7D4E60", "Outlook for iOS and Android", "iOS 18.1", "Outlook", "Outlook-iOS/2.0", "Outlook", "4.2444.0",
		"Allowed", "Global", time.Date(2024, 10, 2, 8, 0, 0, 0, time.UTC), day(0, 7, 41))
	device(diego, "SEC1D9E8F7A6B5C4", "SM-S921B", "Android 14", "Android", "Android-SAMSUNG-SM-S921B/102.140", "EAS", "16.1",
		"Allowed", "Global", time.Date(2025, 2, 17, 9, 30, 0, 0, time.UTC), day(1, 22, 3))
	device(lee, "ApplF9K2L7M4N1P8", "iPad13,4", "iOS 17.6.1 21G93", "iPad", "Apple-iPad13C4/2107.93", "EAS", "16.1",
		"Allowed", "Global", time.Date(2023, 9, 1, 15, 0, 0, 0, time.UTC), day(2, 6, 12))
	device(lee, "3B8E1C0D5A2F7964", "Pixel 6", "Android 13", "Android", "Android/13-EAS-2.0", "EAS", "16.1",
		"Quarantined", "Global", day(212, 18, 0), day(200, 18, 5))
	device(megan, "ApplC39XK2M1P0Q4", "iPhone15,3", "iOS 18.0.1 22A3370", "iPhone", "Apple-iPhone15C3/2200.3370", "EAS", "16.1",
		"Allowed", "Global", time.Date(2024, 12, 9, 11, 0, 0, 0, time.UTC), day(0, 8, 55))

	b.extraPolicies(patti, lee)
	b.transportRules()

	fixtureTrace(b, adele, alex, diego, isaiah, megan, lee, patti, sales, info, allStaff)

	admin := "admin@" + organization
	t.AuditLog = []AuditEntry{
		{ID: b.gen("audit", "1"), RunDate: day(40, 14, 12), CmdletName: "Set-Mailbox", ObjectModified: "AlexW", Caller: admin, Succeeded: true,
			Parameters: []AuditParam{{"Identity", "AlexW"}, {"ForwardingSmtpAddress", "smtp:alex.wilber@outlook.com"}, {"DeliverToMailboxAndForward", "True"}}},
		{ID: b.gen("audit", "2"), RunDate: day(21, 9, 3), CmdletName: "Add-MailboxPermission", ObjectModified: "Sales", Caller: admin, Succeeded: true,
			Parameters: []AuditParam{{"Identity", "Sales"}, {"User", "IsaiahL"}, {"AccessRights", "FullAccess"}, {"AutoMapping", "False"}}},
		{ID: b.gen("audit", "3"), RunDate: day(12, 10, 30), CmdletName: "New-DistributionGroup", ObjectModified: "ProjectPhoenix", Caller: admin, Succeeded: true,
			Parameters: []AuditParam{{"Name", "ProjectPhoenix"}, {"ManagedBy", "GradyA"}}},
		{ID: b.gen("audit", "4"), RunDate: day(3, 16, 44), CmdletName: "Set-TransportRule", ObjectModified: "Copy mail to competitors", Caller: admin, Succeeded: false,
			Parameters: []AuditParam{{"Identity", "Copy mail to competitors"}, {"Priority", "7"}},
			Error:      "Microsoft.Exchange.Configuration.Tasks.TaskInvalidOperationException: The value of Priority must be between 0 and 2."},
	}

	fixtureCompliance(b, adele, lee, diego)
	return t
}

// fixtureTrace writes three days of mail: internal, inbound, outbound,
// spam, a failed delivery and Adele's rule forwarding to her own address.
func fixtureTrace(b *builder, adele, alex, diego, isaiah, megan, lee, patti, sales, info, allStaff *Recipient) {
	n := 0
	add := func(at time.Time, from, to, subject, status, fromIP, toIP string, size int64) {
		n++
		b.t.MessageTrace = append(b.t.MessageTrace, MessageTraceRecord{Received: at, SenderAddress: from, RecipientAddress: to,
			Subject: subject, Status: status, MessageTraceID: b.gen("trace", fmt.Sprint(n)),
			MessageID: fmt.Sprintf("<%s@%s.prod.outlook.com>", strings.ToUpper(strings.ReplaceAll(b.gen("msgid", fmt.Sprint(n)).String(), "-", "")[:20]), strings.ToLower(ForestShort)),
			Size:      size, FromIP: fromIP, ToIP: toIP})
	}
	p := func(r *Recipient) string { return r.PrimarySmtpAddress() }
	add(day(2, 8, 2), p(megan), p(alex), "Q4 campaign brief", "Delivered", "10.2.14.8", "", 48_211)
	add(day(2, 8, 30), "orders@fabrikam.com", p(sales), "PO 4471 confirmation", "Delivered", "40.107.22.51", "", 102_443)
	add(day(2, 9, 1), "news@contoso-news.example", p(adele), "Weekly retail digest", "Delivered", "198.51.100.23", "", 75_102)
	add(day(2, 9, 1), p(adele), "adele.vance.home@gmail.com", "FW: Weekly retail digest", "Delivered", "", "142.250.102.26", 77_380)
	add(day(2, 11, 45), "promo@deals-blast.example", p(isaiah), "You won a prize!!!", "FilteredAsSpam", "203.0.113.77", "", 12_004)
	add(day(1, 7, 15), p(lee), p(allStaff), "All hands on Friday", "Expanded", "10.2.14.9", "", 8_990)
	add(day(1, 7, 15), p(lee), p(adele), "All hands on Friday", "Delivered", "10.2.14.9", "", 8_990)
	add(day(1, 7, 15), p(lee), p(diego), "All hands on Friday", "Delivered", "10.2.14.9", "", 8_990)
	add(day(1, 7, 15), p(lee), p(patti), "All hands on Friday", "Delivered", "10.2.14.9", "", 8_990)
	add(day(1, 10, 20), p(isaiah), "buyer@litware.example", "Quote 2211", "Delivered", "", "52.101.4.12", 233_410)
	add(day(1, 10, 22), p(isaiah), "nobody@unknown-domain.example", "Quote 2212", "Failed", "", "", 233_502)
	add(day(1, 13, 5), "invoice@payments-secure.example", p(diego), "Invoice overdue - action required", "Quarantined", "192.0.2.144", "", 341_876)
	add(day(1, 15, 40), "support@fabrikam.com", p(info), "Ticket 88120 updated", "Delivered", "40.107.22.60", "", 20_118)
	add(day(0, 6, 55), p(alex), "alex.wilber@outlook.com", "Team lunch", "Delivered", "", "52.96.111.4", 6_552)
	add(day(0, 8, 10), p(megan), "partner@fabrikam.com", "Co-marketing plan", "Pending", "", "", 1_203_511)
	add(day(0, 9, 30), "billing@tailspintoys.com", p(lee), "Statement October", "Delivered", "40.92.18.7", "", 88_400)
}

func fixtureCompliance(b *builder, adele, lee, diego *Recipient) {
	t := b.t
	admin := "admin@" + t.Organization
	t.DlpPolicies = []*DlpCompliancePolicy{
		{Guid: b.gen("dlp", "financial"), Name: "U.S. Financial Data", Mode: "Enable", Enabled: true, Priority: 0,
			Comment: "Credit card and bank account numbers.", ExchangeLocation: []string{"All"}, SharePointLocation: []string{"All"},
			OneDriveLocation: []string{"All"}, CreatedBy: admin, LastModifiedBy: admin,
			WhenCreated: time.Date(2024, 3, 3, 10, 0, 0, 0, time.UTC), WhenChanged: time.Date(2025, 2, 2, 10, 0, 0, 0, time.UTC)},
		{Guid: b.gen("dlp", "gdpr"), Name: "GDPR Enhanced", Mode: "TestWithNotifications", Enabled: true, Priority: 1,
			ExchangeLocation: []string{"All"}, TeamsLocation: []string{"All"}, CreatedBy: admin, LastModifiedBy: admin,
			WhenCreated: time.Date(2025, 7, 7, 10, 0, 0, 0, time.UTC), WhenChanged: time.Date(2025, 7, 7, 10, 0, 0, 0, time.UTC)},
	}
	t.RetentionCompliancePolicies = []*RetentionCompliancePolicy{
		{Guid: b.gen("retention", "org"), Name: "Org-wide 7 years", Enabled: true, Mode: "Enforce", ExchangeLocation: []string{"All"},
			SharePointLocation: []string{"All"}, OneDriveLocation: []string{"All"}, ModernGroupLocation: []string{"All"}, DistributionStatus: "Success",
			WhenCreated: time.Date(2023, 8, 1, 9, 0, 0, 0, time.UTC), WhenChanged: time.Date(2023, 8, 1, 9, 0, 0, 0, time.UTC)},
		{Guid: b.gen("retention", "teams"), Name: "Teams chats 1 year", Enabled: true, Mode: "Enforce", TeamsChatLocation: []string{"All"},
			Comment: "Delete chats after a year.", DistributionStatus: "Pending",
			WhenCreated: day(2, 11, 0), WhenChanged: day(2, 11, 0)},
	}
	t.ComplianceSearches = []*ComplianceSearch{
		{Guid: b.gen("search", "phoenix"), Name: "Phoenix litigation", Case: "Phoenix v. Litware", Status: "Completed",
			ContentMatchQuery: `subject:"Phoenix" AND sent>=2025-01-01`, ExchangeLocation: []string{adele.PrimarySmtpAddress(), lee.PrimarySmtpAddress()},
			Items: 1_284, Size: 412_334_080, CreatedBy: admin, RunBy: admin, CreatedTime: day(20, 10, 0), JobStartTime: day(20, 10, 1), JobEndTime: day(20, 10, 9)},
		{Guid: b.gen("search", "hr"), Name: "HR investigation 2026-10", Status: "NotStarted", Description: "Awaiting approval.",
			ContentMatchQuery: "from:" + diego.PrimarySmtpAddress(), ExchangeLocation: []string{diego.PrimarySmtpAddress()},
			CreatedBy: admin, CreatedTime: day(5, 15, 0)},
	}
	label := func(name, display string, prio int, parent UUID, tip string) *SensitivityLabel {
		return &SensitivityLabel{Guid: b.gen("label", name), Name: name, DisplayName: display, Priority: prio, ParentID: parent,
			Tooltip: tip, ContentType: "File, Email, Site, UnifiedGroup",
			WhenCreated: time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC), WhenChanged: time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC)}
	}
	public := label("Public", "Public", 0, UUID{}, "Business data that is specifically prepared and approved for public consumption.")
	general := label("General", "General", 1, UUID{}, "Business data that is not intended for public consumption.")
	confidential := label("Confidential", "Confidential", 2, UUID{}, "Sensitive business data that could cause damage to the business if shared with unauthorized people.")
	allEmployees := label("Confidential-AllEmployees", "All Employees", 3, confidential.Guid, "Confidential data that requires protection, which allows all employees full permissions.")
	highly := label("HighlyConfidential", "Highly Confidential", 4, UUID{}, "Very sensitive business data that would cause damage to the business if it was shared with unauthorized people.")
	t.Labels = []*SensitivityLabel{public, general, confidential, allEmployees, highly}
}

// extraPolicies adds the customised policies both tenants share: an
// executive retention policy, a spam policy with allow-listed partner
// domains (the kind of setting security reviews flag), and impersonation
// protection for two VIPs.
func (b *builder) extraPolicies(vips ...*Recipient) {
	t := b.t
	t.RetentionPolicies = append(t.RetentionPolicies, &RetentionPolicy{Guid: b.gen("mrm", "exec"), RetentionID: b.gen("mrm-id", "exec"),
		Name: "Executive 7 Year Retention", WhenChanged: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		TagLinks: []string{"7 Year Delete", "Default 2 year move to archive", "Recoverable Items 14 days move to archive"}})
	t.ContentFilterPolicies = append(t.ContentFilterPolicies, &ContentFilterPolicy{Guid: b.gen("hcf", "partners"), Name: "Partner Allow List",
		BulkThreshold: 6, SpamAction: "MoveToJmf", HighConfidenceSpamAction: "Quarantine", PhishSpamAction: "Quarantine",
		HighConfidencePhishAction: "Quarantine", BulkSpamAction: "MoveToJmf", QuarantineRetentionPeriod: 30,
		AllowedSenderDomains: []string{"fabrikam.com", "northwind.example"}, AllowedSenders: []string{"billing@tailspintoys.com"},
		BlockedSenderDomains: []string{"recruit-now.example"}, EnableEndUserSpamNotifications: true, SpamZapEnabled: true, PhishZapEnabled: true,
		WhenChanged: time.Date(2025, 4, 14, 10, 0, 0, 0, time.UTC)})
	t.AntiPhishPolicies = append(t.AntiPhishPolicies, &AntiPhishPolicy{Guid: b.gen("phish", "exec"), Name: "Executive Protection",
		Enabled: true, PhishThresholdLevel: 3, EnableSpoofIntelligence: true, EnableMailboxIntelligence: true,
		EnableMailboxIntelligenceProtection: true, EnableTargetedUserProtection: true,
		TargetedUsersToProtect:              []string{vips[0].DisplayName + ";" + vips[0].PrimarySmtpAddress(), vips[1].DisplayName + ";" + vips[1].PrimarySmtpAddress()},
		EnableOrganizationDomainsProtection: true, EnableFirstContactSafetyTips: true, EnableUnauthenticatedSender: true,
		HonorDmarcPolicy: true, AuthenticationFailAction: "Quarantine", WhenChanged: time.Date(2025, 4, 14, 10, 30, 0, 0, time.UTC)})

}

// transportRules adds three mail flow rules: an external-sender tag, an
// executable block and a disabled audit rule.
func (b *builder) transportRules() {
	t := b.t
	t.TransportRules = []*TransportRule{
		{Guid: b.gen("rule", "external"), Name: "External sender warning", Priority: 0, State: "Enabled", Mode: "Enforce",
			Comments: "Tag mail from outside the organization.",
			Settings: map[string]any{"FromScope": "NotInOrganization", "PrependSubject": "[EXTERNAL] ",
				"ExceptIfSenderDomainIs": []string{"fabrikam.com"}},
			WhenChanged: time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)},
		{Guid: b.gen("rule", "executables"), Name: "Block executable attachments", Priority: 1, State: "Enabled", Mode: "Enforce",
			Settings: map[string]any{"AttachmentHasExecutableContent": true,
				"RejectMessageReasonText":         "Executable attachments are not allowed.",
				"RejectMessageEnhancedStatusCode": "5.7.1", "SetAuditSeverity": "High", "StopRuleProcessing": true},
			WhenChanged: time.Date(2024, 2, 1, 9, 5, 0, 0, time.UTC)},
		{Guid: b.gen("rule", "competitors"), Name: "Copy mail to competitors", Priority: 2, State: "Disabled", Mode: "Audit",
			Comments: "Compliance review, paused.",
			Settings: map[string]any{"RecipientDomainIs": []string{"litware.example", "adatum.example"},
				"BlindCopyTo": []string{"compliance@" + b.domain}},
			ActivationDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			WhenChanged:    time.Date(2025, 9, 9, 16, 0, 0, 0, time.UTC)},
	}

}

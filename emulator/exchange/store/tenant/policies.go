package tenant

import "time"

// The policies and Security & Compliance objects of generated tenants:
// those the demo tenant has (package fixture's demo.yaml), so a script
// meets the same ones at any size.

// day is a date in the generated tenants' calendar: days before
// ReferenceTime, at a given hour and minute.
func day(daysBefore, hour, minute int) time.Time {
	d := ReferenceTime().AddDate(0, 0, -daysBefore)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC)
}

// complianceObjects adds Security & Compliance objects: two DLP policies,
// two retention policies, two content searches (one of two custodians'
// mailboxes, one of a third user's) and the default sensitivity labels.
func complianceObjects(b *Builder, custodian1, custodian2, investigated *Recipient) {
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
			ContentMatchQuery: `subject:"Phoenix" AND sent>=2025-01-01`, ExchangeLocation: []string{custodian1.PrimarySmtpAddress(), custodian2.PrimarySmtpAddress()},
			Items: 1_284, Size: 412_334_080, CreatedBy: admin, RunBy: admin, CreatedTime: day(20, 10, 0), JobStartTime: day(20, 10, 1), JobEndTime: day(20, 10, 9)},
		{Guid: b.gen("search", "hr"), Name: "HR investigation 2026-10", Status: "NotStarted", Description: "Awaiting approval.",
			ContentMatchQuery: "from:" + investigated.PrimarySmtpAddress(), ExchangeLocation: []string{investigated.PrimarySmtpAddress()},
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

// extraPolicies adds customised policies: an
// executive retention policy, a spam policy with allow-listed partner
// domains (the kind of setting security reviews flag), and impersonation
// protection for two VIPs.
func extraPolicies(b *Builder, vips ...*Recipient) {
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
func transportRules(b *Builder) {
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

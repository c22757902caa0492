package store

import (
	"strconv"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// itemCmdlets declares the cmdlets that list what lives in a mailbox:
// inbox rules and mobile devices (see registry.go).
func itemCmdlets() []decl {
	return []decl{
		{"Get-InboxRule", catalog.Exchange, "Identity Mailbox ResultSize IncludeHidden BypassScopeCheck DescriptionTimeFormat DescriptionTimeZone", getInboxRule},
		{"Get-MobileDevice", catalog.Exchange, "Identity Mailbox Filter ResultSize ActiveSync OWAforDevices RestApi UniversalOutlook", getMobileDevice},
		{"Get-MobileDeviceStatistics", catalog.Exchange, "Identity Mailbox ActiveSync OWAforDevices RestApi UniversalOutlook", getMobileDeviceStatistics},
	}
}

// ruleRow is an inbox rule with its mailbox.
type ruleRow struct {
	mbx  *tenant.Recipient
	rule tenant.InboxRule
}

func listOrNil(s []string) any {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

func (x ruleRow) identity() string {
	return x.mbx.Name + `\` + strconv.FormatUint(x.rule.RuleIdentity, 10)
}

func (x ruleRow) folder() any {
	if x.rule.MoveToFolder == "" {
		return nil
	}
	return x.mbx.Name + `:\` + x.rule.MoveToFolder
}

// description is the rule's summary, in the words Outlook and Exchange use.
func (x ruleRow) description() string {
	q := func(list []string) string {
		shown := make([]string, len(list))
		for i, s := range list {
			// A recipient shows by its display name, as in Outlook.
			if name, _, ok := strings.Cut(strings.TrimPrefix(s, `"`), `" [`); ok && strings.HasPrefix(s, `"`) {
				s = name
			}
			shown[i] = s
		}
		return "'" + strings.Join(shown, "' or '") + "'"
	}
	var b strings.Builder
	b.WriteString("If the message:\r\n")
	r := x.rule
	if len(r.From) > 0 {
		b.WriteString("\tis received from " + q(r.From) + "\r\n")
	}
	if len(r.SubjectContainsWords) > 0 {
		b.WriteString("\tincludes " + q(r.SubjectContainsWords) + " in the subject\r\n")
	}
	if len(r.BodyContainsWords) > 0 {
		b.WriteString("\tincludes " + q(r.BodyContainsWords) + " in the body\r\n")
	}
	if len(r.From)+len(r.SubjectContainsWords)+len(r.BodyContainsWords) == 0 {
		b.WriteString("\tapplies to all messages\r\n")
	}
	b.WriteString("Take the following actions:\r\n")
	if len(r.ForwardTo) > 0 {
		b.WriteString("\tforward the message to " + q(r.ForwardTo) + "\r\n")
	}
	if len(r.ForwardAsAttachmentTo) > 0 {
		b.WriteString("\tforward the message as an attachment to " + q(r.ForwardAsAttachmentTo) + "\r\n")
	}
	if len(r.RedirectTo) > 0 {
		b.WriteString("\tredirect the message to " + q(r.RedirectTo) + "\r\n")
	}
	if r.MoveToFolder != "" {
		b.WriteString("\tmove the message to folder '" + r.MoveToFolder + "'\r\n")
	}
	if r.MarkAsRead {
		b.WriteString("\tmark the message as read\r\n")
	}
	if r.DeleteMessage {
		b.WriteString("\tdelete the message\r\n")
	}
	if r.StopProcessingRules {
		b.WriteString("\tstop processing more rules\r\n")
	}
	return b.String()
}

func inboxRuleView() *view[ruleRow] {
	type c = column[ruleRow]
	words := func(name string, get func(r *tenant.InboxRule) []string) c {
		return col(name, func(_ *tenant.State, x ruleRow) any { return listOrNil(get(&x.rule)) })
	}
	return newView(
		col("Description", func(_ *tenant.State, x ruleRow) any { return x.description() }),
		col("Enabled", func(_ *tenant.State, x ruleRow) any { return x.rule.Enabled }),
		col("Identity", func(_ *tenant.State, x ruleRow) any { return x.identity() }),
		fixed[ruleRow]("InError", false),
		fixed[ruleRow]("ErrorType", "None"),
		col("Name", func(_ *tenant.State, x ruleRow) any { return x.rule.Name }),
		col("Priority", func(_ *tenant.State, x ruleRow) any { return int64(x.rule.Priority) }),
		col("RuleIdentity", func(_ *tenant.State, x ruleRow) any { return int64(x.rule.RuleIdentity) }),
		fixed[ruleRow]("SupportedByTask", true),
		fixed[ruleRow]("Legacy", false),
		fixed[ruleRow]("ApplyCategory", nil),
		words("BodyContainsWords", func(r *tenant.InboxRule) []string { return r.BodyContainsWords }),
		fixed[ruleRow]("CopyToFolder", nil),
		col("DeleteMessage", func(_ *tenant.State, x ruleRow) any { return x.rule.DeleteMessage }),
		fixed[ruleRow]("ExceptIfFrom", nil),
		fixed[ruleRow]("ExceptIfSubjectContainsWords", nil),
		fixed[ruleRow]("FlaggedForAction", nil),
		words("ForwardAsAttachmentTo", func(r *tenant.InboxRule) []string { return r.ForwardAsAttachmentTo }),
		words("ForwardTo", func(r *tenant.InboxRule) []string { return r.ForwardTo }),
		words("From", func(r *tenant.InboxRule) []string { return r.From }),
		fixed[ruleRow]("FromAddressContainsWords", nil),
		fixed[ruleRow]("HasAttachment", false),
		fixed[ruleRow]("HeaderContainsWords", nil),
		col("MarkAsRead", func(_ *tenant.State, x ruleRow) any { return x.rule.MarkAsRead }),
		fixed[ruleRow]("MarkImportance", nil),
		fixed[ruleRow]("MessageTypeMatches", nil),
		col("MoveToFolder", func(_ *tenant.State, x ruleRow) any { return x.folder() }),
		fixed[ruleRow]("MyNameInCcBox", false),
		fixed[ruleRow]("MyNameInToBox", false),
		fixed[ruleRow]("MyNameInToOrCcBox", false),
		fixed[ruleRow]("MyNameNotInToBox", false),
		fixed[ruleRow]("ReceivedAfterDate", nil),
		fixed[ruleRow]("ReceivedBeforeDate", nil),
		fixed[ruleRow]("RecipientAddressContainsWords", nil),
		words("RedirectTo", func(r *tenant.InboxRule) []string { return r.RedirectTo }),
		fixed[ruleRow]("SendTextMessageNotificationTo", nil),
		fixed[ruleRow]("SentOnlyToMe", false),
		fixed[ruleRow]("SentTo", nil),
		fixed[ruleRow]("SoftDeleteMessage", false),
		col("StopProcessingRules", func(_ *tenant.State, x ruleRow) any { return x.rule.StopProcessingRules }),
		words("SubjectContainsWords", func(r *tenant.InboxRule) []string { return r.SubjectContainsWords }),
		fixed[ruleRow]("SubjectOrBodyContainsWords", nil),
		fixed[ruleRow]("WithImportance", nil),
		fixed[ruleRow]("WithinSizeRangeMaximum", nil),
		fixed[ruleRow]("WithinSizeRangeMinimum", nil),
		fixed[ruleRow]("WithSensitivity", nil),
		fixed[ruleRow]("IsValid", true),
		fixed[ruleRow]("ObjectState", "Unchanged"),
		col("MailboxOwnerId", func(_ *tenant.State, x ruleRow) any { return x.mbx.Name }),
	)
}

// getInboxRule lists a mailbox's rules. An app-only session has no
// mailbox of its own, so the mailbox must come from -Mailbox or from an
// -Identity of the form "mailbox\rule".
func getInboxRule(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	mailbox, id := a.str("Mailbox"), a.str("Identity")
	size := a.resultSize(-1)
	for _, noop := range []string{"IncludeHidden", "BypassScopeCheck"} {
		a.boolean(noop)
	}
	a.str("DescriptionTimeFormat")
	a.str("DescriptionTimeZone")
	if err := a.failed(); err != nil {
		return nil, err
	}
	ruleID := id
	if i := strings.LastIndex(id, `\`); i >= 0 && mailbox == "" {
		mailbox, ruleID = id[:i], id[i+1:]
	}
	if mailbox == "" {
		return nil, exchange.BadParameter("Get-InboxRule needs the -Mailbox parameter in an app-only session: without -Mailbox the cmdlet reads the caller's own mailbox, and an application has none. Pass -Mailbox with the mailbox whose rules you want.")
	}
	mbx, err := inv.ts.Resolve(mailbox, tenant.MailboxKinds())
	if err != nil {
		return nil, err
	}
	var out []ruleRow
	for _, r := range mbx.Mailbox.InboxRules {
		if ruleID != "" && !strings.EqualFold(r.Name, ruleID) && strconv.FormatUint(r.RuleIdentity, 10) != ruleID {
			continue
		}
		out = append(out, ruleRow{mbx: mbx, rule: r})
	}
	if ruleID != "" && len(out) == 0 {
		return nil, exchange.NotFound(id)
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.inboxRule.render, warn...), nil
}

// deviceRow is a mobile device with its mailbox.
type deviceRow struct {
	mbx *tenant.Recipient
	d   tenant.MobileDevice
}

func (x deviceRow) name() string { return x.d.DeviceType + "§" + x.d.DeviceID }

func (x deviceRow) identity() string {
	return x.mbx.Name + `\ExchangeActiveSyncDevices\` + x.name()
}

func mobileDeviceView() *view[deviceRow] {
	return newView(
		col("FriendlyName", func(_ *tenant.State, x deviceRow) any { return x.d.FriendlyName }),
		col("DeviceId", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceID }),
		fixed[deviceRow]("DeviceImei", nil),
		fixed[deviceRow]("DeviceMobileOperator", nil),
		col("DeviceOS", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceOS }),
		fixed[deviceRow]("DeviceOSLanguage", "en-US"),
		fixed[deviceRow]("DeviceTelephoneNumber", nil),
		col("DeviceType", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceType }),
		col("DeviceUserAgent", func(_ *tenant.State, x deviceRow) any { return strOrNil(x.d.DeviceUserAgent) }),
		col("DeviceModel", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceModel }),
		col("FirstSyncTime", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("UserDisplayName", func(ts *tenant.State, x deviceRow) any {
			return forestShort + ".PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/" + ts.T.Organization + "/" + x.mbx.Name
		}),
		col("DeviceAccessState", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceAccessState }),
		col("DeviceAccessStateReason", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceAccessStateReason }),
		fixed[deviceRow]("DeviceAccessControlRule", nil),
		col("ClientVersion", func(_ *tenant.State, x deviceRow) any { return strOrNil(x.d.ClientVersion) }),
		col("ClientType", func(_ *tenant.State, x deviceRow) any { return x.d.ClientType }),
		fixed[deviceRow]("IsManaged", false),
		fixed[deviceRow]("IsCompliant", false),
		fixed[deviceRow]("IsDisabled", false),
		col("Name", func(_ *tenant.State, x deviceRow) any { return x.name() }),
		col("Identity", func(_ *tenant.State, x deviceRow) any { return x.identity() }),
		col("DistinguishedName", func(ts *tenant.State, x deviceRow) any {
			return "CN=" + escapeDN(x.name()) + ",CN=ExchangeActiveSyncDevices," + distinguishedName(ts.T.Organization, x.mbx.Name)
		}),
		col("Guid", func(_ *tenant.State, x deviceRow) any { return x.d.Guid.GUID() }),
		col("WhenChanged", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("WhenCreated", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("WhenChangedUTC", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("WhenCreatedUTC", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("OrganizationId", func(ts *tenant.State, _ deviceRow) any { return organizationID(ts.T.Organization) }),
		fixed[deviceRow]("OriginatingServer", serverFQDN),
		fixed[deviceRow]("IsValid", true),
		fixed[deviceRow]("ObjectState", "Unchanged"),
	)
}

func deviceStatsView() *view[deviceRow] {
	return newView(
		col("FirstSyncTime", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("LastPolicyUpdateTime", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.FirstSyncTime) }),
		col("LastSyncAttemptTime", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.LastSuccessSync) }),
		col("LastSuccessSync", func(_ *tenant.State, x deviceRow) any { return timeOrNil(x.d.LastSuccessSync) }),
		col("DeviceType", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceType }),
		col("DeviceID", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceID }),
		col("DeviceUserAgent", func(_ *tenant.State, x deviceRow) any { return strOrNil(x.d.DeviceUserAgent) }),
		fixed[deviceRow]("DeviceWipeSentTime", nil),
		fixed[deviceRow]("DeviceWipeRequestTime", nil),
		fixed[deviceRow]("DeviceWipeAckTime", nil),
		fixed[deviceRow]("AccountOnlyDeviceWipeSentTime", nil),
		fixed[deviceRow]("AccountOnlyDeviceWipeRequestTime", nil),
		fixed[deviceRow]("AccountOnlyDeviceWipeAckTime", nil),
		fixed[deviceRow]("LastPingHeartbeat", nil),
		fixed[deviceRow]("RecoveryPassword", "********"),
		col("DeviceModel", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceModel }),
		fixed[deviceRow]("DeviceImei", nil),
		col("DeviceFriendlyName", func(_ *tenant.State, x deviceRow) any { return x.d.FriendlyName }),
		col("DeviceOS", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceOS }),
		fixed[deviceRow]("DeviceOSLanguage", "en-US"),
		fixed[deviceRow]("DevicePhoneNumber", nil),
		fixed[deviceRow]("MailboxLogReport", nil),
		fixed[deviceRow]("DeviceEnableOutboundSMS", false),
		fixed[deviceRow]("DeviceMobileOperator", nil),
		col("Identity", func(_ *tenant.State, x deviceRow) any { return x.identity() }),
		col("Guid", func(_ *tenant.State, x deviceRow) any { return x.d.Guid.GUID() }),
		fixed[deviceRow]("IsRemoteWipeSupported", true),
		fixed[deviceRow]("Status", "DeviceOk"),
		fixed[deviceRow]("StatusNote", nil),
		col("DeviceAccessState", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceAccessState }),
		col("DeviceAccessStateReason", func(_ *tenant.State, x deviceRow) any { return x.d.DeviceAccessStateReason }),
		fixed[deviceRow]("DeviceAccessControlRule", nil),
		fixed[deviceRow]("DevicePolicyApplied", "Default"),
		fixed[deviceRow]("DevicePolicyApplicationStatus", "AppliedInFull"),
		fixed[deviceRow]("LastDeviceWipeRequestor", nil),
		col("ClientVersion", func(_ *tenant.State, x deviceRow) any { return strOrNil(x.d.ClientVersion) }),
		fixed[deviceRow]("NumberOfFoldersSynced", int64(0)),
		fixed[deviceRow]("SyncStateUpgradeTime", nil),
		col("ClientType", func(_ *tenant.State, x deviceRow) any { return x.d.ClientType }),
		fixed[deviceRow]("IsValid", true),
		fixed[deviceRow]("ObjectState", "Unchanged"),
	)
}

// selectDevices is the device selection shared by Get-MobileDevice and
// Get-MobileDeviceStatistics: by -Mailbox, by -Identity (full identity,
// GUID or device id), or every device in the tenant.
func selectDevices(inv *invocation) ([]deviceRow, error) {
	a := inv.a
	mailbox, id := a.str("Mailbox"), a.str("Identity")
	var clients []string
	for sw, client := range map[string]string{"ActiveSync": "EAS", "OWAforDevices": "MOWA", "RestApi": "REST", "UniversalOutlook": "UniversalOutlook"} {
		if a.boolean(sw) {
			clients = append(clients, client)
		}
	}
	if err := a.failed(); err != nil {
		return nil, err
	}
	owners := inv.t.Recipients
	if mailbox != "" {
		mbx, err := inv.ts.Resolve(mailbox, tenant.MailboxKinds())
		if err != nil {
			return nil, err
		}
		owners = []*tenant.Recipient{mbx}
	}
	u, isGUID := tenant.ParseUUID(id)
	var out []deviceRow
	for _, r := range owners {
		if r.Mailbox == nil {
			continue
		}
		for _, d := range r.Mailbox.Devices {
			row := deviceRow{mbx: r, d: d}
			if id != "" && !(isGUID && d.Guid == u) && !strings.EqualFold(row.identity(), id) && !strings.EqualFold(d.DeviceID, id) {
				continue
			}
			if len(clients) > 0 && !containsFold(clients, d.ClientType) {
				continue
			}
			out = append(out, row)
		}
	}
	if id != "" && len(out) == 0 {
		return nil, exchange.NotFound(id)
	}
	return out, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func getMobileDevice(inv *invocation) (*exchange.Result, error) {
	size := inv.a.resultSize(1000)
	pred, err := filterOf(inv, inv.s.views.mobileDevice)
	if err != nil {
		return nil, err
	}
	rows, err := selectDevices(inv)
	if err != nil {
		return nil, err
	}
	if pred != nil {
		kept := rows[:0:0]
		for _, r := range rows {
			if pred(inv.ts, r) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	rows, warn := limit(rows, size)
	return lazy(inv.ts, rows, inv.s.views.mobileDevice.render, warn...), nil
}

func getMobileDeviceStatistics(inv *invocation) (*exchange.Result, error) {
	rows, err := selectDevices(inv)
	if err != nil {
		return nil, err
	}
	return lazy(inv.ts, rows, inv.s.views.deviceStats.render), nil
}

package catalog

import "strings"

// PowerShell prints a cmdlet's objects through a default view: a few
// columns chosen by Exchange's format files, not the 150 properties of a
// mailbox. The REPL does the same with the views declared here.
//
// Source: the Format-Table views of the Exchange Online PowerShell module
// (the columns a bare Get-* shows), except Get-Mailbox, whose real default
// (Name, Alias, Database, ProhibitSendQuota) shows two columns that say
// nothing in Exchange Online; it shows the recipient type and address
// instead.

// view is the default columns of one cmdlet.
type view struct {
	cmdlet  string
	columns []string
}

// views declares the default views. A Get-EXO* wrapper has none of its
// own: it shows its server cmdlet's (DefaultView).
func views() []view {
	return []view{
		{"Get-AcceptedDomain", []string{"Name", "DomainName", "DomainType", "Default"}},
		{"Get-CASMailbox", []string{"Name", "ActiveSyncEnabled", "OWAEnabled", "PopEnabled", "ImapEnabled", "MapiEnabled"}},
		{"Get-DistributionGroup", []string{"Name", "DisplayName", "GroupType", "PrimarySmtpAddress"}},
		{"Get-DistributionGroupMember", []string{"Name", "RecipientType", "PrimarySmtpAddress"}},
		{"Get-InboxRule", []string{"Name", "Enabled", "Priority", "RuleIdentity"}},
		{"Get-Mailbox", []string{"Name", "Alias", "RecipientTypeDetails", "PrimarySmtpAddress"}},
		{"Get-MailboxFolderPermission", []string{"FolderName", "User", "AccessRights", "SharingPermissionFlags"}},
		{"Get-MailboxFolderStatistics", []string{"Name", "FolderPath", "ItemsInFolder", "FolderSize"}},
		{"Get-MailboxPermission", []string{"Identity", "User", "AccessRights", "IsInherited", "Deny"}},
		{"Get-MailboxStatistics", []string{"DisplayName", "ItemCount", "TotalItemSize", "LastLogonTime"}},
		{"Get-MailContact", []string{"Name", "Alias", "RecipientType"}},
		{"Get-MailUser", []string{"Name", "RecipientType"}},
		{"Get-MessageTrace", []string{"Received", "SenderAddress", "RecipientAddress", "Subject", "Status"}},
		{"Get-MessageTraceV2", []string{"Received", "SenderAddress", "RecipientAddress", "Subject", "Status"}},
		{"Get-OrganizationConfig", []string{"Name", "DisplayName", "Guid"}},
		{"Get-Recipient", []string{"Name", "RecipientType", "PrimarySmtpAddress"}},
		{"Get-RecipientPermission", []string{"Identity", "Trustee", "AccessControlType", "AccessRights"}},
		{"Get-RoleGroup", []string{"Name", "AssignedRoles", "RoleAssignments", "ManagedBy"}},
		{"Get-TransportRule", []string{"Name", "State", "Mode", "Priority", "Comments"}},
		{"Get-UnifiedGroup", []string{"DisplayName", "PrimarySmtpAddress", "AccessType"}},
		{"Get-User", []string{"Name", "RecipientType", "UserPrincipalName"}},
	}
}

// DefaultView returns the table columns PowerShell shows for cmdlet (any
// case; a Get-EXO* wrapper shows its server cmdlet's), or nil when none
// is declared. The slice is the caller's.
func DefaultView(cmdlet string) []string {
	if c, ok := Lookup(cmdlet); ok {
		cmdlet = c.Server().Name
	}
	for _, v := range views() {
		if strings.EqualFold(v.cmdlet, cmdlet) {
			return v.columns
		}
	}
	return nil
}

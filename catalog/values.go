package catalog

import "strings"

// The reference gives types, not the names an enum accepts, so REPL
// completion and help would have nothing to offer after
// `RecipientTypeDetails = "`. The few enums scripts use all the time are
// declared here, once, from Microsoft's cmdlet pages; the service stays
// the judge of a value, so a name missing here is still sent as typed.

// Values lists the names the parameter accepts when its type is one of the
// enums declared here ("Unlimited" for a ResultSize or a quota,
// "SharedMailbox"... for RecipientTypeDetails), sorted; nil when the
// catalog does not know them, and for switches and booleans, which take
// Lua's true and false. A list type (RecipientTypeDetails[]) has its
// element's names. Each call returns a new slice.
func (p *Parameter) Values() []string {
	if p.Switch {
		return nil
	}
	typ := strings.TrimSuffix(p.Type, "[]")
	if KindOf(typ) == KindUnlimited && equalFoldASCII(p.Name, "ExcludedItemClasses") {
		// Set-AppRetentionComplianceRule -ExcludedItemClasses is a list
		// of item classes: its page's Unlimited type is a slip, and
		// "Unlimited" means nothing there.
		return nil
	}
	return enumValues(typ)
}

// enumValues is the names of an enum type as the reference writes it
// (without "[]"), or nil.
func enumValues(typ string) []string {
	switch typ {
	case "Unlimited", "UnlimitedInt",
		"Microsoft.Exchange.Management.RestApiClient.Unlimited`1[System.UInt32]":
		// Every form takes a number or the word Unlimited (ResultSize,
		// quotas such as ProhibitSendQuota, durations such as
		// RetentionDuration, Get-AdaptiveScopeMembers -PageResultSize).
		return []string{"Unlimited"}
	case "RecipientTypeDetails":
		// The names Get-Recipient, Get-Mailbox, Get-User, Get-Group,
		// Get-Contact and Get-DistributionGroup document for Exchange
		// Online; each cmdlet accepts the subset that fits its objects.
		return []string{
			"Contact",
			"DisabledUser",
			"DiscoveryMailbox",
			"DynamicDistributionGroup",
			"EquipmentMailbox",
			"GroupMailbox",
			"GuestMailUser",
			"LegacyMailbox",
			"LinkedMailbox",
			"LinkedRoomMailbox",
			"LinkedUser",
			"MailContact",
			"MailForestContact",
			"MailNonUniversalGroup",
			"MailUniversalDistributionGroup",
			"MailUniversalSecurityGroup",
			"MailUser",
			"NonUniversalGroup",
			"PublicFolder",
			"PublicFolderMailbox",
			"RemoteEquipmentMailbox",
			"RemoteRoomMailbox",
			"RemoteSharedMailbox",
			"RemoteTeamMailbox",
			"RemoteUserMailbox",
			"RoleGroup",
			"RoomList",
			"RoomMailbox",
			"SchedulingMailbox",
			"SharedMailbox",
			"TeamMailbox",
			"UniversalDistributionGroup",
			"UniversalSecurityGroup",
			"User",
			"UserMailbox",
		}
	case "RecipientType":
		// Get-Recipient -RecipientType.
		return []string{
			"DynamicDistributionGroup",
			"MailContact",
			"MailNonUniversalGroup",
			"MailUniversalDistributionGroup",
			"MailUniversalSecurityGroup",
			"MailUser",
			"PublicFolder",
			"UserMailbox",
		}
	case "MailboxRights":
		// Add-MailboxPermission and Remove-MailboxPermission
		// -AccessRights. SendAs is a MailboxRights name too, but
		// Exchange Online refuses it here: Add-RecipientPermission grants
		// it, so completion does not offer it.
		return []string{
			"ChangeOwner",
			"ChangePermission",
			"DeleteItem",
			"ExternalAccount",
			"FullAccess",
			"ReadPermission",
		}
	case "WellKnownRecipientType":
		// -IncludedRecipients of the address list and dynamic group
		// cmdlets.
		return []string{
			"AllRecipients",
			"MailContacts",
			"MailGroups",
			"MailUsers",
			"MailboxUsers",
			"None",
			"Resources",
		}
	case "AddedRecipientType":
		// New-TransportRule and Set-TransportRule
		// -AddManagerAsRecipientType.
		return []string{"Bcc", "Cc", "Redirect", "To"}
	}
	return nil
}

package tenant

import (
	"fmt"
	"strings"
	"time"
)

// Kind is a recipient's RecipientTypeDetails.
type Kind uint8

const (
	UserMailbox Kind = iota + 1
	SharedMailbox
	RoomMailbox
	EquipmentMailbox
	MailUser
	MailContact
	// User is a directory user with no Exchange recipient (Get-User only).
	User
	MailUniversalDistributionGroup
	MailUniversalSecurityGroup
	RoomList
	// GroupMailbox is a Microsoft 365 group.
	GroupMailbox
)

// LastKind is the last Kind, for loops over every kind.
const LastKind = GroupMailbox

func (k Kind) String() string {
	switch k {
	case UserMailbox:
		return "UserMailbox"
	case SharedMailbox:
		return "SharedMailbox"
	case RoomMailbox:
		return "RoomMailbox"
	case EquipmentMailbox:
		return "EquipmentMailbox"
	case MailUser:
		return "MailUser"
	case MailContact:
		return "MailContact"
	case User:
		return "User"
	case MailUniversalDistributionGroup:
		return "MailUniversalDistributionGroup"
	case MailUniversalSecurityGroup:
		return "MailUniversalSecurityGroup"
	case RoomList:
		return "RoomList"
	case GroupMailbox:
		return "GroupMailbox"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText writes the RecipientTypeDetails name.
func (k Kind) MarshalText() ([]byte, error) {
	if k < UserMailbox || k > LastKind {
		return nil, fmt.Errorf("unknown recipient kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a RecipientTypeDetails name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, ok := ParseKind(string(b))
	if !ok {
		return fmt.Errorf("unknown recipient type %q", b)
	}
	*k = v
	return nil
}

func ParseKind(s string) (Kind, bool) {
	for k := UserMailbox; k <= LastKind; k++ {
		if strings.EqualFold(k.String(), s) {
			return k, true
		}
	}
	return 0, false
}

// IsMailbox reports whether k is one of the four mailbox types.
func (k Kind) IsMailbox() bool { return k >= UserMailbox && k <= EquipmentMailbox }

// IsDistributionGroup reports whether k is what Get-DistributionGroup lists.
func (k Kind) IsDistributionGroup() bool {
	return k == MailUniversalDistributionGroup || k == MailUniversalSecurityGroup || k == RoomList
}

// recipientType is the coarser RecipientType Exchange shows beside the details.
func (k Kind) RecipientType() string {
	switch {
	case k.IsMailbox():
		return "UserMailbox"
	case k == RoomList || k == GroupMailbox:
		return "MailUniversalDistributionGroup"
	}
	return k.String()
}

// Unlimited is the quota value "Unlimited".
const Unlimited int64 = -1

// Recipient is one directory object Exchange knows: a mailbox, mail user,
// mail contact, mail-less user, distribution group or Microsoft 365 group.
// Mailbox and Group hold what only those Kinds have.
type Recipient struct {
	Kind                      Kind   `json:"kind"`
	Guid                      UUID   `json:"guid"`
	ExternalDirectoryObjectID UUID   `json:"externalDirectoryObjectId,omitzero"`
	Name                      string `json:"name"`
	Alias                     string `json:"alias,omitempty"`
	DisplayName               string `json:"displayName,omitempty"`
	FirstName                 string `json:"firstName,omitempty"`
	LastName                  string `json:"lastName,omitempty"`
	UserPrincipalName         string `json:"userPrincipalName,omitempty"`
	// EmailAddresses are proxy addresses with their prefix; the one with
	// an upper-case "SMTP:" is the primary address.
	EmailAddresses                []string `json:"emailAddresses,omitempty"`
	ExternalEmailAddress          string   `json:"externalEmailAddress,omitempty"`
	Title                         string   `json:"title,omitempty"`
	Department                    string   `json:"department,omitempty"`
	Office                        string   `json:"office,omitempty"`
	Company                       string   `json:"company,omitempty"`
	City                          string   `json:"city,omitempty"`
	CountryOrRegion               string   `json:"countryOrRegion,omitempty"`
	Phone                         string   `json:"phone,omitempty"`
	Manager                       UUID     `json:"manager,omitzero"`
	AccountDisabled               bool     `json:"accountDisabled,omitempty"`
	HiddenFromAddressListsEnabled bool     `json:"hiddenFromAddressListsEnabled,omitempty"`
	// GrantSendOnBehalfTo and SendAs hold the recipients granted those
	// rights on this recipient.
	GrantSendOnBehalfTo []UUID    `json:"grantSendOnBehalfTo,omitempty"`
	SendAs              []UUID    `json:"sendAs,omitempty"`
	WhenCreated         time.Time `json:"whenCreated"`
	WhenChanged         time.Time `json:"whenChanged"`
	Mailbox             *Mailbox  `json:"mailbox,omitempty"`
	Group               *Group    `json:"group,omitempty"`
}

// PrimarySmtpAddress is the address of the "SMTP:" proxy, or "".
func (r *Recipient) PrimarySmtpAddress() string {
	for _, a := range r.EmailAddresses {
		if strings.HasPrefix(a, "SMTP:") {
			return a[5:]
		}
	}
	return ""
}

// Mailbox is what a mailbox has beyond a recipient.
type Mailbox struct {
	ExchangeGuid               UUID           `json:"exchangeGuid"`
	ArchiveGuid                UUID           `json:"archiveGuid,omitzero"`
	ForwardingSmtpAddress      string         `json:"forwardingSmtpAddress,omitempty"`
	ForwardingAddress          UUID           `json:"forwardingAddress,omitzero"`
	DeliverToMailboxAndForward bool           `json:"deliverToMailboxAndForward,omitempty"`
	ProhibitSendQuota          int64          `json:"prohibitSendQuota"`
	ProhibitSendReceiveQuota   int64          `json:"prohibitSendReceiveQuota"`
	IssueWarningQuota          int64          `json:"issueWarningQuota"`
	LitigationHoldEnabled      bool           `json:"litigationHoldEnabled,omitempty"`
	LitigationHoldDate         time.Time      `json:"litigationHoldDate,omitzero"`
	LitigationHoldOwner        string         `json:"litigationHoldOwner,omitempty"`
	RetentionPolicy            string         `json:"retentionPolicy,omitempty"`
	AuditEnabled               bool           `json:"auditEnabled,omitempty"`
	ResourceCapacity           int            `json:"resourceCapacity,omitempty"`
	Stats                      Stats          `json:"stats"`
	CAS                        CAS            `json:"cas"`
	Permissions                []Permission   `json:"permissions,omitempty"`
	InboxRules                 []InboxRule    `json:"inboxRules,omitempty"`
	Devices                    []MobileDevice `json:"devices,omitempty"`
}

// Stats are a mailbox's Get-MailboxStatistics figures.
type Stats struct {
	ItemCount            int64     `json:"itemCount"`
	TotalItemSize        int64     `json:"totalItemSize"`
	DeletedItemCount     int64     `json:"deletedItemCount"`
	TotalDeletedItemSize int64     `json:"totalDeletedItemSize"`
	LastLogonTime        time.Time `json:"lastLogonTime,omitzero"` // zero: never
}

// CAS are the client access protocol settings (Get-CASMailbox).
type CAS struct {
	PopEnabled        bool `json:"popEnabled"`
	ImapEnabled       bool `json:"imapEnabled"`
	EwsEnabled        bool `json:"ewsEnabled"`
	ActiveSyncEnabled bool `json:"activeSyncEnabled"`
	OWAEnabled        bool `json:"owaEnabled"`
	MAPIEnabled       bool `json:"mapiEnabled"`
	// SmtpClientAuthenticationDisabled nil means "use the organization's
	// setting", shown as $null.
	SmtpClientAuthenticationDisabled *bool `json:"smtpClientAuthenticationDisabled,omitempty"`
}

// Permission is an explicit mailbox permission (Add-MailboxPermission).
type Permission struct {
	User            UUID     `json:"user"`
	AccessRights    []string `json:"accessRights"`
	Deny            bool     `json:"deny,omitempty"`
	InheritanceType string   `json:"inheritanceType"`
	AutoMapping     bool     `json:"autoMapping,omitempty"`
}

// InboxRule is a rule in a mailbox. Recipient lists hold Exchange's
// display form: "Name" [SMTP:address] or "Name" [EX:LegacyDN].
type InboxRule struct {
	Name                  string   `json:"name"`
	RuleIdentity          uint64   `json:"ruleIdentity,string"`
	Priority              int      `json:"priority"`
	Enabled               bool     `json:"enabled"`
	From                  []string `json:"from,omitempty"`
	SubjectContainsWords  []string `json:"subjectContainsWords,omitempty"`
	BodyContainsWords     []string `json:"bodyContainsWords,omitempty"`
	ForwardTo             []string `json:"forwardTo,omitempty"`
	RedirectTo            []string `json:"redirectTo,omitempty"`
	ForwardAsAttachmentTo []string `json:"forwardAsAttachmentTo,omitempty"`
	DeleteMessage         bool     `json:"deleteMessage,omitempty"`
	MarkAsRead            bool     `json:"markAsRead,omitempty"`
	MoveToFolder          string   `json:"moveToFolder,omitempty"`
	StopProcessingRules   bool     `json:"stopProcessingRules,omitempty"`
}

// MobileDevice is a phone or tablet partnered with a mailbox.
type MobileDevice struct {
	Guid                    UUID      `json:"guid"`
	DeviceID                string    `json:"deviceId"`
	FriendlyName            string    `json:"friendlyName,omitempty"`
	DeviceModel             string    `json:"deviceModel"`
	DeviceOS                string    `json:"deviceOS"`
	DeviceType              string    `json:"deviceType"`
	DeviceUserAgent         string    `json:"deviceUserAgent,omitempty"`
	ClientType              string    `json:"clientType"`
	ClientVersion           string    `json:"clientVersion,omitempty"`
	DeviceAccessState       string    `json:"deviceAccessState"`
	DeviceAccessStateReason string    `json:"deviceAccessStateReason"`
	FirstSyncTime           time.Time `json:"firstSyncTime"`
	LastSuccessSync         time.Time `json:"lastSuccessSync,omitzero"`
}

// Group is what distribution groups and Microsoft 365 groups have.
type Group struct {
	Members                            []UUID `json:"members,omitempty"`
	ManagedBy                          []UUID `json:"managedBy,omitempty"`
	MemberJoinRestriction              string `json:"memberJoinRestriction,omitempty"`
	MemberDepartRestriction            string `json:"memberDepartRestriction,omitempty"`
	RequireSenderAuthenticationEnabled bool   `json:"requireSenderAuthenticationEnabled,omitempty"`
	Description                        string `json:"description,omitempty"`
	Notes                              string `json:"notes,omitempty"`
	// AccessType (Public/Private), Team and SharePointSiteURL apply to
	// Microsoft 365 groups only.
	AccessType        string `json:"accessType,omitempty"`
	Team              bool   `json:"team,omitempty"`
	SharePointSiteURL string `json:"sharePointSiteUrl,omitempty"`
}

// AcceptedDomain is a domain the tenant accepts mail for.
type AcceptedDomain struct {
	Guid          UUID      `json:"guid"`
	Name          string    `json:"name"`
	DomainName    string    `json:"domainName"`
	DomainType    string    `json:"domainType"`
	Default       bool      `json:"default,omitempty"`
	InitialDomain bool      `json:"initialDomain,omitempty"`
	WhenCreated   time.Time `json:"whenCreated"`
}

// OrganizationConfig is the organization-wide settings.
type OrganizationConfig struct {
	Guid                             UUID      `json:"guid"`
	DisplayName                      string    `json:"displayName"`
	AuditDisabled                    bool      `json:"auditDisabled,omitempty"`
	UnifiedAuditLogIngestionEnabled  bool      `json:"unifiedAuditLogIngestionEnabled,omitempty"`
	SmtpClientAuthenticationDisabled bool      `json:"smtpClientAuthenticationDisabled,omitempty"`
	OAuth2ClientProfileEnabled       bool      `json:"oAuth2ClientProfileEnabled,omitempty"`
	CustomerLockboxEnabled           bool      `json:"customerLockboxEnabled,omitempty"`
	FocusedInboxOn                   bool      `json:"focusedInboxOn,omitempty"`
	MailTipsAllTipsEnabled           bool      `json:"mailTipsAllTipsEnabled,omitempty"`
	WhenCreated                      time.Time `json:"whenCreated"`
}

// TransportRule is a mail flow rule. Settings hold the conditions,
// exceptions and actions by parameter name, with values of the kind the
// parameter declares (store's transportRuleParams): string, []string, bool or
// int64.
type TransportRule struct {
	Guid           UUID           `json:"guid"`
	Name           string         `json:"name"`
	Priority       int            `json:"priority"`
	State          string         `json:"state"`
	Mode           string         `json:"mode"`
	Comments       string         `json:"comments,omitempty"`
	ActivationDate time.Time      `json:"activationDate,omitzero"`
	ExpiryDate     time.Time      `json:"expiryDate,omitzero"`
	Settings       map[string]any `json:"settings,omitempty"`
	WhenChanged    time.Time      `json:"whenChanged"`
}

// RetentionPolicy is a messaging records management policy.
type RetentionPolicy struct {
	Guid        UUID      `json:"guid"`
	RetentionID UUID      `json:"retentionId"`
	Name        string    `json:"name"`
	IsDefault   bool      `json:"isDefault,omitempty"`
	TagLinks    []string  `json:"retentionPolicyTagLinks,omitempty"`
	WhenChanged time.Time `json:"whenChanged"`
}

// ContentFilterPolicy is an anti-spam policy (Get-HostedContentFilterPolicy).
type ContentFilterPolicy struct {
	Guid                           UUID      `json:"guid"`
	Name                           string    `json:"name"`
	IsDefault                      bool      `json:"isDefault,omitempty"`
	BulkThreshold                  int       `json:"bulkThreshold"`
	SpamAction                     string    `json:"spamAction"`
	HighConfidenceSpamAction       string    `json:"highConfidenceSpamAction"`
	PhishSpamAction                string    `json:"phishSpamAction"`
	HighConfidencePhishAction      string    `json:"highConfidencePhishAction"`
	BulkSpamAction                 string    `json:"bulkSpamAction"`
	QuarantineRetentionPeriod      int       `json:"quarantineRetentionPeriod"`
	AllowedSenders                 []string  `json:"allowedSenders,omitempty"`
	AllowedSenderDomains           []string  `json:"allowedSenderDomains,omitempty"`
	BlockedSenders                 []string  `json:"blockedSenders,omitempty"`
	BlockedSenderDomains           []string  `json:"blockedSenderDomains,omitempty"`
	EnableEndUserSpamNotifications bool      `json:"enableEndUserSpamNotifications,omitempty"`
	SpamZapEnabled                 bool      `json:"spamZapEnabled,omitempty"`
	PhishZapEnabled                bool      `json:"phishZapEnabled,omitempty"`
	WhenChanged                    time.Time `json:"whenChanged"`
}

// AntiPhishPolicy is an anti-phishing policy.
type AntiPhishPolicy struct {
	Guid                                UUID      `json:"guid"`
	Name                                string    `json:"name"`
	IsDefault                           bool      `json:"isDefault,omitempty"`
	Enabled                             bool      `json:"enabled"`
	PhishThresholdLevel                 int       `json:"phishThresholdLevel"`
	EnableSpoofIntelligence             bool      `json:"enableSpoofIntelligence,omitempty"`
	EnableMailboxIntelligence           bool      `json:"enableMailboxIntelligence,omitempty"`
	EnableMailboxIntelligenceProtection bool      `json:"enableMailboxIntelligenceProtection,omitempty"`
	EnableTargetedUserProtection        bool      `json:"enableTargetedUserProtection,omitempty"`
	TargetedUsersToProtect              []string  `json:"targetedUsersToProtect,omitempty"`
	EnableOrganizationDomainsProtection bool      `json:"enableOrganizationDomainsProtection,omitempty"`
	EnableFirstContactSafetyTips        bool      `json:"enableFirstContactSafetyTips,omitempty"`
	EnableUnauthenticatedSender         bool      `json:"enableUnauthenticatedSender,omitempty"`
	HonorDmarcPolicy                    bool      `json:"honorDmarcPolicy,omitempty"`
	AuthenticationFailAction            string    `json:"authenticationFailAction"`
	WhenChanged                         time.Time `json:"whenChanged"`
}

// MalwareFilterPolicy is an anti-malware policy.
type MalwareFilterPolicy struct {
	Guid                                   UUID      `json:"guid"`
	Name                                   string    `json:"name"`
	IsDefault                              bool      `json:"isDefault,omitempty"`
	EnableFileFilter                       bool      `json:"enableFileFilter,omitempty"`
	FileTypes                              []string  `json:"fileTypes,omitempty"`
	FileTypeAction                         string    `json:"fileTypeAction"`
	ZapEnabled                             bool      `json:"zapEnabled,omitempty"`
	EnableInternalSenderAdminNotifications bool      `json:"enableInternalSenderAdminNotifications,omitempty"`
	InternalSenderAdminAddress             string    `json:"internalSenderAdminAddress,omitempty"`
	WhenChanged                            time.Time `json:"whenChanged"`
}

// MessageTraceRecord is one message-to-recipient delivery event.
type MessageTraceRecord struct {
	Received         time.Time `json:"received"`
	SenderAddress    string    `json:"senderAddress"`
	RecipientAddress string    `json:"recipientAddress"`
	Subject          string    `json:"subject"`
	Status           string    `json:"status"`
	MessageTraceID   UUID      `json:"messageTraceId"`
	MessageID        string    `json:"messageId"`
	Size             int64     `json:"size"`
	FromIP           string    `json:"fromIP,omitempty"`
	ToIP             string    `json:"toIP,omitempty"`
}

// AuditEntry is one admin audit log record.
type AuditEntry struct {
	ID             UUID         `json:"id"`
	RunDate        time.Time    `json:"runDate"`
	CmdletName     string       `json:"cmdletName"`
	Parameters     []AuditParam `json:"parameters,omitempty"`
	ObjectModified string       `json:"objectModified"`
	Caller         string       `json:"caller"`
	AppID          string       `json:"appId,omitempty"`
	Succeeded      bool         `json:"succeeded"`
	Error          string       `json:"error,omitempty"`
}

// AuditParam is one parameter of an audited cmdlet call, as text.
type AuditParam struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DlpCompliancePolicy is a data loss prevention policy (Security & Compliance).
type DlpCompliancePolicy struct {
	Guid               UUID      `json:"guid"`
	Name               string    `json:"name"`
	Mode               string    `json:"mode"`
	Enabled            bool      `json:"enabled"`
	Priority           int       `json:"priority"`
	Comment            string    `json:"comment,omitempty"`
	ExchangeLocation   []string  `json:"exchangeLocation,omitempty"`
	SharePointLocation []string  `json:"sharePointLocation,omitempty"`
	OneDriveLocation   []string  `json:"oneDriveLocation,omitempty"`
	TeamsLocation      []string  `json:"teamsLocation,omitempty"`
	CreatedBy          string    `json:"createdBy"`
	LastModifiedBy     string    `json:"lastModifiedBy"`
	WhenCreated        time.Time `json:"whenCreated"`
	WhenChanged        time.Time `json:"whenChanged"`
}

// RetentionCompliancePolicy is a Microsoft Purview retention policy.
type RetentionCompliancePolicy struct {
	Guid                UUID      `json:"guid"`
	Name                string    `json:"name"`
	Enabled             bool      `json:"enabled"`
	Mode                string    `json:"mode"`
	Comment             string    `json:"comment,omitempty"`
	ExchangeLocation    []string  `json:"exchangeLocation,omitempty"`
	SharePointLocation  []string  `json:"sharePointLocation,omitempty"`
	OneDriveLocation    []string  `json:"oneDriveLocation,omitempty"`
	ModernGroupLocation []string  `json:"modernGroupLocation,omitempty"`
	TeamsChatLocation   []string  `json:"teamsChatLocation,omitempty"`
	DistributionStatus  string    `json:"distributionStatus"`
	WhenCreated         time.Time `json:"whenCreated"`
	WhenChanged         time.Time `json:"whenChanged"`
}

// ComplianceSearch is a content search.
type ComplianceSearch struct {
	Guid               UUID      `json:"guid"`
	Name               string    `json:"name"`
	Case               string    `json:"case,omitempty"`
	Description        string    `json:"description,omitempty"`
	Status             string    `json:"status"`
	ContentMatchQuery  string    `json:"contentMatchQuery,omitempty"`
	ExchangeLocation   []string  `json:"exchangeLocation,omitempty"`
	SharePointLocation []string  `json:"sharePointLocation,omitempty"`
	Items              int64     `json:"items"`
	Size               int64     `json:"size"`
	CreatedBy          string    `json:"createdBy"`
	RunBy              string    `json:"runBy,omitempty"`
	CreatedTime        time.Time `json:"createdTime"`
	JobStartTime       time.Time `json:"jobStartTime,omitzero"`
	JobEndTime         time.Time `json:"jobEndTime,omitzero"`
}

// SensitivityLabel is a Microsoft Purview sensitivity label (Get-Label).
type SensitivityLabel struct {
	Guid        UUID      `json:"guid"`
	Name        string    `json:"name"`
	DisplayName string    `json:"displayName"`
	Priority    int       `json:"priority"`
	ParentID    UUID      `json:"parentId,omitzero"`
	Tooltip     string    `json:"tooltip,omitempty"`
	Comment     string    `json:"comment,omitempty"`
	ContentType string    `json:"contentType"`
	Disabled    bool      `json:"disabled,omitempty"`
	WhenCreated time.Time `json:"whenCreated"`
	WhenChanged time.Time `json:"whenChanged"`
}

// Tenant is one organization's Exchange Online and Security & Compliance
// data. Build one with a Builder (package fixture does, from a file) or
// Generate, and hand it to store.Store.AddTenant, which takes ownership:
// the caller must not touch it afterwards.
type Tenant struct {
	ID           string
	Organization string // initial domain, e.g. contoso.onmicrosoft.com
	// Seq numbers the objects cmdlets create, so their GUIDs are derived
	// deterministically and golden tests stay stable.
	Seq uint64

	Org                         OrganizationConfig
	Recipients                  []*Recipient // in creation order: the order list cmdlets return
	AcceptedDomains             []*AcceptedDomain
	TransportRules              []*TransportRule // kept sorted by Priority
	RetentionPolicies           []*RetentionPolicy
	ContentFilterPolicies       []*ContentFilterPolicy
	AntiPhishPolicies           []*AntiPhishPolicy
	MalwareFilterPolicies       []*MalwareFilterPolicy
	MessageTrace                []MessageTraceRecord // sorted by Received, oldest first
	AuditLog                    []AuditEntry         // oldest first
	DlpPolicies                 []*DlpCompliancePolicy
	RetentionCompliancePolicies []*RetentionCompliancePolicy
	ComplianceSearches          []*ComplianceSearch
	Labels                      []*SensitivityLabel
}

package catalog

import "strings"

// ManageAsApp is the application permission an app-only token must carry.
const ManageAsApp = "Exchange.ManageAsApp"

// AppOnlyMarkerID appears in the wids claim of every app-only token; it is
// not a directory role.
const AppOnlyMarkerID = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"

// Role is a directory role an app can be assigned.
type Role struct {
	Name       string
	TemplateID string
	// Exchange and Compliance say whether the service honours the role
	// for app-only sessions (PROTOCOL.md 2.4).
	Exchange, Compliance bool
}

// Roles returns the directory roles exorun knows, in a stable order.
func Roles() []Role {
	return []Role{
		{"Global Administrator", "62e90394-69f5-4237-9190-012177145e10", true, true},
		{"Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", true, false},
		{"Exchange Recipient Administrator", "31392ffb-586c-42d1-9346-e59415a2cc4e", true, false},
		{"Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451", true, true},
		{"Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d", true, true},
		{"Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509", true, true},
		{"Compliance Administrator", "17315797-102d-40b4-93e0-432062caca18", true, true},
		{"Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", true, false},
		// Known to Entra but not honoured for app-only Exchange sessions.
		{"Compliance Data Administrator", "e6d1a23a-da11-4be4-9570-befc86d067a7", false, false},
		{"Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", false, false},
		{"Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", false, false},
	}
}

// RoleByTemplateID finds a role by its template id (case-insensitive).
func RoleByTemplateID(id string) (Role, bool) {
	for _, r := range Roles() {
		if strings.EqualFold(r.TemplateID, id) {
			return r, true
		}
	}
	return Role{}, false
}

// RoleByName finds a role by name, case-insensitively, ignoring spaces
// ("exchangeadministrator" and "Exchange Administrator" both match).
func RoleByName(name string) (Role, bool) {
	key := squash(name)
	for _, r := range Roles() {
		if squash(r.Name) == key {
			return r, true
		}
	}
	return Role{}, false
}

func squash(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

// Label is the role's short name, for lists where space is tight
// ("Exchange Admin", "Recipient Admin"). ParseRole accepts it, so any
// name a list shows can be typed back.
func (r Role) Label() string {
	return strings.NewReplacer("Administrator", "Admin", "Exchange Recipient", "Recipient").Replace(r.Name)
}

// ParseRole finds a role by any spelling exorun shows or Entra ID uses:
// its name ("Exchange Administrator"), its label ("Exchange Admin") or
// its template id; case-insensitive, spaces ignored.
func ParseRole(s string) (Role, bool) {
	if r, ok := RoleByTemplateID(strings.TrimSpace(s)); ok {
		return r, true
	}
	key := squash(s)
	for _, r := range Roles() {
		if squash(r.Name) == key || squash(r.Label()) == key {
			return r, true
		}
	}
	return Role{}, false
}

// Honours reports whether service accepts role for an app-only session.
func (r Role) Honours(service Service) bool {
	if service == Compliance {
		return r.Compliance
	}
	return r.Exchange
}

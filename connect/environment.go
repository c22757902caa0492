package connect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/exorun/exorun/catalog"
)

// Environment is a Microsoft cloud: where its Entra ID login lives and
// which hosts run Exchange Online and Security & Compliance
// (PROTOCOL.md 1.1, 3.11, 4). The names are Connect-ExchangeOnline's
// -ExchangeEnvironmentName values.
type Environment struct {
	Name string
	// Login is the Entra ID authority host, e.g. https://login.microsoftonline.com.
	Login string
	// Exchange is both the admin API root and the token resource of
	// Exchange Online.
	Exchange string
	// Compliance is the Security & Compliance front door and token resource.
	Compliance string
}

// DefaultEnvironment is the commercial cloud (also GCC).
const DefaultEnvironment = "O365Default"

// environments lists the supported clouds. Germany is retired and left out.
func environments() []Environment {
	return []Environment{
		{DefaultEnvironment, "https://login.microsoftonline.com", "https://outlook.office365.com", "https://ps.compliance.protection.outlook.com"},
		{"O365USGovGCCHigh", "https://login.microsoftonline.us", "https://outlook.office365.us", "https://ps.compliance.protection.office365.us"},
		{"O365USGovDoD", "https://login.microsoftonline.us", "https://outlook-dod.office365.us", "https://ps.compliance.protection.office365.us"},
		{"O365China", "https://login.partner.microsoftonline.cn", "https://partner.outlook.cn", "https://ps.compliance.protection.partner.outlook.cn"},
	}
}

// EnvironmentNames lists the clouds by name, the default first: what
// the environment setting takes (shell completion offers them).
func EnvironmentNames() []string {
	var names []string
	for _, e := range environments() {
		names = append(names, e.Name)
	}
	return names
}

// LookupEnvironment finds a cloud by name, case-insensitively; "" is the
// default cloud.
func LookupEnvironment(name string) (Environment, error) {
	if name == "" {
		name = DefaultEnvironment
	}
	var names []string
	for _, e := range environments() {
		if strings.EqualFold(e.Name, name) {
			return e, nil
		}
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return Environment{}, fmt.Errorf("unknown environment %q (known: %s)", name, strings.Join(names, ", "))
}

// Resource is the token resource of service in this cloud; the scope is
// Resource + "/.default".
func (e Environment) Resource(s catalog.Service) string {
	if s == catalog.Compliance {
		return e.Compliance
	}
	return e.Exchange
}

// trustedLogin reports whether host is a login host MSAL Go knows, so
// instance discovery may stay on. A custom authority (such as the
// emulator) needs it off: MSAL would ask login.microsoftonline.com about
// a host it has never heard of (PROTOCOL.md 1.2).
func trustedLogin(authority string) bool {
	for _, e := range environments() {
		if strings.EqualFold(strings.TrimRight(authority, "/"), e.Login) {
			return true
		}
	}
	return false
}

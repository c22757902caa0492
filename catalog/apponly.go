package catalog

import "strings"

// appOnlyReason is Microsoft's word on the cmdlets below.
const appOnlyReason = "not supported with app-only authentication (Microsoft: app-only auth docs)"

// appOnlyGaps are the cmdlets that exist for the service but refuse an
// app-only session: "App-only authentication for unattended scripts"
// (app-only-auth-powershell-v2.md), PROTOCOL.md 5. Keep this the one
// place that lists them; Cmdlet.AppOnly carries the result.
func appOnlyGaps() []struct {
	service Service
	name    string
} {
	return []struct {
		service Service
		name    string
	}{
		{Exchange, "New-UnifiedGroup"},
		{Exchange, "Remove-UnifiedGroup"},
		{Exchange, "Add-UnifiedGroupLinks"},
		{Exchange, "Remove-UnifiedGroupLinks"},
		{Compliance, "Get-ComplianceSearchAction"},
		{Compliance, "New-ComplianceSearch"},
		{Compliance, "Start-ComplianceSearch"},
		{Compliance, "New-ComplianceSearchAction"},
	}
}

// applyAppOnly marks the gaps while the catalog loads; a name missing
// from the reference is reported by TestAppOnlyGaps.
func applyAppOnly(byName map[string]*Cmdlet) {
	for _, g := range appOnlyGaps() {
		if c, ok := byName[strings.ToLower(g.name)]; ok {
			c.AppOnly = Support{Unsupported: true, Reason: appOnlyReason}
		}
	}
}

package store

import (
	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// complianceCmdlets declares the Security & Compliance cmdlets (see
// registry.go).
func complianceCmdlets() []decl {
	return []decl{
		{"Get-DlpCompliancePolicy", catalog.Compliance, "Identity", getDlpCompliancePolicy},
		{"Get-RetentionCompliancePolicy", catalog.Compliance, "Identity", getRetentionCompliancePolicy},
		{"Get-ComplianceSearch", catalog.Compliance, "Identity Case ResultSize", getComplianceSearch},
		{"Get-Label", catalog.Compliance, "Identity", getLabel},
	}
}

// Security & Compliance objects carry a different identity tail than
// Exchange's: no directory path, but the tenant-wide policy GUIDs.
func complianceIdentity[T any](name func(T) string, guid func(T) tenant.UUID, created, changed func(T) any) []column[T] {
	return []column[T]{
		col("Identity", func(_ *tenant.State, x T) any { return guid(x).String() }),
		col("Name", func(_ *tenant.State, x T) any { return name(x) }),
		col("Guid", func(_ *tenant.State, x T) any { return guid(x).GUID() }),
		col("ImmutableId", func(_ *tenant.State, x T) any { return guid(x).GUID() }),
		col("WhenCreated", func(_ *tenant.State, x T) any { return created(x) }),
		col("WhenChanged", func(_ *tenant.State, x T) any { return changed(x) }),
		col("WhenCreatedUTC", func(_ *tenant.State, x T) any { return created(x) }),
		col("WhenChangedUTC", func(_ *tenant.State, x T) any { return changed(x) }),
		col("OrganizationId", func(ts *tenant.State, _ T) any { return organizationID(ts.T.Organization) }),
		fixed[T]("IsValid", true),
		fixed[T]("ObjectState", "Unchanged"),
	}
}

func dlpView() *view[*tenant.DlpCompliancePolicy] {
	type p = *tenant.DlpCompliancePolicy
	cols := []column[p]{
		col("Mode", func(_ *tenant.State, x p) any { return x.Mode }),
		col("Enabled", func(_ *tenant.State, x p) any { return x.Enabled }),
		col("Priority", func(_ *tenant.State, x p) any { return int64(x.Priority) }),
		col("Comment", func(_ *tenant.State, x p) any { return strOrNil(x.Comment) }),
		col("Workload", func(_ *tenant.State, x p) any {
			return workloads(x.ExchangeLocation, x.SharePointLocation, x.OneDriveLocation, x.TeamsLocation)
		}),
		col("ExchangeLocation", func(_ *tenant.State, x p) any { return list(x.ExchangeLocation) }),
		col("SharePointLocation", func(_ *tenant.State, x p) any { return list(x.SharePointLocation) }),
		col("OneDriveLocation", func(_ *tenant.State, x p) any { return list(x.OneDriveLocation) }),
		col("TeamsLocation", func(_ *tenant.State, x p) any { return list(x.TeamsLocation) }),
		fixed[p]("EndpointDlpLocation", []string{}),
		fixed[p]("DistributionStatus", "Success"),
		col("CreatedBy", func(_ *tenant.State, x p) any { return x.CreatedBy }),
		col("LastModifiedBy", func(_ *tenant.State, x p) any { return x.LastModifiedBy }),
		fixed[p]("IsSimulationPolicy", false),
		fixed[p]("Type", "Dlp"),
	}
	cols = append(cols, complianceIdentity(func(x p) string { return x.Name }, func(x p) tenant.UUID { return x.Guid },
		func(x p) any { return timeOrNil(x.WhenCreated) }, func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

// workloads names the services a policy covers, as its Workload shows.
func workloads(exchangeLoc, sharePoint, oneDrive, teams []string) string {
	var out []string
	if len(exchangeLoc) > 0 {
		out = append(out, "Exchange")
	}
	if len(sharePoint) > 0 {
		out = append(out, "SharePoint")
	}
	if len(oneDrive) > 0 {
		out = append(out, "OneDriveForBusiness")
	}
	if len(teams) > 0 {
		out = append(out, "Teams")
	}
	s := ""
	for i, w := range out {
		if i > 0 {
			s += ", "
		}
		s += w
	}
	return s
}

func getDlpCompliancePolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.DlpPolicies, func(x *tenant.DlpCompliancePolicy) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.dlp)
}

func retentionComplianceView() *view[*tenant.RetentionCompliancePolicy] {
	type p = *tenant.RetentionCompliancePolicy
	cols := []column[p]{
		col("Enabled", func(_ *tenant.State, x p) any { return x.Enabled }),
		col("Mode", func(_ *tenant.State, x p) any { return x.Mode }),
		col("Comment", func(_ *tenant.State, x p) any { return strOrNil(x.Comment) }),
		col("Workload", func(_ *tenant.State, x p) any {
			w := workloads(x.ExchangeLocation, x.SharePointLocation, x.OneDriveLocation, nil)
			if len(x.ModernGroupLocation) > 0 {
				if w != "" {
					w += ", "
				}
				w += "ModernGroup"
			}
			if len(x.TeamsChatLocation) > 0 {
				if w != "" {
					w += ", "
				}
				w += "Skype"
			}
			return w
		}),
		col("ExchangeLocation", func(_ *tenant.State, x p) any { return list(x.ExchangeLocation) }),
		col("SharePointLocation", func(_ *tenant.State, x p) any { return list(x.SharePointLocation) }),
		col("OneDriveLocation", func(_ *tenant.State, x p) any { return list(x.OneDriveLocation) }),
		col("ModernGroupLocation", func(_ *tenant.State, x p) any { return list(x.ModernGroupLocation) }),
		col("TeamsChatLocation", func(_ *tenant.State, x p) any { return list(x.TeamsChatLocation) }),
		col("DistributionStatus", func(_ *tenant.State, x p) any { return x.DistributionStatus }),
		fixed[p]("RestrictiveRetention", false),
		fixed[p]("Type", "Retention"),
	}
	cols = append(cols, complianceIdentity(func(x p) string { return x.Name }, func(x p) tenant.UUID { return x.Guid },
		func(x p) any { return timeOrNil(x.WhenCreated) }, func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getRetentionCompliancePolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.RetentionCompliancePolicies, func(x *tenant.RetentionCompliancePolicy) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.retentionCompliance)
}

func complianceSearchView() *view[*tenant.ComplianceSearch] {
	type s = *tenant.ComplianceSearch
	cols := []column[s]{
		col("Case", func(_ *tenant.State, x s) any { return strOrNil(x.Case) }),
		col("Description", func(_ *tenant.State, x s) any { return strOrNil(x.Description) }),
		col("ContentMatchQuery", func(_ *tenant.State, x s) any { return strOrNil(x.ContentMatchQuery) }),
		col("ExchangeLocation", func(_ *tenant.State, x s) any { return list(x.ExchangeLocation) }),
		col("SharePointLocation", func(_ *tenant.State, x s) any { return list(x.SharePointLocation) }),
		col("Status", func(_ *tenant.State, x s) any { return x.Status }),
		col("Items", func(_ *tenant.State, x s) any { return x.Items }),
		col("Size", func(_ *tenant.State, x s) any { return x.Size }),
		col("CreatedBy", func(_ *tenant.State, x s) any { return x.CreatedBy }),
		col("CreatedTime", func(_ *tenant.State, x s) any { return timeOrNil(x.CreatedTime) }),
		col("RunBy", func(_ *tenant.State, x s) any { return strOrNil(x.RunBy) }),
		col("JobStartTime", func(_ *tenant.State, x s) any { return timeOrNil(x.JobStartTime) }),
		col("JobEndTime", func(_ *tenant.State, x s) any { return timeOrNil(x.JobEndTime) }),
	}
	cols = append(cols, complianceIdentity(func(x s) string { return x.Name }, func(x s) tenant.UUID { return x.Guid },
		func(x s) any { return timeOrNil(x.CreatedTime) }, func(x s) any { return timeOrNil(x.JobEndTime) })...)
	return newView(cols...)
}

func getComplianceSearch(inv *invocation) (*exchange.Result, error) {
	items := inv.t.ComplianceSearches
	if inv.a.has("Case") {
		c := inv.a.str("Case")
		var kept []*tenant.ComplianceSearch
		for _, s := range items {
			if equalFoldTrim(s.Case, c) {
				kept = append(kept, s)
			}
		}
		items = kept
	}
	return listConfig(inv, items, func(x *tenant.ComplianceSearch) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.complianceSearch)
}

func labelView() *view[*tenant.SensitivityLabel] {
	type l = *tenant.SensitivityLabel
	cols := []column[l]{
		col("DisplayName", func(_ *tenant.State, x l) any { return x.DisplayName }),
		col("Priority", func(_ *tenant.State, x l) any { return int64(x.Priority) }),
		col("ParentId", func(_ *tenant.State, x l) any { return x.ParentID.GUID() }),
		col("Tooltip", func(_ *tenant.State, x l) any { return strOrNil(x.Tooltip) }),
		col("Comment", func(_ *tenant.State, x l) any { return strOrNil(x.Comment) }),
		col("ContentType", func(_ *tenant.State, x l) any { return x.ContentType }),
		col("Disabled", func(_ *tenant.State, x l) any { return x.Disabled }),
		fixed[l]("Mode", "Enforce"),
		fixed[l]("Workload", "Exchange"),
		fixed[l]("IsLabelGroup", false),
	}
	cols = append(cols, complianceIdentity(func(x l) string { return x.Name }, func(x l) tenant.UUID { return x.Guid },
		func(x l) any { return timeOrNil(x.WhenCreated) }, func(x l) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getLabel(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.Labels, func(x *tenant.SensitivityLabel) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.label)
}

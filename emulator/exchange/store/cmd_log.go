package store

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// logCmdlets declares the message trace and admin audit log cmdlets (see
// registry.go).
func logCmdlets() []decl {
	return []decl{
		{"Get-MessageTraceV2", catalog.Exchange, "StartDate EndDate SenderAddress RecipientAddress Status ResultSize MessageId MessageTraceId FromIP ToIP Subject SubjectFilterType StartingRecipientAddress", getMessageTraceV2},
		{"Search-AdminAuditLog", catalog.Exchange, "StartDate EndDate Cmdlets ObjectIds UserIds Parameters IsSuccess ExternalAccess ResultSize StartIndex", searchAdminAuditLog},
	}
}

// traceRow is a message trace record with the window it was found in.
type traceRow struct {
	r          tenant.MessageTraceRecord
	start, end time.Time
}

func messageTraceView() *view[traceRow] {
	type t = traceRow
	return newView(
		col("Organization", func(ts *tenant.State, _ t) any { return ts.T.Organization }),
		col("MessageId", func(_ *tenant.State, x t) any { return x.r.MessageID }),
		col("Received", func(_ *tenant.State, x t) any { return x.r.Received.UTC() }),
		col("SenderAddress", func(_ *tenant.State, x t) any { return x.r.SenderAddress }),
		col("RecipientAddress", func(_ *tenant.State, x t) any { return x.r.RecipientAddress }),
		col("Subject", func(_ *tenant.State, x t) any { return x.r.Subject }),
		col("Status", func(_ *tenant.State, x t) any { return x.r.Status }),
		col("ToIP", func(_ *tenant.State, x t) any { return strOrNil(x.r.ToIP) }),
		col("FromIP", func(_ *tenant.State, x t) any { return strOrNil(x.r.FromIP) }),
		col("Size", func(_ *tenant.State, x t) any { return x.r.Size }),
		col("MessageTraceId", func(_ *tenant.State, x t) any { return x.r.MessageTraceID.GUID() }),
		col("StartDate", func(_ *tenant.State, x t) any { return x.start }),
		col("EndDate", func(_ *tenant.State, x t) any { return x.end }),
	)
}

func traceStatuses() []string {
	return []string{"Delivered", "Expanded", "Failed", "FilteredAsSpam", "GettingStatus", "Pending", "Quarantined"}
}

// traceTime formats a date as the service's follow-up command shows it.
func traceTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// getMessageTraceV2 searches the message trace: the last 48 hours by
// default, at most 10 days per query and 90 days back, newest first.
// When more records match than -ResultSize allows, the warning carries
// the follow-up query (EndDate and StartingRecipientAddress of the last
// record), which continues exactly after it.
func getMessageTraceV2(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	end, hasEnd := a.date("EndDate")
	start, hasStart := a.date("StartDate")
	if !hasEnd {
		end = inv.now
	}
	if !hasStart {
		start = end.Add(-48 * time.Hour)
	}
	size := 1000
	if a.has("ResultSize") {
		size = int(a.integer("ResultSize"))
	}
	senders, recipients := a.strs("SenderAddress"), a.strs("RecipientAddress")
	ids := a.strs("MessageId")
	fromIP, toIP := a.str("FromIP"), a.str("ToIP")
	subject := a.str("Subject")
	subjectMode := "Contains"
	if a.has("SubjectFilterType") {
		subjectMode = a.enum("SubjectFilterType", "System.String", "Contains", "EndsWith", "StartsWith")
	}
	startAfter := strings.ToLower(a.str("StartingRecipientAddress"))
	var statuses []string
	for _, s := range a.strs("Status") {
		i := slices.IndexFunc(traceStatuses(), func(x string) bool { return strings.EqualFold(x, s) })
		if i < 0 {
			a.fail(exchange.BadParameter("Cannot process argument transformation on parameter 'Status'. The value \"%s\" isn't a message trace status. Specify one of: %s.", s, strings.Join(traceStatuses(), ", ")))
			break
		}
		statuses = append(statuses, traceStatuses()[i])
	}
	var traceID tenant.UUID
	if a.has("MessageTraceId") {
		u, ok := tenant.ParseUUID(a.str("MessageTraceId"))
		if !ok {
			a.fail(exchange.BadParameter("Cannot process argument transformation on parameter 'MessageTraceId'. Cannot convert value \"%s\" to type \"System.Guid\".", a.str("MessageTraceId")))
		}
		traceID = u
	}
	if err := a.failed(); err != nil {
		return nil, err
	}
	switch {
	case size < 1 || size > 5000:
		return nil, exchange.BadParameter("The ResultSize value must be between 1 and 5000.")
	case !start.Before(end):
		return nil, exchange.Invalid("The StartDate value must be earlier than the EndDate value.")
	case start.Before(inv.now.AddDate(0, 0, -90)):
		return nil, exchange.Invalid("StartDate can't be more than 90 days in the past.")
	case end.Sub(start) > 10*24*time.Hour:
		return nil, exchange.Invalid("The time range between StartDate and EndDate can't be longer than 10 days. Query the range in windows of 10 days or less.")
	}
	var out []traceRow
	for _, r := range inv.t.MessageTrace {
		if r.Received.Before(start) || r.Received.After(end) {
			continue
		}
		if startAfter != "" && r.Received.Equal(end) && strings.ToLower(r.RecipientAddress) <= startAfter {
			continue
		}
		if !matchesAny(senders, r.SenderAddress) || !matchesAny(recipients, r.RecipientAddress) {
			continue
		}
		if len(statuses) > 0 && !slices.Contains(statuses, r.Status) {
			continue
		}
		if len(ids) > 0 && !slices.ContainsFunc(ids, func(id string) bool {
			return strings.EqualFold(strings.Trim(id, "<>"), strings.Trim(r.MessageID, "<>"))
		}) {
			continue
		}
		if (!traceID.IsZero() && r.MessageTraceID != traceID) || (fromIP != "" && r.FromIP != fromIP) || (toIP != "" && r.ToIP != toIP) {
			continue
		}
		if subject != "" && !subjectMatches(r.Subject, subject, subjectMode) {
			continue
		}
		out = append(out, traceRow{r: r, start: start, end: end})
	}
	slices.SortFunc(out, func(x, y traceRow) int {
		if c := y.r.Received.Compare(x.r.Received); c != 0 {
			return c
		}
		return cmp.Compare(strings.ToLower(x.r.RecipientAddress), strings.ToLower(y.r.RecipientAddress))
	})
	var warn []string
	if len(out) > size {
		out = out[:size]
		last := out[size-1].r
		warn = append(warn, "There are more results, use the following command to get more. Get-MessageTraceV2 -StartDate \""+
			traceTime(start)+"\" -EndDate \""+traceTime(last.Received)+"\" -StartingRecipientAddress \""+last.RecipientAddress+"\"")
	}
	return lazy(inv.ts, out, inv.s.views.messageTrace.render, warn...), nil
}

func subjectMatches(subject, want, mode string) bool {
	s, w := strings.ToLower(subject), strings.ToLower(want)
	switch mode {
	case "StartsWith":
		return strings.HasPrefix(s, w)
	case "EndsWith":
		return strings.HasSuffix(s, w)
	}
	return strings.Contains(s, w)
}

func auditView() *view[*tenant.AuditEntry] {
	type e = *tenant.AuditEntry
	return newView(
		col("ObjectModified", func(_ *tenant.State, x e) any { return x.ObjectModified }),
		col("CmdletName", func(_ *tenant.State, x e) any { return x.CmdletName }),
		col("CmdletParameters", func(_ *tenant.State, x e) any {
			out := make([]exchange.Object, 0, len(x.Parameters))
			for _, p := range x.Parameters {
				out = append(out, exchange.Object{{Name: "Name", Value: p.Name}, {Name: "Value", Value: p.Value}})
			}
			return out
		}),
		fixed[e]("ModifiedProperties", []string{}),
		col("Caller", func(_ *tenant.State, x e) any { return x.Caller }),
		fixed[e]("ExternalAccess", false),
		col("Succeeded", func(_ *tenant.State, x e) any { return x.Succeeded }),
		col("Error", func(_ *tenant.State, x e) any {
			if x.Error == "" {
				return "None"
			}
			return x.Error
		}),
		col("RunDate", func(_ *tenant.State, x e) any { return x.RunDate.UTC() }),
		fixed[e]("OriginatingServer", serverName+" (15.20.8922.029)"),
		col("AppId", func(_ *tenant.State, x e) any { return strOrNil(x.AppID) }),
		col("ClientAppId", func(_ *tenant.State, x e) any { return strOrNil(x.AppID) }),
		col("Identity", func(_ *tenant.State, x e) any { return x.ID.String() }),
		fixed[e]("IsValid", true),
		fixed[e]("ObjectState", "New"),
	)
}

// searchAdminAuditLog returns admin audit log entries, newest first.
func searchAdminAuditLog(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	start, hasStart := a.date("StartDate")
	end, hasEnd := a.date("EndDate")
	cmdlets, objects, users, params := a.strs("Cmdlets"), a.strs("ObjectIds"), a.strs("UserIds"), a.strs("Parameters")
	size := 1000
	if a.has("ResultSize") {
		size = int(a.integer("ResultSize"))
	}
	startIndex := int(a.integer("StartIndex"))
	success, external := a.boolean("IsSuccess"), a.boolean("ExternalAccess")
	if err := a.failed(); err != nil {
		return nil, err
	}
	if size < 1 || size > 250000 {
		return nil, exchange.BadParameter("The ResultSize value must be between 1 and 250000.")
	}
	if startIndex < 0 {
		return nil, exchange.BadParameter("The StartIndex value can't be negative.")
	}
	if hasStart && hasEnd && end.Before(start) {
		return nil, exchange.Invalid("The StartDate value must be earlier than the EndDate value.")
	}
	var out []*tenant.AuditEntry
	log := inv.t.AuditLog
	for i := len(log) - 1; i >= 0; i-- {
		e := &log[i]
		if (hasStart && e.RunDate.Before(start)) || (hasEnd && e.RunDate.After(end)) {
			continue
		}
		if !matchesAny(cmdlets, e.CmdletName) || !matchesAny(objects, e.ObjectModified) || !matchesAny(users, e.Caller) {
			continue
		}
		if a.has("IsSuccess") && e.Succeeded != success {
			continue
		}
		if a.has("ExternalAccess") && external {
			continue // the emulator records no Microsoft datacenter access
		}
		if len(params) > 0 && !slices.ContainsFunc(e.Parameters, func(p tenant.AuditParam) bool { return matchesAny(params, p.Name) }) {
			continue
		}
		out = append(out, e)
	}
	if startIndex >= len(out) {
		out = nil
	} else {
		out = out[startIndex:]
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.audit.render, warn...), nil
}

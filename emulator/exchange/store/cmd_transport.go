package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// transportCmdlets declares the mail flow (transport) rule cmdlets (see
// registry.go).
func transportCmdlets() []decl {
	return []decl{
		{"Get-TransportRule", catalog.Exchange, "Identity State Filter ResultSize", getTransportRule},
		{"New-TransportRule", catalog.Exchange, "Name Priority Mode Comments Enabled ActivationDate ExpiryDate " + ruleParamNames(), newTransportRule},
		{"Set-TransportRule", catalog.Exchange, "Identity Name Priority Mode Comments ActivationDate ExpiryDate " + ruleParamNames(), setTransportRule},
		{"Remove-TransportRule", catalog.Exchange, "Identity", removeTransportRule},
		{"Enable-TransportRule", catalog.Exchange, "Identity Mode", setRuleState("Enabled")},
		{"Disable-TransportRule", catalog.Exchange, "Identity", setRuleState("Disabled")},
	}
}

// ruleKind is the value type of a modelled transport rule parameter.
type ruleKind uint8

const (
	ruleString ruleKind = iota
	ruleList
	ruleBool
	ruleInt
	ruleSize
)

// ruleParam is a condition, exception or action the emulator models.
type ruleParam struct {
	name    string
	kind    ruleKind
	section string // Conditions, Exceptions or Actions
	enum    []string
	text    string // how Description words it
}

// ruleParamNames are transportRuleParams' names, space-separated, for the
// declarations.
func ruleParamNames() string {
	names := make([]string, 0, len(transportRuleParams()))
	for _, p := range transportRuleParams() {
		names = append(names, p.name)
	}
	return strings.Join(names, " ")
}

// transportRuleParams are the modelled conditions, exceptions and actions,
// in the order Get-TransportRule shows them.
func transportRuleParams() []ruleParam {
	c, e, a := "Conditions", "Exceptions", "Actions"
	return []ruleParam{
		{name: "From", text: "Is sent by", kind: ruleList, section: c},
		{name: "FromMemberOf", text: "Is sent by a member of", kind: ruleList, section: c},
		{name: "FromScope", text: "Is received from", section: c, enum: []string{"InOrganization", "NotInOrganization"}},
		{name: "SentTo", text: "Is sent to", kind: ruleList, section: c},
		{name: "SentToMemberOf", text: "Is sent to a member of", kind: ruleList, section: c},
		{name: "SentToScope", text: "Is sent to", section: c, enum: []string{"InOrganization", "NotInOrganization", "ExternalPartner", "ExternalNonPartner"}},
		{name: "SubjectContainsWords", text: "Includes these words in the message subject:", kind: ruleList, section: c},
		{name: "SubjectOrBodyContainsWords", text: "Includes these words in the message subject or body:", kind: ruleList, section: c},
		{name: "FromAddressContainsWords", text: "Includes these words in the sender's address:", kind: ruleList, section: c},
		{name: "SenderDomainIs", text: "Is received from a member of domain", kind: ruleList, section: c},
		{name: "RecipientDomainIs", text: "Is sent to a member of domain", kind: ruleList, section: c},
		{name: "AnyOfRecipientAddressContainsWords", text: "Includes these words in a recipient's address:", kind: ruleList, section: c},
		{name: "AttachmentExtensionMatchesWords", text: "Has an attachment with extension", kind: ruleList, section: c},
		{name: "AttachmentHasExecutableContent", text: "Has an attachment with executable content", kind: ruleBool, section: c},
		{name: "MessageSizeOver", text: "Message size is greater than or equal to", kind: ruleSize, section: c},
		{name: "HeaderContainsMessageHeader", text: "Has this message header:", section: c},
		{name: "HeaderContainsWords", text: "Has a message header that includes these words:", kind: ruleList, section: c},
		{name: "SCLOver", text: "The spam confidence level is greater than or equal to", kind: ruleInt, section: c},
		{name: "ExceptIfFrom", text: "Is sent by", kind: ruleList, section: e},
		{name: "ExceptIfFromMemberOf", text: "Is sent by a member of", kind: ruleList, section: e},
		{name: "ExceptIfFromScope", text: "Is received from", section: e, enum: []string{"InOrganization", "NotInOrganization"}},
		{name: "ExceptIfSentTo", text: "Is sent to", kind: ruleList, section: e},
		{name: "ExceptIfSenderDomainIs", text: "Is received from a member of domain", kind: ruleList, section: e},
		{name: "ExceptIfRecipientDomainIs", text: "Is sent to a member of domain", kind: ruleList, section: e},
		{name: "ExceptIfSubjectContainsWords", text: "Includes these words in the message subject:", kind: ruleList, section: e},
		{name: "RedirectMessageTo", text: "Redirect the message to", kind: ruleList, section: a},
		{name: "BlindCopyTo", text: "Blind carbon copy (Bcc) the message to", kind: ruleList, section: a},
		{name: "AddToRecipients", text: "Add the recipients", kind: ruleList, section: a},
		{name: "CopyTo", text: "Carbon copy (Cc) the message to", kind: ruleList, section: a},
		{name: "ModerateMessageByUser", text: "Forward the message for approval to", kind: ruleList, section: a},
		{name: "ModerateMessageByManager", text: "Forward the message for approval to the sender's manager", kind: ruleBool, section: a},
		{name: "DeleteMessage", text: "Delete the message without notifying anyone", kind: ruleBool, section: a},
		{name: "Quarantine", text: "Deliver the message to the hosted quarantine", kind: ruleBool, section: a},
		{name: "RejectMessageReasonText", text: "Reject the message with the explanation", section: a},
		{name: "RejectMessageEnhancedStatusCode", text: "Reject the message with the enhanced status code", section: a},
		{name: "PrependSubject", text: "Prepend the subject with", section: a},
		{name: "SetSCL", text: "Set the spam confidence level (SCL) to", kind: ruleInt, section: a},
		{name: "SetHeaderName", text: "Set the message header", section: a},
		{name: "SetHeaderValue", text: "with the value", section: a},
		{name: "RemoveHeader", text: "Remove the message header", section: a},
		{name: "ApplyHtmlDisclaimerText", text: "Append the disclaimer", section: a},
		{name: "ApplyHtmlDisclaimerLocation", text: "Place the disclaimer at", section: a, enum: []string{"Append", "Prepend"}},
		{name: "ApplyHtmlDisclaimerFallbackAction", text: "If the disclaimer can't be inserted,", section: a, enum: []string{"Wrap", "Ignore", "Reject"}},
		{name: "SetAuditSeverity", text: "Set audit severity level to", section: a, enum: []string{"DoNotAudit", "Low", "Medium", "High"}},
		{name: "GenerateIncidentReport", text: "Generate an incident report and send it to", section: a},
		{name: "RouteMessageOutboundConnector", text: "Route the message using the connector named", section: a},
		{name: "StopRuleProcessing", text: "Stop processing more rules", kind: ruleBool, section: a},
	}
}

// normalizeRuleSettings gives decoded JSON values (float64, []any) the
// types their parameters declare, and rejects settings the emulator does
// not know.
func normalizeRuleSettings(r *tenant.TransportRule) error {
	for name, v := range r.Settings {
		i := slices.IndexFunc(transportRuleParams(), func(p ruleParam) bool { return p.name == name })
		if i < 0 {
			return fmt.Errorf("transport rule %q: unknown setting %q", r.Name, name)
		}
		switch p := transportRuleParams()[i]; p.kind {
		case ruleList:
			items, ok := v.([]any)
			if !ok {
				return fmt.Errorf("transport rule %q: setting %s is not a list", r.Name, name)
			}
			out := make([]string, 0, len(items))
			for _, it := range items {
				s, ok := it.(string)
				if !ok {
					return fmt.Errorf("transport rule %q: setting %s holds a non-string", r.Name, name)
				}
				out = append(out, s)
			}
			r.Settings[name] = out
		case ruleInt, ruleSize:
			f, ok := v.(float64)
			if !ok {
				return fmt.Errorf("transport rule %q: setting %s is not a number", r.Name, name)
			}
			r.Settings[name] = int64(f)
		case ruleBool:
			if _, ok := v.(bool); !ok {
				return fmt.Errorf("transport rule %q: setting %s is not a boolean", r.Name, name)
			}
		default:
			if _, ok := v.(string); !ok {
				return fmt.Errorf("transport rule %q: setting %s is not a string", r.Name, name)
			}
		}
	}
	return nil
}

func ruleValue(p ruleParam, v any) any {
	switch x := v.(type) {
	case []string:
		return slices.Clone(x)
	case int64:
		if p.kind == ruleSize {
			return byteQuantity(x)
		}
	}
	return v
}

// ruleDescription summarises a rule as Exchange's Description does.
func ruleDescription(r *tenant.TransportRule) string {
	var b strings.Builder
	section := func(title, name string) {
		first := true
		for _, p := range transportRuleParams() {
			v, ok := r.Settings[p.name]
			if !ok || p.section != name {
				continue
			}
			if first {
				b.WriteString(title + "\r\n")
				first = false
			}
			switch x := v.(type) {
			case bool:
				fmt.Fprintf(&b, "\t%s\r\n", p.text)
			case []string:
				fmt.Fprintf(&b, "\t%s '%s'\r\n", p.text, strings.Join(x, "' or '"))
			default:
				text := valueText(ruleValue(p, v))
				switch text {
				case "InOrganization":
					text = "Inside the organization"
				case "NotInOrganization":
					text = "Outside the organization"
				}
				fmt.Fprintf(&b, "\t%s '%s'\r\n", p.text, text)
			}
		}
	}
	section("If the message:", "Conditions")
	section("Take the following actions:", "Actions")
	section("Except if the message:", "Exceptions")
	return b.String()
}

func transportRuleView() *view[*tenant.TransportRule] {
	type r = *tenant.TransportRule
	names := func(x r, section string) []string {
		out := []string{}
		for _, p := range transportRuleParams() {
			if _, ok := x.Settings[p.name]; ok && p.section == section {
				out = append(out, p.name)
			}
		}
		return out
	}
	cols := []column[r]{
		col("Priority", func(_ *tenant.State, x r) any { return int64(x.Priority) }),
		fixed[r]("DlpPolicy", nil),
		fixed[r]("DlpPolicyId", exchange.GUID("00000000-0000-0000-0000-000000000000")),
		col("Comments", func(_ *tenant.State, x r) any { return x.Comments }),
		fixed[r]("ManuallyModified", false),
		col("ActivationDate", func(_ *tenant.State, x r) any { return timeOrNil(x.ActivationDate) }),
		col("ExpiryDate", func(_ *tenant.State, x r) any { return timeOrNil(x.ExpiryDate) }),
		col("Description", func(_ *tenant.State, x r) any { return ruleDescription(x) }),
		fixed[r]("RuleVersion", "15.0.5.2"),
		col("Conditions", func(_ *tenant.State, x r) any { return names(x, "Conditions") }),
		col("Exceptions", func(_ *tenant.State, x r) any { return names(x, "Exceptions") }),
		col("Actions", func(_ *tenant.State, x r) any { return names(x, "Actions") }),
		col("State", func(_ *tenant.State, x r) any { return x.State }),
		col("Mode", func(_ *tenant.State, x r) any { return x.Mode }),
		fixed[r]("RuleErrorAction", "Ignore"),
		fixed[r]("SenderAddressLocation", "Header"),
		fixed[r]("RuleSubType", "None"),
		fixed[r]("UseLegacyRegex", false),
	}
	for _, p := range transportRuleParams() {
		cols = append(cols, col(p.name, func(_ *tenant.State, x r) any {
			v, ok := x.Settings[p.name]
			if !ok {
				if p.kind == ruleBool {
					return false
				}
				return nil
			}
			return ruleValue(p, v)
		}))
	}
	cols = append(cols, configIdentity(func(x r) string { return x.Name }, func(x r) tenant.UUID { return x.Guid },
		"CN=TransportVersioned,CN=Rules,CN=Transport Settings", func(x r) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getTransportRule(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	size := a.resultSize(-1)
	id := a.str("Identity")
	state := ""
	if a.has("State") {
		state = a.enum("State", "Microsoft.Exchange.MessagingPolicies.Rules.RuleState", "Enabled", "Disabled")
	}
	pred, err := filterOf(inv, inv.s.views.transportRule)
	if err != nil {
		return nil, err
	}
	if err := a.failed(); err != nil {
		return nil, err
	}
	var out []*tenant.TransportRule
	for _, r := range inv.t.TransportRules {
		if a.has("Identity") && !strings.EqualFold(r.Name, id) && r.Guid.String() != strings.ToLower(id) {
			continue
		}
		if state != "" && r.State != state {
			continue
		}
		if pred != nil && !pred(inv.ts, r) {
			continue
		}
		out = append(out, r)
	}
	if a.has("Identity") && len(out) == 0 {
		return nil, exchange.NotFound(id)
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, inv.s.views.transportRule.render, warn...), nil
}

// applyRuleParams reads the modelled conditions and actions into a copy
// of settings; $null removes one.
func applyRuleParams(inv *invocation, settings map[string]any) map[string]any {
	a := inv.a
	out := make(map[string]any, len(settings))
	for k, v := range settings {
		out[k] = v
	}
	for _, p := range transportRuleParams() {
		if !a.has(p.name) {
			continue
		}
		if v, _ := a.v(p.name); v == nil {
			delete(out, p.name)
			continue
		}
		switch {
		case p.enum != nil:
			out[p.name] = a.enum(p.name, "System.String", p.enum...)
		case p.kind == ruleList:
			if l := a.strs(p.name); len(l) > 0 {
				out[p.name] = l
			} else {
				delete(out, p.name)
			}
		case p.kind == ruleBool:
			if a.boolean(p.name) {
				out[p.name] = true
			} else {
				delete(out, p.name)
			}
		case p.kind == ruleInt:
			out[p.name] = a.integer(p.name)
		case p.kind == ruleSize:
			s := a.str(p.name)
			n, ok := parseQuota(s)
			if !ok || n < 0 {
				a.fail(exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.ByteQuantifiedSize\".", p.name, s))
			}
			out[p.name] = n
		default:
			out[p.name] = a.str(p.name)
		}
	}
	return out
}

func ruleMode(inv *invocation) string {
	return inv.a.enum("Mode", "Microsoft.Exchange.MessagingPolicies.Rules.RuleMode", "Audit", "AuditAndNotify", "Enforce")
}

// ruleTarget finds the rule -Identity names, once the call's parameters
// have bound.
func (inv *invocation) ruleTarget() (*tenant.TransportRule, error) {
	id := inv.a.str("Identity")
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	r, ok := findConfig(inv.t.TransportRules, id, func(x *tenant.TransportRule) (string, tenant.UUID) { return x.Name, x.Guid })
	if !ok {
		return nil, exchange.NotFound(id)
	}
	return r, nil
}

// placeRule moves r to priority p (0-based) and renumbers the others.
func placeRule(t *tenant.Tenant, r *tenant.TransportRule, p int) {
	rules := slices.DeleteFunc(slices.Clone(t.TransportRules), func(x *tenant.TransportRule) bool { return x == r })
	rules = slices.Insert(rules, p, r)
	for i, x := range rules {
		x.Priority = i
	}
	t.TransportRules = rules
}

func newTransportRule(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	name := a.str("Name")
	r := &tenant.TransportRule{Name: name, State: "Enabled", Mode: "Enforce", Comments: a.str("Comments"), WhenChanged: inv.now}
	if a.has("Mode") {
		r.Mode = ruleMode(inv)
	}
	if a.has("Enabled") && !a.boolean("Enabled") {
		r.State = "Disabled"
	}
	r.ActivationDate, _ = a.date("ActivationDate")
	r.ExpiryDate, _ = a.date("ExpiryDate")
	prio := len(inv.t.TransportRules)
	if a.has("Priority") {
		prio = int(a.integer("Priority"))
	}
	r.Settings = applyRuleParams(inv, nil)
	if err := a.failed(); err != nil {
		return nil, err
	}
	inv.object = name
	if strings.TrimSpace(name) == "" {
		return nil, exchange.BadParameter("Cannot validate argument on parameter 'Name'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.")
	}
	if _, dup := findConfig(inv.t.TransportRules, name, func(x *tenant.TransportRule) (string, tenant.UUID) { return x.Name, x.Guid }); dup {
		return nil, exchange.Invalid("A transport rule with the name \"%s\" already exists. Specify a different name.", name)
	}
	if prio < 0 || prio > len(inv.t.TransportRules) {
		return nil, exchange.Invalid("The value of Priority must be between 0 and %d.", len(inv.t.TransportRules))
	}
	r.Guid = inv.newGUID("transport-rule")
	placeRule(inv.t, r, prio)
	return lazy(inv.ts, []*tenant.TransportRule{r}, inv.s.views.transportRule.render), nil
}

func setTransportRule(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	r, err := inv.ruleTarget()
	if err != nil {
		return nil, err
	}
	inv.object = r.Name
	next := *r
	if a.has("Name") {
		next.Name = a.str("Name")
		if other, dup := findConfig(inv.t.TransportRules, next.Name, func(x *tenant.TransportRule) (string, tenant.UUID) { return x.Name, x.Guid }); dup && other != r {
			return nil, exchange.Invalid("A transport rule with the name \"%s\" already exists. Specify a different name.", next.Name)
		}
	}
	if a.has("Comments") {
		next.Comments = a.str("Comments")
	}
	if a.has("Mode") {
		next.Mode = ruleMode(inv)
	}
	if a.has("ActivationDate") {
		next.ActivationDate, _ = a.date("ActivationDate")
	}
	if a.has("ExpiryDate") {
		next.ExpiryDate, _ = a.date("ExpiryDate")
	}
	prio := r.Priority
	if a.has("Priority") {
		prio = int(a.integer("Priority"))
	}
	next.Settings = applyRuleParams(inv, r.Settings)
	if err := a.failed(); err != nil {
		return nil, err
	}
	if prio < 0 || prio >= len(inv.t.TransportRules) {
		return nil, exchange.Invalid("The value of Priority must be between 0 and %d.", len(inv.t.TransportRules)-1)
	}
	next.WhenChanged = inv.now
	*r = next
	placeRule(inv.t, r, prio)
	return none(), nil
}

func removeTransportRule(inv *invocation) (*exchange.Result, error) {
	r, err := inv.ruleTarget()
	if err != nil {
		return nil, err
	}
	inv.object = r.Name
	rules := slices.DeleteFunc(slices.Clone(inv.t.TransportRules), func(x *tenant.TransportRule) bool { return x == r })
	for i, x := range rules {
		x.Priority = i
	}
	inv.t.TransportRules = rules
	return none(), nil
}

func setRuleState(state string) func(inv *invocation) (*exchange.Result, error) {
	return func(inv *invocation) (*exchange.Result, error) {
		mode := ""
		if inv.a.has("Mode") {
			mode = ruleMode(inv)
		}
		r, err := inv.ruleTarget()
		if err != nil {
			return nil, err
		}
		inv.object = r.Name
		r.State = state
		if mode != "" {
			r.Mode = mode
		}
		r.WhenChanged = inv.now
		return none(), nil
	}
}

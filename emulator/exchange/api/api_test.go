package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEnvelopeExact(t *testing.T) {
	e := newEnv(t)
	r := e.invoke("admin", cmdlet("Get-Mailbox"), "client-request-id", "c-1")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := `{"@odata.context":"` + e.srv.URL + `/adminapi/beta/` + tenantA + `/$metadata#Collection(Exchange.GenericHashTable)",` +
		`"adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":["w1","Tab\there"],` +
		`"value":[{"Name":"CBergin",` +
		`"EmailAddresses@odata.type":"#Collection(String)","EmailAddresses":["SMTP:c@contoso.com","smtp:cb@contoso.com"],` +
		`"ExchangeGuid@data.type":"System.Guid","ExchangeGuid@odata.type":"#Guid","ExchangeGuid":"2be9c3a1-47a3-4fd4-9c2a-5e3c5a1f0d11",` +
		`"WhenCreated@data.type":"System.DateTime","WhenCreated":"2022-06-29T17:57:03.0000000+00:00",` +
		`"ProhibitSendQuota":"99 GB (106,300,440,576 bytes)","IsShared":false,"ItemCount":42,` +
		`"TotalBytes@odata.type":"#Int64","TotalBytes":106300440576,"Ratio":0.5,"Manager":null,` +
		`"Settings":{"@odata.type":"#Exchange.GenericHashTable","Key":"v","N":1},` +
		`"Rules@odata.type":"#Collection(Exchange.GenericHashTable)","Rules":[{"Name":"r1"},{"Name":"r2","On":true}],` +
		`"Note":"<a & b> \"q\"\n"},` +
		`{"Name":"Shared","EmailAddresses@odata.type":"#Collection(String)","EmailAddresses":[],` +
		`"ExchangeGuid@data.type":"System.Guid","ExchangeGuid@odata.type":"#Guid","ExchangeGuid":"00000000-0000-0000-0000-000000000001",` +
		`"WhenCreated@data.type":"System.DateTime","WhenCreated":"2023-01-02T02:04:05.1234567+00:00","IsShared":true}]}`
	if r.text() != want {
		t.Errorf("body\n got %s\nwant %s", r.body, want)
	}
	r.json(t) // and it is JSON
	for name, want := range map[string]string{
		"Content-Type":         "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
		"OData-Version":        "4.0",
		"Preference-Applied":   `odata.include-annotations="*"`,
		"X-CalculatedBETarget": beTarget,
		"Rate-Limit-Limit":     "30000",
		"Rate-Limit-Remaining": "29999",
		"Rate-Limit-Reset":     "2024-05-22T16:52:26.365Z",
		"client-request-id":    "c-1",
	} {
		if got := r.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if id := r.header.Get("request-id"); !guidRE.MatchString(id) {
		t.Errorf("request-id %q is not a GUID", id)
	}
	if r2 := e.invoke("admin", cmdlet("get-mailbox")); r2.header.Get("Rate-Limit-Remaining") != "29998" {
		t.Errorf("budget did not count down: %q", r2.header.Get("Rate-Limit-Remaining"))
	}
}

func TestStatuses(t *testing.T) {
	base := "/adminapi/beta/" + tenantA + "/InvokeCommand"
	regional := "/compliance/eur02b/adminapi/beta/" + tenantA + "/InvokeCommand"
	roleText := "The role assigned to application %s isn't supported in this scenario. Please check online documentation " +
		"for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication."
	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   string
		status int
		check  func(t *testing.T, r resp)
	}{
		{"no token", "POST", base, "", cmdlet("Get-Mailbox"), 401, challenge("invalid_token", "missing")},
		{"expired token", "POST", base, "expired", cmdlet("Get-Mailbox"), 401, challenge("invalid_token", "expired")},
		{"invalid token", "POST", base, "forged", cmdlet("Get-Mailbox"), 401, challenge("invalid_token", "invalid")},
		{"compliance token on exchange", "POST", base, "ipps", cmdlet("Get-Mailbox"), 401, challenge("invalid_token", "audience")},
		{"exchange token on compliance", "POST", regional, "admin", cmdlet("Get-Label"), 401, challenge("invalid_token", "audience")},
		{"audience with slash", "POST", base, "admin-slash", cmdlet("Get-Mailbox"), 200, nil},
		{"token for another tenant", "POST", base, "tenant-b", cmdlet("Get-Mailbox"), 401, challenge("invalid_token", "tenant")},
		{"unknown tenant", "POST", "/adminapi/beta/nowhere.onmicrosoft.com/InvokeCommand", "admin", cmdlet("Get-Mailbox"), 404,
			func(t *testing.T, r resp) { wantField(t, r, "code", "NotFound") }},
		{"no ManageAsApp", "POST", base, "no-manage", cmdlet("Get-Mailbox"), 401, func(t *testing.T, r resp) {
			wantField(t, r, "message", "UnAuthorized")
			challenge("insufficient_scope", "Exchange.ManageAsApp")(t, r)
		}},
		{"no honoured role", "POST", base, "no-role", cmdlet("Get-Mailbox"), 401, func(t *testing.T, r resp) {
			wantField(t, r, "message", strings.Replace(roleText, "%s", "app-norole", 1))
		}},
		{"exchange-only role on compliance", "POST", regional, "ipps-exadmin", cmdlet("Get-Label"), 401, func(t *testing.T, r resp) {
			wantField(t, r, "message", strings.Replace(roleText, "%s", "app-exadmin", 1))
		}},
		{"malformed JSON", "POST", base, "admin", `{"CmdletInput":`, 400, func(t *testing.T, r resp) { wantField(t, r, "code", "BadRequest") }},
		{"no CmdletInput", "POST", base, "admin", `{"cmdletinput":{"CmdletName":"Get-Mailbox"}}`, 400, nil},
		{"Parameters not an object", "POST", base, "admin", `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":[1]}}`, 400, nil},
		{"empty body", "POST", base, "admin", "", 400, nil},
		{"unknown cmdlet", "POST", base, "admin", cmdlet("Get-Mailboks"), 403, func(t *testing.T, r resp) {
			wantField(t, r, "code", "Forbidden")
			if !strings.Contains(detailMessage(t, r), "CommandNotFoundException|The term 'Get-Mailboks' is not recognized") {
				t.Errorf("detail does not name the cmdlet: %s", r.body)
			}
		}},
		{"compliance cmdlet on exchange", "POST", base, "admin", cmdlet("Get-Label"), 403, nil},
		{"not allowed", "POST", base, "reader", cmdlet("Set-Mailbox"), 401, exactBody(
			`{"error":{"code":"Unauthorized","message":"User is not allowed to call Set-Mailbox","innererror":` +
				`{"message":"User is not allowed to call Set-Mailbox","type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException"}}}`)},
		{"not allowed, lower case", "POST", base, "reader", cmdlet("set-mailbox"), 401, func(t *testing.T, r resp) {
			wantField(t, r, "message", "User is not allowed to call Set-Mailbox")
		}},
		{"reader exception", "POST", base, "reader", cmdlet("Get-InboxRule"), 401, nil},
		{"not modelled", "POST", base, "admin", cmdlet("Get-MailboxFolderStatistics"), 501, func(t *testing.T, r resp) {
			wantField(t, r, "code", "NotImplemented")
			wantField(t, r, "message", "The exorun emulator does not model the cmdlet Get-MailboxFolderStatistics.")
			wantHeader(t, r, "x-ExceptionType", "NotModelledException")
		}},
		{"not found", "POST", base, "admin", `{"CmdletInput":{"CmdletName":"Get-User","Parameters":{"Identity":"nobody"}}}`, 404,
			exactBody(`{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"nobody",` +
				`"message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|` +
				`The operation couldn't be performed because object 'nobody' couldn't be found on 'EMULATOR01.PROD.OUTLOOK.COM'."}],` +
				`"innererror":{"message":"Error executing cmdlet","type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException",` +
				`"stacktrace":"","internalexception":{"message":"The operation couldn't be performed because object 'nobody' ` +
				`couldn't be found on 'EMULATOR01.PROD.OUTLOOK.COM'.","type":"Microsoft.Exchange.Configuration.Tasks.` +
				`ManagementObjectNotFoundException","stacktrace":""}}}}`)},
		{"bad parameter", "POST", base, "admin", cmdlet("Get-Contact"), 400, func(t *testing.T, r resp) {
			wantField(t, r, "code", "BadRequest")
			wantHeader(t, r, "x-ExceptionType", "ParameterBindingException")
			if got := detailMessage(t, r); !strings.HasPrefix(got, "ExB7A4D5|System.Management.Automation.ParameterBindingException|A parameter") {
				t.Errorf("details[0].message = %q", got)
			}
		}},
		{"backend failure", "POST", base, "admin", cmdlet("Get-Group"), 500, func(t *testing.T, r resp) {
			wantField(t, r, "code", "InternalServerError")
		}},
		{"bad value type", "POST", base, "admin", cmdlet("Get-CASMailbox"), 500, func(t *testing.T, r resp) {
			if !strings.Contains(detailMessage(t, r), "unsupported value type int") {
				t.Errorf("detail does not say why: %s", r.body)
			}
		}},
		{"GET InvokeCommand", "GET", base, "admin", "", 405, func(t *testing.T, r resp) { wantHeader(t, r, "Allow", "POST") }},
		{"POST EXOModuleFile", "POST", "/adminapi/v1.0/" + tenantA + "/EXOModuleFile", "admin", "", 405, nil},
		{"unknown path", "POST", "/adminapi/beta/" + tenantA + "/Nope", "admin", "", 404, nil},
		{"batch", "POST", "/adminapi/beta/" + tenantA + "/$batch", "admin", "{}", 501, nil},
		{"wrong region", "POST", "/compliance/nam13b/adminapi/beta/" + tenantA + "/InvokeCommand", "ipps", cmdlet("Get-Label"), 404, nil},
		{"case-insensitive path", "POST", "/AdminApi/BETA/" + tenantA + "/invokecommand", "admin", cmdlet("get-mailbox"), 200, nil},
		{"domain tenant", "POST", "/adminapi/beta/Contoso.com/InvokeCommand", "admin", cmdlet("Get-Mailbox"), 200, func(t *testing.T, r resp) {
			ctx, _ := r.json(t)["@odata.context"].(string)
			if !strings.HasSuffix(ctx, "/adminapi/beta/Contoso.com/$metadata#Collection(Exchange.GenericHashTable)") {
				t.Errorf("context %q does not echo the domain", ctx)
			}
		}},
		{"bad skip token", "POST", base + "?$skiptoken=zzz", "admin", cmdlet("Get-Recipient"), 400, nil},
	}
	e := newEnv(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.token, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if !guidRE.MatchString(r.header.Get("request-id")) {
				t.Errorf("request-id %q", r.header.Get("request-id"))
			}
			if tc.status >= 400 && tc.status != 405 {
				r.json(t) // every error is an OData error
				if r.header.Get("x-ExceptionType") == "" {
					t.Errorf("no x-ExceptionType")
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func challenge(code, says string) func(*testing.T, resp) {
	return func(t *testing.T, r resp) {
		t.Helper()
		c := r.header.Get("WWW-Authenticate")
		if !strings.HasPrefix(c, "Bearer ") || !strings.Contains(c, `error="`+code+`"`) ||
			!strings.Contains(strings.ToLower(c), strings.ToLower(says)) {
			t.Errorf("WWW-Authenticate %q, want error=%q saying %q", c, code, says)
		}
		wantField(t, r, "code", "Unauthorized")
	}
}

func exactBody(want string) func(*testing.T, resp) {
	return func(t *testing.T, r resp) {
		t.Helper()
		if r.text() != want {
			t.Errorf("body\n got %s\nwant %s", r.body, want)
		}
	}
}

func wantField(t *testing.T, r resp, field, want string) {
	t.Helper()
	if got := errorField(t, r, field); got != want {
		t.Errorf("error.%s = %q, want %q", field, got, want)
	}
}

func wantHeader(t *testing.T, r resp, name, want string) {
	t.Helper()
	if got := r.header.Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func TestParameterDecoding(t *testing.T) {
	e := newEnv(t)
	body := `{"CmdletInput":{"CmdletName":"set-mailbox","Parameters":{
		"Identity":"user@contoso.com",
		"HiddenFromAddressListsEnabled":true,
		"Force":"true",
		"RetainDeletedItemsFor":14,
		"Manager":null,
		"EmailAddresses":{"@odata.type":"#Exchange.GenericHashTable","Add":["a@contoso.com","b@contoso.com"],"Remove":"c@contoso.com",
			"Nested":{"@odata.type":"#Exchange.GenericHashTable","Deep":1.5}},
		"Rules@odata.type":"#Collection(Exchange.GenericHashTable)",
		"Rules":[{"@odata.type":"#Exchange.GenericHashTable","Name":"r1"},{"Name":"r2"}],
		"Picture":{"@odata.type":"#Exchange.ByteArrayType","Data":"AAEC/w=="},
		"Pictures@odata.type":"#Collection(Exchange.ByteArrayType)",
		"Pictures":[{"@odata.type":"#Exchange.ByteArrayType","Data":"aGk="}],
		"Aliases":["x","y"]}}}`
	r := e.invoke("admin", body)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	got := e.be.lastCall()
	want := exchange.Params{
		"Identity":                      "user@contoso.com",
		"HiddenFromAddressListsEnabled": true,
		"Force":                         "true",
		"RetainDeletedItemsFor":         float64(14),
		"Manager":                       nil,
		"EmailAddresses": map[string]any{
			"Add": []any{"a@contoso.com", "b@contoso.com"}, "Remove": "c@contoso.com",
			"Nested": map[string]any{"Deep": 1.5},
		},
		"Rules":    []any{map[string]any{"Name": "r1"}, map[string]any{"Name": "r2"}},
		"Picture":  []byte{0, 1, 2, 255},
		"Pictures": []any{[]byte("hi")},
		"Aliases":  []any{"x", "y"},
	}
	if !reflect.DeepEqual(got.Params, want) {
		t.Errorf("params\n got %#v\nwant %#v", got.Params, want)
	}
	if got.Cmdlet != "set-mailbox" || got.Service != catalog.Exchange {
		t.Errorf("call %q on %q", got.Cmdlet, got.Service)
	}
	c := got.Caller
	if c.TenantID != tenantA || c.Organization != domainA || c.AppID != "app-admin" || c.AppName != "app-admin-name" ||
		len(c.Roles) != 1 || c.Roles[0].Name != "Exchange Administrator" {
		t.Errorf("caller %+v", c)
	}
	if got.RequestID != r.header.Get("request-id") {
		t.Errorf("call request id %q, response %q", got.RequestID, r.header.Get("request-id"))
	}
	if v := r.json(t)["value"].([]any); len(v) != 0 {
		t.Errorf("Set-Mailbox returned %d objects", len(v))
	}

	bad := `{"CmdletInput":{"CmdletName":"Set-Mailbox","Parameters":{"Picture":{"@odata.type":"#Exchange.ByteArrayType","Data":"!!"}}}}`
	if r := e.invoke("admin", bad); r.status != 400 {
		t.Errorf("bad base64: status %d", r.status)
	}
}

func TestSelect(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand?$select=name,exchangeGUID,Nope", "admin", cmdlet("Get-Mailbox"))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := `"value":[{"Name":"CBergin","ExchangeGuid@data.type":"System.Guid","ExchangeGuid@odata.type":"#Guid",` +
		`"ExchangeGuid":"2be9c3a1-47a3-4fd4-9c2a-5e3c5a1f0d11"},{"Name":"Shared","ExchangeGuid@data.type":"System.Guid",` +
		`"ExchangeGuid@odata.type":"#Guid","ExchangeGuid":"00000000-0000-0000-0000-000000000001"}]}`
	if !strings.HasSuffix(r.text(), want) {
		t.Errorf("body %s\nwant suffix %s", r.body, want)
	}
}

func TestModuleFile(t *testing.T) {
	e := newEnv(t)
	path := "/adminapi/v1.0/" + tenantA + "/EXOModuleFile?Version=3.7.1"
	// Every cmdlet the roles allow is listed, modelled or not (an
	// unmodelled one answers 501 when called, never looks forbidden).
	for _, tc := range []struct {
		token     string
		has, lack []string
	}{
		{"admin", []string{"Get-Mailbox", "Set-Mailbox", "Get-InboxRule", "Get-Place", "New-TransportRule"}, []string{"Get-Label", "New-UnifiedGroup"}},
		// Global Reader reads, and not Get-InboxRule.
		{"reader", []string{"Get-Mailbox", "Get-MailboxStatistics", "Get-Place"}, []string{"Set-Mailbox", "Get-InboxRule", "New-TransportRule"}},
	} {
		r := e.do("GET", path, tc.token, "", "CommandName", "*")
		if r.status != 200 {
			t.Fatalf("%s: status %d: %s", tc.token, r.status, r.body)
		}
		prefix := `{"@odata.context":"` + e.srv.URL + `/adminapi/v1.0/` + tenantA + `/$metadata#EXOModuleFile",` +
			`"value":[{"exportedCmdlets":"`
		if !strings.HasPrefix(r.text(), prefix) {
			t.Fatalf("%s: body %.200s", tc.token, r.body)
		}
		list := "," + strings.TrimSuffix(strings.TrimPrefix(r.text(), prefix), `"}]}`) + ","
		for _, n := range tc.has {
			if !strings.Contains(list, ","+n+",") {
				t.Errorf("%s: %s not listed", tc.token, n)
			}
		}
		for _, n := range tc.lack {
			if strings.Contains(list, ","+n+",") {
				t.Errorf("%s: %s listed", tc.token, n)
			}
		}
	}
	r := e.do("GET", path, "admin", "", "CommandName", "get-mailbox, Set-Mailbox")
	if v := r.json(t)["value"].([]any)[0].(map[string]any)["exportedCmdlets"]; v != "Get-Mailbox,Set-Mailbox" {
		t.Errorf("named cmdlets: %v", v)
	}
	if r := e.do("GET", path, "", "", "CommandName", "*"); r.status != 401 {
		t.Errorf("without a token: status %d", r.status)
	}
}

func TestCompliance(t *testing.T) {
	e := newEnv(t)
	front := "/compliance/adminapi/beta/" + tenantA + "/InvokeCommand?$select=DisplayName"
	r := e.do("POST", front, "ipps", cmdlet("Get-Label"))
	if r.status != http.StatusFound {
		t.Fatalf("front door status %d: %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if want := e.srv.URL + "/compliance/eur02b/adminapi/beta/" + tenantA + "/InvokeCommand?$select=DisplayName"; loc != want {
		t.Fatalf("Location %q, want %q", loc, want)
	}
	r = e.do("POST", loc, "ipps", cmdlet("get-label"))
	if r.status != 200 {
		t.Fatalf("regional status %d: %s", r.status, r.body)
	}
	want := `{"@odata.context":"` + e.srv.URL + `/compliance/eur02b/adminapi/beta/` + tenantA +
		`/$metadata#Collection(Exchange.GenericHashTable)","adminapi.warnings@odata.type":"#Collection(String)",` +
		`"@adminapi.warnings":[],"value":[{"DisplayName":"Confidential"}]}`
	if r.text() != want {
		t.Errorf("body\n got %s\nwant %s", r.body, want)
	}
	if c := e.be.lastCall(); c.Service != catalog.Compliance || c.Caller.Roles[0].Name != "Compliance Administrator" {
		t.Errorf("call %+v", c)
	}
	// The module-file probe is redirected too.
	r = e.do("GET", "/Compliance/AdminApi/v1.0/"+tenantA+"/EXOModuleFile?Version=3.2.0", "ipps", "", "CommandName", "*")
	if loc := r.header.Get("Location"); r.status != 302 || !strings.HasSuffix(loc, "/compliance/eur02b/AdminApi/v1.0/"+tenantA+"/EXOModuleFile?Version=3.2.0") {
		t.Fatalf("module file front door: %d %q", r.status, loc)
	}
	r = e.do("GET", r.header.Get("Location"), "ipps", "", "CommandName", "*")
	if !strings.Contains(r.text(), `,Get-Label,`) {
		t.Errorf("compliance module file: %d %s", r.status, r.body)
	}
	// A compliance cmdlet name is unknown to Exchange and vice versa.
	if r := e.do("POST", loc, "ipps", cmdlet("Get-Mailbox")); r.status != 403 {
		t.Errorf("Get-Mailbox on compliance: %d", r.status)
	}
	if r := e.do("POST", loc, "ipps", cmdlet("Get-RetentionCompliancePolicy")); r.status != 501 {
		t.Errorf("unmodelled compliance cmdlet: %d", r.status)
	}
}

func TestKnownDefaultsToModelled(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Known = nil })
	if r := e.invoke("admin", cmdlet("Get-MailboxFolderStatistics")); r.status != 403 {
		t.Errorf("unmodelled cmdlet without Known: status %d", r.status)
	}
	if r := e.invoke("admin", cmdlet("GET-MAILBOX")); r.status != 200 {
		t.Errorf("modelled cmdlet: status %d", r.status)
	}
}

func TestNoResolver(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.ResolveTenant = nil })
	if r := e.invoke("admin", cmdlet("Set-Mailbox")); r.status != 200 {
		t.Fatalf("tenant GUID: status %d: %s", r.status, r.body)
	}
	if c := e.be.lastCall().Caller; c.TenantID != tenantA || c.Organization != "" {
		t.Errorf("caller %+v", c)
	}
	if r := e.do("POST", "/adminapi/beta/"+domainA+"/InvokeCommand", "admin", cmdlet("Get-Mailbox")); r.status != 401 {
		t.Errorf("domain without a resolver: status %d", r.status)
	}
}

func TestStatsByCmdlet(t *testing.T) {
	e := newEnv(t)
	e.invoke("admin", cmdlet("get-mailbox"))
	e.invoke("admin", cmdlet("Get-Mailbox"))
	e.invoke("admin", cmdlet("Get-User"))
	e.do("GET", "/adminapi/v1.0/"+tenantA+"/EXOModuleFile", "admin", "")
	s := e.h.Stats()
	if s.Cmdlets["Get-Mailbox"] != 2 || s.Cmdlets["Get-User"] != 1 {
		t.Errorf("cmdlets %v", s.Cmdlets)
	}
	if s.Requests != 4 || s.Endpoints["exchange/InvokeCommand"].Requests != 3 || s.Endpoints["exchange/EXOModuleFile"].Requests != 1 {
		t.Errorf("requests %d, endpoints %v", s.Requests, s.Endpoints)
	}
	if s.Statuses[200] != 3 || s.Statuses[404] != 1 {
		t.Errorf("statuses %v", s.Statuses)
	}
	e.h.ResetStats()
	if s := e.h.Stats(); s.Requests != 0 || len(s.Cmdlets) != 0 {
		t.Errorf("after reset %+v", s)
	}
}

package bindings_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// tenant is an emulated tenant and the settings that reach it.
type tenant struct {
	em       *emulator.Emulator
	settings connect.Settings
}

// startTenant starts an emulated tenant of t's own; a role other than ""
// replaces the demo app's roles. Tests that change the tenant (roles,
// faults, writes) or count its requests use it.
func startTenant(t *testing.T, role string) *tenant {
	t.Helper()
	em := emulatortest.Start(t, emulator.Options{})
	if role != "" {
		if err := em.SetDemoRoles(role); err != nil {
			t.Fatal(err)
		}
	}
	return tenantOf(em)
}

// sharedTenant is the process's shared tenant (Exchange Administrator),
// for tests that only read it and do not count its requests.
func sharedTenant(t *testing.T) *tenant {
	t.Helper()
	return tenantOf(emulatortest.Shared(t))
}

func tenantOf(em *emulator.Emulator) *tenant {
	ep := em.Endpoints()
	return &tenant{em: em, settings: connect.Settings{
		AppID: ep.AppID, Organization: ep.Organization, CertificateFile: ep.CertificateFile,
		Authority: ep.Authority, ExchangeURL: ep.ExchangeURL, ComplianceURL: ep.ComplianceURL, CAFile: ep.CAFile,
	}}
}

// memJournal collects journal lines.
type memJournal struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (j *memJournal) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.buf.Write(p)
}
func (j *memJournal) Close() error { return nil }

// run runs src with connect bound to tn; it returns stdout, the log and
// the error.
func (tn *tenant) run(t *testing.T, src string, mod func(*bindings.Options)) (string, string, error) {
	t.Helper()
	var logs bytes.Buffer
	o := bindings.Options{
		Settings: tn.settings,
		Connect:  connect.Options{ReadFile: os.ReadFile},
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&o)
	}
	h := bindings.NewHost(o)
	defer h.Close()
	out, err := runtimetest.Run(t, src, runtime.Options{Globals: h.Globals()})
	return out, logs.String(), err
}

func TestMain(m *testing.M) { emulatortest.Main(m) }

func TestStreamAndObjects(t *testing.T) {
	tn := sharedTenant(t)
	out, _, err := tn.run(t, `
		local exo = connect()
		local n, bytes = 0, 0
		for mbx in exo.get_mailbox{ResultSize = "Unlimited"} do
			n = n + 1
			bytes = bytes + (mbx.ProhibitSendQuotaBytes or 0)
			assert(type(mbx.EmailAddresses) == "table", "collections are tables")
			assert(mbx["EmailAddresses@odata.type"] == nil, "annotations are dropped")
		end
		print(n, bytes > 0)
		local rs = exo["Get-Mailbox"]{ResultSize = 2}
		local all = rs:all()
		print(#all, rs.count, #rs.warnings > 0)
		print(exo.get_mailbox{Identity = "AdeleV"}:first().DisplayName)
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "12\ttrue\n2\t2\ttrue\nAdele Vance\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestParameterErrorsBeforeAnyRequest(t *testing.T) {
	tn := startTenant(t, "")
	before := tn.em.Stats()
	for src, want := range map[string]string{
		`connect().get_mailbox{ResultSiz = 10}`:                                        `unknown parameter "ResultSiz" (did you mean ResultSize?)`,
		`connect().get_mailbox{ResultSize = true}`:                                     `ResultSize: want a number or "Unlimited", got boolean true`,
		`connect().set_mailbox{Identity = "x", HiddenFromAddressListsEnabled = "yes"}`: "want true or false",
		`connect().get_mailbox{"AdeleV"}`:                                              "parameters are named",
		`connect().get_mailboxx{}`:                                                     "did you mean get_mailbox or",
		`connect().get_dlp_compliance_policy{}`:                                        `connect{service = "compliance"}`,
		`connect{organisation = "x"}`:                                                  "unknown setting organisation",
		`connect{profile = "prod"}`:                                                    "profile is chosen with --profile",
	} {
		_, _, err := tn.run(t, src, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", src, err, want)
		}
	}
	_, _, err := tn.run(t, `connect().get_mailbox{ResultSiz = 10}`, nil)
	if got := exitcode.Of(err); got != exitcode.Usage {
		t.Errorf("misspelt parameter: exit code %d, want %d", got, exitcode.Usage)
	}
	// Each run connects (EXOModuleFile) but none may send a cmdlet.
	if after := tn.em.Stats(); invocations(after) != invocations(before) {
		t.Errorf("%d InvokeCommand requests were sent for refused calls", invocations(after)-invocations(before))
	}
}

func TestRoleFilterGlobalReader(t *testing.T) {
	tn := startTenant(t, "Global Reader")
	before := tn.em.Stats()
	out, _, err := tn.run(t, `
		local exo = connect()
		print(#exo.get_mailbox{}:all() > 0)
		for _, name in ipairs(exo.cmdlets()) do assert(not name:match("^Set%-"), name) end
		local ok, e = pcall(function() return exo.set_mailbox{Identity = "AdeleV", HiddenFromAddressListsEnabled = true} end)
		print(ok, e.code, e.cmdlet)
		exo.set_mailbox{Identity = "AdeleV", HiddenFromAddressListsEnabled = true}
	`, nil)
	if out != "true\nfalse\tnot_allowed\tSet-Mailbox\n" {
		t.Errorf("stdout %q", out)
	}
	want := "Set-Mailbox is not allowed for app " + tn.settings.AppID + ": its roles are Global Reader; "
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Exchange Administrator") {
		t.Fatalf("got %v, want it to contain %q and name Exchange Administrator", err, want)
	}
	if exitcode.Of(err) != exitcode.Permission {
		t.Errorf("exit code %d, want permission", exitcode.Of(err))
	}
	if got := invocations(tn.em.Stats()) - invocations(before); got != 1 {
		t.Errorf("%d InvokeCommand requests, want 1 (the Get-Mailbox)", got)
	}
}

func TestServiceErrorValue(t *testing.T) {
	tn := sharedTenant(t)
	out, _, err := tn.run(t, `
		local exo = connect()
		local ok, e = pcall(function() return exo.get_mailbox{Identity = "nobody"}:first() end)
		print(ok, e.code, e.status, e.cmdlet, e.request_id ~= nil, (e.exception:gsub(".*%.", "")))
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "false\tnot_found\t404\tGet-Mailbox\ttrue\tManagementObjectNotFoundException\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	_, _, err = tn.run(t, `connect().get_mailbox{Identity = "nobody"}:first()`, nil)
	if exitcode.Of(err) != exitcode.Service {
		t.Errorf("unhandled 404: exit code %d, want service", exitcode.Of(err))
	}
}

func TestWhatIfAndJournal(t *testing.T) {
	tn := startTenant(t, "")
	var j memJournal
	journal := func(o *bindings.Options) {
		o.Journal = func() (io.WriteCloser, error) { return &j, nil }
	}
	src := `
		local exo = connect()
		exo.what_if = WHATIF
		exo.set_cas_mailbox{Identity = "AdeleV", PopEnabled = true}
		print(exo.get_cas_mailbox{Identity = "AdeleV"}:first().PopEnabled)
	`
	out, logs, err := tn.run(t, strings.Replace(src, "WHATIF", "true", 1), journal)
	if err != nil {
		t.Fatal(err)
	}
	if out != "false\n" || !strings.Contains(logs, "what-if: not sent") || j.buf.Len() != 0 {
		t.Errorf("what-if: stdout %q, journal %q, log %s", out, j.buf.String(), logs)
	}
	out, _, err = tn.run(t, strings.Replace(src, "WHATIF", "false", 1), journal)
	if err != nil {
		t.Fatal(err)
	}
	if out != "true\n" {
		t.Errorf("after the write: %q", out)
	}
	var e map[string]any
	if err := json.Unmarshal(j.buf.Bytes(), &e); err != nil {
		t.Fatalf("journal %q: %v", j.buf.String(), err)
	}
	params, _ := e["parameters"].(map[string]any)
	if e["cmdlet"] != "Set-CASMailbox" || e["outcome"] != "ok" || e["request_id"] == "" || params["PopEnabled"] != true {
		t.Errorf("journal entry %v", e)
	}

	// --what-if is a floor: a script setting exo.what_if = false under
	// it still sends no write, one by one or through exo.parallel.
	before := invocations(tn.em.Stats())
	_, logs, err = tn.run(t, `
		local exo = connect()
		exo.what_if = false
		exo.set_cas_mailbox{Identity = "AdeleV", PopEnabled = false}
		exo.parallel("Set-CASMailbox", {{Identity = "AdeleV", PopEnabled = false}})
	`, func(o *bindings.Options) { journal(o); o.WhatIf = true })
	if err != nil {
		t.Fatal(err)
	}
	if got := invocations(tn.em.Stats()) - before; got != 0 || strings.Count(logs, "what-if: not sent") != 2 {
		t.Errorf("under --what-if with exo.what_if = false: %d requests sent\n%s", got, logs)
	}
}

func TestParallel(t *testing.T) {
	tn := startTenant(t, "")
	tn.em.SetFaults(emulator.Faults{ConcurrencyLimit: 3})
	out, _, err := tn.run(t, `
		local exo = connect()
		local inputs = {}
		for mbx in exo.get_mailbox{RecipientTypeDetails = "UserMailbox"} do
			inputs[#inputs + 1] = {Identity = mbx.UserPrincipalName}
		end
		local results = exo.parallel("Get-MailboxStatistics", inputs, {concurrency = 3})
		for i, r in ipairs(results) do
			assert(#r == 1, "one statistics object per mailbox")
			assert(r[1].DisplayName ~= nil)
		end
		inputs[#inputs + 1] = {Identity = "nobody"}
		local collected = exo.parallel("get_mailbox_statistics", inputs, {errors = "collect"})
		print(#results, collected[#collected].code)
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out, "\tnot_found\n") || strings.HasPrefix(out, "0\t") {
		t.Errorf("got %q", out)
	}
}

// TestParallelStream iterates exo.parallel{stream = true}: every input
// comes back exactly once, with its objects or its error, and a failed
// call does not raise.
func TestParallelStream(t *testing.T) {
	tn := sharedTenant(t)
	out, _, err := tn.run(t, `
		local exo = connect()
		local inputs = {}
		for mbx in exo.get_mailbox{RecipientTypeDetails = "UserMailbox"} do
			inputs[#inputs + 1] = {Identity = mbx.UserPrincipalName}
		end
		inputs[#inputs + 1] = {Identity = "nobody"}
		local seen, objects, failed = {}, 0, nil
		for i, stats, err in exo.parallel("Get-MailboxStatistics", inputs, {concurrency = 3, stream = true}) do
			assert(not seen[i], "input " .. i .. " twice")
			seen[i] = true
			if err then
				assert(stats == nil)
				failed = i .. " " .. err.code
			else
				objects = objects + #stats
			end
		end
		for i = 1, #inputs do assert(seen[i], "input " .. i .. " missing") end
		print(#inputs, objects, failed)
		local ok, e = pcall(exo.parallel, "Get-MailboxStatistics", inputs, {stream = true, errors = "collect"})
		print(ok, tostring(e):match("errors: not with stream") ~= nil)
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[1] != "false\ttrue" {
		t.Fatalf("got %q", out)
	}
	f := strings.Split(lines[0], "\t")
	if len(f) != 3 || f[0] == "1" || f[1] != fmt.Sprint(mustAtoi(t, f[0])-1) || f[2] != f[0]+" not_found" {
		t.Errorf("got %q: want every mailbox's statistics once and the last input not_found", lines[0])
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConnectFailureIsAuth(t *testing.T) {
	tn := sharedTenant(t)
	tn.settings.Organization = "nosuch.onmicrosoft.com"
	_, _, err := tn.run(t, `connect()`, nil)
	var se *connect.StepError
	if !errors.As(err, &se) || se.Step != connect.StepTenant || exitcode.Of(err) != exitcode.Auth {
		t.Errorf("got %v (exit %d)", err, exitcode.Of(err))
	}
}

func invocations(s emulator.Stats) int64 {
	return s.Endpoints["exchange/InvokeCommand"].Requests
}

// A Get-EXO* wrapper goes out as its server cmdlet with $select and its
// identity parameters mapped, by a direct call and by exo.parallel alike.
func TestWrapperCmdlet(t *testing.T) {
	tn := sharedTenant(t)
	out, _, err := tn.run(t, `
		local exo = connect()
		local one = exo.get_exo_mailbox{UserPrincipalName = "AdeleV@contoso.com"}:first()
		local many = exo.parallel("Get-EXOMailbox", {{UserPrincipalName = "AdeleV@contoso.com"}, {Identity = "LeeG"}})
		print(one.DisplayName, one.ProhibitSendQuota == nil)
		print(many[1][1].DisplayName, many[2][1].DisplayName, many[1][1].ProhibitSendQuota == nil)
		local all = exo.get_exo_mailbox{Identity = "AdeleV", PropertySets = "All"}:first()
		print(all.ProhibitSendQuota ~= nil)
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Adele Vance\ttrue\nAdele Vance\tLee Gu\ttrue\ntrue\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// rs:show chooses the columns a display uses, on the stream itself, and
// leaves its objects alone.
func TestResultsShow(t *testing.T) {
	tn := sharedTenant(t)
	out, _, err := tn.run(t, `
		local exo = connect()
		local rs = exo.get_mailbox{ResultSize = 2}
		print(rs.columns == nil)
		print(rawequal(rs:show("DisplayName", "Alias"), rs))
		print(table.concat(rs.columns, ","), #rs:all(), rs.count)
		print(rs:show().columns == nil)
		print(pcall(rs.show, rs, {}))
		print(pcall(function() return rs.nosuch end))
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	want := []string{"true", "true", "DisplayName,Alias\t2\t2", "true"}
	if len(lines) < 6 || !slices.Equal(lines[:4], want) {
		t.Fatalf("got %q, want lines %q first", out, want)
	}
	if !strings.HasPrefix(lines[4], "false\t") || !strings.Contains(lines[4], "string expected") {
		t.Errorf("show({}): got %q, want an argument error", lines[4])
	}
	if !strings.Contains(lines[5], "show, warnings, count, more, cmdlet and columns; not nosuch") {
		t.Errorf("unknown field: got %q, want the fields listed", lines[5])
	}
}

// TestResultsMore: .more says whether objects remain without losing the
// one it had to read to know, and count still counts only those handed out.
func TestResultsMore(t *testing.T) {
	tn := sharedTenant(t)
	out, _, err := tn.run(t, `
		local exo = connect()
		local rs = exo.get_mailbox{ResultSize = 3}
		local first = rs()
		print(rs.more, rs.more, rs.count)
		local n = 1
		for _ in rs do n = n + 1 end
		print(n, rs.count, rs.more)
	`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "true\ttrue\t1\n3\t3\tfalse\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestSummaryCounts checks what the run summary reads: calls by cmdlet,
// and writes sent apart from those what-if held back.
func TestSummaryCounts(t *testing.T) {
	tn := startTenant(t, "")
	h := bindings.NewHost(bindings.Options{Settings: tn.settings, Connect: connect.Options{ReadFile: os.ReadFile}})
	defer h.Close()
	_, err := runtimetest.Run(t, `
		local exo = connect()
		exo.what_if = true
		exo.set_cas_mailbox{Identity = "AdeleV", PopEnabled = true}
		exo.what_if = false
		exo.set_cas_mailbox{Identity = "AdeleV", PopEnabled = true}
		exo.get_cas_mailbox{Identity = "AdeleV"}:first()
		exo.parallel("Get-CASMailbox", {{Identity = "AdeleV"}, {Identity = "LeeG"}})
		pcall(function() exo.get_mailbox{Identity = "nobody"}:all() end)
	`, runtime.Options{Globals: h.Globals()})
	if err != nil {
		t.Fatal(err)
	}
	sums := h.Summaries()
	if len(sums) != 1 {
		t.Fatalf("%d summaries, want 1", len(sums))
	}
	s := sums[0]
	want := map[string]int64{"Set-CASMailbox": 1, "Get-CASMailbox": 3, "Get-Mailbox": 1}
	if fmt.Sprint(s.Calls) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", s.Calls, want)
	}
	if s.Writes != (bindings.Writes{Sent: 1, WhatIf: 1}) {
		t.Errorf("writes %+v, want 1 sent and 1 held back", s.Writes)
	}
	if s.Errors["not_found"] != 1 || s.Organization != tn.settings.Organization || s.Thumbprint == "" || s.Service.Key() != "exchange" {
		t.Errorf("summary %+v", s)
	}
}

// TestParallelStreamBreak leaves a stream after its first result: at most
// concurrency more calls are sent past it, and Close waits for them, so
// the summary counts every call sent.
func TestParallelStreamBreak(t *testing.T) {
	tn := sharedTenant(t)
	h := bindings.NewHost(bindings.Options{Settings: tn.settings, Connect: connect.Options{ReadFile: os.ReadFile}})
	_, err := runtimetest.Run(t, `
		local exo = connect()
		local inputs = {}
		for i = 1, 40 do inputs[i] = {Identity = "AdeleV"} end
		for i, stats, err in exo.parallel("Get-MailboxStatistics", inputs, {concurrency = 2, stream = true}) do
			assert(err == nil and #stats == 1)
			break
		end
	`, runtime.Options{Globals: h.Globals()})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if n := h.Summaries()[0].Calls["Get-MailboxStatistics"]; n < 1 || n > 3 {
		t.Errorf("%d calls sent for a loop left after one result; want at most 1 + concurrency (3)", n)
	}
}

package luascan

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const examplesDir = "../../scripts/examples"

// exampleCmdlets are the cmdlets each example script calls, read off the
// scripts by hand; keyed by the script's file name, wherever it lives
// under scripts/examples.
var exampleCmdlets = map[string][]string{
	"disable-pop-for-group.lua":  {"Get-CASMailbox", "Get-DistributionGroupMember", "Set-CASMailbox"},
	"dlp-policies.lua":           {"Get-DlpCompliancePolicy", "Get-DlpComplianceRule"},
	"external-forwarding.lua":    {"Get-AcceptedDomain", "Get-InboxRule", "Get-Mailbox", "Get-Recipient"},
	"group-hygiene.lua":          {"Get-DistributionGroup", "Get-DistributionGroupMember", "Get-User"},
	"inactive-from-csv.lua":      nil,
	"inactive-mailboxes.lua":     {"Get-Mailbox", "Get-MailboxStatistics"},
	"mailbox-report.lua":         {"Get-Mailbox", "Get-MailboxStatistics"},
	"mailbox-sizes-from-csv.lua": nil,
	"permission-audit.lua":       {"Get-Mailbox", "Get-MailboxPermission", "Get-Recipient", "Get-RecipientPermission"},
	"protocol-exposure.lua":      {"Get-CASMailbox", "Get-TransportConfig"},
}

// exampleUnits finds the examples: each .lua file directly in
// scripts/examples is one unit, and each folder under it (a bundle) is
// one unit of all its .lua files. Names are relative to the unit.
func exampleUnits(t *testing.T) map[string]map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]map[string][]byte{}
	for _, e := range entries {
		path := filepath.Join(examplesDir, e.Name())
		if !e.IsDir() {
			if strings.HasSuffix(e.Name(), ".lua") {
				units[e.Name()] = map[string][]byte{e.Name(): readFile(t, path)}
			}
			continue
		}
		files := map[string][]byte{}
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".lua") {
				return err
			}
			rel, err := filepath.Rel(path, p)
			files[filepath.ToSlash(rel)] = readFile(t, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) > 0 {
			units[e.Name()+"/"] = files
		}
	}
	return units
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExamples(t *testing.T) {
	units := exampleUnits(t)
	checked := 0
	for unit, files := range units {
		t.Run(unit, func(t *testing.T) {
			r := scan(t, func() map[string]string {
				m := map[string]string{}
				for name, src := range files {
					m[name] = string(src)
				}
				return m
			}())
			if len(r.Problems) > 0 {
				t.Errorf("problems: %q", problems(r))
			}
			if len(r.Dynamic) > 0 {
				t.Errorf("dynamic sites: %q", dynamics(r))
			}
			for _, c := range r.Calls {
				if !c.Known {
					t.Errorf("call of a cmdlet the catalog does not know: %+v", c)
				}
			}
			var want []string
			known := false
			for name := range files {
				if w, ok := exampleCmdlets[filepath.Base(name)]; ok {
					known = true
					want = append(want, w...)
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			if known {
				checked++
				if got := cmdletNames(r); !slices.Equal(got, want) {
					t.Errorf("cmdlets %q, want %q", got, want)
				}
			}
			t.Logf("%s calls %q", unit, cmdletNames(r))

			// A bundle folder's manifest lists the cmdlets its scripts
			// call; the analysis is what checks it.
			if strings.HasSuffix(unit, "/") {
				if m := manifestCmdlets(t, filepath.Join(examplesDir, unit, "manifest.json")); m != nil {
					if got := cmdletNames(r); !slices.Equal(got, m) {
						t.Errorf("cmdlets %q, the manifest says %q", got, m)
					}
				}
			}
		})
	}
	if checked < 5 {
		t.Errorf("only %d of the known examples were found under %s", checked, examplesDir)
	}
}

// manifestCmdlets reads the static cmdlet names of a bundle's
// manifest.json, sorted; nil when there is none.
func manifestCmdlets(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cmdlets []struct {
			Name    string `json:"name"`
			Dynamic bool   `json:"dynamic"`
		} `json:"cmdlets"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	names := []string{}
	for _, c := range m.Cmdlets {
		if !c.Dynamic {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	return names
}

// TestExampleDetails spot-checks sites and parameters of one example.
func TestExampleDetails(t *testing.T) {
	units := exampleUnits(t)
	var files map[string][]byte
	for _, f := range units {
		if _, ok := f["mailbox-report.lua"]; ok {
			files = f
		}
	}
	if files == nil {
		t.Skip("mailbox-report.lua is no longer an example")
	}
	r, err := Scan(files)
	if err != nil {
		t.Fatal(err)
	}
	var vias []string
	for _, c := range r.Calls {
		if c.Site.File == "mailbox-report.lua" {
			vias = append(vias, c.Cmdlet+" "+c.Via)
		}
	}
	for _, want := range []string{`Get-MailboxStatistics exo.parallel("Get-MailboxStatistics")`, "Get-Mailbox exo.get_mailbox"} {
		if !slices.Contains(vias, want) {
			t.Errorf("mailbox-report.lua: calls %q lack %q", vias, want)
		}
	}
	if r.Params == nil || !r.Params.Constant {
		t.Fatalf("mailbox-report.lua: Params = %+v, want a constant declaration", r.Params)
	}
	if top := r.Params.Spec["top"]; top["type"] != "integer" || top["default"] != 0.0 {
		t.Errorf("mailbox-report.lua: top = %v", top)
	}
	var mods []string
	for _, q := range r.Requires {
		mods = append(mods, q.Module)
	}
	if !slices.Contains(mods, "params") || !slices.Contains(mods, "csv") {
		t.Errorf("mailbox-report.lua requires %q", mods)
	}
}

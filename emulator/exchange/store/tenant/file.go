package tenant

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/exorun/exorun/emulator/internal/atomicfile"
)

// State file format: one file per tenant, exchange-{tenantID}.jsonl in the
// state folder, written as JSON Lines so a 200,000-mailbox tenant is
// written and read one record at a time instead of as one huge value.
//
//	line 1:   {"header":{"format":"exorun-exchange-tenant","version":1,"tenantId":...,"organization":...,"seq":...,"org":{...}}}
//	lines:    {"recipient":{...}} {"acceptedDomain":{...}} {"transportRule":{...}} ... one object per line
//	last:     {"end":{"records":N}}
//
// The end record proves the file is complete. Files are replaced
// atomically: written to a temporary file in the same folder, synced,
// then renamed over the old one, and the folder is synced.

const (
	fileFormat  = "exorun-exchange-tenant"
	fileVersion = 1
	filePrefix  = "exchange-"
	fileSuffix  = ".jsonl"
)

type fileHeader struct {
	Format       string             `json:"format"`
	Version      int                `json:"version"`
	TenantID     string             `json:"tenantId"`
	Organization string             `json:"organization"`
	Seq          uint64             `json:"seq"`
	Org          OrganizationConfig `json:"org"`
}

type fileEnd struct {
	Records int `json:"records"`
}

// fileLine is one line: exactly one field is set.
type fileLine struct {
	Header                    *fileHeader                `json:"header,omitempty"`
	Recipient                 *Recipient                 `json:"recipient,omitempty"`
	AcceptedDomain            *AcceptedDomain            `json:"acceptedDomain,omitempty"`
	TransportRule             *TransportRule             `json:"transportRule,omitempty"`
	RetentionPolicy           *RetentionPolicy           `json:"retentionPolicy,omitempty"`
	ContentFilterPolicy       *ContentFilterPolicy       `json:"contentFilterPolicy,omitempty"`
	AntiPhishPolicy           *AntiPhishPolicy           `json:"antiPhishPolicy,omitempty"`
	MalwareFilterPolicy       *MalwareFilterPolicy       `json:"malwareFilterPolicy,omitempty"`
	MessageTrace              *MessageTraceRecord        `json:"messageTrace,omitempty"`
	Audit                     *AuditEntry                `json:"audit,omitempty"`
	DlpPolicy                 *DlpCompliancePolicy       `json:"dlpPolicy,omitempty"`
	RetentionCompliancePolicy *RetentionCompliancePolicy `json:"retentionCompliancePolicy,omitempty"`
	ComplianceSearch          *ComplianceSearch          `json:"complianceSearch,omitempty"`
	Label                     *SensitivityLabel          `json:"label,omitempty"`
	End                       *fileEnd                   `json:"end,omitempty"`
}

func stateFile(dir, tenantID string) string {
	return filepath.Join(dir, filePrefix+tenantID+fileSuffix)
}

// Encode writes t in the state file format.
func Encode(w io.Writer, t *Tenant) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// The first write error sticks; later puts do nothing.
	var err error
	n := 0
	put := func(l fileLine) {
		if err == nil {
			err = enc.Encode(l)
			n++
		}
	}
	put(fileLine{Header: &fileHeader{Format: fileFormat, Version: fileVersion, TenantID: t.ID,
		Organization: t.Organization, Seq: t.Seq, Org: t.Org}})
	for _, x := range t.Recipients {
		put(fileLine{Recipient: x})
	}
	for _, x := range t.AcceptedDomains {
		put(fileLine{AcceptedDomain: x})
	}
	for _, x := range t.TransportRules {
		put(fileLine{TransportRule: x})
	}
	for _, x := range t.RetentionPolicies {
		put(fileLine{RetentionPolicy: x})
	}
	for _, x := range t.ContentFilterPolicies {
		put(fileLine{ContentFilterPolicy: x})
	}
	for _, x := range t.AntiPhishPolicies {
		put(fileLine{AntiPhishPolicy: x})
	}
	for _, x := range t.MalwareFilterPolicies {
		put(fileLine{MalwareFilterPolicy: x})
	}
	for i := range t.MessageTrace {
		put(fileLine{MessageTrace: &t.MessageTrace[i]})
	}
	for i := range t.AuditLog {
		put(fileLine{Audit: &t.AuditLog[i]})
	}
	for _, x := range t.DlpPolicies {
		put(fileLine{DlpPolicy: x})
	}
	for _, x := range t.RetentionCompliancePolicies {
		put(fileLine{RetentionCompliancePolicy: x})
	}
	for _, x := range t.ComplianceSearches {
		put(fileLine{ComplianceSearch: x})
	}
	for _, x := range t.Labels {
		put(fileLine{Label: x})
	}
	put(fileLine{End: &fileEnd{Records: n - 1}})
	return err
}

// LoadDir reads every state file in dir (creating dir if missing) and
// indexes each tenant. normalize, when not nil, checks and converts each
// transport rule's settings, which the cmdlets that own them define.
func LoadDir(dir string, normalize func(*TransportRule) error) ([]*State, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("exchange state folder: %w", err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, filePrefix+"*"+fileSuffix))
	if err != nil {
		return nil, fmt.Errorf("list exchange state files in %s: %w", dir, err)
	}
	var out []*State
	for _, p := range paths {
		t, err := ReadFile(p, normalize)
		if err != nil {
			return nil, err
		}
		want := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), filePrefix), fileSuffix)
		if t.ID != want {
			return nil, fmt.Errorf("exchange state file %s: holds tenant %q, not %q", p, t.ID, want)
		}
		ts, err := NewState(t)
		if err != nil {
			return nil, fmt.Errorf("exchange state file %s: %w", p, err)
		}
		out = append(out, ts)
	}
	return out, nil
}

// ReadFile decodes one state file; any fault names the file and line.
func ReadFile(path string, normalize func(*TransportRule) error) (*Tenant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("exchange state file: %w", err)
	}
	defer f.Close()
	t, err := Decode(f, normalize)
	if err != nil {
		return nil, fmt.Errorf("exchange state file %s is corrupt (fix or delete it): %w", path, err)
	}
	return t, nil
}

// Decode reads a tenant written by Encode; see ReadFile for normalize.
func Decode(r io.Reader, normalize func(*TransportRule) error) (*Tenant, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var t *Tenant
	records := 0
	in := interner{}
	for lineNo := 1; ; lineNo++ {
		raw, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			if err == io.EOF {
				return nil, fmt.Errorf("line %d: file ends without its end record (truncated)", lineNo)
			}
			continue
		}
		var l fileLine
		if jerr := json.Unmarshal(raw, &l); jerr != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, jerr)
		}
		if t == nil {
			h := l.Header
			if h == nil || h.Format != fileFormat {
				return nil, fmt.Errorf("line %d: not an exorun exchange tenant file (no header)", lineNo)
			}
			if h.Version != fileVersion {
				return nil, fmt.Errorf("line %d: format version %d, this exorun reads version %d", lineNo, h.Version, fileVersion)
			}
			t = &Tenant{ID: h.TenantID, Organization: h.Organization, Seq: h.Seq, Org: h.Org}
			continue
		}
		if l.End != nil {
			if l.End.Records != records {
				return nil, fmt.Errorf("line %d: end record counts %d records, the file holds %d", lineNo, l.End.Records, records)
			}
			return t, nil
		}
		records++
		switch {
		case l.Recipient != nil:
			in.recipient(l.Recipient)
			t.Recipients = append(t.Recipients, l.Recipient)
		case l.AcceptedDomain != nil:
			t.AcceptedDomains = append(t.AcceptedDomains, l.AcceptedDomain)
		case l.TransportRule != nil:
			if normalize != nil {
				if err := normalize(l.TransportRule); err != nil {
					return nil, fmt.Errorf("line %d: %w", lineNo, err)
				}
			}
			t.TransportRules = append(t.TransportRules, l.TransportRule)
		case l.RetentionPolicy != nil:
			t.RetentionPolicies = append(t.RetentionPolicies, l.RetentionPolicy)
		case l.ContentFilterPolicy != nil:
			t.ContentFilterPolicies = append(t.ContentFilterPolicies, l.ContentFilterPolicy)
		case l.AntiPhishPolicy != nil:
			t.AntiPhishPolicies = append(t.AntiPhishPolicies, l.AntiPhishPolicy)
		case l.MalwareFilterPolicy != nil:
			t.MalwareFilterPolicies = append(t.MalwareFilterPolicies, l.MalwareFilterPolicy)
		case l.MessageTrace != nil:
			t.MessageTrace = append(t.MessageTrace, *l.MessageTrace)
		case l.Audit != nil:
			t.AuditLog = append(t.AuditLog, *l.Audit)
		case l.DlpPolicy != nil:
			t.DlpPolicies = append(t.DlpPolicies, l.DlpPolicy)
		case l.RetentionCompliancePolicy != nil:
			t.RetentionCompliancePolicies = append(t.RetentionCompliancePolicies, l.RetentionCompliancePolicy)
		case l.ComplianceSearch != nil:
			t.ComplianceSearches = append(t.ComplianceSearches, l.ComplianceSearch)
		case l.Label != nil:
			t.Labels = append(t.Labels, l.Label)
		default:
			return nil, fmt.Errorf("line %d: no record this exorun knows", lineNo)
		}
		if err == io.EOF {
			return nil, fmt.Errorf("line %d: file ends without its end record (truncated)", lineNo)
		}
	}
}

// Save replaces the state file of t in dir atomically.
func Save(dir string, t *Tenant) error {
	if err := atomicfile.Write(stateFile(dir, t.ID), 0o600, func(w io.Writer) error { return Encode(w, t) }); err != nil {
		return fmt.Errorf("save tenant %s: %w", t.ID, err)
	}
	return nil
}

// Remove deletes the state file of a tenant; a missing file is no error.
func Remove(dir, tenantID string) error {
	err := os.Remove(stateFile(dir, tenantID))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// interner shares the strings that repeat across a loaded tenant (a
// department, a device model), as Generate does, so a tenant read back
// from disk costs about the memory it had before.
type interner map[string]string

func (in interner) s(p *string) {
	if v, ok := in[*p]; ok {
		*p = v
	} else {
		in[*p] = *p
	}
}

func (in interner) recipient(r *Recipient) {
	for _, p := range []*string{&r.Title, &r.Department, &r.Office, &r.Company, &r.City, &r.CountryOrRegion, &r.FirstName, &r.LastName} {
		in.s(p)
	}
	// Name and alias are usually the same string, and the UPN usually
	// the primary address without its prefix.
	if r.Alias == r.Name {
		r.Alias = r.Name
	}
	if len(r.EmailAddresses) > 0 && strings.HasPrefix(r.EmailAddresses[0], "SMTP:") && r.EmailAddresses[0][5:] == r.UserPrincipalName {
		r.UserPrincipalName = r.EmailAddresses[0][5:]
	}
	if m := r.Mailbox; m != nil {
		in.s(&m.RetentionPolicy)
		for i := range m.Permissions {
			in.s(&m.Permissions[i].InheritanceType)
		}
		for i := range m.Devices {
			d := &m.Devices[i]
			for _, p := range []*string{&d.FriendlyName, &d.DeviceModel, &d.DeviceOS, &d.DeviceType, &d.DeviceUserAgent, &d.ClientType, &d.ClientVersion, &d.DeviceAccessState, &d.DeviceAccessStateReason} {
				in.s(p)
			}
		}
	}
}

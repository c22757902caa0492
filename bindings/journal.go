package bindings

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/connect/adminapi"
)

// JournalFile is the run journal's name in the --out folder.
const JournalFile = "exorun-journal.jsonl"

// journal appends one JSON line per write actually sent: who sent what,
// when, and how it went. It is the record an admin checks after a bulk
// change, and the evidence of what a write_uncertain failure may have done.
type journal struct {
	open func() (io.WriteCloser, error)
	now  func() time.Time
	log  *slog.Logger

	mu  sync.Mutex
	w   io.WriteCloser
	err error // the journal could not be opened; reported once
}

// journalEntry is one line of the journal.
type journalEntry struct {
	Time       string         `json:"time"`
	Tenant     string         `json:"tenant"`
	App        string         `json:"app"`
	Cmdlet     string         `json:"cmdlet"`
	Parameters map[string]any `json:"parameters"`
	RequestID  string         `json:"request_id,omitempty"`
	Outcome    string         `json:"outcome"` // "ok" or the error code
	Error      string         `json:"error,omitempty"`
}

func (j *journal) record(cs *connect.Session, req adminapi.Request, stream *adminapi.Stream, callErr error) {
	if j.open == nil {
		return
	}
	e := journalEntry{
		Time:       j.now().UTC().Format(time.RFC3339Nano),
		Tenant:     cs.Identity.TenantID,
		App:        cs.Identity.AppID,
		Cmdlet:     req.Cmdlet,
		Parameters: redactParams(req.Parameters),
		Outcome:    "ok",
	}
	if stream != nil {
		if ids := stream.RequestIDs(); len(ids) > 0 {
			e.RequestID = ids[0]
		}
	}
	if callErr != nil {
		e.Outcome, e.Error = "error", callErr.Error()
		var ae *adminapi.Error
		if errors.As(callErr, &ae) {
			e.Outcome, e.RequestID = ae.Code, ae.RequestID
		}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.w == nil && j.err == nil {
		if j.w, j.err = j.open(); j.err != nil {
			j.log.Error("the run journal cannot be written; writes are not recorded", "error", j.err)
		}
	}
	if j.w != nil {
		if _, err := j.w.Write(append(line, '\n')); err != nil {
			j.log.Error("run journal write failed", "cmdlet", e.Cmdlet, "outcome", e.Outcome, "error", err)
		}
	}
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.w == nil {
		return j.err
	}
	err := j.w.Close()
	j.w = nil
	return err
}

// secretName matches parameter names whose values are secrets.
var secretName = regexp.MustCompile(`(?i)password|secret|credential|token|key$`)

func redact(name string, v any) any {
	if secretName.MatchString(name) {
		return "(redacted)"
	}
	return v
}

func redactParams(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		if b, ok := v.([]byte); ok {
			v = map[string]any{"bytes": len(b)}
		}
		out[k] = redact(k, v)
	}
	return out
}

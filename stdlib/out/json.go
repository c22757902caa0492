package out

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// tenantKey is the key Options.Tenant is stamped under.
const tenantKey = "tenant"

// writeJSON writes req as one JSON document: an array of objects whose keys
// come in the order of req.columns. runtime.EncodeJSON sorts the keys of
// the objects it meets, so each object is assembled here and only its
// values go through EncodeJSON (nested tables keep its sorted keys). Nil
// values are left out, and so is a column named twice: duplicate keys are
// legal JSON syntax that tools read differently.
func writeJSON(L *lua.LState, w io.Writer, req *request) error {
	var doc bytes.Buffer
	doc.WriteByte('[')
	for i, r := range req.rows {
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.WriteByte('{')
		seen := make(map[string]bool, len(req.columns)+1)
		if req.tenant != "" {
			for _, c := range req.columns {
				if strings.EqualFold(c, tenantKey) && r.RawGetString(c) != lua.LNil {
					// Readers that ignore case (PowerShell's
					// ConvertFrom-Json) refuse two such keys, and
					// a row must always say whose it is.
					return fmt.Errorf("rows[%d].%s: a run over many tenants adds \"tenant\" to every row; name the row's own column otherwise", i+1, c)
				}
			}
			tenant, err := runtime.EncodeJSON(lua.LString(req.tenant), "")
			if err != nil {
				return fmt.Errorf("tenant: %w", err)
			}
			doc.WriteString(`"` + tenantKey + `":`)
			doc.Write(tenant)
			seen[tenantKey] = true
		}
		for _, c := range req.columns {
			v := r.RawGetString(c)
			if v == lua.LNil || seen[c] {
				continue
			}
			if _, ok := v.(*lua.LUserData); ok {
				v = lua.LString(cellText(L, v))
			}
			val, err := runtime.EncodeJSON(v, "")
			if err != nil {
				return fmt.Errorf("rows[%d].%s: %w", i+1, c, err)
			}
			key, err := runtime.EncodeJSON(lua.LString(c), "")
			if err != nil {
				return fmt.Errorf("column %q: %w", c, err)
			}
			if len(seen) > 0 {
				doc.WriteByte(',')
			}
			seen[c] = true
			doc.Write(key)
			doc.WriteByte(':')
			doc.Write(val)
		}
		doc.WriteByte('}')
	}
	doc.WriteByte(']')
	var b bytes.Buffer
	if err := json.Indent(&b, doc.Bytes(), "", "  "); err != nil {
		return fmt.Errorf("indent json: %w", err)
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

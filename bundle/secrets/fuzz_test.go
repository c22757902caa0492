package secrets

import (
	"strings"
	"testing"
)

// FuzzScan checks that Scan never panics, and that its findings are well
// formed: in line order, within the file, never more than maxFindings.
func FuzzScan(f *testing.F) {
	f.Add("main.lua", []byte("local password = \"Welcome2024!\"\nprint(\"password: \" .. p)\n"))
	f.Add("cfg.json", []byte(`{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ"}`))
	f.Add("users.csv", []byte("Name,Password\nalice,Spring2025!x\n"))
	f.Add("x.bin", []byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01})
	f.Add("u.txt", []byte{0xff, 0xfe, 'a', 0, '=', 0})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		findings := Scan(name, data)
		if len(findings) > maxFindings {
			t.Fatalf("%d findings", len(findings))
		}
		lines := strings.Count(string(data), "\n") + 1
		for i, fd := range findings {
			if fd.File != name || fd.Reason == "" || fd.Line < 0 {
				t.Fatalf("malformed finding %+v", fd)
			}
			if i > 0 && findings[i-1].Line > fd.Line {
				t.Fatalf("findings out of order: %v", findings)
			}
			// UTF-16 text has as many lines as its decoded form.
			if fd.Line > lines && !strings.HasPrefix(string(data), "\xff\xfe") && !strings.HasPrefix(string(data), "\xfe\xff") {
				t.Fatalf("finding on line %d of %d", fd.Line, lines)
			}
		}
	})
}

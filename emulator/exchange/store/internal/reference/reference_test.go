package reference

import "testing"

func TestTable(t *testing.T) {
	tab := Table()
	for _, name := range []string{"get-mailbox", "set-mailbox", "search-adminauditlog", "get-label", "get-messagetracev2"} {
		if tab[name] == nil {
			t.Errorf("%s missing", name)
		}
	}
	c := tab["set-mailbox"]
	if p, ok := c.Lookup("cf"); !ok || p.Name != "Confirm" {
		t.Errorf("alias cf: %v %v", p, ok)
	}
	if p, ok := c.Lookup("forwardingsmtpaddress"); !ok || p.Services&ExchangeOnline == 0 {
		t.Errorf("ForwardingSmtpAddress: %v %v", p, ok)
	}
	if _, ok := c.Lookup("Colour"); ok {
		t.Error("found a parameter Set-Mailbox does not have")
	}
	if tab["get-label"].Services&SecurityCompliance == 0 || tab["get-label"].Services&ExchangeOnline != 0 {
		t.Error("Get-Label should be Security & Compliance only")
	}
	// Each call hands out its own table.
	tab["get-mailbox"] = nil
	if Table()["get-mailbox"] == nil {
		t.Error("Table shares state between calls")
	}
}

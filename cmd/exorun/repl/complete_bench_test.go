package repl

import (
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
)

// BenchmarkComplete measures Tab against a session that allows every
// Exchange Online cmdlet of the catalog (about 700): the widest list a
// session can have. Tab should answer well under 5 ms.
func BenchmarkComplete(b *testing.B) {
	c := newTestCompleter(b, "Global Reader")
	var all []*catalog.Cmdlet
	for _, cm := range catalog.All() {
		if cm.Runs(catalog.Exchange) {
			all = append(all, cm)
		}
	}
	exo := c.L.GetGlobal("exo")
	cmdlets := c.Cmdlets
	c.Cmdlets = func(v lua.LValue) ([]*catalog.Cmdlet, bool) {
		if v == exo {
			return all, true
		}
		return cmdlets(v)
	}
	for _, line := range []string{
		"exo.",
		"exo.get_",
		"exo.get_mailbox{Res",
		`exo.get_mailbox{ResultSize = "Un`,
		`exo["Get-`,
		"pri",
	} {
		b.Run(line, func(b *testing.B) {
			for b.Loop() {
				if _, got, _ := c.Complete(line, len(line)); len(got) == 0 {
					b.Fatalf("%s: no candidates", line)
				}
			}
		})
	}
}

package catalog

import (
	"strings"
	"sync"
)

//go:generate go run ./internal/gennames ../../../shared/reference/exo-cmdlets.json names_gen.go

// cmdletIndex builds the generated name table once, on first use; it is
// read-only afterwards.
var cmdletIndex = sync.OnceValue(cmdletNames)

// names says where a cmdlet of the reference runs.
type names struct{ exchange, compliance bool }

// Known reports whether cmdlet (any case) is a real cmdlet of service per
// the shared reference. The emulator uses it to tell a real cmdlet it does
// not model (a clear "not modelled" error) from a name that is no cmdlet
// at all (the service's 403).
func Known(service Service, cmdlet string) bool {
	n, ok := cmdletIndex()[strings.ToLower(cmdlet)]
	if !ok {
		return false
	}
	if service == Compliance {
		return n.compliance
	}
	return n.exchange
}

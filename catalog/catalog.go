package catalog

import (
	"fmt"
	"strings"
)

// Service is where a cmdlet runs. Its value is the name Microsoft's
// reference uses; Key is the short name of settings and connect{}.
type Service string

const (
	Exchange   Service = "Exchange Online"
	Compliance Service = "Security & Compliance"
)

// Key is the service's name in settings, connect{service = ...} and
// logs: "exchange" or "compliance".
func (s Service) Key() string {
	if s == Compliance {
		return "compliance"
	}
	return "exchange"
}

// ParseService reads a service setting in any case: "exchange" (also
// "exo", and empty for the default) or "compliance" (also "scc" and
// "ipps", the PowerShell module's names).
func ParseService(s string) (Service, error) {
	switch strings.ToLower(s) {
	case "", "exchange", "exo":
		return Exchange, nil
	case "compliance", "scc", "ipps":
		return Compliance, nil
	}
	return "", fmt.Errorf(`service %q: want "exchange" or "compliance"`, s)
}

// Effect says whether running a cmdlet may change the tenant. It decides
// retries (a write is never retried once the service may have received it)
// and which roles may run it (readers run only reads).
type Effect int

const (
	// Write is the zero Effect on purpose: a cmdlet whose effect is not
	// known is treated as one that changes the tenant.
	Write Effect = iota
	// Read is the effect of the verbs Get, Search and Test (readVerbs).
	// Export-* is a Write: several exports create report jobs or hand
	// out message content (Export-QuarantineMessage), which a reader
	// must not get by default. Test-Message is a Read although it can
	// mail a report: it changes no configuration.
	Read
)

func (e Effect) String() string {
	if e == Read {
		return "read"
	}
	return "write"
}

// Support says whether a cmdlet works in an app-only session. The zero
// value is supported.
type Support struct {
	Unsupported bool
	Reason      string // why, with the source; empty when supported
}

// Named is SetParam.Position for a parameter that has no position.
const Named = -1

// Cmdlet is one Exchange Online or Security & Compliance cmdlet. Values
// handed out by this package are shared and must be treated as read-only.
type Cmdlet struct {
	Name     string    // "Get-Mailbox"
	Verb     string    // "Get"
	Noun     string    // "Mailbox"
	Services []Service // Exchange, Compliance or both, in that order
	Effect   Effect
	// Parameters are sorted by name, case-insensitively. CommonParameters
	// (Verbose, ErrorAction...) are not listed.
	Parameters []Parameter
	Sets       []ParameterSet // sorted by name, case-insensitively
	// WrapperOf names the server cmdlet for the module's Get-EXO*
	// wrappers ("Get-Mailbox" for Get-EXOMailbox); empty otherwise. See
	// wrappers.go.
	WrapperOf string
	AppOnly   Support

	snake   string       // SnakeName, computed once when the catalog loads
	aliases []paramAlias // the parameters' aliases, for Param
}

// paramAlias points an alias at its parameter.
type paramAlias struct {
	alias string
	index int
}

// Parameter is one parameter of a cmdlet.
type Parameter struct {
	Name string
	// Type is the reference's type as written: "MailboxIdParameter",
	// "Unlimited", "MultiValuedProperty", "SwitchParameter",
	// "System.DateTime"... Kind classifies it.
	Type     string
	Switch   bool
	Aliases  []string
	Services []Service // the services that accept it, a subset of the cmdlet's
	// ClientSide parameters are understood by Microsoft's PowerShell
	// module, not by the service (-PropertySets and -Properties of the
	// Get-EXO* wrappers): a binding turns them into $select and never
	// sends them.
	ClientSide bool
}

// ParameterSet is one syntax of a cmdlet.
type ParameterSet struct {
	Name    string // "__AllParameterSets" when the page names none
	Default bool
	Params  []SetParam // in the cmdlet's parameter order
	// DroppedRequired names required parameters of this set that apply
	// to neither service (Exchange Server only). Such a set is probably
	// unusable in Exchange Online; the reference's inference can be
	// wrong, so the set is kept and this says why to distrust it.
	DroppedRequired []string
}

// SetParam is a parameter's role in one parameter set.
type SetParam struct {
	Name     string
	Required bool
	// Position is the position as the reference writes it, or Named.
	// Pages count from 0 or from 1, so use it only to order positional
	// parameters.
	Position int
}

// Runs reports whether the cmdlet exists in service.
func (c *Cmdlet) Runs(service Service) bool { return hasService(c.Services, service) }

// Runs reports whether service accepts the parameter.
func (p *Parameter) Runs(service Service) bool { return hasService(p.Services, service) }

func hasService(list []Service, s Service) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Param finds a parameter by its name or one of its aliases, ignoring
// case ("resultsize", "cf"). Unlike PowerShell it does not accept
// abbreviations: a script that says -Result today would break the day
// Microsoft adds -ResultFormat. Suggest offers the names instead.
func (c *Cmdlet) Param(name string) (*Parameter, bool) {
	ps := c.Parameters
	lo, hi := 0, len(ps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareFold(ps[m].Name, name) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ps) && compareFold(ps[lo].Name, name) == 0 {
		return &ps[lo], true
	}
	for _, a := range c.aliases {
		if equalFoldASCII(a.alias, name) {
			return &ps[a.index], true
		}
	}
	return nil, false
}

// Set finds a parameter set by name, ignoring case.
func (c *Cmdlet) Set(name string) (*ParameterSet, bool) {
	for i := range c.Sets {
		if equalFoldASCII(c.Sets[i].Name, name) {
			return &c.Sets[i], true
		}
	}
	return nil, false
}

// DefaultSet is the set marked default, or the only set, or nil when the
// cmdlet has several and none is marked.
func (c *Cmdlet) DefaultSet() *ParameterSet {
	for i := range c.Sets {
		if c.Sets[i].Default {
			return &c.Sets[i]
		}
	}
	if len(c.Sets) == 1 {
		return &c.Sets[0]
	}
	return nil
}

// Server is the cmdlet the service runs for c: the wrapped cmdlet for a
// Get-EXO* wrapper, c itself otherwise.
func (c *Cmdlet) Server() *Cmdlet {
	if c.WrapperOf == "" {
		return c
	}
	if s, ok := Lookup(c.WrapperOf); ok {
		return s
	}
	return c
}

// Param finds a parameter of the set by name, ignoring case.
func (s *ParameterSet) Param(name string) (*SetParam, bool) {
	for i := range s.Params {
		if equalFoldASCII(s.Params[i].Name, name) {
			return &s.Params[i], true
		}
	}
	return nil, false
}

// compareFold orders ASCII strings as strings.ToLower(a) vs
// strings.ToLower(b) would, without allocating. Cmdlet and parameter names
// are ASCII (the generator checks).
func compareFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := lowerASCII(a[i]), lowerASCII(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func equalFoldASCII(a, b string) bool { return len(a) == len(b) && compareFold(a, b) == 0 }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EffectOf is the effect of a cmdlet by its verb, for names the catalog
// may not hold (exo.invoke passes any name through).
func EffectOf(cmdlet string) Effect {
	verb, _, _ := strings.Cut(cmdlet, "-")
	return effectOf(verb)
}

// effectOf classifies a verb: Get, Search and Test read; every other verb
// (Set, New, Remove, Add, Enable, Start, Export, Invoke...) writes.
func effectOf(verb string) Effect {
	switch {
	case equalFoldASCII(verb, "Get"), equalFoldASCII(verb, "Search"), equalFoldASCII(verb, "Test"):
		return Read
	}
	return Write
}

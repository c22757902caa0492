package reference

import "strings"

//go:generate go run gen/main.go -in ../../../../../../shared/reference/exo-cmdlets.json -out table.go

// Service bits say where a cmdlet or a parameter applies.
type Service uint8

const (
	ExchangeOnline Service = 1 << iota
	SecurityCompliance
)

// Param is one parameter of a cmdlet.
type Param struct {
	Name     string
	Type     string
	Switch   bool
	Aliases  []string
	Services Service
}

// SetParam is a parameter's place in a parameter set.
type SetParam struct {
	Name     string
	Required bool
}

// Set is one parameter set. Dropped names required parameters that apply
// to neither Exchange Online nor Security & Compliance: such a set cannot
// be used against the cloud services.
type Set struct {
	Name    string
	Default bool
	Params  []SetParam
	Dropped []string
}

// Cmdlet is the reference declaration of one cmdlet.
type Cmdlet struct {
	Name     string
	Services Service
	Params   []Param
	Sets     []Set
}

// Lookup finds a parameter by exact (case-insensitive) name or alias.
func (c *Cmdlet) Lookup(name string) (*Param, bool) {
	for i := range c.Params {
		p := &c.Params[i]
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
		for _, a := range p.Aliases {
			if strings.EqualFold(a, name) {
				return p, true
			}
		}
	}
	return nil, false
}

// Table returns the declarations of the modelled cmdlets, keyed by
// lower-case name. Each call builds a fresh map so callers own it.
func Table() map[string]*Cmdlet {
	list := generated()
	list = append(list, extra()...)
	m := make(map[string]*Cmdlet, len(list))
	for i := range list {
		m[strings.ToLower(list[i].Name)] = &list[i]
	}
	return m
}

// extra declares cmdlets that exorun's catalog knows but the published
// reference no longer lists for the cloud: Microsoft's page for
// Search-AdminAuditLog is marked Exchange Server only since the cmdlet's
// retirement in Exchange Online was announced, yet tenants still answer it
// and the scripts this emulator serves use it. The parameters are those of
// the Exchange Online version of the page.
func extra() []Cmdlet {
	both := ExchangeOnline
	return []Cmdlet{{
		Name:     "Search-AdminAuditLog",
		Services: ExchangeOnline,
		Params: []Param{
			{Name: "Cmdlets", Type: "MultiValuedProperty", Services: both},
			{Name: "EndDate", Type: "ExDateTime", Services: both},
			{Name: "ExternalAccess", Type: "Boolean", Services: both},
			{Name: "IsSuccess", Type: "Boolean", Services: both},
			{Name: "ObjectIds", Type: "MultiValuedProperty", Services: both},
			{Name: "Parameters", Type: "MultiValuedProperty", Services: both},
			{Name: "ResultSize", Type: "Int32", Services: both},
			{Name: "StartDate", Type: "ExDateTime", Services: both},
			{Name: "StartIndex", Type: "Int32", Services: both},
			{Name: "UserIds", Type: "MultiValuedProperty", Services: both},
		},
		Sets: []Set{{Name: "__AllParameterSets", Params: []SetParam{
			{Name: "Cmdlets"}, {Name: "EndDate"}, {Name: "ExternalAccess"}, {Name: "IsSuccess"},
			{Name: "ObjectIds"}, {Name: "Parameters"}, {Name: "ResultSize"}, {Name: "StartDate"},
			{Name: "StartIndex"}, {Name: "UserIds"},
		}}},
	}}
}

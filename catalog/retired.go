package catalog

import (
	"slices"
	"strings"
)

// Some cmdlets the service still answers are gone from the reference's
// cloud pages: Microsoft marks the page of Search-AdminAuditLog "Exchange
// Server only" since the cmdlet's retirement in Exchange Online was
// announced, so the generator (which keeps what runs in a cloud service)
// drops it, yet tenants still run it and scripts rely on it. Declaring it
// here, merged when the catalog loads, gives every consumer the same
// declaration (bindings, role filter, emulator) without touching the
// generated file, which must stay what the reference says.

// retiredCmdlets declares them with the parameters of the Exchange Online
// version of their page. Parameters must be sorted by name.
func retiredCmdlets() []Cmdlet {
	exo := []Service{Exchange}
	p := func(name, typ string) Parameter { return Parameter{Name: name, Type: typ, Services: exo} }
	params := []Parameter{
		p("Cmdlets", "MultiValuedProperty"),
		p("EndDate", "ExDateTime"),
		p("ExternalAccess", "Boolean"),
		p("IsSuccess", "Boolean"),
		p("ObjectIds", "MultiValuedProperty"),
		p("Parameters", "MultiValuedProperty"),
		p("ResultSize", "Int32"),
		p("StartDate", "ExDateTime"),
		p("StartIndex", "Int32"),
		p("UserIds", "MultiValuedProperty"),
	}
	set := ParameterSet{Name: "__AllParameterSets"}
	for _, x := range params {
		set.Params = append(set.Params, SetParam{Name: x.Name, Position: Named})
	}
	return []Cmdlet{{
		Name: "Search-AdminAuditLog", Verb: "Search", Noun: "AdminAuditLog",
		Services: exo, Effect: Read, Parameters: params, Sets: []ParameterSet{set},
	}}
}

// addRetired merges retiredCmdlets into a decoded index, keeping its
// order. A name the reference lists again is left to the reference.
func addRetired(ix *index) {
	for _, r := range retiredCmdlets() {
		key := strings.ToLower(r.Name)
		if _, ok := ix.byName[key]; ok {
			continue
		}
		c := &r
		c.snake = snakeName(c.Name)
		for i := range c.Parameters {
			for _, a := range c.Parameters[i].Aliases {
				c.aliases = append(c.aliases, paramAlias{a, i})
			}
		}
		at, _ := slices.BinarySearchFunc(ix.cmdlets, c.Name, func(x *Cmdlet, name string) int { return compareFold(x.Name, name) })
		ix.cmdlets = slices.Insert(ix.cmdlets, at, c)
		ix.byName[key] = c
		if _, dup := ix.bySnake[c.snake]; dup || ix.ambiguous[c.snake] != nil {
			ix.ambiguous[c.snake] = append(ix.ambiguous[c.snake], c.Name)
			delete(ix.bySnake, c.snake)
			continue
		}
		ix.bySnake[c.snake] = c
	}
}

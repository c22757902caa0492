package repl

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/exorun/exorun/catalog"
)

// helpWidth is where help wraps its long lines (role lists, syntax,
// values).
const helpWidth = 100

// exampleParams is the most parameters the Lua example names.
const exampleParams = 3

// maxParamHead is the widest name and type the parameter notes align
// after.
const maxParamHead = 48

// CmdletHelp prints what PowerShell's Get-Help shows of a cmdlet's
// syntax, from the catalog alone: its names, effect, services, the roles
// that grant it in service, app-only support, a syntax line per parameter
// set, each parameter, and a Lua call to start from.
func CmdletHelp(w io.Writer, c *catalog.Cmdlet, service catalog.Service) {
	var b strings.Builder
	b.WriteString(c.Name + "\n")
	// field writes "  name:     value", wrapped between words; a role
	// name is one word.
	field := func(name string, words ...string) {
		wrapTo(&b, fmt.Sprintf("  %-10s ", name+":"), words)
	}
	field("lua", "exo."+c.SnakeName())
	field("effect", c.Effect.String())
	var services []string
	for _, s := range c.Services {
		services = append(services, string(s))
	}
	field("services", commaWords(services)...)
	if c.WrapperOf != "" {
		field("runs", strings.Fields(c.WrapperOf+" (this is a wrapper of Microsoft's PowerShell module)")...)
	}
	if c.Runs(service) {
		var roles []string
		for _, r := range c.GrantingRoles(service) {
			roles = append(roles, r.Name)
		}
		if len(roles) == 0 {
			roles = []string{"no directory role exorun knows"}
		}
		field("roles", append(commaWords(roles), "(in "+string(service)+")")...)
	} else {
		field("roles", strings.Fields("none: "+string(service)+" does not run it")...)
	}
	if c.AppOnly.Unsupported {
		field("app-only", strings.Fields("no: "+c.AppOnly.Reason)...)
	} else {
		field("app-only", "yes")
	}

	b.WriteString("\nSyntax:\n")
	if len(c.Sets) == 0 {
		b.WriteString("  " + c.Name + "\n")
	}
	for i := range c.Sets {
		set := &c.Sets[i]
		indent := "  "
		if len(c.Sets) > 1 {
			name := set.Name
			if set.Default {
				name += " (default)"
			}
			b.WriteString("  " + name + "\n")
			indent = "    "
		}
		wrapTo(&b, indent, syntax(c, set))
		for _, p := range set.DroppedRequired {
			fmt.Fprintf(&b, "%s(requires -%s, which only Exchange Server has: probably unusable here)\n", indent, p)
		}
	}

	if len(c.Parameters) > 0 {
		b.WriteString("\nParameters:\n")
	}
	// Notes start in one column, after the longest name and type up to
	// maxParamHead; a longer one puts its notes on the next line.
	head := 0
	for i := range c.Parameters {
		head = max(head, min(len(paramHead(&c.Parameters[i])), maxParamHead))
	}
	for i := range c.Parameters {
		p := &c.Parameters[i]
		prefix := fmt.Sprintf("  %-*s  ", head, paramHead(p))
		notes := strings.Fields(paramNotes(c, p))
		if len(prefix) > head+4 && len(notes) > 0 {
			b.WriteString(strings.TrimRight(prefix, " ") + "\n")
			prefix = strings.Repeat(" ", head+4)
		}
		wrapTo(&b, prefix, notes)
		if values := p.Values(); len(values) > 0 {
			wrapTo(&b, "      values: ", commaWords(values))
		}
	}

	fmt.Fprintf(&b, "\nExample:\n  %s\n", example(c))
	io.WriteString(w, b.String())
}

// ordered returns a set's parameters as PowerShell's syntax orders them:
// positional ones by position, then required ones, then the rest in the
// catalog's order.
func ordered(set *catalog.ParameterSet) []catalog.SetParam {
	params := slices.Clone(set.Params)
	rank := func(sp catalog.SetParam) int {
		switch {
		case sp.Position != catalog.Named:
			return 0
		case sp.Required:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(params, func(a, b catalog.SetParam) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if rank(a) == 0 {
			return a.Position - b.Position
		}
		return 0
	})
	return params
}

// syntax returns the words of a set's syntax line: the cmdlet, then its
// parameters in order, optional ones in brackets, a switch without type.
func syntax(c *catalog.Cmdlet, set *catalog.ParameterSet) []string {
	words := []string{c.Name}
	for _, sp := range ordered(set) {
		word := "-" + sp.Name
		if p, ok := c.Param(sp.Name); ok && !p.Switch {
			word += " <" + p.Type + ">"
		}
		if !sp.Required {
			word = "[" + word + "]"
		}
		words = append(words, word)
	}
	return words
}

// paramHead is a parameter's name and type, or (switch).
func paramHead(p *catalog.Parameter) string {
	if p.Switch {
		return "-" + p.Name + " (switch)"
	}
	return "-" + p.Name + " <" + p.Type + ">"
}

// paramNotes describes a parameter beyond its type: the sets that require
// it, its aliases, the services that take it when not all of the
// cmdlet's do, and whether only exorun reads it.
func paramNotes(c *catalog.Cmdlet, p *catalog.Parameter) string {
	var notes []string
	var in, requiredIn []string
	for _, set := range c.Sets {
		if sp, ok := set.Param(p.Name); ok {
			in = append(in, set.Name)
			if sp.Required {
				requiredIn = append(requiredIn, set.Name)
			}
		}
	}
	switch {
	case len(requiredIn) == 0:
	case len(requiredIn) == len(in):
		notes = append(notes, "required")
	default:
		notes = append(notes, "required in "+strings.Join(requiredIn, ", "))
	}
	if len(p.Aliases) > 0 {
		notes = append(notes, "aliases "+strings.Join(p.Aliases, ", "))
	}
	if len(p.Services) < len(c.Services) {
		var only []string
		for _, s := range p.Services {
			only = append(only, string(s))
		}
		notes = append(notes, "only in "+strings.Join(only, ", "))
	}
	if p.ClientSide {
		notes = append(notes, "read by exorun, not sent")
	}
	return strings.Join(notes, "; ")
}

// example is a Lua call of the cmdlet with the positional and required
// parameters of its default set, and ResultSize where the set has it,
// each given a placeholder of its kind. Without a default set it takes
// the set named Identity, the usual default the reference fails to mark
// (Get-Mailbox), else the first.
func example(c *catalog.Cmdlet) string {
	set := c.DefaultSet()
	if set == nil {
		set, _ = c.Set("Identity")
	}
	if set == nil && len(c.Sets) > 0 {
		set = &c.Sets[0]
	}
	var args []string
	if set != nil {
		for _, sp := range ordered(set) {
			p, ok := c.Param(sp.Name)
			if !ok || len(args) == exampleParams || (sp.Position == catalog.Named && !sp.Required && sp.Name != "ResultSize") {
				continue
			}
			args = append(args, sp.Name+" = "+placeholder(p))
		}
	}
	if len(args) == 0 {
		return "exo." + c.SnakeName() + "{}"
	}
	return "exo." + c.SnakeName() + "{ " + strings.Join(args, ", ") + " }"
}

// placeholder is a Lua value of the parameter's kind.
func placeholder(p *catalog.Parameter) string {
	if values := p.Values(); len(values) > 0 {
		return fmt.Sprintf("%q", values[0])
	}
	switch p.Kind() {
	case catalog.KindSwitch, catalog.KindBool:
		return "true"
	case catalog.KindInt:
		return "10"
	case catalog.KindUnlimited:
		return `"Unlimited"`
	case catalog.KindDate:
		return `"2025-01-31"`
	case catalog.KindMultiValued:
		return `{ "..." }`
	case catalog.KindHashtable:
		return `{ Key = "..." }`
	}
	return `"..."`
}

// commaWords is items as words of a comma-separated list, for wrapTo.
func commaWords(items []string) []string {
	words := slices.Clone(items)
	for i := range len(words) - 1 {
		words[i] += ","
	}
	return words
}

// wrapTo writes words after prefix, wrapped at helpWidth; continuation
// lines are indented as wide as prefix. A word wider than the line is
// not cut. Lines end without spaces (a prefix padded for words that did
// not come).
func wrapTo(b *strings.Builder, prefix string, words []string) {
	indent := strings.Repeat(" ", len(prefix))
	line := prefix
	for i, word := range words {
		if i > 0 && len(line)+1+len(word) > helpWidth {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent + word
			continue
		}
		if i > 0 {
			line += " "
		}
		line += word
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
}

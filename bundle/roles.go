package bundle

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/exorun/exorun/catalog"
)

// need is one cmdlet on the service it is granted for.
type need struct {
	cmdlet  string
	service catalog.Service
}

// needs are the declared cmdlets on their services (Cmdlet.ServiceOf).
func needs(cmdlets []Cmdlet) []need {
	out := make([]need, 0, len(cmdlets))
	for _, d := range cmdlets {
		n := need{cmdlet: d.Name, service: d.ServiceOf()}
		if c, ok := catalog.Lookup(d.Name); ok {
			n.cmdlet = c.Name
		}
		out = append(out, n)
	}
	return out
}

// Services are the services the declared cmdlets run in, in catalog
// order.
func Services(cmdlets []Cmdlet) []string {
	var out []string
	for _, s := range []catalog.Service{catalog.Exchange, catalog.Compliance} {
		for _, n := range needs(cmdlets) {
			if n.service == s {
				out = append(out, string(s))
				break
			}
		}
	}
	return out
}

// SmallestRoles is the least set of directory roles that grants every
// cmdlet: fewest roles first, then the least privilege: fewest write
// cmdlets granted in all, then fewest read cmdlets (so a read-only
// bundle asks for Global Reader, not a role that also writes), then
// catalog order. A cmdlet no role grants to an app is an error naming it.
func SmallestRoles(cmdlets []Cmdlet) ([]string, error) {
	roles := catalog.Roles()
	ns := needs(cmdlets)
	if len(ns) == 0 {
		return nil, nil
	}
	// grants[i] is the set of roles (bit j = roles[j]) granting ns[i].
	grants := make([]uint32, len(ns))
	var ungranted []string
	for i, n := range ns {
		for j, r := range roles {
			if catalog.Grants(r, n.cmdlet, n.service) {
				grants[i] |= 1 << j
			}
		}
		if grants[i] == 0 {
			ungranted = append(ungranted, n.cmdlet)
		}
	}
	if len(ungranted) > 0 {
		return nil, fmt.Errorf("no directory role grants %s to an app", strings.Join(ungranted, ", "))
	}
	// privilege[j] weighs what roles[j] grants: a write outweighs every
	// read together.
	const writeWeight = 1 << 16
	privilege := make([]int, len(roles))
	for j, r := range roles {
		for _, c := range catalog.All() {
			for _, s := range c.Services {
				if !catalog.Grants(r, c.Name, s) {
					continue
				}
				if c.Effect == catalog.Write {
					privilege[j] += writeWeight
				} else {
					privilege[j]++
				}
			}
		}
	}
	cost := func(set uint32) int {
		total := 0
		for j := range roles {
			if set&(1<<j) != 0 {
				total += privilege[j]
			}
		}
		return total
	}
	var best uint32
	for set := uint32(1); set < 1<<len(roles); set++ {
		covers := true
		for _, g := range grants {
			if g&set == 0 {
				covers = false
				break
			}
		}
		if !covers {
			continue
		}
		if best == 0 || bits.OnesCount32(set) < bits.OnesCount32(best) ||
			bits.OnesCount32(set) == bits.OnesCount32(best) && cost(set) < cost(best) {
			best = set
		}
	}
	var out []string
	for j, r := range roles {
		if best&(1<<j) != 0 {
			out = append(out, r.Name)
		}
	}
	return slices.Clip(out), nil
}

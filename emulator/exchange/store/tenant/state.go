package tenant

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/exorun/exorun/emulator/exchange"
)

// State is a tenant with its lock and identity indexes. The lock guards
// everything reachable from T; cmdlets that only read take it shared,
// writes take it exclusively for the whole call so each call is atomic.
// Methods expect the caller to hold it.
type State struct {
	sync.RWMutex
	T       *Tenant
	Version uint64 // bumped by every change (under the write lock)
	// Saved is the Version last written to disk; the store's saver owns
	// it (under its own save lock).
	Saved  uint64
	byGUID map[UUID]*Recipient // Guid, ExchangeGuid and ExternalDirectoryObjectId
	names  nameIndex           // lower-case names and addresses
}

func NewState(t *Tenant) (*State, error) {
	if t == nil {
		return nil, fmt.Errorf("nil tenant")
	}
	if t.ID == "" || strings.ContainsAny(t.ID, `/\:`) || strings.HasPrefix(t.ID, ".") {
		return nil, fmt.Errorf("tenant id %q is not usable as a file name", t.ID)
	}
	if t.Organization == "" {
		return nil, fmt.Errorf("tenant %s has no organization domain", t.ID)
	}
	ts := &State{
		T:      t,
		byGUID: make(map[UUID]*Recipient, len(t.Recipients)*3),
		names:  newNameIndex(len(t.Recipients) * 4),
	}
	for _, r := range t.Recipients {
		if err := ts.checkRecipient(r); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", t.ID, err)
		}
		ts.Index(r)
	}
	return ts, nil
}

func (ts *State) checkRecipient(r *Recipient) error {
	if r == nil {
		return fmt.Errorf("nil recipient")
	}
	if r.Kind < UserMailbox || r.Kind > LastKind {
		return fmt.Errorf("recipient %q has no valid kind", r.Name)
	}
	if r.Name == "" || r.Guid.IsZero() {
		return fmt.Errorf("recipient %q lacks a name or guid", r.Name)
	}
	if r.Kind.IsMailbox() != (r.Mailbox != nil) {
		return fmt.Errorf("recipient %q: a %s must have mailbox data exactly when it is a mailbox", r.Name, r.Kind)
	}
	isGroup := r.Kind.IsDistributionGroup() || r.Kind == GroupMailbox
	if isGroup != (r.Group != nil) {
		return fmt.Errorf("recipient %q: a %s must have group data exactly when it is a group", r.Name, r.Kind)
	}
	for _, g := range r.guids() {
		if other := ts.byGUID[g]; other != nil && other != r {
			return fmt.Errorf("recipients %q and %q share guid %s", other.Name, r.Name, g)
		}
	}
	return nil
}

func (r *Recipient) guids() []UUID {
	out := []UUID{r.Guid}
	if !r.ExternalDirectoryObjectID.IsZero() {
		out = append(out, r.ExternalDirectoryObjectID)
	}
	if r.Mailbox != nil && !r.Mailbox.ExchangeGuid.IsZero() {
		out = append(out, r.Mailbox.ExchangeGuid)
	}
	return out
}

// keys are the lower-case strings an identity may use for r: name, alias,
// display name, UPN and every SMTP proxy and external address. Repeats
// are removed so the index sees each key once per recipient.
func (r *Recipient) keys() []string {
	out := make([]string, 0, 6)
	add := func(s string) {
		if s == "" {
			return
		}
		k := strings.ToLower(s)
		for _, have := range out {
			if have == k {
				return
			}
		}
		out = append(out, k)
	}
	add(r.Name)
	add(r.Alias)
	add(r.DisplayName)
	add(r.UserPrincipalName)
	for _, a := range r.EmailAddresses {
		if p, addr, ok := strings.Cut(a, ":"); ok && strings.EqualFold(p, "smtp") {
			add(addr)
		}
	}
	if _, addr, ok := strings.Cut(r.ExternalEmailAddress, ":"); ok {
		add(addr)
	}
	return out
}

func (ts *State) Index(r *Recipient) {
	for _, g := range r.guids() {
		ts.byGUID[g] = r
	}
	for _, k := range r.keys() {
		ts.names.add(k, r)
	}
}

func (ts *State) Unindex(r *Recipient) {
	for _, g := range r.guids() {
		if ts.byGUID[g] == r {
			delete(ts.byGUID, g)
		}
	}
	for _, k := range r.keys() {
		ts.names.remove(k, r)
	}
}

// nameIndex maps a key to the recipients that answer to it. Nearly every
// key is unique, so the common case costs one map entry holding one
// pointer; shared keys (two "John Smith"s) move to the many map.
type nameIndex struct {
	one  map[string]*Recipient
	many map[string][]*Recipient
}

func newNameIndex(n int) nameIndex {
	return nameIndex{one: make(map[string]*Recipient, n), many: map[string][]*Recipient{}}
}

func (x nameIndex) add(k string, r *Recipient) {
	if cur, ok := x.one[k]; ok {
		if cur != r {
			delete(x.one, k)
			x.many[k] = []*Recipient{cur, r}
		}
		return
	}
	if list, ok := x.many[k]; ok {
		for _, have := range list {
			if have == r {
				return
			}
		}
		x.many[k] = append(list, r)
		return
	}
	x.one[k] = r
}

func (x nameIndex) remove(k string, r *Recipient) {
	if x.one[k] == r {
		delete(x.one, k)
		return
	}
	list := x.many[k]
	for i, have := range list {
		if have == r {
			// Copy rather than splice: a slice handed out by get must
			// not change under its reader.
			rest := make([]*Recipient, 0, len(list)-1)
			rest = append(rest, list[:i]...)
			rest = append(rest, list[i+1:]...)
			if len(rest) == 1 {
				delete(x.many, k)
				x.one[k] = rest[0]
			} else {
				x.many[k] = rest
			}
			return
		}
	}
}

func (x nameIndex) get(k string) []*Recipient {
	if r, ok := x.one[k]; ok {
		return []*Recipient{r}
	}
	return x.many[k]
}

// Kinds is a set of recipient Kinds an identity parameter accepts.
type Kinds uint32

func KindSet(ks ...Kind) Kinds {
	var s Kinds
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

func (s Kinds) Has(k Kind) bool { return s&(1<<k) != 0 }

func MailboxKinds() Kinds { return KindSet(UserMailbox, SharedMailbox, RoomMailbox, EquipmentMailbox) }
func DLKinds() Kinds {
	return KindSet(MailUniversalDistributionGroup, MailUniversalSecurityGroup, RoomList)
}
func RecipientKinds() Kinds {
	return MailboxKinds() | DLKinds() | KindSet(MailUser, MailContact, GroupMailbox)
}
func UserKinds() Kinds { return MailboxKinds() | KindSet(MailUser, User) }

// lookup finds the recipients of the wanted Kinds an identity names: a
// GUID (Guid, ExchangeGuid, ExternalDirectoryObjectId), a name, alias,
// display name, UPN, any SMTP proxy address (with or without "smtp:"), or
// a distinguished name's CN.
func (ts *State) Lookup(id string, want Kinds) []*Recipient {
	id = strings.TrimSpace(id)
	if u, ok := ParseUUID(id); ok {
		if r := ts.byGUID[u]; r != nil && want.Has(r.Kind) {
			return []*Recipient{r}
		}
		return nil
	}
	key := strings.ToLower(id)
	if strings.HasPrefix(key, "smtp:") {
		key = key[5:]
	} else if strings.HasPrefix(key, "cn=") {
		cn, _, _ := strings.Cut(key[3:], ",")
		key = cn
	}
	var out []*Recipient
	for _, r := range ts.names.get(key) {
		if want.Has(r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

// resolve is lookup that insists on exactly one match, failing as the
// service does.
func (ts *State) Resolve(id string, want Kinds) (*Recipient, error) {
	list := ts.Lookup(id, want)
	switch len(list) {
	case 0:
		return nil, exchange.NotFound(id)
	case 1:
		return list[0], nil
	}
	return nil, Ambiguous(id)
}

func Ambiguous(id string) error {
	return exchange.Invalid("The operation couldn't be performed because '%s' matches multiple entries.", id)
}

func (ts *State) ByID(u UUID) *Recipient { return ts.byGUID[u] }

// nameOf renders a reference to another recipient as Exchange does (its
// Name); a dangling reference shows the GUID.
func (ts *State) NameOf(u UUID) string {
	if r := ts.byGUID[u]; r != nil {
		return r.Name
	}
	return u.String()
}

func (ts *State) NamesOf(list []UUID) []string {
	out := make([]string, 0, len(list))
	for _, u := range list {
		out = append(out, ts.NameOf(u))
	}
	return out
}

// principalOf is how permission cmdlets show a trustee: its UPN when it
// has one, else its primary address, else its name.
func (ts *State) PrincipalOf(u UUID) string {
	r := ts.byGUID[u]
	if r == nil {
		return u.String()
	}
	if r.UserPrincipalName != "" {
		return r.UserPrincipalName
	}
	if p := r.PrimarySmtpAddress(); p != "" {
		return p
	}
	return r.Name
}

func (ts *State) NameTaken(name string, except *Recipient) *Recipient {
	for _, r := range ts.names.get(strings.ToLower(name)) {
		if r != except && (strings.EqualFold(r.Name, name) || strings.EqualFold(r.Alias, name)) {
			return r
		}
	}
	return nil
}

func (ts *State) AddressTaken(addr string, except *Recipient) *Recipient {
	for _, r := range ts.names.get(strings.ToLower(addr)) {
		if r == except {
			continue
		}
		for _, e := range r.EmailAddresses {
			if _, a, _ := strings.Cut(e, ":"); strings.EqualFold(a, addr) {
				return r
			}
		}
		if strings.EqualFold(r.UserPrincipalName, addr) {
			return r
		}
	}
	return nil
}

// removeRecipient deletes r and every reference other objects hold to it
// (memberships, owners, delegates, permissions, forwarding), replacing
// the slices it edits so results already handed out stay consistent.
func (ts *State) RemoveRecipient(r *Recipient) {
	ts.Unindex(r)
	ts.T.Recipients = slices.DeleteFunc(slices.Clone(ts.T.Recipients), func(x *Recipient) bool { return x == r })
	u := r.Guid
	drop := func(list []UUID) ([]UUID, bool) {
		if !slices.Contains(list, u) {
			return list, false
		}
		return slices.DeleteFunc(slices.Clone(list), func(x UUID) bool { return x == u }), true
	}
	for _, x := range ts.T.Recipients {
		x.GrantSendOnBehalfTo, _ = drop(x.GrantSendOnBehalfTo)
		x.SendAs, _ = drop(x.SendAs)
		if x.Group != nil {
			g := *x.Group
			var c1, c2 bool
			g.Members, c1 = drop(g.Members)
			g.ManagedBy, c2 = drop(g.ManagedBy)
			if c1 || c2 {
				x.Group = &g
			}
		}
		if x.Mailbox != nil {
			m := *x.Mailbox
			changed := false
			if m.ForwardingAddress == u {
				m.ForwardingAddress, changed = UUID{}, true
			}
			if slices.ContainsFunc(m.Permissions, func(p Permission) bool { return p.User == u }) {
				m.Permissions = slices.DeleteFunc(slices.Clone(m.Permissions), func(p Permission) bool { return p.User == u })
				changed = true
			}
			if changed {
				x.Mailbox = &m
			}
		}
	}
}

// Counts are the numbers of a tenant's objects.
type Counts struct {
	Mailboxes, UserMailboxes, SharedMailboxes, RoomMailboxes, EquipmentMailboxes int
	MailUsers, MailContacts, Users                                               int
	DistributionGroups, UnifiedGroups                                            int
	Recipients                                                                   int // what Get-Recipient lists
	InboxRules, MobileDevices, TransportRules, MessageTrace, AuditLog            int
}

// Counts counts the tenant's objects. The caller holds the read lock.
func (ts *State) Counts() Counts {
	var c Counts
	for _, r := range ts.T.Recipients {
		switch r.Kind {
		case UserMailbox:
			c.UserMailboxes++
		case SharedMailbox:
			c.SharedMailboxes++
		case RoomMailbox:
			c.RoomMailboxes++
		case EquipmentMailbox:
			c.EquipmentMailboxes++
		case MailUser:
			c.MailUsers++
		case MailContact:
			c.MailContacts++
		case User:
			c.Users++
		case GroupMailbox:
			c.UnifiedGroups++
		default:
			c.DistributionGroups++
		}
		if r.Kind != User {
			c.Recipients++
		}
		if r.Mailbox != nil {
			c.InboxRules += len(r.Mailbox.InboxRules)
			c.MobileDevices += len(r.Mailbox.Devices)
		}
	}
	c.Mailboxes = c.UserMailboxes + c.SharedMailboxes + c.RoomMailboxes + c.EquipmentMailboxes
	c.TransportRules = len(ts.T.TransportRules)
	c.MessageTrace = len(ts.T.MessageTrace)
	c.AuditLog = len(ts.T.AuditLog)
	return c
}

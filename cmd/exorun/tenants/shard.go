package tenants

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Shard is shard Index of Count (0 <= Index < Count). The zero value is
// no sharding: every tenant.
type Shard struct {
	Index, Count int
}

// MaxShards bounds N: more machines than this for one tenant list is a
// typo.
const MaxShards = 10_000

// digits is a whole number as a person writes it: no sign.
var digits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+$`) })

// ParseShard reads K/N. K counts from 0, as Kubernetes' JOB_COMPLETION_INDEX
// and GitHub Actions' strategy.job-index do, and may be the name of the
// environment variable holding it (JOB_COMPLETION_INDEX/20), read through
// lookup.
func ParseShard(s string, lookup func(string) (string, bool)) (Shard, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q: want K/N, shard K (from 0) of N, e.g. 0/4 or JOB_COMPLETION_INDEX/4", s)
	}
	n = strings.TrimSpace(n)
	count, err := strconv.Atoi(n)
	if err != nil || !digits().MatchString(n) || count < 1 || count > MaxShards {
		return Shard{}, fmt.Errorf("%q: N must be a whole number from 1 to %d", s, MaxShards)
	}
	k = strings.TrimSpace(k)
	from := ""
	if identifier().MatchString(k) {
		v, set := lookup(k)
		if !set {
			return Shard{}, fmt.Errorf("%q: the environment variable %s is not set (a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX)", s, k)
		}
		from, k = fmt.Sprintf(" (%s)", k), strings.TrimSpace(v)
	}
	index, err := strconv.Atoi(k)
	if err != nil || !digits().MatchString(k) || index >= count {
		return Shard{}, fmt.Errorf("%q: K%s is %q; want a whole number from 0 to %d", s, from, k, count-1)
	}
	return Shard{Index: index, Count: count}, nil
}

// Sharded reports whether s picks a part of the tenants.
func (s Shard) Sharded() bool { return s.Count > 1 }

// Holds reports whether the tenant belongs to the shard: the first eight
// bytes of the SHA-256 of its lower-case organization, modulo Count. The
// hash is part of exorun's interface: shards of a file must not move
// between versions run side by side.
func (s Shard) Holds(organization string) bool {
	if s.Count <= 1 {
		return true
	}
	return ShardOf(organization, s.Count) == s.Index
}

// ShardOf is the shard of count that organization falls in.
func ShardOf(organization string, count int) int {
	sum := sha256.Sum256([]byte(strings.ToLower(organization)))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(count))
}

// Select returns the tenants of shard s, in file order.
func Select(list []Tenant, s Shard) []Tenant {
	var out []Tenant
	for _, t := range list {
		if s.Holds(t.Organization) {
			out = append(out, t)
		}
	}
	return out
}

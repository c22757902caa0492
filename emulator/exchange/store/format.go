package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/exchange/store/opath"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// The emulated datacenter's names, used wherever Exchange shows a server
// or a directory path. NotFound's message names the same server.
const (
	serverFQDN   = "EMULATOR01.PROD.OUTLOOK.COM"
	serverName   = "emulator01"
	forestDC     = "DC=EMLPR01A001,DC=PROD,DC=OUTLOOK,DC=COM"
	forestShort  = tenant.ForestShort
	databaseName = "EMLPR01DG001-db001"
	exVersion    = "0.20 (15.0.0.0)"
)

// byteQuantity writes a size as Exchange's ByteQuantifiedSize does:
// "1.2 GB (1,288,490,188 bytes)", at most three decimals.
func byteQuantity(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	num := strconv.FormatFloat(v, 'f', 3, 64)
	num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	return num + " " + units[u] + " (" + thousands(n) + " bytes)"
}

// quota is byteQuantity with Exchange's "Unlimited".
func quota(n int64) string {
	if n < 0 {
		return "Unlimited"
	}
	return byteQuantity(n)
}

// parseQuota reads a quota parameter: "Unlimited", a size with a unit, or
// a ByteQuantifiedSize string.
func parseQuota(s string) (int64, bool) {
	if strings.EqualFold(strings.TrimSpace(s), "unlimited") {
		return tenant.Unlimited, true
	}
	return opath.ParseByteQuantity(s)
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// timeOrNil is a date property: $null when never set.
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// strOrNil is a string property that Exchange shows as $null when empty.
func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// list is a multi-valued property: never nil, so it renders as [].
func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func boolOrNil(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// distinguishedName is where Exchange Online's directory keeps a tenant's
// objects.
func distinguishedName(org, name string) string {
	return "CN=" + escapeDN(name) + ",OU=" + org + ",OU=Microsoft Exchange Hosted Organizations," + forestDC
}

func escapeDN(s string) string {
	r := strings.NewReplacer(",", `\,`, "+", `\+`, `"`, `\"`, "<", `\<`, ">", `\>`, ";", `\;`, "=", `\=`)
	return r.Replace(s)
}

func organizationID(org string) string {
	return forestShort + ".PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/" + org + " - " + forestShort + ".PROD.OUTLOOK.COM/ConfigurationUnits/" + org + "/Configuration"
}

func wildcard(s, pattern string) bool { return opath.MatchWildcard(s, pattern) }

// matchesAny reports whether s matches one of the wildcard patterns; no
// pattern at all matches everything, as an absent search parameter does.
func matchesAny(patterns []string, s string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if wildcard(s, p) {
			return true
		}
	}
	return false
}

func equalFoldTrim(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

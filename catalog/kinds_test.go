package catalog

import (
	"strings"
	"testing"
)

func TestKindOf(t *testing.T) {
	for typ, want := range map[string]Kind{
		"SwitchParameter": KindSwitch,
		"Boolean":         KindBool,
		"System.Boolean":  KindBool,
		"Int32":           KindInt,
		"System.Int32":    KindInt,
		"UInt32":          KindInt,
		"System.UInt64":   KindInt,
		"Int16":           KindInt,
		"Int64":           KindInt,
		"Byte":            KindInt,
		"Unlimited":       KindUnlimited,
		"UnlimitedInt":    KindUnlimited,
		"Microsoft.Exchange.Management.RestApiClient.Unlimited`1[System.UInt32]": KindUnlimited,
		"DateTime":                       KindDate,
		"System.DateTime":                KindDate,
		"ExDateTime":                     KindDate,
		"DateTimeOffset":                 KindDate,
		"MultiValuedProperty":            KindMultiValued,
		"MulitValuedProperty":            KindMultiValued,
		"String[]":                       KindMultiValued,
		"RecipientIdParameter[]":         KindMultiValued,
		"ProxyAddressCollection":         KindMultiValued,
		"Hashtable":                      KindHashtable,
		"PswsHashtable":                  KindHashtable,
		"PswsHashtable[]":                KindHashtable,
		"System.Collections.Hashtable[]": KindHashtable,
		"PSObject":                       KindHashtable,
		"Byte[]":                         KindByteArray,
		"Stream":                         KindByteArray,
		"SecureString":                   KindSecure,
		"PSCredential":                   KindCredential,
		"String":                         KindString,
		"MailboxIdParameter":             KindString,
		"Fqdn":                           KindString,
		"SmtpAddress":                    KindString,
		"TimeSpan":                       KindString,
		"EnhancedTimeSpan":               KindString,
		"ByteQuantifiedSize":             KindString,
		"Guid":                           KindString,
		"Double":                         KindString,
		"ClassificationRuleCollectionIdParameter": KindString,
	} {
		if got := KindOf(typ); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", typ, got, want)
		}
	}
}

// TestKindsOfCatalog: no type that names a number, date, boolean or table
// falls through to KindString, and every kind has a name.
func TestKindsOfCatalog(t *testing.T) {
	suspicious := []string{"Int16", "Int32", "Int64", "Boolean", "DateTime", "Hashtable", "MultiValued", "Unlimited", "SecureString", "Credential"}
	counts := map[Kind]int{}
	for _, c := range All() {
		for i := range c.Parameters {
			p := &c.Parameters[i]
			k := p.Kind()
			counts[k]++
			if k.String() == "kind(?)" {
				t.Errorf("%s -%s: kind %d has no name", c.Name, p.Name, k)
			}
			if k != KindString {
				continue
			}
			for _, s := range suspicious {
				if strings.Contains(p.Type, s) && !strings.HasSuffix(p.Type, "Parameter") {
					t.Errorf("%s -%s: type %q classified as string", c.Name, p.Name, p.Type)
				}
			}
		}
	}
	for k := KindString; k <= KindCredential; k++ {
		if counts[k] == 0 {
			t.Errorf("no parameter of kind %v in the catalog", k)
		}
	}
}

package catalog

import "strings"

// Kind classifies a parameter's type for value checks before a call: what
// a Lua value must look like. The service checks the rest (an enum's
// names, an identity's existence). Types are as the reference writes them.
//
//	KindSwitch       SwitchParameter                         -> true/false
//	KindBool         Boolean, System.Boolean                 -> true/false
//	KindInt          [System.]Int16/32/64, UInt16/32/64,     -> integer
//	                 Byte, SByte
//	KindUnlimited    Unlimited, UnlimitedInt,                -> number or string
//	                 ...Unlimited`1[System.UInt32]; not only
//	                 ResultSize but quotas ("50 GB") and
//	                 durations ("30.00:00:00"), so a string
//	                 is not checked further
//	KindDate         [System.]DateTime, ExDateTime,          -> date string or time
//	                 DateTimeOffset
//	KindMultiValued  MultiValuedProperty (and the upstream   -> list of scalars,
//	                 typo MulitValuedProperty), T[] but         or one scalar
//	                 Byte[] and hashtables, *Collection
//	                 (ProxyAddressCollection...)
//	KindHashtable    Hashtable, PswsHashtable,               -> table with string keys
//	                 System.Collections.Hashtable, their        (a list of them for [])
//	                 [] forms, PSObject
//	KindByteArray    Byte[], Stream                          -> string of bytes
//	KindSecure       SecureString                            -> unsupported, see below
//	KindCredential   PSCredential                            -> unsupported, see below
//	KindString       everything else: identities             -> string (a number is
//	                 (*IdParameter), enums, String, Fqdn,       sent as its text)
//	                 SmtpAddress, Guid, TimeSpan,
//	                 EnhancedTimeSpan, ByteQuantifiedSize,
//	                 Double...
//
// KindSecure: the module encrypts SecureString values with an RSA public
// key shipped in its generated script (PROTOCOL.md 3.9); exorun does not
// carry Microsoft's key, so these parameters cannot be sent. KindCredential:
// a PSCredential cannot travel over the REST API at all.
type Kind int

const (
	KindString Kind = iota
	KindSwitch
	KindBool
	KindInt
	KindUnlimited
	KindDate
	KindMultiValued
	KindHashtable
	KindByteArray
	KindSecure
	KindCredential
)

func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindSwitch:
		return "switch"
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindUnlimited:
		return "unlimited"
	case KindDate:
		return "date"
	case KindMultiValued:
		return "multivalued"
	case KindHashtable:
		return "hashtable"
	case KindByteArray:
		return "bytes"
	case KindSecure:
		return "securestring"
	case KindCredential:
		return "credential"
	}
	return "kind(?)"
}

// Kind classifies the parameter's type (see Kind).
func (p *Parameter) Kind() Kind {
	if p.Switch {
		return KindSwitch
	}
	return KindOf(p.Type)
}

// KindOf classifies a type name as the reference writes it.
func KindOf(typ string) Kind {
	if strings.Contains(typ, "Unlimited") {
		return KindUnlimited // Unlimited, UnlimitedInt, ...RestApiClient.Unlimited`1[System.UInt32]
	}
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		switch k := KindOf(elem); k {
		case KindInt:
			if baseName(elem) == "Byte" {
				return KindByteArray
			}
		case KindHashtable:
			return KindHashtable
		}
		return KindMultiValued
	}
	switch baseName(typ) {
	case "SwitchParameter":
		return KindSwitch
	case "Boolean":
		return KindBool
	case "Byte", "SByte", "Int16", "Int32", "Int64", "UInt16", "UInt32", "UInt64":
		return KindInt
	case "DateTime", "ExDateTime", "DateTimeOffset":
		return KindDate
	case "MultiValuedProperty", "MulitValuedProperty":
		return KindMultiValued
	case "Hashtable", "PswsHashtable", "PSObject":
		return KindHashtable
	case "Stream":
		return KindByteArray
	case "SecureString":
		return KindSecure
	case "PSCredential":
		return KindCredential
	}
	if strings.HasSuffix(typ, "Collection") {
		return KindMultiValued // ProxyAddressCollection, ApprovedApplicationCollection...
	}
	return KindString
}

// baseName drops a .NET namespace: "System.Collections.Hashtable" ->
// "Hashtable".
func baseName(typ string) string {
	if i := strings.LastIndexByte(typ, '.'); i >= 0 {
		return typ[i+1:]
	}
	return typ
}

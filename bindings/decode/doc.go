// Package decode turns the JSON objects of an InvokeCommand response (the
// elements of "value", PROTOCOL.md 3.4) into Lua tables, directly from the
// bytes: no map[string]any on the way. One Decoder serves one Lua state and
// keeps its scratch space and interned names from object to object.
//
// This is the contract scripts rely on:
//
//   - Keys are the PowerShell property names, kept as sent. Annotation keys,
//     any key containing "@odata." or "@data." ("EmailAddresses@odata.type",
//     "ExchangeGuid@data.type", "@odata.type", "@odata.id"), are read for
//     typing and dropped, at every depth.
//   - JSON strings, numbers and booleans become Lua strings, numbers and
//     booleans. Numbers are float64: integers are exact up to 2^53, larger
//     ones are rounded, numbers beyond the float64 range become ±math.huge.
//     GUIDs and ids arrive as strings and stay strings, as sent.
//   - null becomes an absent field: nil in Lua means $null. (When a name
//     appears twice, the last one wins, null included.)
//   - Arrays become tables marked as arrays (runtime.MarkArray), typed
//     "#Collection(...)" or not, so an empty one still encodes as [].
//     null elements are left out, so arrays have no holes.
//   - Nested objects (hashtables) become plain tables.
//   - Dates become RFC 3339 UTC text, "2022-06-29T17:57:03Z", fractional
//     seconds only when non-zero and without trailing zeros
//     ("…T17:57:03.25Z"). Converted are: any string in the .NET round-trip
//     form with its zone ("2022-06-29T17:57:03.0000000+00:00",
//     "….0000000Z"); any string in the "/Date(1656525423000)/" form
//     (milliseconds since 1970, an optional "+hhmm" is ignored); and a value
//     annotated as a date ("System.DateTime", "#DateTimeOffset", also inside
//     "#Collection(...)"), which may also have 0 to 9 fractional digits and
//     no zone (then it is UTC). A round-trip string without a zone and no
//     annotation, or an impossible date, stays as sent. This applies at
//     every depth and to the elements of arrays.
//   - Byte quantities: a top-level string of the exact form
//     "99 GB (106,300,440,576 bytes)" (units B, KB, MB, GB, TB, PB) stays as
//     sent and adds a number field <Name>Bytes, here ProhibitSendQuotaBytes =
//     106300440576 (TotalItemSize gives TotalItemSizeBytes). "Unlimited" and
//     any other text add nothing: for a quota, an absent <Name>Bytes means
//     unlimited. A non-null <Name>Bytes the object sends itself is kept.
//
// Rows of one result, top-level objects with the same names in the same
// order, share one set of keys (a shaped table of the patched gopher-lua in
// third_party): a row costs a slice of values instead of a map. Such a
// table behaves as any other, and pairs gives its keys in the order sent,
// as for a row built key by key. (One difference shows, in an order Lua
// leaves unspecified: a property that arrived as null and is set by the
// script keeps its place among the others instead of coming last.)
//
// Malformed JSON, a top level that is not an object, and nesting deeper
// than 10000 are errors (*SyntaxError, with the byte offset), never panics.
// Strings are unescaped fully (\uXXXX with surrogate pairs); invalid UTF-8
// and lone surrogates become U+FFFD, as encoding/json does.
package decode

// Package api is the emulated tenant's Exchange Online and Security &
// Compliance admin API: the REST InvokeCommand protocol of PROTOCOL.md 3-4
// as an http.Handler, in front of an exchange.Backend that runs the
// cmdlets. It decodes and encodes JSON itself; no wire struct is shared
// with exorun's client.
//
// Routes (fixed segments match case-insensitively; {tenant} is the tenant
// GUID or any of its domains):
//
//	POST /adminapi/beta/{tenant}/InvokeCommand                         Exchange Online
//	GET  /adminapi/v1.0/{tenant}/EXOModuleFile                         Exchange Online cmdlet list
//	*    /compliance/adminapi/...                                      302 to /compliance/{region}/adminapi/... (query kept)
//	POST /compliance/{region}/adminapi/beta/{tenant}/InvokeCommand     Security & Compliance
//	GET  /compliance/{region}/adminapi/v1.0/{tenant}/EXOModuleFile     Security & Compliance cmdlet list
//
// The compliance front door mirrors the service's region redirect: it
// always answers 302, so a client must read Location (not follow it: a
// followed 302 turns POST into GET) and keep the regional base. Any other
// region label is 404. $batch, $metadata and EXOBanner are real endpoints
// the emulator does not serve: 501. Anything else is 404.
//
// A request to InvokeCommand or EXOModuleFile goes through, in order:
//
//  1. The tenant's concurrency limit, on arrival: a request is in flight
//     from then, injected latency included, to the end of its response,
//     per tenant whichever form the URL names it in; one over the limit
//     is answered at once with 429 and the service's plain-text "You
//     have reached the maximum number of concurrent requests per
//     tenant..." (a URL naming no tenant is not counted).
//  2. Faults (Latency, Unavailable 503, ThrottleEvery/ThrottleAfter 429).
//  3. The bearer token. Missing, invalid or expired: 401 with
//     WWW-Authenticate error="invalid_token" and an error_description
//     saying which. Audience not this service's resource: 401 (same).
//     URL tenant unknown to ResolveTenant: 404 NotFound (the token may be
//     fine; a 401 would send clients to renew it). Token tenant not the
//     URL tenant: 401 invalid_token. No Exchange.ManageAsApp: 401
//     "UnAuthorized" (the module's text). No directory role in wids that
//     the service honours for app-only: 401 with the module's "The role
//     assigned to application {appid} isn't supported in this scenario..."
//     text. These two say error="insufficient_scope": a new token will
//     not help.
//  4. The tenant's request budget (Rate-Limit-Limit, -Remaining, -Reset
//     headers; 429 once spent).
//  5. The body {"CmdletInput":{"CmdletName":...,"Parameters":{...}}}:
//     not JSON or not that shape: 400; over 32 MiB: 413. Parameters are
//     decoded per PROTOCOL.md 3.3: OData annotations dropped (nested and
//     "{Name}@odata.type" siblings), #Exchange.ByteArrayType objects become
//     []byte, hashtables map[string]any, numbers float64; switches arrive
//     as sent (true or "true") since only the cmdlet knows it is a switch.
//     A $skiptoken made for another body, tenant or service: 400.
//  6. The cmdlet, case-insensitively. Not a known cmdlet: 403. The real
//     EXO sends an empty body; the emulator sends an OData error with
//     PowerShell's CommandNotFoundException text naming the cmdlet, as
//     IPPS does. Known but not granted by the caller's roles: 401
//     {"error":{"code":"Unauthorized","message":"User is not allowed to
//     call Get-Mailbox","innererror":{...}}} exactly as observed.
//  7. Backend.Invoke. *exchange.Error: its status with the OData error of
//     PROTOCOL.md 3.6 (details[0].message "ErrorID|Exception|Message",
//     x-ExceptionType the class's short name). ErrNotModelled: 501
//     NotImplemented saying the emulator does not model the cmdlet. Any
//     other error, or an object value of a type exchange.Prop does not
//     allow: 500.
//  8. 200 with the envelope of PROTOCOL.md 3.4, streamed one object at a
//     time, properties in Prop order with the service's annotations.
//
// Paging: Prefer: odata.maxpagesize=N (clamped to [1, MaxPageSize], else
// DefaultPageSize) sets the page size, echoed in Preference-Applied. When
// more objects remain, @odata.nextLink is this endpoint's absolute URL
// with the other query parameters ($select included) and an opaque
// $skiptoken binding the next offset to a hash of the request (service,
// tenant, cmdlet, decoded parameters). Clients POST the same body to it;
// the handler runs the cmdlet again and renders only that page.
// Warnings go on the first page only.
//
// With Accept-Encoding: gzip (q above 0) every answer of these two
// endpoints to the right method, errors included, is gzip-compressed as the service's are
// (Content-Encoding: gzip, no plain Content-Length), compressed while it
// is encoded; all carry Vary: Accept-Encoding. A CloseMidResponse fault
// cuts the compressed stream. The EXO quirk of a 403 whose body does not
// match its gzip Content-Encoding (PROTOCOL.md 3.6) is not reproduced.
//
// Every response carries request-id (a GUID) and echoes
// client-request-id; service responses carry X-CalculatedBETarget. Error
// classes the emulator invents live under "Exorun.Emulator." so they are
// never mistaken for the service's. X-ResponseFormat: clixml is not
// modelled: the answer is always JSON.
package api

// Package adminapi is exorun's client for the Exchange Online and Security &
// Compliance admin REST API (InvokeCommand, PROTOCOL.md 3-4). It takes Go
// values for a cmdlet's parameters and hands out each output object as raw
// JSON (json.RawMessage, annotations kept); turning those into Lua values is
// another package's job. It knows nothing of Lua, the catalog or the
// emulator, and encodes and decodes the wire format itself.
//
// # One call
//
// Invoke POSTs {"CmdletInput":{"CmdletName":...,"Parameters":{...}}} to
// {base}/adminapi/beta/{tenant}/InvokeCommand (plus ?$select=...), with the
// bearer token, X-AnchorMailbox (APP:SystemMailbox{bb558c35-...}@{tenant
// GUID} for Exchange, UPN:SystemMailbox{bb558c35-...}@{organization} for
// compliance), Prefer: odata.maxpagesize, X-CmdletName, X-ResponseFormat:
// json, X-ClientApplication: exorun, a fresh client-request-id per request
// and one connection-id per Client. Parameters are encoded per PROTOCOL.md
// 3.3 with sorted keys (see Request.Parameters). The first page's failure is
// Invoke's error; later pages come through Stream.Next, which follows
// @odata.nextLink by POSTing the same body to it. With Request.PageAhead the
// next page is fetched while the current one is read; Close (or the
// context) stops that fetch and waits for it. Memory holds the current page
// and at most one more.
//
// The compliance front door answers 302 with the tenant's region
// (https://{region}.admin.protection.outlook.com:446/...). The client never
// lets net/http follow a redirect (that would turn the POST into a GET and
// send the token wherever Location says). It re-sends the same request to
// {region}.ps.compliance.protection.outlook.com (or, when Location is on
// the request's own host, as the emulator's is, or on a subdomain of the
// configured host, to Location itself) and keeps that regional base for the
// Client's life. Any other Location is a bad_response.
//
// # Retries
//
// Each page request has its own budget: at most Retry.MaxAttempts sends
// (default 6, the module's 5 retries) and at most Retry.MaxWait (default
// 5 min) of waiting in total. The wait is the service's Retry-After
// (seconds, fractions allowed, or an HTTP date) plus up to 20% jitter, else
// Retry.Base × 2^(n-1) × (0.5 + rand) for the n-th retry (Base default
// 2 s). A wait that would pass MaxWait fails the call at once with
// Error.RetryAfter set. The context cancels any wait; Options.Timeout bounds
// the whole stream.
//
//	answer                                read cmdlet        write cmdlet (Request.Write)
//	401                                   new token, once    new token, once
//	429, or the concurrency-limit text    retry              retry
//	408                                   retry              retry
//	503, 504                              retry              write_uncertain
//	details naming DCOverloadedException, retry              error, by status
//	  SuitabilityDirectoryException,
//	  ServerInMMException,
//	  ADServerSettingsChangedException,
//	  StorageTransientException
//	connection failed before the request  retry              retry
//	  was fully written (dial error,
//	  refused, write failed)
//	connection failed after it was        retry              write_uncertain
//	  written, or the answer was cut
//	Options.Timeout or ctx ended          timeout/canceled   write_uncertain if it was written,
//	                                                         else timeout/canceled
//	anything else                         error              error
//
// The write rule: a write is sent again only when the service provably did
// not run it. That is when the service said so (401: it refused the
// caller; 429 and the per-tenant concurrency limit: it refused before
// running the cmdlet; 408: it did not receive the whole request), or when
// net/http/httptrace shows the request was never fully written (no
// WroteRequest, or WroteRequest with an error, or a dial error): a service
// cannot run a cmdlet whose body it never received. After a 503/504, a cut
// answer, a connection failure after the request went out, or a timeout,
// the outcome is unknown, and the error is write_uncertain ("the write may
// or may not have happened"). The Go transport's own silent retries are
// limited to requests that wrote nothing (POST is not replayable for it).
//
// The per-tenant concurrency limit is also learned (gate.go): once the
// service refuses a request for it, the client keeps fewer requests in
// flight than it had then, and probes for one more after a long calm, so
// exo.parallel beyond the limit waits for places instead of spending its
// attempts on refusals.
//
// # Errors
//
// Failures are *Error values with a stable Code (the Code* constants), the
// HTTP Status, the service's Exception class and text (details[0].message
// "Id|Class|Text" or its JSON-string form, else
// innererror.internalexception, else error.message, else the body's text),
// the cmdlet and the request id. exitcode.Of finds their exit code:
// not_allowed and forbidden are Permission, unauthorized is Auth,
// throttled is Throttled, bad_parameter is Script, canceled has none, and
// everything else is Service. Error texts and logs never contain the token.
package adminapi

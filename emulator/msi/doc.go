// Package msi is the emulated host's managed identity endpoint. Its one job is
// answering token requests the way the App Service / Container Apps identity
// endpoint does (PROTOCOL.md 8), so that MSAL Go's managedidentity client,
// source "AppService" (IDENTITY_ENDPOINT + IDENTITY_HEADER set), works
// against it unmodified. Signing the tokens is left to the Host.
//
// The protocol, as MSAL Go v1.10.1 sends it (apps/managedidentity,
// createAppServiceAuthRequest) and App Service answers it:
//
//	GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource={resource}
//	    [&client_id=… | &mi_res_id=… | &object_id=… | &principal_id=…]
//	X-IDENTITY-HEADER: {IDENTITY_HEADER}
//
//	200 {"access_token":"…","expires_on":"1597772135","resource":"…",
//	     "token_type":"Bearer","client_id":"…"}
//
// expires_on is epoch seconds as a string, and resource echoes the request
// (Azure/azure-sdk-for-python#11346, which lists the 2019-08-01 changes; the
// same shape appears in pnp/cli-microsoft365 src/Auth.spec.ts fixtures taken
// from Azure Functions). MSAL Go accepts expires_on as a string or a number
// (accesstokens.TokenResponse.UnmarshalJSON). principal_id is the older
// spelling of object_id (Azure/azure-sdk-for-python#11346); MSAL sends
// mi_res_id to App Service, and msi_res_id (the IMDS/Arc spelling) is accepted
// too.
//
// Failures, and where their shape comes from ([O] observed in a source,
// [I] inferred, the real text being unknown):
//
//   - api-version missing: 400 {"error":{"code":"ApiVersionUnspecified",
//     "message":"An API version is required, but was not specified.",
//     "innerError":null}}. api-version other than 2019-08-01: 400
//     UnsupportedApiVersion, "The HTTP resource that matches the request URI
//     '…' does not support the API version '…'." [O] the endpoint's ASP.NET
//     API-versioning answer quoted in MicrosoftDocs/azure-docs#53726 and
//     Azure/azure-sdk-for-net#16334; the unspecified case is that library's
//     sibling message [I]. The real endpoint still serves 2017-09-01 (with a
//     "secret" header); the emulator does not, as MSAL never sends it.
//   - X-IDENTITY-HEADER missing or wrong: 403. [O] Azure/azure-sdk-for-net#26578:
//     "If invalid header, response changed from Unauthorized (2017) to
//     Forbidden (2019)". The body text is [I]. The header is compared in
//     constant time and never echoed; an empty configured header refuses
//     every request.
//   - resource missing, or more than one selector: 400 [I].
//   - no identity matches the selector, or no selector and no system-assigned
//     identity: 400 "No Managed Identity found for specified
//     ClientId/ResourceId/PrincipalId." [O] pnp/cli-microsoft365 Auth.spec.ts
//     fixtures; Azure/azure-sdk-for-net#26578 ("a BadRequest is given if not
//     found (2019)"); Azure/azure-functions-host#8037 and
//     Azure/azure-sdk-for-net#11400 (400 with only a user-assigned identity and
//     no selector).
//   - method other than GET: 405 with Allow: GET and an empty body, as an
//     ASP.NET Core endpoint answers [I].
//   - the Host's *IssueError: its status and message; any other Host error:
//     500 "An unexpected error occurred while fetching the AAD Token." [O] the
//     error fixture MSAL's own managed identity tests use. MSAL retries 500
//     unless its retry policy is disabled.
//
// App Service error bodies are {"statusCode":…,"message":"…",
// "correlationId":"…"}; fixtures disagree on casing and on whether statusCode
// is a number (cli-microsoft365: "StatusCode":400; MSAL tests:
// "statusCode":"500"), and MSAL only shows the body, so this package writes
// camelCase with a number. Every answer carries Cache-Control: no-store, since
// it holds a bearer token or concerns one.
package msi

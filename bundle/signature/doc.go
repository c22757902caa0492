// Package signature signs a script bundle's manifest and decides whether a
// signed manifest comes from someone the administrator trusts.
//
// Its one job: turn manifest bytes plus an admin's X.509 certificate and key
// into a detached CMS (PKCS#7) SignedData, and turn such a signature back
// into a [Signer] and a trust decision. The format is standard on purpose,
// so that anyone can check a bundle without exorun:
//
//	openssl cms -verify -binary -inform DER -in manifest.p7s \
//	    -content manifest.json -CAfile signer.pem -purpose any
//
// Verification is split in two steps that callers must both take:
// [Verify] answers "is this a valid signature over these bytes, and by
// whom?", and [Trust.Check] answers "do we accept that signer?".
package signature

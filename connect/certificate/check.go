package certificate

import (
	"fmt"
	"time"
)

const (
	// MinKeyBits is the shortest RSA key Entra ID accepts for an app
	// credential.
	MinKeyBits = 2048
	// ExpiryWarning is how long before NotAfter Check starts warning:
	// enough time to create, upload and roll out a new certificate.
	ExpiryWarning = 30 * 24 * time.Hour
)

// Check says whether c can authenticate at now. It refuses a credential
// Entra ID would refuse (no certificate or key, a key that does not match
// the leaf, an RSA key shorter than MinKeyBits, a leaf outside its
// validity window) and warns, without refusing, when the leaf expires
// within ExpiryWarning. Errors wrap the sentinels of this package.
//
// Load, LoadFile and Store.Load do not run Check: they refuse only what
// is wrong whatever the time. The caller runs Check once, with its own
// clock (connect with its Options.Now), before the credential is used.
func Check(c *Credential, now time.Time) (warnings []string, err error) {
	if err := checkKey(c); err != nil {
		return nil, err
	}
	return checkValidity(c, now)
}

// checkKey is the part of Check that does not depend on the time: whether
// the credential could ever authenticate.
func checkKey(c *Credential) error {
	if c == nil {
		return refuse("certificate", ErrNoCertificate, hintNoCert, "")
	}
	subject := "certificate " + c.Source
	leaf := c.Leaf()
	switch {
	case leaf == nil:
		return refuse(subject, ErrNoCertificate, hintNoCert, "")
	case c.Key == nil:
		return refuse(subject, ErrNoPrivateKey, Names{}.noKeyHint(), "")
	case !c.Key.PublicKey.Equal(leaf.PublicKey):
		return refuse(subject, ErrKeyMismatch, hintMismatch, "")
	case c.KeyBits() < MinKeyBits:
		return refuse(subject, ErrKeyTooShort, hintNewRSA,
			"the RSA key has %d bits; Entra ID needs at least %d", c.KeyBits(), MinKeyBits)
	}
	return nil
}

// checkValidity compares the leaf's validity window with now. Only the
// leaf counts: Entra ID matches the uploaded certificate, not a chain.
func checkValidity(c *Credential, now time.Time) (warnings []string, err error) {
	subject := "certificate " + c.Source
	leaf := c.Leaf()
	switch {
	case now.Before(leaf.NotBefore):
		return nil, refuse(subject, ErrNotYetValid, hintNotYet,
			"not valid until %s (%s from now)", formatTime(leaf.NotBefore), formatSpan(leaf.NotBefore.Sub(now)))
	case now.After(leaf.NotAfter):
		return nil, refuse(subject, ErrExpired, hintExpired,
			"expired on %s (%s ago)", formatTime(leaf.NotAfter), formatSpan(now.Sub(leaf.NotAfter)))
	}
	if left := leaf.NotAfter.Sub(now); left < ExpiryWarning {
		warnings = append(warnings, fmt.Sprintf(
			"%s expires in %s, on %s: create a new one and upload it to the app registration before then",
			subject, formatSpan(left), formatTime(leaf.NotAfter)))
	}
	return warnings, nil
}

// formatTime is a moment as people read it in a message, always in UTC so
// a log read in another time zone says the same.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// formatSpan says a duration in the largest whole unit that fits: days,
// else hours, else minutes.
func formatSpan(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 24*time.Hour:
		return "1 day"
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d >= time.Hour:
		return "1 hour"
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d >= time.Minute:
		return "1 minute"
	default:
		return "less than a minute"
	}
}

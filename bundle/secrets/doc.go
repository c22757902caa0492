// Package secrets keeps secrets out of shared script bundles: given one
// file's name and contents, [Scan] says what makes it unsafe to share, or
// nothing.
//
// It looks for two kinds of trouble: files that are secrets by nature
// (certificates with their private key, SSH keys, .env files, password
// databases), and credentials pasted into ordinary files (PEM private
// keys, JWTs, Entra ID client secrets, AWS and GitHub keys, storage
// connection strings, and a literal value assigned to something named
// like a password or secret). Findings say which file, which line and why,
// but never repeat the secret itself, since they end up in terminals and
// logs.
//
// The rules lean towards refusing: a false alarm costs the author a
// moment, a leaked client secret costs a tenant. They must still stay
// quiet on ordinary scripts, so a name that only refers to a secret
// (certificate_password_env = "PFX_PASSWORD", os.getenv(...)) is fine.
package secrets

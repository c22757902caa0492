// Package log is the Lua module "log": leveled, structured logging to
// stderr on log/slog, with secrets redacted.
//
// Lua functions:
//
//	log.debug(msg [, fields])
//	log.info(msg [, fields])
//	log.warn(msg [, fields])
//	log.error(msg [, fields])
//	log.enabled(level) -> boolean     -- would a record at level be printed?
//	log.secret(value) -> secret       -- mark a value as secret
//	log.reveal(secret) -> value       -- the value log.secret was given
//
// msg is a string (or number). fields is a table of key = value: strings,
// numbers and booleans as they are; lists joined with ", "; other tables
// as compact JSON with sorted keys; keys in sorted order. A secret is a
// userdata that logs as [REDACTED] (also inside lists and tables), whose
// tostring is "[REDACTED]", that cannot be concatenated, and that
// runtime.FromLua refuses, so JSON encoders fail rather than leak it.
// Pass log.reveal(s) to the one function that needs the plain value; Go
// modules can accept secrets directly with Reveal.
//
// Redaction: an attribute whose key (or enclosing group) contains, in any
// case, password, secret, token, assertion, authorization or cookie prints
// as [REDACTED], as does any secret value; inside tables turned into JSON
// text, such keys are redacted too. The Lua functions also replace, in the
// message and every field, the text of any string of 4 bytes or more that
// was marked secret in the same state, so "pw=" .. log.reveal(s) does not
// leak it.
//
// Go API: NewLogger (or NewHandler) builds the logger the CLI hands to
// Module from Options{Level, Format, OmitTime}; Module(nil) discards.
// ParseLevel and ParseFormat check the --log-level and --log-format flags.
// RedactAttr is the HandlerOptions.ReplaceAttr that redacts (SensitiveKey
// says which keys), for callers building their own handlers. NewSecret and
// Reveal create and read secrets from Go; a secret's userdata holds a
// *Secret, which prints as [REDACTED] through fmt, slog and encoding/json.
package log

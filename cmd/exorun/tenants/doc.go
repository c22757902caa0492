// Package tenants reads the tenants file of a multi-tenant run (exorun run
// --tenants FILE) and picks the tenants of one shard of it.
//
// A tenants file is CSV with a header row, or a JSON array of objects: one
// tenant per row, with its organization and, where they differ from the
// run's flags, environment and profile, its connection settings (the keys
// of connect.Fields that hold no secret). A row names a secret's
// environment variable (certificate_password_env, client_secret_env), never
// the secret. Every other column is a script parameter for that tenant.
//
// A shard (--shard K/N) holds the tenants whose organization hashes to K
// modulo N: a function of the organization alone, so N machines, each given
// the same file and its own K, run every tenant exactly once with no
// coordinator, and a tenant stays in its shard when others are added.
package tenants

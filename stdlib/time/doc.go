// Package time is exorun's "time" Lua module: reading, converting and
// doing arithmetic on the timestamps Exchange Online returns, in UTC.
//
// Times are strings. Every function that takes a time accepts RFC 3339
// ("2024-05-01T12:00:00Z", "2022-06-29T17:57:03.0000000+00:00"),
// "2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05" (a time
// without a zone is UTC), the .NET JSON form "/Date(1656525423000)/", or a
// number of seconds since the Unix epoch. Functions that return a time
// return RFC 3339 in UTC, with a fraction only when the seconds have one.
// The clock is the one Module is given, read to the second.
//
//	time.now() -> string                      -- current time, RFC 3339 UTC
//	time.unix([t]) -> number                  -- seconds since the epoch of t (default now)
//	time.parse(s [, layout]) -> string        -- any accepted form, or s read with a layout
//	time.format(t, layout) -> string          -- t in UTC with a Go layout or "date", "datetime", "rfc3339"
//	time.add(t, duration) -> string           -- t plus a duration (negative to go back)
//	time.since(t) -> number                   -- seconds from t to now
//	time.duration(d) -> number                -- seconds in "1h30m", "90s", "7d", "1d12h", "2w" or a number
//	time.days_between(a, b) -> integer        -- whole days from a to b, truncated toward zero
//
// Layouts are Go layouts, which spell the reference time
// Mon Jan 2 15:04:05 MST 2006 ("2006-01-02 15:04"); strftime forms such as
// "%Y-%m-%d" are refused with a hint.
package time

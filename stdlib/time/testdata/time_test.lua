-- Lua-side test of the time module; the clock is pinned at
-- 2024-05-01T12:00:00Z (see time_test.go).
local time = require("time")

assert(time.now() == "2024-05-01T12:00:00Z", time.now())

-- a typical report: mailboxes not logged into for 90 days
local cutoff = time.add(time.now(), "-" .. 90 .. "d")
assert(cutoff == "2024-02-01T12:00:00Z", cutoff)

local mailboxes = {
  {name = "ada", LastLogonTime = "/Date(1714500000000)/"},
  {name = "bob", LastLogonTime = "2023-11-30T08:15:00.0000000+00:00"},
  {name = "cyd", LastLogonTime = "2024-02-01 12:00:01"},
}
local stale = {}
for _, m in ipairs(mailboxes) do
  if time.unix(m.LastLogonTime) < time.unix(cutoff) then
    stale[#stale + 1] = m.name .. " (" .. time.days_between(m.LastLogonTime, time.now()) .. " days)"
  end
end
assert(#stale == 1 and stale[1] == "bob (153 days)", table.concat(stale, ", "))

-- durations
assert(time.duration("1h30m") == 5400)
assert(time.duration("7d") == 7 * 86400)
assert(time.duration(60) == 60)
assert(time.since(time.add(time.now(), "-2h")) == 7200)

-- formatting
assert(time.format("2022-06-29T17:57:03.0000000+00:00", "date") == "2022-06-29")
assert(time.format(time.now(), "02 Jan 2006") == "01 May 2024")

-- errors name the input and can be caught
local ok, err = pcall(time.parse, "next tuesday")
assert(not ok)
assert(tostring(err):find('time.parse: cannot read "next tuesday" as a time', 1, true), tostring(err))
ok, err = pcall(time.duration, "5 minutes")
assert(not ok and err.message:find('"5 minutes"', 1, true), tostring(err))

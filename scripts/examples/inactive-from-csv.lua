-- Mailboxes with no logon for N days (default 90), from a CSV export, as JSON
-- lines for a ticketing system or a table for people. Uses the pinned clock
-- when EXORUN_NOW is set, so runs are reproducible.
--
--   exorun run -p days=180 scripts/examples/inactive-from-csv.lua
local csv = require("csv")
local out = require("out")
local params = require("params")
local time = require("time")
local log = require("log")

local p = params.declare{
  days = { type = "integer", default = 90, help = "days without a logon" },
}

local inactive = {}
for _, r in ipairs(csv.read("data/mailbox-statistics.csv")) do
  if r.LastLogonTime == "" then
    log.info("never logged on", { mailbox = r.DisplayName })
  else
    -- The export uses US dates: MM/DD/YYYY hh:mm:ss.
    local m, d, y, clock = r.LastLogonTime:match("^(%d+)/(%d+)/(%d+) (%S+)$")
    local last = string.format("%s-%s-%sT%sZ", y, m, d, clock)
    local idle = time.days_between(last, time.now())
    if idle >= p.days then
      inactive[#inactive + 1] = { DisplayName = r.DisplayName, LastLogon = time.format(last, "date"), IdleDays = idle }
    end
  end
end
table.sort(inactive, function(a, b) return a.IdleDays > b.IdleDays end)
out.print(inactive, { columns = { "DisplayName", "LastLogon", "IdleDays" }, title = "No logon for " .. p.days .. " days or more" })

-- Mailbox size report from a CSV export (Get-MailboxStatistics | Export-Csv):
-- largest first, sizes in GB parsed from Exchange's "1.2 GB (1,288,490,188 bytes)"
-- form, as a table on screen (or --output csv / json) and a CSV under --out.
--
--   exorun run --out reports scripts/examples/mailbox-sizes-from-csv.lua
--   exorun run -p top=3 scripts/examples/mailbox-sizes-from-csv.lua
local csv = require("csv")
local out = require("out")
local params = require("params")

local p = params.declare{
  top = { type = "integer", default = 10, help = "how many mailboxes to list" },
}

-- "48.2 GB (51,754,393,600 bytes)" -> 51754393600
local function bytes(size)
  local digits = size:match("%(([%d,]+) bytes%)")
  return digits and tonumber((digits:gsub(",", ""))) or 0
end

local rows = {}
for _, r in ipairs(csv.read("data/mailbox-statistics.csv")) do
  local b = bytes(r.TotalItemSize)
  rows[#rows + 1] = {
    DisplayName = r.DisplayName,
    Items = tonumber(r.ItemCount),
    SizeGB = math.floor(b / 2^30 * 100 + 0.5) / 100,
    bytes = b,
  }
end
table.sort(rows, function(a, b) return a.bytes > b.bytes end)

local top = {}
for i = 1, math.min(p.top, #rows) do top[i] = rows[i] end

local columns = { "DisplayName", "SizeGB", "Items" }
out.print(top, { columns = columns, title = "Largest mailboxes" })
csv.write(rows, { columns = columns, path = "mailbox-sizes.csv" })

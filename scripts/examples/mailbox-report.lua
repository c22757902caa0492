-- Mailbox size report: every mailbox with its item count, size, send quota
-- and how full it is, largest first, plus a CSV of the same rows (sizes in
-- bytes) in the --out folder for Excel or a ticket.
--
-- Get-Mailbox -ResultSize Unlimited is streamed page by page; the statistics
-- are fetched in batches of 100 mailboxes, 4 calls at a time (exo.parallel),
-- so only one small row per mailbox is kept (for the sort), never the
-- whole Get-Mailbox output.
--
-- Role: Global Reader (reads only); Exchange Administrator works too.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun mailbox-report.lua
--   exorun run --out reports -p top=20 -p warn_percent=90 mailbox-report.lua
-- On the emulated tenant:
--   exorun run --demo mailbox-report.lua
local csv = require("csv")
local log = require("log")
local out = require("out")
local params = require("params")

local p = params.declare{
  top = { type = "integer", default = 0, help = "list only the N largest mailboxes on screen (0: all)" },
  warn_percent = { type = "number", default = 85, help = "flag mailboxes at or above this % of their send quota" },
  csv = { type = "string", default = "mailbox-report.csv", help = "CSV file written in the --out folder" },
}

local exo = connect()

-- 94597018624 -> "88.1 GB" (binary units, as Exchange counts them).
local function human(bytes)
  local units = { "KB", "MB", "GB", "TB" }
  if bytes < 1024 then return string.format("%d B", bytes) end
  local v, u = bytes / 1024, 1
  while v >= 1024 and u < #units do v, u = v / 1024, u + 1 end
  return string.format("%.1f %s", v, units[u])
end

-- "99 GB (106,300,440,576 bytes)" -> "99 GB"; "Unlimited" stays.
local function quotaText(q)
  return q and (q:match("^(.-) %(") or q) or "Unlimited"
end

local rows = {}

-- Fetch the statistics of one batch of mailboxes and add a row for each.
local function flush(batch)
  if #batch == 0 then return end
  local inputs = {}
  for i, m in ipairs(batch) do inputs[i] = { Identity = m.ExchangeGuid } end
  local stats = exo.parallel("Get-MailboxStatistics", inputs, { errors = "collect" })
  for i, m in ipairs(batch) do
    local s = stats[i]
    if s.code then
      -- Deleted between the two calls, or not provisioned yet: say so, go on.
      log.warn("no statistics", { mailbox = m.UserPrincipalName, error = s.message })
    elseif s[1] then
      local size, quota = s[1].TotalItemSizeBytes or 0, m.ProhibitSendQuotaBytes
      rows[#rows + 1] = {
        DisplayName = m.DisplayName,
        UserPrincipalName = m.UserPrincipalName,
        Type = (m.RecipientTypeDetails:gsub("Mailbox$", "")),
        Items = s[1].ItemCount,
        SizeBytes = size,
        Size = human(size),
        QuotaBytes = quota,
        Quota = quotaText(m.ProhibitSendQuota),
        -- no ProhibitSendQuotaBytes means the quota is unlimited
        Percent = quota and math.floor(size / quota * 1000 + 0.5) / 10 or nil,
        LastLogonTime = s[1].LastLogonTime,
      }
    end
  end
end

local batch = {}
for m in exo.get_mailbox{ ResultSize = "Unlimited" } do
  batch[#batch + 1] = m
  if #batch == 100 then flush(batch); batch = {} end
end
flush(batch)

table.sort(rows, function(a, b)
  if a.SizeBytes ~= b.SizeBytes then return a.SizeBytes > b.SizeBytes end
  return a.UserPrincipalName < b.UserPrincipalName
end)

-- The screen table: sizes and percentages as text, padded (in a table,
-- not in --output csv or json) so they line up on the right like numbers.
local total, shown, near = 0, {}, {}
for i, r in ipairs(rows) do
  total = total + r.SizeBytes
  if r.Percent and r.Percent >= p.warn_percent then near[#near + 1] = r end
  if p.top <= 0 or i <= p.top then
    shown[#shown + 1] = {
      Mailbox = r.DisplayName, UPN = r.UserPrincipalName, Type = r.Type, Items = r.Items,
      Size = r.Size, Quota = r.Quota,
      ["% used"] = r.Percent and string.format("%.1f%%", r.Percent) or "",
    }
  end
end
local columns = { "Mailbox", "UPN", "Type", "Items", "Size", "Quota", "% used" }
for c = 5, out.format() == "table" and 7 or 0 do
  local col, w = columns[c], #columns[c]
  for _, r in ipairs(shown) do w = math.max(w, #r[col]) end
  local header = string.rep(" ", w - #col) .. col -- the heading lines up too
  for _, r in ipairs(shown) do r[header] = string.rep(" ", w - #r[col]) .. r[col] end
  columns[c] = header
end

out.print(shown, {
  columns = columns,
  title = string.format("Mailboxes by size: %d mailboxes, %s in total", #rows, human(total)),
})

-- Notes go under the table; with --output csv or json stdout stays pure
-- data and they go to the log.
local note = out.format() == "table" and print or function(msg) log.info(msg) end

if #near > 0 then
  local names = {}
  for i, r in ipairs(near) do names[i] = string.format("%s (%.1f%%)", r.DisplayName, r.Percent) end
  note(string.format("At or above %g%% of the send quota: %s", p.warn_percent, table.concat(names, ", ")))
end

local n = csv.write(rows, {
  path = p.csv,
  columns = { "DisplayName", "UserPrincipalName", "Type", "Items", "SizeBytes", "QuotaBytes", "Percent", "LastLogonTime" },
})
note(string.format("Wrote %d rows to %s in the --out folder.", n, p.csv))

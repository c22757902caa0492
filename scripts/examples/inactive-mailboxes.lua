-- Inactive mailboxes: user and shared mailboxes nobody has signed in to for
-- N days (default 30), by LastLogonTime of Get-MailboxStatistics, and
-- mailboxes that were never signed in to, listed apart (new starters, or
-- licences bought for nobody). The candidates for a licence review or
-- for conversion to shared mailboxes.
--
-- LastLogonTime also moves when a delegate or a service (mobile sync,
-- a backup tool) opens the mailbox, so "inactive" here means inactive even
-- counting those. "Now" is the time module's clock: the real one, or
-- EXORUN_NOW for a reproducible run.
--
-- Role: Global Reader (reads only); Exchange Administrator works too.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun inactive-mailboxes.lua
--   exorun run -p days=90 -p types=UserMailbox inactive-mailboxes.lua
local log = require("log")
local out = require("out")
local params = require("params")
local time = require("time")

local p = params.declare{
  days = { type = "integer", default = 30, help = "days without a sign-in" },
  types = { type = "list", default = "UserMailbox,SharedMailbox", help = "RecipientTypeDetails to check" },
}

local exo = connect()
local now = time.now()

local mailboxes = {}
for m in exo.get_mailbox{ ResultSize = "Unlimited", RecipientTypeDetails = p.types } do
  mailboxes[#mailboxes + 1] = m
end
local inputs = {}
for i, m in ipairs(mailboxes) do inputs[i] = { Identity = m.ExchangeGuid } end
local stats = exo.parallel("Get-MailboxStatistics", inputs, { errors = "collect" })

local inactive, never = {}, {}
for i, m in ipairs(mailboxes) do
  local s = stats[i]
  if s.code then
    log.warn("no statistics", { mailbox = m.UserPrincipalName, error = s.message })
  elseif s[1] then
    local last = s[1].LastLogonTime
    local row = {
      Mailbox = m.DisplayName, UPN = m.UserPrincipalName, Type = (m.RecipientTypeDetails:gsub("Mailbox$", "")),
      -- shared and resource mailboxes' accounts are always disabled
      Disabled = (m.AccountDisabled and m.RecipientTypeDetails == "UserMailbox") and "yes" or "",
      Created = time.format(m.WhenMailboxCreated, "date"),
      Size = s[1].TotalItemSize:match("^(.-) %(") or s[1].TotalItemSize,
    }
    if not last then
      row.Age = time.days_between(m.WhenMailboxCreated, now)
      never[#never + 1] = row
    else
      row["Last sign-in"] = time.format(last, "date")
      row.Days = time.days_between(last, now)
      if row.Days >= p.days then inactive[#inactive + 1] = row end
    end
  end
end

table.sort(inactive, function(a, b)
  if a.Days ~= b.Days then return a.Days > b.Days end
  return a.UPN < b.UPN
end)
table.sort(never, function(a, b) return a.UPN < b.UPN end)

out.print(inactive, {
  columns = { "Mailbox", "UPN", "Type", "Last sign-in", "Days", "Size", "Disabled" },
  title = string.format("No sign-in for %d days or more (as of %s, %d mailboxes checked)", p.days, time.format(now, "date"), #mailboxes),
})
print()
out.print(never, {
  columns = { "Mailbox", "UPN", "Type", "Created", "Age", "Size", "Disabled" },
  title = "Never signed in to (Age: days since the mailbox was created)",
  path = "never-signed-in.csv", -- --output csv: stdout holds the first table, this one a file
})

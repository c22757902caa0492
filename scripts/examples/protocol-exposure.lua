-- Client protocol exposure: which mailboxes accept POP, IMAP, EWS,
-- ActiveSync, MAPI and authenticated SMTP (Get-CASMailbox), with counts per
-- protocol. POP, IMAP and SMTP AUTH are the legacy ones password-spraying
-- goes after: mailboxes with any of them on are listed first.
--
-- SMTP AUTH: a mailbox's SmtpClientAuthenticationDisabled wins; when it is
-- not set ($null) the organization's setting (Get-TransportConfig) applies.
--
-- Role: Global Reader (reads only); Exchange Administrator works too.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun protocol-exposure.lua
--   exorun run -p legacy_only=true protocol-exposure.lua
local out = require("out")
local params = require("params")

local p = params.declare{
  legacy_only = { type = "boolean", default = false, help = "list only mailboxes with POP, IMAP or SMTP AUTH on" },
}

local exo = connect()

local orgSmtpAuthOff = exo.get_transport_config():first().SmtpClientAuthenticationDisabled
local protocols = { "POP", "IMAP", "SMTP AUTH", "EWS", "ActiveSync", "MAPI" }
local count = {}
for _, name in ipairs(protocols) do count[name] = 0 end

local rows, total = {}, 0
for c in exo["Get-CASMailbox"]{ ResultSize = "Unlimited" } do
  total = total + 1
  local smtp = c.SmtpClientAuthenticationDisabled
  if smtp == nil then smtp = orgSmtpAuthOff end
  local on = {
    POP = c.PopEnabled, IMAP = c.ImapEnabled, ["SMTP AUTH"] = not smtp,
    EWS = c.EwsEnabled, ActiveSync = c.ActiveSyncEnabled, MAPI = c.MAPIEnabled,
  }
  local row = { Mailbox = c.PrimarySmtpAddress, Type = (c.RecipientTypeDetails:gsub("Mailbox$", "")) }
  for _, name in ipairs(protocols) do
    if on[name] then count[name] = count[name] + 1 end
    row[name] = on[name] and "on" or "-"
  end
  row.legacy = on.POP or on.IMAP or on["SMTP AUTH"]
  if row.legacy or not p.legacy_only then rows[#rows + 1] = row end
end

table.sort(rows, function(a, b)
  if a.legacy ~= b.legacy then return a.legacy end
  return a.Mailbox < b.Mailbox
end)

local columns = { "Mailbox", "Type" }
for _, name in ipairs(protocols) do columns[#columns + 1] = name end
out.print(rows, { columns = columns, title = "Client protocols per mailbox (legacy protocols on first)" })

print()
local summary = {}
for _, name in ipairs(protocols) do
  summary[#summary + 1] = { Protocol = name, Enabled = count[name], Disabled = total - count[name] }
end
out.print(summary, {
  columns = { "Protocol", "Enabled", "Disabled" },
  title = string.format("Summary over %d mailboxes (organization SMTP AUTH: %s)", total, orgSmtpAuthOff and "off" or "on"),
  path = "protocol-summary.csv", -- --output csv: stdout holds the first table, this one a file
})

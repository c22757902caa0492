-- Delegate permission audit: who can open (FullAccess), send as (SendAs) or
-- send on behalf of (GrantSendOnBehalfTo) which mailbox.
--
-- Left out, as every such audit does: NT AUTHORITY\SELF (the owner),
-- inherited entries (service accounts and admin groups of the datacenter)
-- and Deny entries. One row per mailbox, delegate and right; a CSV of the
-- same rows goes to the --out folder for the access review.
--
-- Role: Global Reader (reads only); Exchange Administrator works too.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun permission-audit.lua
--   exorun run --out reports -p csv=delegates-2026-11.csv permission-audit.lua
--
-- As a scheduled job it fails with exit code 7 when a mailbox has more
-- FullAccess delegates than -p max_full_access allows (default 2).
local csv = require("csv")
local log = require("log")
local out = require("out")
local params = require("params")

local p = params.declare{
  csv = { type = "string", default = "permission-audit.csv", help = "CSV file written in the --out folder" },
  max_full_access = { type = "integer", default = 2, help = "most FullAccess delegates one mailbox may have" },
}
-- Each mailbox adds its FullAccess delegates: count is the total, max the
-- most any one mailbox has (no FullAccess at all passes).
local fullAccess = metric("full_access")
threshold("full_access", "count == 0 or max <= " .. p.max_full_access)

local exo = connect()
local SELF = "NT AUTHORITY\\SELF"

local function has(list, right)
  for _, r in ipairs(list or {}) do
    if r == right then return true end
  end
  return false
end

local mailboxes = {}
for m in exo.get_mailbox{ ResultSize = "Unlimited" } do mailboxes[#mailboxes + 1] = m end

-- Two calls per mailbox, 4 at a time.
local byId = {}
for i, m in ipairs(mailboxes) do byId[i] = { Identity = m.ExchangeGuid } end
local full = exo.parallel("Get-MailboxPermission", byId, { errors = "collect" })
local sendAs = exo.parallel("Get-RecipientPermission", byId, { errors = "collect" })

local rows = {}
local function add(m, delegate, right)
  rows[#rows + 1] = {
    Mailbox = m.UserPrincipalName, Type = (m.RecipientTypeDetails:gsub("Mailbox$", "")),
    Delegate = delegate, Right = right,
  }
end

-- GrantSendOnBehalfTo holds recipient names; show their addresses like the
-- other two rights do (one Get-Recipient per distinct delegate).
local addresses = {}
local function address(name)
  if addresses[name] == nil then
    local r = exo.get_recipient{ Identity = name }:first()
    addresses[name] = r and r.PrimarySmtpAddress or name
  end
  return addresses[name]
end

for i, m in ipairs(mailboxes) do
  if full[i].code then
    log.warn("mailbox permissions not read", { mailbox = m.UserPrincipalName, error = full[i].message })
  else
    for _, e in ipairs(full[i]) do
      if e.User ~= SELF and not e.IsInherited and not e.Deny and has(e.AccessRights, "FullAccess") then
        add(m, e.User, "FullAccess")
      end
    end
  end
  if sendAs[i].code then
    log.warn("recipient permissions not read", { mailbox = m.UserPrincipalName, error = sendAs[i].message })
  else
    for _, e in ipairs(sendAs[i]) do
      if e.Trustee ~= SELF and not e.IsInherited and e.AccessControlType == "Allow" and has(e.AccessRights, "SendAs") then
        add(m, e.Trustee, "SendAs")
      end
    end
  end
  for _, delegate in ipairs(m.GrantSendOnBehalfTo or {}) do
    add(m, address(delegate), "SendOnBehalf")
  end
end

table.sort(rows, function(a, b)
  if a.Mailbox ~= b.Mailbox then return a.Mailbox < b.Mailbox end
  if a.Right ~= b.Right then return a.Right < b.Right end
  return a.Delegate < b.Delegate
end)

local columns = { "Mailbox", "Type", "Right", "Delegate" }
out.print(rows, { columns = columns, title = string.format("Delegate permissions on %d mailboxes", #mailboxes) })

-- Totals by right, for the summary line of the review.
local count = { FullAccess = 0, SendAs = 0, SendOnBehalf = 0 }
local perMailbox = {}
for _, r in ipairs(rows) do
  count[r.Right] = count[r.Right] + 1
  if r.Right == "FullAccess" then perMailbox[r.Mailbox] = (perMailbox[r.Mailbox] or 0) + 1 end
end
for _, n in pairs(perMailbox) do fullAccess:add(n) end
print(string.format("FullAccess: %d, SendAs: %d, SendOnBehalf: %d", count.FullAccess, count.SendAs, count.SendOnBehalf))
csv.write(rows, { columns = columns, path = p.csv })

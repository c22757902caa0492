-- Turn POP off for the members of a group: a bulk change done safely.
--
--   1. Read the group's members (Get-DistributionGroupMember) and their
--      CAS settings; only mailboxes with POP on are touched, so a re-run
--      changes nothing.
--   2. Set-CASMailbox -PopEnabled $false for each. Run with --what-if first:
--      nothing is sent, every call is logged ("what-if: not sent") with its
--      parameters for review.
--   3. Read the settings back and report what changed. Every write actually
--      sent is also in exorun-journal.jsonl in the --out folder, with its
--      request id, for the change record.
--
-- Role: Exchange Administrator or Exchange Recipient Administrator
-- (Set-CASMailbox). With Global Reader even --what-if stops at the first
-- Set-CASMailbox: the role filter refuses it before anything is sent.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun run --what-if -p group=AllStaff disable-pop-for-group.lua   # review
--   exorun run --out changes -p group=AllStaff disable-pop-for-group.lua
local log = require("log")
local out = require("out")
local params = require("params")

local p = params.declare{
  group = { type = "string", required = true, position = 1, help = "distribution group whose members lose POP" },
}

local exo = connect()
local mailboxTypes = { UserMailbox = true, SharedMailbox = true, RoomMailbox = true, EquipmentMailbox = true }

-- 1. Members with a mailbox, and which of them have POP on.
local members = {}
for m in exo.get_distribution_group_member{ Identity = p.group, ResultSize = "Unlimited" } do
  if mailboxTypes[m.RecipientTypeDetails] then
    members[#members + 1] = m
  else
    log.debug("skipped: no mailbox", { member = m.PrimarySmtpAddress, type = m.RecipientTypeDetails })
  end
end
local byId = {}
for i, m in ipairs(members) do byId[i] = { Identity = m.PrimarySmtpAddress } end
local cas = exo.parallel("Get-CASMailbox", byId)

local targets = {}
for i, m in ipairs(members) do
  if cas[i][1] and cas[i][1].PopEnabled then targets[#targets + 1] = m end
end
log.info("members read", { group = p.group, mailboxes = #members, pop_on = #targets })

-- 2. The change, one call per mailbox (logged, not sent, under --what-if).
local changes = {}
for i, m in ipairs(targets) do changes[i] = { Identity = m.PrimarySmtpAddress, PopEnabled = false } end
if #changes > 0 then
  exo.parallel("Set-CASMailbox", changes)
end

-- 3. Read back and report.
local after = {}
if not exo.what_if and #changes > 0 then
  local ids = {}
  for i, m in ipairs(targets) do ids[i] = { Identity = m.PrimarySmtpAddress } end
  after = exo.parallel("Get-CASMailbox", ids)
end
local rows = {}
for i, m in ipairs(targets) do
  local now
  if exo.what_if then
    now = "would be turned off"
  else
    now = (after[i][1] and not after[i][1].PopEnabled) and "off" or "STILL ON"
  end
  rows[i] = { Mailbox = m.PrimarySmtpAddress, ["POP before"] = "on", ["POP now"] = now }
end
table.sort(rows, function(a, b) return a.Mailbox < b.Mailbox end)
out.print(rows, {
  columns = { "Mailbox", "POP before", "POP now" },
  title = string.format("POP for members of %s: %d mailboxes, %d with POP on%s",
    p.group, #members, #targets, exo.what_if and " (what-if: nothing changed)" or ""),
})
for _, r in ipairs(rows) do
  if r["POP now"] == "STILL ON" then error("POP is still on for " .. r.Mailbox .. " after Set-CASMailbox") end
end

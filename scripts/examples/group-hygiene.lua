-- Distribution group hygiene: groups nobody owns (ManagedBy empty: no one
-- can approve members or answer for the group), groups with no members
-- (mail to them goes nowhere), and groups whose only owners have a
-- disabled account. Every distribution and mail-enabled security group is
-- listed with its owners and member count; the problem groups are marked.
--
-- Role: Global Reader (reads only); Exchange Administrator works too.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun group-hygiene.lua
--   exorun run -o json group-hygiene.lua > groups.json
local log = require("log")
local out = require("out")

local exo = connect()

local groups = {}
for g in exo.get_distribution_group{ ResultSize = "Unlimited" } do groups[#groups + 1] = g end

-- Member counts: one Get-DistributionGroupMember per group, 4 at a time.
local inputs = {}
for i, g in ipairs(groups) do inputs[i] = { Identity = g.ExchangeObjectId, ResultSize = "Unlimited" } end
local members = exo.parallel("Get-DistributionGroupMember", inputs, { errors = "collect" })

-- Owners are recipient names; look each distinct one up once.
local owners = {}
local function owner(name)
  if owners[name] == nil then
    local ok, u = pcall(function() return exo.get_user{ Identity = name }:first() end)
    owners[name] = ok and u and { disabled = u.AccountDisabled } or false -- false: not a user
  end
  return owners[name]
end

local rows, problems = {}, 0
for i, g in ipairs(groups) do
  local issues = {}
  local managedBy = g.ManagedBy or {}
  if #managedBy == 0 then
    issues[#issues + 1] = "no owner"
  else
    local active = 0
    for _, name in ipairs(managedBy) do
      local o = owner(name)
      if not o or not o.disabled then active = active + 1 end
    end
    if active == 0 then issues[#issues + 1] = #managedBy == 1 and "owner disabled" or "all owners disabled" end
  end
  local count
  if members[i].code then
    log.warn("members not read", { group = g.PrimarySmtpAddress, error = members[i].message })
  else
    count = #members[i]
    if count == 0 then issues[#issues + 1] = "no members" end
  end
  if #issues > 0 then problems = problems + 1 end
  rows[#rows + 1] = {
    Group = g.DisplayName, Address = g.PrimarySmtpAddress,
    Type = g.RecipientTypeDetails == "MailUniversalSecurityGroup" and "Security" or "Distribution",
    Owners = table.concat(managedBy, ", "), Members = count, Issues = table.concat(issues, ", "),
  }
end

-- Problem groups first, then by name.
table.sort(rows, function(a, b)
  if (a.Issues == "") ~= (b.Issues == "") then return a.Issues ~= "" end
  return a.Group < b.Group
end)
out.print(rows, {
  columns = { "Group", "Address", "Type", "Owners", "Members", "Issues" },
  title = string.format("Distribution groups: %d, needing attention: %d", #groups, problems),
})

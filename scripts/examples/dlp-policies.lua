-- Data loss prevention overview (Security & Compliance): every DLP policy
-- with its mode (Enable = enforced, TestWithNotifications /
-- TestWithoutNotifications = simulation only), priority, workloads and
-- distribution status, then the rules of each policy with what they do.
--
-- Policies still in a test mode and policies whose distribution is not
-- "Success" are the findings: they look protective on paper and do nothing.
--
-- Role: Compliance Administrator, Security Reader or Global Reader.
-- Security & Compliance does not honour Exchange Administrator for apps.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun dlp-policies.lua
-- On the emulated tenant:
--   exorun run --demo --demo-role "Compliance Administrator" dlp-policies.lua
local log = require("log")
local out = require("out")

-- The connection settings come from the command line or environment as
-- always; only the service differs.
local scc = connect{ service = "compliance" }

local locations = {
  { "ExchangeLocation", "Exchange" }, { "SharePointLocation", "SharePoint" }, { "OneDriveLocation", "OneDrive" },
  { "TeamsLocation", "Teams" }, { "EndpointDlpLocation", "Devices" },
}

local policies, findings = {}, {}
for pol in scc.get_dlp_compliance_policy() do
  local where = {}
  for _, l in ipairs(locations) do
    local list = pol[l[1]] or {}
    if #list > 0 then where[#where + 1] = l[2] .. (list[1] == "All" and "" or " (" .. #list .. ")") end
  end
  policies[#policies + 1] = {
    Policy = pol.Name, Mode = pol.Mode, Enabled = pol.Enabled, Priority = pol.Priority,
    Locations = table.concat(where, ", "), Distribution = pol.DistributionStatus or "",
  }
  if pol.Mode ~= "Enable" then
    findings[#findings + 1] = string.format("%q is in %s mode: it only simulates", pol.Name, pol.Mode)
  end
  if not pol.Enabled then
    findings[#findings + 1] = string.format("%q is disabled", pol.Name)
  end
  if pol.DistributionStatus and pol.DistributionStatus ~= "Success" then
    findings[#findings + 1] = string.format("%q distribution: %s", pol.Name, pol.DistributionStatus)
  end
end
table.sort(policies, function(a, b) return a.Priority < b.Priority end)
out.print(policies, {
  columns = { "Priority", "Policy", "Mode", "Enabled", "Locations", "Distribution" },
  title = "DLP policies",
})

-- The rules: what each policy does. When they cannot be read (the app's
-- role lacks them, or, on the emulated tenant, the cmdlet is not modelled
-- and answers not_implemented), the report says so and keeps the policies.
local rules, rulesError = {}, nil
for _, pol in ipairs(policies) do
  local ok, err = pcall(function()
    for r in scc.get_dlp_compliance_rule{ Policy = pol.Policy } do
      rules[#rules + 1] = {
        Policy = pol.Policy, Rule = r.Name, Disabled = r.Disabled,
        Actions = (r.BlockAccess and "block" or "") .. (r.NotifyUser and #r.NotifyUser > 0 and " notify" or ""),
      }
    end
  end)
  if not ok then rulesError = err; break end
end
print()
if rulesError then
  log.warn("DLP rules not listed", { code = type(rulesError) == "table" and rulesError.code or "error" })
  print("DLP rules: not available to this app (" .. (type(rulesError) == "table" and rulesError.code or "error") .. ")")
else
  -- With --output csv stdout holds the policies; the rules go to a file.
  out.print(rules, { columns = { "Policy", "Rule", "Disabled", "Actions" }, title = "DLP rules", path = "dlp-rules.csv" })
end

print()
if #findings == 0 then
  print("No findings: every policy is enforced and distributed.")
else
  print("Findings:")
  for _, f in ipairs(findings) do print("  - " .. f) end
end

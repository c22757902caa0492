-- The examples' golden files, checked the way an admin checks a script:
-- each example runs on the demo tenant with the flags in NAME.args, and
-- what it prints (stdout, then stderr and the exit code when there are
-- any) must match NAME.golden. After a wanted change,
-- `exorun test --update scripts/examples` rewrites them and shows the diff.
-- now: 2026-11-01T09:00:00Z

local examples = {
  "disable-pop-for-group", "dlp-policies", "group-hygiene", "inactive-from-csv",
  "inactive-mailboxes", "mailbox-report", "mailbox-sizes-from-csv", "protocol-exposure",
  -- bundles: their entry script, run directly
  "external-forwarding/external-forwarding", "permission-audit/permission-audit",
}

-- NAME.args holds the flags of `exorun run --demo` for the example. Here
-- the test's tenant takes the place of --demo, and --demo-role becomes
-- run()'s role.
local function options(name)
  local text = read_file(name .. ".args") or ""
  local words = {}
  for w in text:gmatch("%S+") do words[#words + 1] = w end
  local opts, i = { args = {} }, 1
  while i <= #words do
    if words[i] == "--demo-role" then
      opts.role, i = words[i + 1], i + 1
    elseif words[i] ~= "--demo" then
      opts.args[#opts.args + 1] = words[i]
    end
    i = i + 1
  end
  return opts
end

for _, path in ipairs(examples) do
  local name = path:match("[^/]+$")
  local r = run(path .. ".lua", {}, options(name))
  expect_golden(r.transcript, name .. ".golden")
end

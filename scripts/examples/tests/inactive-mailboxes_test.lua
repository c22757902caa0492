-- Inactive mailboxes on a tenant written for the test (small-tenant.yaml):
-- who counts as inactive after 90 days, and what a Global Reader app sees.
-- fixture: small-tenant.yaml

local r = run("../inactive-mailboxes.lua", { days = 90 })
expect(r.code).to_equal(0)
expect(r.stdout).to_contain("Dan Dormant")
expect(r.stdout).to_contain("Front Desk")
expect(r.stdout).to_contain("Sam Starter")     -- listed apart: never signed in
expect(r.stdout).not_to_contain("Ava Active")  -- signed in yesterday
expect_golden(r.stdout, "inactive-mailboxes.golden")

-- Only user mailboxes: the shared one drops out.
local users = run("../inactive-mailboxes.lua", { days = 90, types = "UserMailbox" })
expect(users.stdout).not_to_contain("Front Desk")

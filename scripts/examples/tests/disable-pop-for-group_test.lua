-- The what-if write example: under --what-if nothing reaches the tenant;
-- the real run turns POP off for exactly the members that had it on; a
-- read-only app is stopped before it sends anything.
-- fixture: demo

-- 1. What-if: the plan, and not a single write sent.
local plan = run("../disable-pop-for-group.lua", { group = "AllStaff" }, { what_if = true })
expect(plan.code).to_equal(0)
expect(plan.writes).to_have_length(0)
expect(plan.stderr).to_contain('what-if: not sent" cmdlet=Set-CASMailbox')
expect(tenant.get("Get-CASMailbox", { Identity = "LeeG" })[1].PopEnabled).to_equal(true)

-- 2. A Global Reader app may not run Set-CASMailbox: exit 4 (permission).
local reader = run("../disable-pop-for-group.lua", { group = "AllStaff" }, { role = "Global Reader" })
expect(reader.code).to_equal(4)
expect(reader.writes).to_have_length(0)

-- 3. The change: two writes, and the tenant shows them.
local r = run("../disable-pop-for-group.lua", { group = "AllStaff" })
expect(r.code).to_equal(0)
expect(r.writes).to_have_length(2)
expect(r.writes).to_contain{ cmdlet = "Set-CASMailbox", Identity = "LeeG@contoso.com", PopEnabled = false }
expect(r.writes).to_contain{ cmdlet = "Set-CASMailbox", Identity = "AlexW@contoso.com", PopEnabled = false }
expect(tenant.get("Get-CASMailbox", { Identity = "LeeG" })[1].PopEnabled).to_equal(false)
expect(tenant.get("Get-CASMailbox", { Identity = "AlexW" })[1].PopEnabled).to_equal(false)
expect_golden(r.stdout, "disable-pop-for-group.golden")

-- 4. Run again: nothing left to change, nothing sent.
local again = run("../disable-pop-for-group.lua", { group = "AllStaff" })
expect(again.writes).to_have_length(0)

-- The mailbox report on the demo tenant: what it prints, the CSV it
-- writes, and that it only reads.
-- fixture: demo

local r = run("../mailbox-report.lua", { top = 5 })
expect(r.code).to_equal(0)
expect_golden(r.stdout, "mailbox-report.golden")

-- The CSV holds every mailbox, sizes in bytes, whatever --top shows.
local csv = r.files["mailbox-report.csv"]
expect(csv).to_match("^DisplayName,UserPrincipalName,Type,Items,SizeBytes,")
local rows = 0
for _ in csv:gmatch("\n[^\n]") do rows = rows + 1 end
expect(rows, "one CSV row per mailbox").to_equal(12)

-- A report never writes; it pages through the mailboxes once.
expect(r.writes).to_have_length(0)
expect(r.cmdlets).to_contain{ cmdlet = "Get-Mailbox", ResultSize = "Unlimited" }

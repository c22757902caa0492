-- Lua-side tests of the csv module; run by TestLuaSide with testdata as the
-- script's folder and an empty temporary folder as --out.
local csv = require("csv")

local function fails(fn, want)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error containing " .. want)
  assert(string.find(tostring(err), want, 1, true), "error " .. tostring(err) .. " lacks " .. want)
end

-- encode and decode
local text = csv.encode({ { upn = "a@contoso.com", size = 3 }, { upn = "b, c", size = 2.5 } }, { "upn", "size" })
assert(text == 'upn,size\na@contoso.com,3\n"b, c",2.5\n', text)
assert(csv.encode({ { b = 1, a = 2 } }) == "a,b\n2,1\n")
local rows = csv.decode(text)
assert(#rows == 2 and rows[2].upn == "b, c" and rows[2].size == "2.5")
local lists = csv.decode(text, { header = false })
assert(#lists == 3 and lists[1][2] == "size")

-- read a PowerShell export from the script's folder
local members = csv.read("members.csv")
assert(#members == 2, "members: " .. #members)
assert(members[1].DisplayName == "Zoë Martin", members[1].DisplayName)
assert(members[2].DisplayName == "Sales, EU")
assert(members[2].RecipientType == "MailUniversalDistributionGroup")

-- write to --out and read it back
assert(csv.write(members, { path = "copy/members.csv", columns = { "PrimarySmtpAddress", "DisplayName" } }) == 2)
local copy = csv.read("copy/members.csv", { from = "out" })
assert(#copy == 2 and copy[2].PrimarySmtpAddress == "sales-eu@contoso.com")
assert(copy[1].RecipientType == nil)
fails(function() csv.read("copy/members.csv") end, "csv.read: copy/members.csv: no such file")

-- write to stdout (checked by the Go test)
assert(csv.write({ { x = 1, y = 2 } }) == 1)

-- errors
fails(function() csv.decode("a,b\n1\n") end, "csv.decode: line 2: 1 fields, but the header has 2")
fails(function() csv.read("../csv.go") end, "path leaves the folder")
fails(function() csv.read("/etc/passwd") end, "absolute paths are not allowed")
fails(function() csv.write({ { a = 1 } }, { path = "../x.csv" }) end, "path leaves the folder")
fails(function() csv.encode({ { a = function() end } }) end, "csv.encode: row 1, column \"a\"")

print("ok")

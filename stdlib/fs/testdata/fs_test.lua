-- Lua-side test of the fs module. The script's folder is testdata/
-- (with fixtures/users.csv); --out is an empty temporary folder.
local fs = require("fs")

-- reads come from the script's folder
local csv = fs.read("fixtures/users.csv")
assert(csv == "name,mail\nada,ada@contoso.com\n", csv)
assert(fs.exists("fixtures/users.csv"))
assert(not fs.exists("fixtures/users.csv", {from = "out"}))

local names = fs.list(".")
assert(names[1] == "fixtures/" and names[2] == "fs_test.lua", table.concat(names, ","))

-- writes go to --out
fs.write("report/users.csv", csv)
fs.append("report/users.csv", "bob,bob@contoso.com\n")
assert(fs.read("report/users.csv", {from = "out"}) == csv .. "bob,bob@contoso.com\n")
local out = fs.list(".", {from = "out"})
assert(#out == 1 and out[1] == "report/")
assert(not fs.exists("report", {from = "script"}))

fs.mkdir("empty")
assert(fs.list("empty", {from = "out"})[1] == nil)
assert(fs.remove("empty") == true)
assert(fs.remove("empty") == false)

-- escapes fail with a message that names the path and the folder
local ok, err = pcall(fs.read, "../fs_test.go")
assert(not ok)
assert(tostring(err):find([[fs.read: "../fs_test.go" leaves the script's folder]], 1, true), tostring(err))

ok, err = pcall(fs.write, "/tmp/x", "data")
assert(not ok)
assert(err.message:find([[fs.write: "/tmp/x" leaves the --out folder: absolute paths]], 1, true), err.message)

ok, err = pcall(fs.read, "nope.txt")
assert(not ok and err.message:find("no such file", 1, true), tostring(err))

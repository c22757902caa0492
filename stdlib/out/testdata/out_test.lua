-- Lua-side test of the out module, run by TestLuaSide with
-- Options{Format = "json", Width = 40}.
local out = require("out")

assert(out.format() == "json", "out.format() should be the --output default")
for _, name in ipairs({"print", "table", "csv", "json", "format"}) do
	assert(type(out[name]) == "function", "out." .. name .. " should be a function")
end

-- Errors name the function and are catchable.
local ok, err = pcall(out.print, 42)
assert(not ok)
assert(tostring(err):find("out.print: rows must be a list of records", 1, true), tostring(err))

ok, err = pcall(out.table, {{A = 1}}, {format = "csv"})
assert(not ok)
assert(tostring(err):find("out.table: options: format is not allowed here", 1, true), tostring(err))

ok, err = pcall(out.print, {{A = 1}}, {format = "yaml"})
assert(not ok)
assert(err.message == 'out.print: options: unknown output format "yaml": want table, csv, json or xlsx', err.message)

-- A failed call prints nothing; these two print the expected output:
-- format = "" keeps the default (json here).
local rows = {{Name = "alice", SizeGB = 1}}
out.print(rows, {columns = {"Name"}, format = ""})
out.table(rows)

-- Lua-side test of the params module, run with
--   --param Group=Sales --param days=14 --param dry-run=true report.csv more
local params = require("params")

local p = params.declare{
  group     = {type = "string", required = true, help = "the group to audit"},
  days      = {type = "integer", default = 30, help = "how far back to look"},
  ["dry-run"] = {type = "boolean", default = false},
  out       = {type = "string", position = 1, help = "where to write the report"},
  sites     = {type = "list", default = "emea, apac"},
  verbose   = "boolean",
}

assert(p.group == "Sales", "names match case-insensitively")
assert(p.days == 14 and math.floor(p.days) == p.days)
assert(p["dry-run"] == true)
assert(p.out == "report.csv", "position 1 is the first positional argument")
assert(#p.sites == 2 and p.sites[1] == "emea" and p.sites[2] == "apac")
assert(p.verbose == nil)

local args = params.args()
assert(#args == 2 and args[1] == "report.csv" and args[2] == "more")

assert(params.get("group") == "Sales")
assert(params.get("GROUP") == "Sales")
assert(params.get("sites") == nil, "get returns raw input only, never defaults")

-- a declaration the user's input does not satisfy fails with a usage error
local ok, err = pcall(params.declare, {group = "string", days = "string", ["dry-run"] = "boolean", owner = {required = true}})
assert(not ok)
assert(err.message == 'params.declare: missing required parameter "owner" (give --param owner=VALUE)', err.message)

ok, err = pcall(params.declare, {group = "string", dry_run = "boolean"})
assert(not ok)
assert(err.message:find('unknown parameter "days" (declared: dry_run, group)', 1, true), err.message)

-- Lua-side tests of the json module; run by TestLuaSide.
local json = require("json")

local function fails(fn, want)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error containing " .. want)
  assert(string.find(tostring(err), want, 1, true), "error " .. tostring(err) .. " lacks " .. want)
end

-- encode
assert(json.encode(3) == "3")
assert(json.encode(2.5) == "2.5")
assert(json.encode(1e15) == "1000000000000000")
assert(json.encode({}) == "{}")
assert(json.encode(json.array()) == "[]")
assert(json.encode({ "a", "b" }) == '["a","b"]')
assert(json.encode({ z = 1, a = { 1, 2 } }) == '{"a":[1,2],"z":1}')
assert(json.encode("<a&b> é") == '"<a&b> é"')
assert(json.encode({ x = 1 }, { indent = true }) == '{\n  "x": 1\n}')

-- decode
local v = json.decode('{"users": [{"upn": "a@contoso.com", "aliases": []}], "next": null, "count": 1}')
assert(#v.users == 1)
assert(v.users[1].upn == "a@contoso.com")
assert(#v.users[1].aliases == 0)
assert(v.next == nil)
assert(v.count == 1)
assert(json.encode(v.users[1].aliases) == "[]", "decoded empty array must stay an array")
assert(json.encode(json.decode("{}")) == "{}")
assert(json.decode('"x"') == "x")
assert(json.decode(" 42 ") == 42)

-- round trip
local data = { name = "Sales", members = json.array(), owners = { "a", "b" }, extra = {}, n = 2.5 }
assert(json.encode(json.decode(json.encode(data))) == json.encode(data))

-- errors
local t = {}
t.me = t
fails(function() json.encode(t) end, "json.encode:")
fails(function() json.encode({ f = print }) end, "json.encode: f:")
fails(function() json.decode("[1, 2") end, "json.decode: unexpected end of JSON input")
fails(function() json.decode("[1] x") end, "after top-level value at offset 5")
fails(function() json.array({ a = 1 }) end, "json.array:")

print("ok")

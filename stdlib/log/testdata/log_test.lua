-- Lua-side test of the log module, run by TestLuaSide at level info.
local log = require("log")

for _, name in ipairs({"debug", "info", "warn", "error", "enabled", "secret", "reveal"}) do
	assert(type(log[name]) == "function", "log." .. name .. " should be a function")
end

-- A secret hides its value everywhere but log.reveal.
local pw = log.secret("correct-horse-battery")
assert(type(pw) == "userdata")
assert(tostring(pw) == "[REDACTED]")
assert(getmetatable(pw) == "[REDACTED]", "the metatable is protected")
assert(log.reveal(pw) == "correct-horse-battery")
assert(log.secret(pw) == pw, "marking a secret again returns it")
assert(log.reveal(log.secret(42)) == 42, "any value can be a secret")
local t = {}
assert(log.reveal(log.secret(t)) == t)

local ok, err = pcall(function() return "pw: " .. pw end)
assert(not ok and tostring(err):find("cannot be joined", 1, true), tostring(err))
ok, err = pcall(log.reveal, "plain")
assert(not ok and err.message == "log.reveal: want a value from log.secret, got string", tostring(err))
ok, err = pcall(log.info, nil)
assert(not ok and err.message == "log.info: message must be a string, got nil", tostring(err))

-- Levels: this test runs at info.
assert(log.enabled("info") and log.enabled("error"))
assert(not log.enabled("debug"))
log.debug("not shown", {password = log.reveal(pw)})

-- The one record the Go test expects.
log.info("signed in", {user = "svc@contoso.com", client_secret = log.reveal(pw), cert = pw})

-- Keeps every mailbox (:all()) and reports the live heap they hold.
local exo = connect()
collectgarbage()
local before = collectgarbage("count")
local all = exo.get_mailbox{ ResultSize = "Unlimited" }:all()
collectgarbage()
local after = collectgarbage("count")
print(string.format("objects=%d live_kb=%d", #all, math.floor(after - before)))

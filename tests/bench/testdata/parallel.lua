-- Get-MailboxStatistics for every mailbox, fanned out with exo.parallel.
local exo = connect()
local params = require("params")
local p = params.declare{
  concurrency = { type = "integer", default = 8 },
  fanout = { type = "boolean", default = true, help = "false: only list the mailboxes (the baseline)" },
}
local concurrency = p.concurrency
local inputs = {}
for m in exo.get_mailbox{ ResultSize = "Unlimited" } do
  inputs[#inputs + 1] = { Identity = m.ExchangeGuid }
end
if not p.fanout then print("calls=0") return end
local results = exo.parallel("Get-MailboxStatistics", inputs, { concurrency = concurrency })
local seen, dup, lost = {}, 0, 0
for i, r in ipairs(results) do
  if #r ~= 1 then lost = lost + 1 else
    local id = r[1].MailboxGuid or r[1].DisplayName
    if seen[id] then dup = dup + 1 end
    seen[id] = true
  end
end
local st = exo.stats()
print(string.format("calls=%d lost=%d duplicated=%d retries=%d throttled=%d", #results, lost, dup, st.retries, st.throttled))

-- Streams every mailbox and sums the send quota: the shape of a size report.
local exo = connect()
local n, quota = 0, 0
for m in exo.get_mailbox{ ResultSize = "Unlimited" } do
  n = n + 1
  quota = quota + (m.ProhibitSendQuotaBytes or 0) / 2^30
end
local st = exo.stats()
print(string.format("objects=%d pages=%d retries=%d", n, st.pages, st.retries))

-- Twenty small calls one after another: a tenant's run bound by the
-- service's latency, not by the client's CPU.
local exo = connect()
local n = 0
for _ = 1, 20 do
  n = n + #exo.get_organization_config():all()
end
local st = exo.stats()
print(string.format("objects=%d pages=%d retries=%d", n, st.pages, st.retries))

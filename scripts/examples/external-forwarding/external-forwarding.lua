-- External forwarding audit: every way a mailbox sends mail outside the
-- organization without anyone noticing.
--
--   * mailbox forwarding: ForwardingSmtpAddress (set by the user in OWA or
--     by an admin) and ForwardingAddress (a mail contact or mail user);
--   * inbox rules that ForwardTo, RedirectTo or ForwardAsAttachmentTo an
--     SMTP address outside the accepted domains (Get-AcceptedDomain).
--
-- Rules pointing at recipients of the directory ("EX:" legacy DNs) are
-- internal and left out. Disabled rules are listed too (Enabled = false):
-- a user can switch them back on at any time.
--
-- Role: Exchange Administrator, Exchange Recipient Administrator or
-- Helpdesk Administrator: Get-InboxRule is not granted to Global Reader.
--
-- Against a real tenant (app-only, certificate in the store):
--   export EXORUN_APP_ID=... EXORUN_ORGANIZATION=contoso.onmicrosoft.com
--   export EXORUN_CERTIFICATE_THUMBPRINT=...
--   exorun external-forwarding.lua
--   exorun run -o csv external-forwarding.lua > forwarding.csv
--
-- As a scheduled job it fails with exit code 7 when mail leaves the
-- organization (the threshold below); -p allow=N tolerates N findings.
local log = require("log")
local out = require("out")
local params = require("params")

local p = params.declare{
  allow = { type = "integer", default = 0, help = "findings tolerated before the run fails with exit code 7" },
}
local forwarding = metric("external_forwarding")
threshold("external_forwarding", "count <= " .. p.allow)

local exo = connect()

-- Accepted domains: mail to these (and, with MatchSubDomains, their
-- subdomains) stays in the organization.
local domains = {}
for d in exo.get_accepted_domain() do
  domains[#domains + 1] = { name = d.DomainName:lower(), subdomains = d.MatchSubDomains }
end

local function internal(address)
  local domain = address:match("@([^@>%]]+)$")
  if not domain then return true end -- not an SMTP address: nothing to judge
  domain = domain:lower()
  for _, d in ipairs(domains) do
    if domain == d.name then return true end
    if d.subdomains and domain:sub(-#d.name - 1) == "." .. d.name then return true end
  end
  return false
end

local findings = {}
local function add(m, kind, detail, target, enabled)
  findings[#findings + 1] = {
    Mailbox = m.UserPrincipalName, Kind = kind, Detail = detail, ["Forwards to"] = target, Enabled = enabled,
  }
  forwarding:add()
end

-- Mailbox-level forwarding, and the mailboxes whose inbox rules to read.
local mailboxes = {}
for m in exo.get_mailbox{ ResultSize = "Unlimited", RecipientTypeDetails = { "UserMailbox", "SharedMailbox" } } do
  mailboxes[#mailboxes + 1] = m
  local keep = m.DeliverToMailboxAndForward and "keeps a copy" or "no copy kept"
  if m.ForwardingSmtpAddress then
    local address = m.ForwardingSmtpAddress:gsub("^[Ss][Mm][Tt][Pp]:", "")
    if not internal(address) then add(m, "mailbox", "ForwardingSmtpAddress, " .. keep, address, true) end
  end
  if m.ForwardingAddress then
    -- A recipient of the directory: external when it is a contact or a
    -- mail user whose address is outside.
    local r = exo.get_recipient{ Identity = m.ForwardingAddress }:first()
    local address = r and (r.ExternalEmailAddress or r.PrimarySmtpAddress) or m.ForwardingAddress
    address = address:gsub("^[Ss][Mm][Tt][Pp]:", "")
    if not internal(address) then add(m, "mailbox", "ForwardingAddress, " .. keep, address, true) end
  end
end

-- Inbox rules, 4 mailboxes at a time. A mailbox that fails (deleted since,
-- or its rules are unreadable) is logged and skipped.
local inputs = {}
for i, m in ipairs(mailboxes) do inputs[i] = { Mailbox = m.ExchangeGuid } end
local rules = exo.parallel("Get-InboxRule", inputs, { errors = "collect" })
for i, m in ipairs(mailboxes) do
  if rules[i].code then
    log.warn("inbox rules not read", { mailbox = m.UserPrincipalName, error = rules[i].message })
  else
    for _, rule in ipairs(rules[i]) do
      for _, action in ipairs({ "ForwardTo", "RedirectTo", "ForwardAsAttachmentTo" }) do
        for _, target in ipairs(rule[action] or {}) do
          -- '"Adele" [SMTP:adele@example.com]' or '"Sales" [EX:/o=...]'
          local address = target:match("%[SMTP:([^%]]+)%]")
          if address and not internal(address) then
            add(m, "inbox rule", string.format("%s: %q", action, rule.Name), address, rule.Enabled)
          end
        end
      end
    end
  end
end

table.sort(findings, function(a, b)
  if a.Mailbox ~= b.Mailbox then return a.Mailbox < b.Mailbox end
  return a.Detail < b.Detail
end)
out.print(findings, {
  columns = { "Mailbox", "Kind", "Detail", "Forwards to", "Enabled" },
  title = string.format("External forwarding (%d mailboxes checked, internal domains: %d)", #mailboxes, #domains),
})
if #findings > 0 then
  log.warn("mail leaves the organization", { findings = #findings })
end

-- Helpers for the webhook specs: the real `labelcoop serve` with its
-- webhook options, the real receiver (tests/tools/receiver.c, which checks
-- every Standard Webhooks signature) and the receiver's log.
--
-- Environment (besides support.lua's):
--   LABELCOOP_RECEIVER  the receiver binary (default build/tests/webhook_receiver)

local support = require "support"
local H = require "http_support"
local json = support.json
local quote = support.quote

local assert = support.assert

local W = {}

W.receiver_bin = support.program("LABELCOOP_RECEIVER", "build/tests/webhook_receiver")

W.PASSWORD = H.PASSWORD
W.sleep = H.sleep
W.now = H.now

-- Every event type the issue lists.
W.TYPES = {
  "assessment.created", "audit.assigned", "assessment.submitted", "audit.submitted",
  "decision.recorded", "label.awarded", "label.refused", "label.expiring", "label.expired",
  "ruleset.activated", "action_item.overdue", "audit.auditor_unavailable", "webhook.disabled",
}

-- A fresh random secret: "whsec_" + base64 of 24 random bytes.
function W.secret()
  local p = assert(io.popen("head -c 24 /dev/urandom | base64"))
  local b64 = p:read("*l")
  p:close()
  assert(b64 and #b64 == 32, "base64 of 24 random bytes failed")
  return "whsec_" .. b64
end

-- Polls `pred` every `step` seconds (default 0.05) until it returns a true
-- value or `timeout` seconds pass; returns pred's last value.
W.wait_for = support.wait_for

-- Starts the receiver. opts: secret (required), log (default: a new file),
-- port (default: any free one), statuses ({500, 200}), retry_after (seconds).
-- Returns {url, hook (the URL to register), port, log, pid, stop, kill9,
-- records(), ...}.
function W.start_receiver(opts)
  assert(opts and opts.secret, "start_receiver needs a secret")
  local dir = H.tmpdir()
  local log = opts.log or (dir .. "/deliveries.jsonl")
  local cmd = quote(W.receiver_bin) .. " --secret " .. quote(opts.secret) .. " --log " .. quote(log)
    .. " --listen " .. quote("127.0.0.1:" .. tostring(opts.port or 0))
  if opts.statuses then
    cmd = cmd .. " --statuses " .. quote(table.concat(opts.statuses, ","))
  end
  if opts.retry_after then
    cmd = cmd .. " --retry-after " .. quote(tostring(opts.retry_after))
  end
  H.spawn(dir, cmd)
  local r = H.listening(dir, "webhook_receiver")
  r.log = log
  r.secret = opts.secret
  r.hook = r.url .. "/hook"
  function r.records()
    return W.records(log)
  end
  function r.count()
    return #W.records(log)
  end
  return H.keep(r)
end

-- A random number in [lo, hi] from /dev/urandom: parallel specs must not
-- draw the same sequence.
local function random_in(lo, hi)
  local f = assert(io.open("/dev/urandom", "rb"))
  local b1, b2, b3 = f:read(3):byte(1, 3)
  f:close()
  return lo + (b1 * 65536 + b2 * 256 + b3) % (hi - lo + 1)
end

-- A free loopback port that stays free while nobody listens on it: taken
-- below the kernel's ephemeral range, where no process listening on port 0
-- (the other specs' servers, run in parallel by ctest) is ever given it.
-- A port from that range, freed, could go to such a server within a second
-- and answer the webhook with its own 404. Checked by a receiver started on
-- it, then stopped.
function W.free_port()
  local range = support.read("/proc/sys/net/ipv4/ip_local_port_range") or ""
  local first = tonumber(range:match("^%s*(%d+)")) or 32768
  local lo, hi = 10000, first - 1
  if hi - lo < 1000 then
    lo, hi = 1024, first - 1
  end
  local last
  for _ = 1, 20 do
    local ok, r = pcall(W.start_receiver, { secret = W.secret(), port = random_in(lo, hi) })
    if ok then
      local port = r.port
      r.stop()
      return port
    end
    last = r
  end
  error("no free port below the ephemeral range after 20 tries: " .. tostring(last), 2)
end

-- Starts `labelcoop serve` on the database `opts.db`. opts: allow (default
-- "127.0.0.1/32"; false: no --webhook-allow), retry (default "0,1,1,1"),
-- tick_seconds, threads, plugins (a plugins folder).
function W.start_server(opts)
  assert(opts and opts.db, "start_server needs opts.db")
  local args = {}
  local function add(option, value)
    args[#args + 1] = option
    args[#args + 1] = tostring(value)
  end
  local allow = opts.allow
  if allow == nil then
    allow = "127.0.0.1/32"
  end
  if allow then
    add("--webhook-allow", allow)
  end
  add("--webhook-retry", opts.retry or "0,1,1,1")
  if opts.tick_seconds then
    add("--tick-seconds", opts.tick_seconds)
  end
  if opts.plugins then
    add("--plugins", opts.plugins)
  end
  return H.start_server({ db = opts.db, rules = opts.rules, args = args })
end

-- Stops every receiver and server still running (teardown).
W.stop_all = H.stop_all

-- The receiver's log: one decoded record per request, in arrival order.
-- Only whole lines: a line the receiver is still appending can be read
-- half-written, and is left for the next read.
function W.records(log)
  local out = {}
  local text = support.read(log) or ""
  for line in text:gmatch("([^\n]*)\n") do
    if line ~= "" then
      out[#out + 1] = json.decode(line)
    end
  end
  return out
end

-- Records whose body type is `t` (or any of a set {type = true}).
function W.of_type(records, t)
  return support.filter(records, function(r)
    local ty = type(r.body) == "table" and r.body.type
    return (type(t) == "table" and t[ty]) or ty == t
  end)
end

-- Waits until the receiver's log holds at least `n` records (or `pred(records)`
-- is true); returns the records.
function W.wait_records(receiver, n_or_pred, timeout)
  local recs
  local pred = type(n_or_pred) == "function" and n_or_pred or function(r)
    return #r >= n_or_pred
  end
  W.wait_for(function()
    recs = receiver.records()
    return pred(recs)
  end, timeout or 10)
  return recs
end

-- A short listing of records, for messages.
function W.show_records(records, max)
  local lines = {}
  for i, r in ipairs(records) do
    if i > (max or 40) then
      lines[#lines + 1] = "... (" .. #records .. " in all)"
      break
    end
    lines[#lines + 1] = string.format("%s %s verified=%s status=%s", tostring(r.id),
      type(r.body) == "table" and tostring(r.body.type) or tostring(r.body), tostring(r.verified),
      tostring(r.status))
  end
  return table.concat(lines, "\n")
end

-- Runs a labelcoop command; fails the test unless it exits 0. Returns the
-- run result.
function W.cli(args, stdin_string)
  local r = support.run(args, stdin_string)
  assert(r.code == 0, "labelcoop " .. table.concat(args, " ") .. " exited " .. tostring(r.code)
    .. "\nstdout: " .. r.stdout .. "\nstderr: " .. r.stderr)
  return r
end

local function last_word(text)
  local last
  for w in text:gmatch("%S+") do
    last = w
  end
  return last
end

-- The fixture: two organisations, an admin, a committee member, a certified
-- auditor and a member of each CAE, all with W.PASSWORD. Returns
-- {db, ids = {org_a, org_b, admin, committee, auditor, cae_a, cae_b}}.
W.USERS = {
  { key = "admin", email = "admin@wh.test", name = "Ada Admin", role = "admin" },
  { key = "committee", email = "committee@wh.test", name = "Camille Comité", role = "committee" },
  { key = "auditor", email = "auditor@wh.test", name = "Aude Auditrice", role = "auditor",
    certified = "2030-12-31" },
  { key = "cae_a", email = "cae-a@wh.test", name = "Alice Alpha", role = "cae", org = "org_a" },
}
W.ORG_NAMES = { org_a = "Coopérative Alpha", org_b = "Coopérative Bêta" }

function W.fixture()
  local dir = H.tmpdir()
  local db = dir .. "/fixture.db"
  W.cli({ "init", "--db", db })
  local ids = {}
  ids.org_a = math.tointeger(tonumber(last_word(W.cli({ "org", "add", "--db", db, "--name", W.ORG_NAMES.org_a,
    "--city", "Lyon" }).stdout)))
  ids.org_b = math.tointeger(tonumber(last_word(W.cli({ "org", "add", "--db", db, "--name", W.ORG_NAMES.org_b,
    "--city", "Nantes" }).stdout)))
  assert(ids.org_a and ids.org_b and ids.org_a ~= ids.org_b, "org add did not print two ids")
  for _, u in ipairs(W.USERS) do
    local args = H.user_add_args(db, u, u.org and ids[u.org])
    ids[u.key] = math.tointeger(tonumber(last_word(W.cli(args, W.PASSWORD .. "\n").stdout)))
    assert(ids[u.key], "user add " .. u.email .. " printed no id")
  end
  return { db = db, dir = dir, ids = ids }
end

-- Logs fixture users in (all, or those of the list `keys`); returns
-- {key = token}.
function W.login(server, keys)
  local wanted
  if keys then
    wanted = {}
    for _, k in ipairs(keys) do
      wanted[k] = true
    end
  end
  local tokens = {}
  for _, u in ipairs(W.USERS) do
    if not wanted or wanted[u.key] then
      tokens[u.key] = H.login(server, u.email, W.PASSWORD)
    end
  end
  return tokens
end

-- Registers a webhook with the CLI (secret on stdin); returns its id.
function W.cli_webhook(db, url, secret, events)
  local args = { "webhook", "add", "--db", db, "--url", url, "--secret-stdin" }
  if events then
    args[#args + 1] = "--events"
    args[#args + 1] = table.concat(events, ",")
  end
  local r = W.cli(args, secret .. "\n")
  local id = r.stdout:match("webhook (%d+) %-> ")
  assert(id, "webhook add did not print 'webhook ID -> URL': " .. r.stdout)
  assert(not r.stdout:find(secret, 1, true), "webhook add --secret-stdin echoed the secret: " .. r.stdout)
  return math.tointeger(tonumber(id))
end

-- Registers a webhook through the API as `token`; returns the 201 body.
function W.api_webhook(server, token, url, secret, events)
  local body = { url = url, events = events or { "*" } }
  if secret then
    body.secret = secret
  end
  local r = H.request(server, "POST", "/api/v1/webhooks", { token = token, json = body })
  H.expect(r, 201, "POST /webhooks")
  assert(r.json and type(r.json.id) == "number", "POST /webhooks without an id: " .. H.show(r))
  return r.json
end

-- Date arithmetic on YYYY-MM-DD (UTC).
function W.days_from_today(n)
  return os.date("!%Y-%m-%d", os.time() + n * 86400)
end

function W.minus_years(date, n)
  local y, m, d = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  y = tonumber(y) - n
  if m == "02" and d == "29" then
    d = "28"
  end
  return string.format("%04d-%s-%s", y, m, d)
end

-- Sends `list` ({method, path, token, json}) through one curl process in
-- the background, in order, on one connection. Returns a handle:
--   done() -> true once curl has exited; codes() -> the HTTP codes so far
--   (0 for a request that got no answer).
function W.burst(server, list)
  local dir = H.tmpdir()
  local cmd = H.curl_batch(server, list, dir, function()
    return "/dev/null"
  end)
  support.write(dir .. "/cmd", cmd .. " >" .. quote(dir .. "/codes") .. " 2>/dev/null; echo done >"
    .. quote(dir .. "/done") .. "\n")
  os.execute("sh " .. quote(dir .. "/cmd") .. " </dev/null >/dev/null 2>&1 &")
  local b = {}
  function b.done()
    return support.read(dir .. "/done") ~= nil
  end
  function b.codes()
    local out = {}
    for code in (support.read(dir .. "/codes") or ""):gmatch("(%d+)\n") do
      out[#out + 1] = tonumber(code)
    end
    return out
  end
  return b
end

W.H = H
W.json = json
return W

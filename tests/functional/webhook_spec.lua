-- Webhooks (issue 5): the durable, signed outbox, seen from a real receiver
-- (tests/tools/receiver.c) that checks every Standard Webhooks signature
-- and logs each request. The server is the real `labelcoop serve`, the
-- events come from the real API and CLI.

local support = require "support"
local W = require "webhook_support"
local O = require "openapi_support"
local H = W.H
local json = support.json

O.record() -- every answer checked against the API's description at the end

local function today()
  return os.date("!%Y-%m-%d")
end

local function count_if(list, pred)
  local n = 0
  for _, v in ipairs(list) do
    if pred(v) then
      n = n + 1
    end
  end
  return n
end

-- The ids of records, in order.
local ids_of = support.ids

-- Distinct webhook-ids of records, and the number of duplicates.
local function distinct(records)
  local seen, n, dups = {}, 0, 0
  for _, r in ipairs(records) do
    if seen[r.id] then
      dups = dups + 1
    else
      seen[r.id] = true
      n = n + 1
    end
  end
  return seen, n, dups
end

local function evt_number(id)
  return math.tointeger(tonumber(tostring(id):match("^evt_(%d+)$")))
end

-- GET /webhooks/{id}/deliveries as `token`: the attempts (a list).
local function deliveries(server, token, wid)
  local r = H.expect(H.request(server, "GET", "/api/v1/webhooks/" .. wid .. "/deliveries", { token = token }), 200,
    "deliveries")
  local list = r.json
  if type(list) == "table" and list.deliveries then
    list = list.deliveries
  end
  assert.is_table(list, "deliveries is not a list: " .. H.show(r))
  return list, r
end

local function attempts_of(list, event_no)
  local out = {}
  for _, a in ipairs(list) do
    if a.event_id == event_no or a.event_id == "evt_" .. event_no then
      out[#out + 1] = a
    end
  end
  return out
end

local function create_self(server, token, org)
  return H.new_self_assessment(server, token, org)
end

describe("webhooks", function()
  local fx

  setup(function()
    fx = W.fixture()
  end)

  after_each(function()
    W.stop_all()
    support.cleanup()
  end)

  teardown(function()
    W.stop_all()
    H.cleanup()
  end)

  it("delivers every event of a full flow, signed, with the documented payloads", function()
    local db = H.fresh_db(fx.db)
    local secret = W.secret()
    local rec = W.start_receiver({ secret = secret })
    local wid = W.cli_webhook(db, rec.hook, secret)
    local s = W.start_server({ db = db })
    local tok = W.login(s, { "admin", "committee", "auditor", "cae_a" })
    local crit = H.criteria(s)

    local sa = create_self(s, tok.cae_a, fx.ids.org_a)
    H.answer_all(s, tok.cae_a, sa.id, crit)
    H.expect(H.request(s, "POST", "/api/v1/assessments/" .. sa.id .. "/submit", { token = tok.cae_a }), 200,
      "submit self-assessment")
    local a = H.submitted_audit(s, tok.committee, tok.auditor, fx.ids.org_a, fx.ids.auditor, crit)
    local da = H.expect(H.request(s, "POST", "/api/v1/assessments/" .. a.id .. "/decision",
      { token = tok.committee, json = { outcome = "awarded", date = today() } }), 201, "award").json
    local b = H.submitted_audit(s, tok.committee, tok.auditor, fx.ids.org_b, fx.ids.auditor, crit,
      function() return "not_met" end)
    H.expect(H.request(s, "POST", "/api/v1/assessments/" .. b.id .. "/decision",
      { token = tok.committee, json = { outcome = "refused", date = today() } }), 201, "refuse")
    local valid_until = H.plus_years(today(), 3)
    assert.are.equal(valid_until, da.valid_until, "the award's valid_until")

    -- What must arrive, per type, in order of creation.
    local expected = {
      ["ruleset.activated"] = { json.null },
      ["assessment.created"] = { sa.id, a.id, b.id },
      ["assessment.submitted"] = { sa.id },
      ["audit.assigned"] = { a.id, b.id },
      ["audit.submitted"] = { a.id, b.id },
      ["decision.recorded"] = { a.id, b.id },
      ["label.awarded"] = { a.id },
      ["label.refused"] = { b.id },
    }
    local total = 0
    for _, l in pairs(expected) do
      total = total + #l
    end
    local recs = W.wait_records(rec, total, 15)
    W.sleep(0.5)
    recs = rec.records()
    assert.are.equal(total, #recs, "requests received:\n" .. W.show_records(recs))

    local org_of = { [sa.id] = "org_a", [a.id] = "org_a", [b.id] = "org_b" }
    local now = os.time()
    local seen_ids = {}
    local by_type = {}
    for _, r in ipairs(recs) do
      local what = tostring(r.id) .. " " .. json.encode(r.body)
      assert.is_true(r.verified, "signature does not verify: " .. what)
      assert.are.equal("POST", r.method, what)
      assert.is_truthy(evt_number(r.id), "webhook-id is not evt_<id>: " .. what)
      assert.is_nil(seen_ids[r.id], "delivered twice: " .. what)
      seen_ids[r.id] = true
      local ts = tonumber(r.timestamp)
      assert.is_truthy(ts and math.abs(ts - now) < 300, "webhook-timestamp is not the current Unix time: "
        .. tostring(r.timestamp))
      assert.is_table(r.body, what)
      assert.is_truthy(type(r.body.timestamp) == "string"
        and r.body.timestamp:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"), "body timestamp: " .. what)
      assert.is_table(r.body.data, "body without data: " .. what)
      local t = r.body.type
      assert.is_truthy(expected[t], "unexpected event type: " .. what)
      by_type[t] = by_type[t] or {}
      table.insert(by_type[t], r)
      local d = r.body.data
      if t == "ruleset.activated" then
        assert.are.equal(sa.ruleset, d.ruleset, "ruleset.activated names the active rule set: " .. what)
      else
        local org = org_of[d.assessment_id]
        assert.is_truthy(org, "assessment_id missing or unknown: " .. what)
        assert.are.equal(fx.ids[org], d.organisation_id, "organisation_id: " .. what)
        assert.are.equal(W.ORG_NAMES[org], d.organisation, "organisation (name): " .. what)
      end
      if t == "decision.recorded" or t == "label.awarded" or t == "label.refused" then
        local awarded = d.assessment_id == a.id
        assert.are.equal(awarded and "awarded" or "refused", d.outcome, "outcome: " .. what)
        assert.are.equal(awarded and valid_until or json.null, d.valid_until, "valid_until: " .. what)
      end
    end
    for t, list in pairs(expected) do
      local got = {}
      for i, r in ipairs(by_type[t] or {}) do
        got[i] = t == "ruleset.activated" and json.null or r.body.data.assessment_id
      end
      assert.are.same(list, got, t .. ": assessment ids in arrival order")
      -- webhook-ids grow with creation within a type
      for i = 2, #(by_type[t] or {}) do
        assert.is_true(evt_number(by_type[t][i - 1].id) < evt_number(by_type[t][i].id),
          t .. ": event ids out of creation order: " .. by_type[t][i - 1].id .. " then " .. by_type[t][i].id)
      end
    end

    -- The attempt log: one delivered 200 per event, with duration and response.
    local list = deliveries(s, tok.admin, wid)
    for id in pairs(seen_ids) do
      local at = attempts_of(list, evt_number(id))
      assert.are.equal(1, #at, "attempts logged for " .. id .. ": " .. json.encode(at))
      assert.are.equal(200, at[1].status, json.encode(at[1]))
      assert.are.equal("delivered", at[1].state, json.encode(at[1]))
      assert.is_number(at[1].duration_ms, json.encode(at[1]))
      assert.is_truthy(type(at[1].response) == "string" and at[1].response:find("received", 1, true),
        "response body not logged: " .. json.encode(at[1]))
    end

    -- An explicit replay resends one event, with the same webhook-id.
    local award = by_type["label.awarded"][1]
    local r = H.request(s, "POST", "/api/v1/webhooks/" .. wid .. "/replay",
      { token = tok.admin, json = { event_id = evt_number(award.id) } })
    H.expect(r, 202, "replay one event")
    assert.are.equal(1, r.json and r.json.queued, H.show(r))
    recs = W.wait_records(rec, total + 1, 10)
    assert.are.equal(total + 1, #recs, W.show_records(recs))
    assert.are.equal(award.id, recs[#recs].id, "the replayed event")
    assert.is_true(recs[#recs].verified, "replayed delivery signature")
    assert.are.equal("label.awarded", recs[#recs].body.type)
  end)

  it("retries a 500, honours Retry-After, and delivers once", function()
    local db = H.fresh_db(fx.db)
    local secret = W.secret()
    local rec = W.start_receiver({ secret = secret, statuses = { 500, 200 }, retry_after = 2 })
    local wid = W.cli_webhook(db, rec.hook, secret, { "assessment.created" })
    local s = W.start_server({ db = db, retry = "0,1,1,1" })
    local tok = W.login(s, { "admin", "cae_a" })
    local sa = create_self(s, tok.cae_a, fx.ids.org_a)
    W.wait_records(rec, 2, 15)
    W.sleep(1.5) -- a third request would come within the 1 s schedule
    local recs = rec.records()
    assert.are.equal(2, #recs, "requests received:\n" .. W.show_records(recs))
    assert.are.equal(recs[1].id, recs[2].id, "a retry carries the same webhook-id")
    assert.are.same({ 500, 200 }, { recs[1].status, recs[2].status })
    for _, r in ipairs(recs) do
      assert.is_true(r.verified, "signature of " .. r.id)
      assert.are.equal("assessment.created", r.body.type)
      assert.are.equal(sa.id, r.body.data.assessment_id)
    end
    -- when each came, by the receiver's clock: a test polling its log could
    -- see the first late, under load, and the gap shorter than it was
    local gap = recs[2].received_at - recs[1].received_at
    assert.is_true(gap >= 1.8, string.format("the retry came %.2f s after a 500 with Retry-After: 2", gap))

    local at = attempts_of(deliveries(s, tok.admin, wid), evt_number(recs[1].id))
    assert.are.equal(2, #at, "attempts logged: " .. json.encode(at))
    local statuses = { at[1].status, at[2].status }
    table.sort(statuses)
    assert.are.same({ 200, 500 }, statuses, json.encode(at))
    assert.are.equal(at[1].delivery_id, at[2].delivery_id, "both attempts belong to one delivery")
    for _, x in ipairs(at) do
      assert.are.equal("delivered", x.state, "the delivery's state: " .. json.encode(x))
      assert.are.equal(2, x.attempts, json.encode(x))
    end

    local log = W.cli({ "webhook", "log", "--db", db, "--id", tostring(wid) }).stdout
    local lines = {}
    for _, line in ipairs(support.lines(log)) do
      if line:find("assessment.created", 1, true) then
        lines[#lines + 1] = line
      end
    end
    assert.are.equal(2, #lines, "webhook log:\n" .. log)
    assert.is_truthy(lines[1]:find("%f[%d]500%f[%D]") or lines[2]:find("%f[%d]500%f[%D]"), log)
    assert.is_truthy(lines[1]:find("%f[%d]200%f[%D]") or lines[2]:find("%f[%d]200%f[%D]"), log)
  end)

  it("disables an endpoint answering 410 and says so to another endpoint", function()
    local db = H.fresh_db(fx.db)
    local secret_a, secret_b = W.secret(), W.secret()
    local gone = W.start_receiver({ secret = secret_a, statuses = { 410 } })
    local watcher = W.start_receiver({ secret = secret_b })
    local wa = W.cli_webhook(db, gone.hook, secret_a, { "assessment.created" })
    local wb = W.cli_webhook(db, watcher.hook, secret_b, { "webhook.disabled" })
    local s = W.start_server({ db = db, retry = "0,1,1,1" })
    local tok = W.login(s, { "admin", "cae_a" })
    local first = create_self(s, tok.cae_a, fx.ids.org_a)

    local wrecs = W.wait_records(watcher, 1, 10)
    assert.are.equal(1, #wrecs, "webhook.disabled not received")
    local ev = wrecs[1]
    assert.is_true(ev.verified, "signature of webhook.disabled")
    assert.are.equal("webhook.disabled", ev.body.type)
    local d = ev.body.data
    assert.is_table(d)
    assert.are.equal(wa, d.webhook_id, "webhook.disabled names the endpoint: " .. json.encode(d))

    local r = H.expect(H.request(s, "GET", "/api/v1/webhooks/" .. wa, { token = tok.admin }), 200, "GET webhook")
    assert.are.equal(false, r.json.enabled, "enabled after a 410: " .. H.show(r))
    assert.is_truthy(type(r.json.disabled_reason) == "string" and r.json.disabled_reason ~= "",
      "disabled without a reason: " .. H.show(r))
    assert.are.equal(r.json.disabled_reason, d.reason, "webhook.disabled gives the reason: " .. json.encode(d))
    local rb = H.expect(H.request(s, "GET", "/api/v1/webhooks/" .. wb, { token = tok.admin }), 200, "GET webhook")
    assert.are.equal(true, rb.json.enabled, "the other endpoint: " .. H.show(rb))

    local later = create_self(s, tok.cae_a, fx.ids.org_a)
    W.sleep(2)
    local grecs = gone.records()
    assert.are.equal(1, #grecs, "requests to the 410 endpoint:\n" .. W.show_records(grecs))
    assert.are.equal(first.id, grecs[1].body.data.assessment_id)
    assert.are.equal(410, grecs[1].status)
    assert.are.equal(1, watcher.count(), "the watcher only gets webhook.disabled")
    local list = deliveries(s, tok.admin, wa)
    for _, x in ipairs(list) do
      assert.are.equal(evt_number(grecs[1].id), x.event_id, "an attempt for another event than the 410'd one: "
        .. json.encode(x) .. " (later assessment " .. later.id .. ")")
    end
  end)

  it("delivers everything to a receiver that was down, once it is back on its port", function()
    local db = H.fresh_db(fx.db)
    local secret = W.secret()
    local port = W.free_port()
    local log = H.tmpdir() .. "/deliveries.jsonl"
    local wid = W.cli_webhook(db, "http://127.0.0.1:" .. port .. "/hook", secret)
    local s = W.start_server({ db = db, retry = "0,1,1,1,1,1,1,1" })
    local tok = W.login(s, { "admin", "cae_a" })
    local created = {}
    for i = 1, 3 do
      created[i] = create_self(s, tok.cae_a, fx.ids.org_a).id
    end
    -- nobody listens: the attempts fail and are logged
    local list
    local failed = W.wait_for(function()
      list = deliveries(s, tok.admin, wid)
      return count_if(list, function(x)
        return x.error ~= json.null and x.error ~= nil and x.state ~= "delivered"
      end) >= 4 and list
    end, 5)
    assert.is_truthy(failed, "no failed attempt logged while the receiver is down (port " .. port .. "): "
      .. json.encode(list))

    local rec = W.start_receiver({ secret = secret, port = port, log = log })
    -- ruleset.activated + 3 assessment.created
    local recs = W.wait_records(rec, 4, 10)
    assert.are.equal(4, select(2, distinct(recs)), "after the receiver came back:\n" .. W.show_records(recs))

    -- down again (killed), three more events, back again
    rec.kill9()
    for i = 4, 6 do
      created[i] = create_self(s, tok.cae_a, fx.ids.org_a).id
    end
    W.sleep(1.5)
    local rec2 = W.start_receiver({ secret = secret, port = port, log = log })
    recs = W.wait_records(rec2, function(rs)
      return select(2, distinct(rs)) >= 7
    end, 10)
    W.sleep(0.5)
    recs = rec2.records()
    local seen, n, dups = distinct(recs)
    assert.are.equal(7, n, W.show_records(recs))
    assert.are.equal(0, dups, "duplicates:\n" .. W.show_records(recs))
    local got = {}
    for _, r in ipairs(recs) do
      assert.is_true(r.verified, "signature of " .. r.id)
      if r.body.type == "assessment.created" then
        got[#got + 1] = r.body.data.assessment_id
      end
    end
    table.sort(got)
    assert.are.same(created, got, "assessment.created events received")
    assert.is_truthy(seen["evt_1"], "ruleset.activated (evt_1) never arrived:\n" .. W.show_records(recs))
  end)

  it("loses no event when the server is killed -9 in the middle of a burst of 1,000", function()
    local db = H.fresh_db(fx.db)
    local secret = W.secret()
    local rec = W.start_receiver({ secret = secret })
    W.cli_webhook(db, rec.hook, secret)
    local s = W.start_server({ db = db, retry = "0,1,1,1,1,1,1,1" })
    local tok = W.login(s, { "committee" })
    local N = 500 -- audits: assessment.created + audit.assigned each
    local function creations(n)
      local list = {}
      for i = 1, n do
        list[i] = { method = "POST", path = "/api/v1/organisations/" .. fx.ids.org_a .. "/assessments",
          token = tok.committee, json = { kind = "audit", auditor_id = fx.ids.auditor } }
      end
      return list
    end
    local burst = W.burst(s, creations(N))
    assert.is_truthy(W.wait_for(function()
      return rec.count() >= 60
    end, 20, 0.01), "deliveries did not start")
    s.kill9()
    local at_kill = rec.count()
    assert.is_true(at_kill < 2 * N + 1, "the kill came after every delivery (" .. at_kill .. ")")
    W.wait_for(burst.done, 20)

    local s2 = W.start_server({ db = db, retry = "0,1,1,1,1,1,1,1" })
    local tok2 = W.login(s2, { "committee" })
    local function audits()
      local r = H.expect(H.request(s2, "GET", "/api/v1/assessments?limit=1000", { token = tok2.committee }), 200,
        "assessments")
      local list = r.json.assessments or r.json
      local out = {}
      for _, x in ipairs(list) do
        out[#out + 1] = x.id
      end
      return out
    end
    local missing = N - #audits()
    if missing > 0 then
      local list = creations(missing)
      for _, x in ipairs(list) do
        x.token = tok2.committee
      end
      for i, r in ipairs(H.many(s2, list)) do
        H.expect(r, 201, "creation " .. i .. " after the restart")
      end
    end
    local ids = audits()
    assert.are.equal(N, #ids, "audits in the database")

    local want = {}
    for _, id in ipairs(ids) do
      want[id] = true
    end
    local function complete(rs)
      local got = { ["assessment.created"] = {}, ["audit.assigned"] = {} }
      for _, r in ipairs(rs) do
        local g = type(r.body) == "table" and got[r.body.type]
        if g then
          g[r.body.data.assessment_id] = true
        end
      end
      for id in pairs(want) do
        if not got["assessment.created"][id] or not got["audit.assigned"][id] then
          return false
        end
      end
      return true
    end
    local recs = W.wait_records(rec, complete, 30)
    W.sleep(0.5)
    recs = rec.records()
    assert.is_true(complete(recs), "events missing after the restart: " .. #recs .. " requests")
    local seen, n, dups = distinct(recs)
    local max = 0
    for id in pairs(seen) do
      max = math.max(max, evt_number(id) or math.huge)
    end
    for k = 1, max do
      assert.is_true(seen["evt_" .. k] == true, "event evt_" .. k .. " never arrived (last: evt_" .. max .. ")")
    end
    local activations = #W.of_type(recs, "ruleset.activated")
    local distinct_activations = select(2, distinct(W.of_type(recs, "ruleset.activated")))
    assert.are.equal(2 * N + distinct_activations, n, "distinct events received")
    -- At least once: what was in flight at the kill (64 at most, webhook.c's
    -- max_inflight) was sent and not yet recorded, so it goes again; a CI
    -- run saw exactly 64, which "< 64" refused.
    assert.is_true(dups <= 64, dups .. " duplicates (" .. #recs .. " requests, " .. n .. " events, "
      .. activations .. " ruleset.activated)")
    assert.are.equal(0, count_if(recs, function(r) return not r.verified end), "unverified signatures")
  end)

  it("signs with both secrets during a rotation", function()
    local db = H.fresh_db(fx.db)
    local s = W.start_server({ db = db })
    local tok = W.login(s, { "admin", "cae_a" })
    local old = W.secret()
    local port = W.free_port() -- the receivers take turns on it
    local rec_old = W.start_receiver({ secret = old, port = port })
    local hook = W.api_webhook(s, tok.admin, rec_old.hook, old, { "assessment.created" })
    assert.are.equal(old, hook.secret, "the given secret is shown once")

    local e1 = create_self(s, tok.cae_a, fx.ids.org_a)
    local recs = W.wait_records(rec_old, 1, 10)
    assert.are.equal(1, #recs)
    assert.is_true(recs[1].verified, "signed with the secret given")
    assert.are.equal(e1.id, recs[1].body.data.assessment_id)

    local r = H.expect(H.request(s, "PATCH", "/api/v1/webhooks/" .. hook.id,
      { token = tok.admin, json = { rotate_secret = true } }), 200, "rotate")
    local new = r.json and r.json.secret
    assert.is_truthy(type(new) == "string" and new:match("^whsec_[A-Za-z0-9+/]+=*$"), "new secret: " .. H.show(r))
    assert.are_not.equal(old, new)
    for _, g in ipairs({ "/api/v1/webhooks/" .. hook.id, "/api/v1/webhooks" }) do
      local gr = H.expect(H.request(s, "GET", g, { token = tok.admin }), 200, g)
      assert.is_falsy(gr.body:find(new, 1, true) or gr.body:find(old, 1, true), "a secret in GET " .. g .. ": "
        .. gr.body)
      assert.is_falsy(gr.body:find('"secret"', 1, true), "a secret key in GET " .. g .. ": " .. gr.body)
    end

    -- after the rotation the old secret still verifies...
    local e2 = create_self(s, tok.cae_a, fx.ids.org_a)
    recs = W.wait_records(rec_old, 2, 10)
    assert.are.equal(2, #recs)
    assert.are.equal(e2.id, recs[2].body.data.assessment_id)
    assert.is_true(recs[2].verified, "the old secret no longer verifies after the rotation")
    local e2_id = recs[2].id
    rec_old.stop()

    -- ...a stranger's secret does not...
    local stranger = W.start_receiver({ secret = W.secret(), port = port })
    local function replay(id)
      local rr = H.request(s, "POST", "/api/v1/webhooks/" .. hook.id .. "/replay",
        { token = tok.admin, json = { event_id = evt_number(id) } })
      H.expect(rr, 202, "replay")
      assert.are.equal(1, rr.json and rr.json.queued, H.show(rr))
    end
    replay(e2_id)
    recs = W.wait_records(stranger, 1, 10)
    assert.are.equal(1, #recs)
    assert.are.equal(e2_id, recs[1].id)
    assert.is_false(recs[1].verified, "a signature verified with an unrelated secret")
    stranger.stop()

    -- ...and the new one does, for the replay and for a new event.
    local rec_new = W.start_receiver({ secret = new, port = port })
    replay(e2_id)
    local e3 = create_self(s, tok.cae_a, fx.ids.org_a)
    recs = W.wait_records(rec_new, 2, 10)
    assert.are.equal(2, #recs, W.show_records(recs))
    for _, x in ipairs(recs) do
      assert.is_true(x.verified, "the new secret does not verify " .. x.id)
    end
    local got = { recs[1].body.data.assessment_id, recs[2].body.data.assessment_id }
    table.sort(got)
    assert.are.same({ e2.id, e3.id }, got)

    -- secrets never in the logs
    local out, err = s.output()
    local log = W.cli({ "webhook", "log", "--db", db }).stdout
    for _, sec in ipairs({ old, new }) do
      assert.is_falsy((out .. err):find(sec:sub(7), 1, true), "a secret in the server's output")
      assert.is_falsy(log:find(sec:sub(7), 1, true), "a secret in webhook log")
    end
  end)

  it("refuses loopback targets unless allowed, and non-http URLs", function()
    local db = H.fresh_db(fx.db)
    local secret = W.secret()
    local rec = W.start_receiver({ secret = secret })
    local s = W.start_server({ db = db, allow = false, retry = "0,1,1,1" })
    local tok = W.login(s, { "admin", "cae_a" })
    local hook = W.api_webhook(s, tok.admin, rec.hook, secret, { "assessment.created" })
    local sa = create_self(s, tok.cae_a, fx.ids.org_a)
    local refused = W.wait_for(function()
      local at = {}
      for _, x in ipairs(deliveries(s, tok.admin, hook.id)) do
        if type(x.error) == "string" and x.error:lower():find("refused", 1, true) then
          at[#at + 1] = x
        end
      end
      return #at >= 1 and at
    end, 5)
    assert.is_truthy(refused, "no attempt logged as refused: "
      .. json.encode(deliveries(s, tok.admin, hook.id)))
    assert.is_truthy(refused[1].error:lower():find("address refused", 1, true), json.encode(refused[1]))
    assert.are_not.equal(200, refused[1].status)
    W.sleep(1.5)
    assert.are.equal(0, rec.count(), "a loopback receiver got requests without --webhook-allow:\n"
      .. W.show_records(rec.records()))
    local log = W.cli({ "webhook", "log", "--db", db, "--id", tostring(hook.id) }).stdout
    assert.is_truthy(log:find("address refused", 1, true), "webhook log:\n" .. log)
    assert.are.equal("assessment.created", refused[1].type, "the refused attempt's event (assessment " .. sa.id
      .. "): " .. json.encode(refused[1]))
    assert.are_not.equal("delivered", refused[1].state, json.encode(refused[1]))

    for _, url in ipairs({ "ftp://127.0.0.1/hook", "/hook", "hook.example.org/x" }) do
      H.expect_error(H.request(s, "POST", "/api/v1/webhooks",
        { token = tok.admin, json = { url = url, events = { "*" } } }), 400, "$.url", "POST url " .. url)
    end
    H.expect_error(H.request(s, "PATCH", "/api/v1/webhooks/" .. hook.id,
      { token = tok.admin, json = { url = "ftp://127.0.0.1/hook" } }), 400, "$.url", "PATCH url")
    local list = H.expect(H.request(s, "GET", "/api/v1/webhooks", { token = tok.admin }), 200).json
    assert.are.equal(1, #list, "webhooks after refused creations: " .. json.encode(list))
    assert.are.equal(rec.hook, list[1].url, "the URL after a refused PATCH")
    local r = support.run({ "webhook", "add", "--db", db, "--url", "ftp://127.0.0.1/hook", "--secret-stdin" },
      secret .. "\n")
    assert.are.equal(2, r.code, r.stdout .. r.stderr)
    assert.is_truthy(r.stderr:find("$.url", 1, true), r.stderr)
  end)

  it("tick emits label.expiring once per lead time, label.expired and action_item.overdue", function()
    local db = H.fresh_db(fx.db)
    local last_word
    for w in W.cli({ "org", "add", "--db", db, "--name", "Coopérative Gamma", "--city", "Lille" }).stdout:gmatch("%S+") do
      last_word = w
    end
    local org_c = math.tointeger(tonumber(last_word))
    assert.is_truthy(org_c, "org add printed no id")
    local secret = W.secret()
    local rec = W.start_receiver({ secret = secret })
    W.cli_webhook(db, rec.hook, secret, { "label.expiring", "label.expired", "action_item.overdue" })
    -- no plugins: the shipped renewal-reminder answers label.expiring with
    -- action items already due, which a tick would then find overdue
    local s = W.start_server({ db = db, tick_seconds = 3600, plugins = H.tmpdir() })
    local tok = W.login(s, { "committee", "auditor", "cae_a" })
    local crit = H.criteria(s)
    local labels = {
      { org = fx.ids.org_a, name = W.ORG_NAMES.org_a, until_days = 20 },
      { org = fx.ids.org_b, name = W.ORG_NAMES.org_b, until_days = 60 },
      { org = org_c, name = "Coopérative Gamma", until_days = -5 },
    }
    for _, l in ipairs(labels) do
      local a = H.submitted_audit(s, tok.committee, tok.auditor, l.org, fx.ids.auditor, crit)
      l.assessment = a.id
      local date = W.minus_years(W.days_from_today(l.until_days), 3)
      -- audits submitted three years ago: a decision is dated on or after its submission
      H.sql(db, "UPDATE assessments SET submitted_at = '" .. date .. "T08:00:00Z' WHERE id = " .. a.id .. ";")
      local d = H.expect(H.request(s, "POST", "/api/v1/assessments/" .. a.id .. "/decision",
        { token = tok.committee, json = { outcome = "awarded", date = date } }), 201, "award on " .. date).json
      l.valid_until = d.valid_until
      assert.are.equal(W.days_from_today(l.until_days), d.valid_until, "valid_until of an award on " .. date)
    end
    local item = H.expect(H.request(s, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/action-items",
      { token = tok.cae_a, json = { criterion = crit[1].id, action = "Mettre à jour les statuts",
        owner = "Alice", due = W.days_from_today(-2) } }), 201, "action item").json
    W.sleep(0.5)
    assert.are.equal(0, rec.count(), "time-based events before any tick:\n" .. W.show_records(rec.records()))

    local first = W.cli({ "tick", "--db", db })
    -- every lead time already reached is sent once: 180, 90 and 30 days for a
    -- label ending in 20 days, 180 and 90 for one ending in 60 days; an
    -- expired label gets label.expired only
    assert.are.equal("tick " .. today() .. ": 7 events emitted", support.lines(first.stdout)[1], first.stdout)
    local second = W.cli({ "tick", "--db", db })
    assert.are.equal("tick " .. today() .. ": 0 events emitted", support.lines(second.stdout)[1], second.stdout)

    local recs = W.wait_records(rec, 7, 10)
    W.sleep(0.5)
    recs = rec.records()
    assert.are.equal(7, #recs, W.show_records(recs))
    local _, n = distinct(recs)
    assert.are.equal(7, n, "duplicates: " .. W.show_records(recs))
    for _, r in ipairs(recs) do
      assert.is_true(r.verified, "signature of " .. r.id)
    end
    local expiring = W.of_type(recs, "label.expiring")
    local expired = W.of_type(recs, "label.expired")
    local overdue = W.of_type(recs, "action_item.overdue")
    assert.are.same({ 5, 1, 1 }, { #expiring, #expired, #overdue }, W.show_records(recs))
    local leads = {}
    for _, r in ipairs(expiring) do
      local d = r.body.data
      leads[d.organisation_id] = leads[d.organisation_id] or {}
      table.insert(leads[d.organisation_id], d.lead_days)
      local l = d.organisation_id == labels[1].org and labels[1] or labels[2]
      assert.are.same({ l.org, l.name, l.assessment, l.valid_until, "awarded", l.until_days },
        { d.organisation_id, d.organisation, d.assessment_id, d.valid_until, d.outcome, d.days_left },
        json.encode(r.body))
    end
    for _, l in pairs(leads) do
      table.sort(l)
    end
    assert.are.same({ 30, 90, 180 }, leads[labels[1].org], "lead times sent for a label ending in 20 days")
    assert.are.same({ 90, 180 }, leads[labels[2].org], "lead times sent for a label ending in 60 days")
    assert.is_nil(leads[org_c], "label.expiring for an expired label")
    local x = expired[1].body.data
    assert.are.same({ org_c, "Coopérative Gamma", labels[3].assessment, labels[3].valid_until },
      { x.organisation_id, x.organisation, x.assessment_id, x.valid_until }, json.encode(x))
    local o = overdue[1].body.data
    assert.are.same({ fx.ids.org_a, W.ORG_NAMES.org_a, item.id },
      { o.organisation_id, o.organisation, o.action_item_id }, json.encode(o))
  end)

  -- A fresh database whose one webhook takes `types`, its receiver, and a
  -- server ticking every tick_seconds.
  local function receiving(types, tick_seconds)
    local db = H.fresh_db(fx.db)
    local secret = W.secret()
    local rec = W.start_receiver({ secret = secret })
    W.cli_webhook(db, rec.hook, secret, types)
    return db, rec, W.start_server({ db = db, tick_seconds = tick_seconds })
  end

  it("serve's own scheduler emits the time-based events, once", function()
    local _, rec, s = receiving({ "action_item.overdue" }, 1)
    local tok = W.login(s, { "cae_a" })
    local crit = H.criteria(s)
    local item = H.expect(H.request(s, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/action-items",
      { token = tok.cae_a, json = { criterion = crit[1].id, action = "Publier le rapport annuel",
        owner = "Alice", due = W.days_from_today(-1) } }), 201, "action item").json
    local recs = W.wait_records(rec, 1, 6)
    assert.are.equal(1, #recs, "action_item.overdue from the scheduler")
    W.sleep(2.5) -- two more ticks
    recs = rec.records()
    assert.are.equal(1, #recs, "the scheduler emitted twice:\n" .. W.show_records(recs))
    assert.is_true(recs[1].verified)
    local d = recs[1].body.data
    assert.are.same({ "action_item.overdue", fx.ids.org_a, W.ORG_NAMES.org_a, item.id },
      { recs[1].body.type, d.organisation_id, d.organisation, d.action_item_id }, json.encode(recs[1].body))
  end)

  it("audit.auditor_unavailable: a draft audit's auditor disabled, uncertified, or run out", function()
    local db, rec, s = receiving({ "audit.auditor_unavailable" }, 3600)
    local tok = W.login(s, { "admin", "committee", "auditor" })
    local crit = H.criteria(s)
    local done = H.submitted_audit(s, tok.committee, tok.auditor, fx.ids.org_a, fx.ids.auditor, crit)
    local a = H.new_audit(s, tok.committee, fx.ids.org_a, fx.ids.auditor)
    local b = H.new_audit(s, tok.committee, fx.ids.org_b, fx.ids.auditor)
    local user = "/api/v1/users/" .. fx.ids.auditor
    local function patch(body, what)
      H.expect(H.request(s, "PATCH", user, { token = tok.admin, json = body }), 200, what)
    end
    -- Told once per draft audit (the submitted one is not), with why.
    local function told(n, reason, until_date, what)
      local recs = W.wait_records(rec, n, 10)
      W.sleep(0.3)
      recs = rec.records()
      assert.are.equal(n, #recs, what .. ":\n" .. W.show_records(recs))
      local seen = {}
      for i = n - 1, n do
        local d = recs[i].body.data
        assert.is_true(recs[i].verified, "signature of " .. recs[i].id)
        assert.are.same({ "audit.auditor_unavailable", "audit", fx.ids.auditor, reason, until_date },
          { recs[i].body.type, d.kind, d.auditor_id, d.reason, d.certified_until }, json.encode(recs[i].body))
        assert.are.equal(d.assessment_id == a.id and fx.ids.org_a or fx.ids.org_b, d.organisation_id, what)
        assert.is_truthy(d.organisation and d.ruleset, json.encode(d))
        seen[#seen + 1] = d.assessment_id
      end
      table.sort(seen)
      assert.are.same({ a.id, b.id }, seen, what .. " (audit " .. done.id .. " is submitted)")
    end
    local yesterday = W.days_from_today(-1)
    patch({ certified_until = yesterday }, "certification ended by the administrator")
    told(2, "certification_ended", yesterday, "certification ended")
    -- the tick finds the same ended certification, already told
    assert.are.equal("tick " .. today() .. ": 0 events emitted",
      support.lines(W.cli({ "tick", "--db", db }).stdout)[1])
    patch({ certified_until = "2031-06-30" }, "certified again")
    patch({ disabled = true }, "disabled")
    told(4, "disabled", "2031-06-30", "account disabled")
    patch({ disabled = false }, "enabled again")
    patch({ name = "Aude Auditrice-Martin" }, "a change that leaves the auditor able")
    -- The certification runs out by the date: the tick tells it, once.
    H.sql(db, "UPDATE roles SET certified_until = '" .. W.days_from_today(-3) .. "' WHERE role = 'auditor' AND user_id = " .. fx.ids.auditor)
    W.sleep(0.5)
    assert.are.equal(4, rec.count(), "an event without a change:\n" .. W.show_records(rec.records()))
    assert.are.equal("tick " .. today() .. ": 2 events emitted",
      support.lines(W.cli({ "tick", "--db", db }).stdout)[1])
    assert.are.equal("tick " .. today() .. ": 0 events emitted",
      support.lines(W.cli({ "tick", "--db", db }).stdout)[1])
    told(6, "certification_expired", W.days_from_today(-3), "certification run out")
    -- A new date is told anew, for the audits still drafts.
    H.sql(db, "UPDATE assessments SET status = 'submitted' WHERE id = " .. a.id)
    H.sql(db, "UPDATE roles SET certified_until = '" .. W.days_from_today(-2) .. "' WHERE role = 'auditor' AND user_id = " .. fx.ids.auditor)
    assert.are.equal("tick " .. today() .. ": 1 events emitted",
      support.lines(W.cli({ "tick", "--db", db }).stdout)[1])
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

-- Decisions and the writing of audits under hostile and concurrent use
-- (issue 17, sections 3 and 4): one decision per submission whatever the
-- concurrency, decision dates that make sense, findings written by the
-- assigned and certified auditor only, and a deferral that gives the audit
-- back to its auditor and comes back to the committee, `verify` passing.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local L = require "lifecycle_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

local request, expect, expect_error = H.request, H.expect, H.expect_error

local race = H.race

local function decision_path(id)
  return "/api/v1/assessments/" .. id .. "/decision"
end

local function yesterday()
  return os.date("!%Y-%m-%d", os.time() - 86400)
end

local function tomorrow()
  return os.date("!%Y-%m-%d", os.time() + 86400)
end

describe("decisions", function()
  local fx, ids, db, server, t, criteria

  setup(function()
    fx, db, server, t, criteria = H.world()
    ids = fx.ids
  end)

  teardown(H.finish)

  local function submitted(org)
    return L.submitted_audit(server, t, org or ids.org_a, ids.auditor, criteria)
  end

  local function decide(id, body, token)
    return request(server, "POST", decision_path(id), { token = token or t.committee, json = body })
  end

  local function assessment(id)
    return expect(request(server, "GET", "/api/v1/assessments/" .. id, { token = t.committee }), 200).json
  end

  it("records exactly one of 4 concurrent decisions on a submitted audit, 20 rounds out of 20", function()
    local audits = {}
    for i = 1, 20 do
      audits[i] = submitted(i % 2 == 0 and ids.org_a or ids.org_b)
    end
    local today = H.today()
    for round, a in ipairs(audits) do
      local list = {}
      for k, outcome in ipairs({ "awarded", "refused", "awarded", "refused" }) do
        list[k] = { method = "POST", path = decision_path(a.id), token = t.committee,
          json = { outcome = outcome, date = today, recommendations = { "R" .. k } } }
      end
      local codes = race(server, list)
      table.sort(codes)
      assert.are.same({ 201, 409, 409, 409 }, codes, "round " .. round .. " (audit " .. a.id .. ")")
      assert.are.equal("1", H.sql_value(db, "SELECT count(*) FROM decisions WHERE assessment_id = " .. a.id .. ";"),
        "round " .. round)
      assert.are.equal("decided", assessment(a.id).status)
    end
    -- one decision.recorded event and one journal row per audit
    assert.are.equal("20", H.sql_value(db, "SELECT count(*) FROM events WHERE type = 'decision.recorded';"))
    assert.are.equal("20", H.sql_value(db, "SELECT count(*) FROM journal WHERE action = 'decision.record';"))
    local r = support.run({ "verify", "--db", db })
    assert.are.equal(0, r.code, r.stdout .. r.stderr)
  end)

  it("`verify` names a second decision on a submission already decided", function()
    -- the damage of concurrent decisions before issue 17, made by hand on a
    -- copy: a decided audit put back to "submitted" with sqlite3, decided again
    local dir = H.tmpdir()
    local copy = dir .. "/copy.db"
    assert.are.equal(0, support.run({ "db", "backup", copy, "--db", db }).code)
    local id = H.sql_value(copy, "SELECT assessment_id FROM decisions ORDER BY id LIMIT 1;")
    local first = H.sql_value(copy, "SELECT id FROM decisions ORDER BY id LIMIT 1;")
    H.sql(copy, "UPDATE assessments SET status = 'submitted' WHERE id = " .. id .. ";")
    local other = H.start_server({ db = copy })
    local token = H.login(other, H.USERS.committee.email)
    local d = expect(request(other, "POST", decision_path(id), { token = token,
      json = { outcome = "refused", date = H.today() } }), 201).json
    other.stop()
    local r = support.run({ "verify", "--db", copy })
    assert.are.equal(1, r.code, r.stdout .. r.stderr)
    local lines = L.lines_starting(r.stdout .. r.stderr, "decision " .. d.id .. ": ")
    assert.are.equal(1, #lines, r.stdout .. r.stderr)
    assert.matches("already decided by decision " .. first, lines[1], 1, true)
  end)

  it("refuses a decision dated after today, or before the audit's submission (400 at $.date)", function()
    local a = submitted()
    local e = expect_error(decide(a.id, { outcome = "refused", date = tomorrow() }), 400, "$.date")
    assert.matches("after today", e.message)
    e = expect_error(decide(a.id, { outcome = "refused", date = yesterday() }), 400, "$.date")
    assert.matches("before the audit's submission", e.message)
    expect_error(decide(a.id, { outcome = "refused", date = "2023-01-10" }), 400, "$.date")
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM decisions WHERE assessment_id = " .. a.id .. ";"))
    assert.are.equal("submitted", assessment(a.id).status)
    local d = expect(decide(a.id, { outcome = "refused", date = H.today() }), 201).json
    assert.are.equal(H.today(), d.date)
  end)

  describe("the writing of an audit", function()
    local function answer(token, id, status)
      return request(server, "PUT", "/api/v1/assessments/" .. id .. "/answers/" .. criteria[1].id,
        { token = token, json = { status = status or "met", comment = "Vu", evidence = { "PV" } } })
    end
    local function stakeholders(token, id)
      return request(server, "PUT", "/api/v1/assessments/" .. id .. "/stakeholders",
        { token = token, json = H.STAKEHOLDERS })
    end
    local function submit(token, id)
      return request(server, "POST", "/api/v1/assessments/" .. id .. "/submit", { token = token })
    end

    it("is refused to an administrator (403): answers, stakeholders, submission", function()
      local a = H.new_audit(server, t.admin, ids.org_a, ids.auditor)
      for _, token in ipairs({ t.admin, t.committee }) do
        expect_error(answer(token, a.id), 403)
        expect_error(stakeholders(token, a.id), 403)
        expect_error(submit(token, a.id), 403)
      end
      local got = assessment(a.id)
      assert.are.equal("draft", got.status)
      assert.are.same({}, got.answers)
      assert.are.same({}, got.stakeholders)
      -- a self-assessment is written by its CAE's members only
      local sa = H.new_self_assessment(server, t.cae_a, ids.org_a)
      for _, token in ipairs({ t.admin, t.committee }) do
        expect_error(answer(token, sa.id), 403)
        expect_error(submit(token, sa.id), 403)
      end
      expect(answer(t.cae_a, sa.id), 200)
      -- the assigned auditor writes it
      expect(answer(t.auditor, a.id), 200)
      expect(stakeholders(t.auditor, a.id), 200)
    end)

    it("is refused to its auditor once their certification lapsed or was cleared (403)", function()
      local a = H.new_audit(server, t.committee, ids.org_a, ids.auditor_b)
      expect(answer(t.auditor_b, a.id, "partial"), 200)
      for _, until_ in ipairs({ "'" .. yesterday() .. "'", "NULL" }) do
        H.sql(db, "UPDATE roles SET certified_until = " .. until_ .. " WHERE role = 'auditor' AND user_id = " .. ids.auditor_b .. ";")
        local e = expect_error(answer(t.auditor_b, a.id), 403)
        assert.matches("certification", e.message)
        expect_error(stakeholders(t.auditor_b, a.id), 403)
        expect_error(submit(t.auditor_b, a.id), 403)
      end
      local got = assessment(a.id)
      assert.are.equal("draft", got.status)
      assert.are.equal("partial", got.answers[1].status)
      assert.are.same({}, got.stakeholders)
      -- certified again: the audit is theirs to finish
      H.sql(db, "UPDATE roles SET certified_until = '2030-12-31' WHERE role = 'auditor' AND user_id = " .. ids.auditor_b .. ";")
      expect(answer(t.auditor_b, a.id), 200)
    end)
  end)

  describe("a deferral", function()
    it("names points for the auditor, and no other outcome does (400 at $.points)", function()
      local a = submitted()
      expect_error(decide(a.id, { outcome = "deferred", date = H.today() }), 400, "$.points")
      expect_error(decide(a.id, { outcome = "deferred", points = {} }), 400, "$.points")
      expect_error(decide(a.id, { outcome = "deferred", points = { { criterion = "XX-99", text = "?" } } }), 400,
        "$.points[0].criterion")
      expect_error(decide(a.id, { outcome = "refused", points = { "Compléter" } }), 400, "$.points")
      assert.are.equal("submitted", assessment(a.id).status)
    end)

    it("gives the audit back to its auditor, whose resubmission the committee decides; verify passes", function()
      local weak = criteria[2].id
      local a = L.submitted_audit(server, t, ids.org_b, ids.auditor, criteria, { [weak] = "not_met" })
      local points = { { criterion = weak, text = "Joindre le procès-verbal de l'assemblée." }, "Dater les pièces." }
      local d1 = expect(decide(a.id, { outcome = "deferred", date = H.today(), points = points,
        recommendations = { "Revoir les preuves." } }), 201).json
      assert.are.equal("deferred", d1.outcome)
      assert.are.same(points, d1.points)
      -- the auditor's again, with the committee's points
      local got = assessment(a.id)
      assert.are.equal("draft", got.status)
      assert.are.same(points, got.decisions[1].points)
      local mine = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = t.auditor }), 200).json
      assert.are.same(points, mine.decisions[1].points)
      -- nobody decides a draft
      expect_error(decide(a.id, { outcome = "refused", date = H.today() }), 409)
      L.answer(server, t.auditor, a.id, { [weak] = "met" })
      local s2 = expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit", { token = t.auditor }),
        200).json
      assert.are.equal("submitted", s2.status)
      assert.is_true(s2.evaluation.eligible)
      local d2 = expect(decide(a.id, { outcome = "awarded", date = H.today() }), 201).json
      assert.are.equal("awarded", d2.outcome)
      assert.are.same({}, d2.points)
      got = assessment(a.id)
      assert.are.equal("decided", got.status)
      assert.are.equal(2, #got.decisions)
      -- one decision per submission: the award closed it
      expect_error(decide(a.id, { outcome = "refused", date = H.today() }), 409)
      -- the history, in order: submission, deferral, submission, award
      local rows = H.sql_rows(db, "SELECT action FROM journal WHERE entity = 'assessment' AND entity_id = "
        .. a.id .. " AND action IN ('assessment.submit', 'decision.record') ORDER BY id;")
      local actions = {}
      for i, row in ipairs(rows) do
        actions[i] = row.action
      end
      assert.are.same({ "assessment.submit", "decision.record", "assessment.submit", "decision.record" }, actions)
      local events = H.sql_rows(db, "SELECT type, json_extract(data, '$.outcome') AS outcome FROM events"
        .. " WHERE json_extract(data, '$.assessment_id') = " .. a.id
        .. " AND type IN ('audit.submitted', 'decision.recorded') ORDER BY id;")
      local seen = {}
      for i, ev in ipairs(events) do
        seen[i] = ev.type .. (ev.type == "decision.recorded" and (":" .. tostring(ev.outcome)) or "")
      end
      assert.are.same({ "audit.submitted", "decision.recorded:deferred", "audit.submitted",
        "decision.recorded:awarded" }, seen)
      -- each decision replays from its own frozen evaluation
      local recs = H.sql_rows(db, "SELECT json_extract(record, '$.evaluation.eligible') AS eligible FROM decisions"
        .. " WHERE assessment_id = " .. a.id .. " ORDER BY id;")
      assert.are.equal(0, recs[1].eligible)
      assert.are.equal(1, recs[2].eligible)
      local r = support.run({ "verify", "--db", db })
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
    end)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

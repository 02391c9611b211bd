-- A rule change never locks anyone's work, and never rewrites a result
-- (issue 17, section 4): after an activation, even a comment-only one, a
-- draft keeps its rules and stays editable; its CAE (for a self-assessment)
-- or the committee sees what moving it to the active rules would change
-- (GET /assessments/{id}/whatif) and moves it (POST /assessments/{id}/migrate);
-- submitted and decided assessments keep their rules and frozen evaluation
-- whatever migrates (API and command line); the what-if says that a label
-- awarded under the old rules is kept.
--
-- One database and one server; the `it` blocks form one story, in order.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local L = require "lifecycle_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

local request, expect = H.request, H.expect

local SO = "referential/06-societal.lua"
local RS = "referential/05-reseau-cpe.lua"

local SO16 = L.SO16

local function path(id, tail)
  return "/api/v1/assessments/" .. id .. (tail or "")
end

describe("drafts across rule changes", function()
  local w, h0, h1, hs, crit, sa, sub, audit, audit_draft, sub_before, audit_before

  -- The rows of the database an assessment's result lives in.
  local function frozen(id)
    return L.sql(w.db, "SELECT status, ruleset, evaluation FROM assessments WHERE id = " .. id
      .. "; SELECT outcome, ruleset, evaluation FROM decisions WHERE assessment_id = " .. id .. ";")
  end

  local function activate(dir, note)
    L.run({ "rules", "activate", "--db", w.db, "--rules", dir, "--note", note })
    local h = L.hash_of(dir)
    assert.is_true(L.wait_for(function() return L.active_hash(w.server) == h end, 5))
    return h
  end

  setup(function()
    local base = L.rules_copy("base")
    h0 = L.hash_of(base)
    w = L.world(base, { "committee", "auditor", "cae_a", "cae_b", "admin" })
    crit = H.criteria(w.server)
    -- Alpha's self-assessment in progress: everything answered but JF-01.
    sa = H.new_self_assessment(w.server, w.t.cae_a, w.ids.org_a)
    L.answer(w.server, w.t.cae_a, sa.id, L.answers(crit, { ["SO-07"] = "partial", ["JF-01"] = false }))
    -- Beta's self-assessment, submitted.
    sub = H.new_self_assessment(w.server, w.t.cae_b, w.ids.org_b)
    L.answer(w.server, w.t.cae_b, sub.id, L.answers(crit, { ["JF-02"] = "partial" }))
    expect(request(w.server, "POST", path(sub.id, "/submit"), { token = w.t.cae_b }), 200, "submit")
    -- Alpha's audit, labelled (RS-04 not met: eligible while RS-04 is advised).
    audit = L.submitted_audit(w.server, w.t, w.ids.org_a, w.ids.auditor, crit, { ["RS-04"] = "not_met" })
    assert.are.equal("eligible", audit.evaluation.outcome)
    L.decide(w, audit.id, "awarded", H.today())
    -- Beta's audit in progress.
    audit_draft = H.new_audit(w.server, w.t.committee, w.ids.org_b, w.ids.auditor)
    sub_before, audit_before = frozen(sub.id), frozen(audit.id)
  end)

  teardown(function()
    L.stop_world(function() return w end)()
    H.stop_all()
    H.cleanup()
    support.cleanup()
  end)

  it("keeps a draft editable under its own rules after a comment-only activation", function()
    local comment = L.rules_copy("comment")
    L.append(comment, "award.lua", "\n-- Relu par le comité : rien ne change.\n")
    h1 = activate(comment, "commentaire seulement")
    assert.are_not.equal(h0, h1)
    expect(request(w.server, "PUT", path(sa.id, "/answers/JF-01"),
      { token = w.t.cae_a, json = { status = "met" } }), 200, "answer after the activation")
    local a = L.assessment(w, w.t.cae_a, sa.id)
    assert.are.equal(h0, a.ruleset)
    assert.are.equal("draft", a.status)
    -- The page reads the criteria of the draft's own rules.
    local ref = expect(request(w.server, "GET", "/api/v1/referential?ruleset=" .. h0), 200, "referential").json
    assert.are.equal(h0, ref.ruleset)
    assert.are.equal(#crit, #ref.criteria)
    H.expect_error(request(w.server, "GET", "/api/v1/referential?ruleset=" .. string.rep("0", 64)), 404)
  end)

  it("shows one draft's what-if to its CAE and the committee, nobody else", function()
    local r = expect(L.get(w.server, w.t.cae_a, "/assessments/" .. sa.id .. "/whatif"), 200, "whatif").json
    assert.are.same({ assessment_id = sa.id, from = h0, to = h1, before = "eligible", after = "eligible",
      criteria = {}, added = {}, orphans = {} }, r)
    assert.are.same(r, expect(L.get(w.server, w.t.committee, "/assessments/" .. sa.id .. "/whatif"), 200,
      "whatif as committee").json)
    expect(L.get(w.server, w.t.committee, "/assessments/" .. audit_draft.id .. "/whatif"), 200, "audit draft")
    for _, who in ipairs({ "cae_b", "admin", "auditor" }) do
      H.expect_error(L.get(w.server, w.t[who], "/assessments/" .. sa.id .. "/whatif"), 403, nil, who)
    end
    H.expect_error(L.get(w.server, w.t.auditor, "/assessments/" .. audit_draft.id .. "/whatif"), 403, nil,
      "the auditor")
    H.expect_error(L.get(w.server, w.t.cae_b, "/assessments/" .. audit_draft.id .. "/whatif"), 403, nil,
      "the CAE, on its audit")
    -- Not a draft: nothing to move.
    H.expect_error(L.get(w.server, w.t.cae_b, "/assessments/" .. sub.id .. "/whatif"), 409, nil, "submitted")
    H.expect_error(L.get(w.server, w.t.committee, "/assessments/" .. audit.id .. "/whatif"), 409, nil, "decided")
  end)

  it("moves one draft to the active rules for its CAE or the committee, nobody else", function()
    local function migrate(who, id, body)
      return request(w.server, "POST", path(id, "/migrate"), { token = w.t[who], json = body })
    end
    for _, who in ipairs({ "cae_b", "admin", "auditor" }) do
      H.expect_error(migrate(who, sa.id, { to = h1 }), 403, nil, who)
    end
    H.expect_error(migrate("cae_a", sa.id, { to = json.null }), 400, "$.to")
    H.expect_error(migrate("cae_a", sa.id, { to = h1, extra = 1 }), 400, "$.extra")
    -- Only to the active rules.
    H.expect_error(migrate("cae_a", sa.id, { to = h0 }), 409, nil, "to older rules")
    -- Not a draft: 409, and nothing written.
    H.expect_error(migrate("cae_b", sub.id, { to = h1 }), 409, nil, "submitted")
    H.expect_error(migrate("committee", audit.id, { to = h1 }), 409, nil, "decided")
    assert.are.equal(sub_before, frozen(sub.id))
    assert.are.equal(audit_before, frozen(audit.id))

    local journal0 = tonumber(L.sql_value(w.db, "SELECT count(*) FROM journal;"))
    local r = expect(migrate("cae_a", sa.id, { to = h1 }), 200, "migrate").json
    assert.are.same({ assessment_id = sa.id, from = h0, to = h1, orphans = {} }, r)
    assert.are.equal(journal0 + 1, tonumber(L.sql_value(w.db, "SELECT count(*) FROM journal;")))
    assert.are.equal(h1, L.assessment(w, w.t.cae_a, sa.id).ruleset)
    H.expect_error(migrate("cae_a", sa.id, { to = h1 }), 409, nil, "already moved")
    expect(migrate("committee", audit_draft.id, { to = h1 }), 200, "the committee moves an audit draft")
    expect(request(w.server, "PUT", path(sa.id, "/answers/JF-01"),
      { token = w.t.cae_a, json = { status = "partial" } }), 200, "answer after the move")
    assert.are.equal(0, support.run({ "verify", "--db", w.db }).code)
  end)

  it("says in the what-if that a label awarded under the old rules is kept", function()
    -- Under the active rules (the shipped ones, commented), RS-04 becomes mandatory.
    local cand = L.rules_copy("mandatory")
    L.set_level(cand, RS, "RS-04", "advised", "mandatory")
    local report = json.decode(L.run({ "whatif", "--db", w.db, "--rules", cand, "--format", "json" }).stdout)
    local row
    for _, c in ipairs(report.changed) do
      if c.assessment_id == audit.id then
        row = c
      end
    end
    assert.are.same({ organisation_id = w.ids.org_a, organisation = "Coopérative Alpha", assessment_id = audit.id,
      kind = "audit", before = "eligible", after = "not_eligible", criteria = { "RS-04" },
      decided = true, label_kept = true }, row)
    local text = L.run({ "whatif", "--db", w.db, "--rules", cand }).stdout
    assert.matches("decided: the label awarded stays until it expires", text, 1, true)
    local api = expect(request(w.server, "POST", "/api/v1/rulesets/whatif",
      { token = w.t.committee, json = { files = L.files_of(cand) } }), 200, "whatif").json
    assert.are.same(report, api)
  end)
  it("says what moving a draft would change: new criteria, orphans, outcome", function()
    expect(request(w.server, "PUT", path(sa.id, "/answers/JF-01"),
      { token = w.t.cae_a, json = { status = "met" } }), 200, "answer")
    local swap = L.rules_copy("swap")
    L.remove_criterion(swap, SO, "SO-07")
    L.append(swap, SO, L.criterion_text(SO16))
    hs = activate(swap, "SO-07 remplacé par SO-16")
    local r = expect(L.get(w.server, w.t.cae_a, "/assessments/" .. sa.id .. "/whatif"), 200, "whatif").json
    assert.are.same({ assessment_id = sa.id, from = h1, to = hs, before = "eligible", after = "incomplete",
      criteria = { "SO-16" }, added = { "SO-16" }, orphans = { "SO-07" } }, r)
    -- The what-if wrote nothing.
    assert.are.equal(h1, L.assessment(w, w.t.cae_a, sa.id).ruleset)
  end)

  it("never moves a submitted or decided assessment, through the API or the command line", function()
    local out = json.decode(L.run({ "assessments", "migrate", "--db", w.db, "--to", hs }).stdout)
    local kept = {}
    for _, k in ipairs(out.kept) do
      kept[k.assessment_id] = k
    end
    for _, m in ipairs(out.migrated) do
      assert.are_not.equal(sub.id, m.assessment_id)
      assert.are_not.equal(audit.id, m.assessment_id)
    end
    assert.are.same({ assessment_id = sub.id, status = "submitted", ruleset = h0 }, kept[sub.id])
    assert.are.same({ assessment_id = audit.id, status = "decided", ruleset = h0 }, kept[audit.id])
    assert.are.equal(hs, L.assessment(w, w.t.cae_a, sa.id).ruleset, "the draft moved")
    local api = expect(request(w.server, "POST", "/api/v1/assessments/migrate",
      { token = w.t.committee, json = { to = h1, organisation_id = w.ids.org_b } }), 200, "migrate").json
    for _, m in ipairs(api.migrated) do
      assert.are_not.equal(sub.id, m.assessment_id)
    end
    assert.are.equal(sub_before, frozen(sub.id))
    assert.are.equal(audit_before, frozen(audit.id))
    assert.are.equal(0, support.run({ "verify", "--db", w.db }).code)
  end)

end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

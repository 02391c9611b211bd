-- The platform over HTTP, end to end (issue 3): login as each role, a CAE
-- self-assessment, an audit with stakeholders, the committee's decision,
-- the registry (private and public), good practices, the action plan,
-- logout, and `labelcoop db backup` on a running server.
--
-- The `it` blocks below form one story and run in order: each builds on
-- what the previous ones stored.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local json = support.json

O.record() -- every answer checked against the API's description at the end

local request, expect, expect_error = H.request, H.expect, H.expect_error

-- Keys whose values differ between two decoded JSON objects.
local function diff_keys(a, b)
  local out = {}
  local seen = {}
  for k, v in pairs(a or {}) do
    seen[k] = true
    if not H.same(v, (b or {})[k]) then
      out[#out + 1] = tostring(k)
    end
  end
  for k in pairs(b or {}) do
    if not seen[k] then
      out[#out + 1] = tostring(k)
    end
  end
  table.sort(out)
  return table.concat(out, ", ")
end

local function assert_same_json(expected, actual, what)
  assert(H.same(expected, actual), what .. ": differs in keys [" .. diff_keys(expected, actual)
    .. "]\nexpected: " .. json.encode(expected) .. "\nactual:   " .. json.encode(actual))
end

-- The evaluation `labelcoop evaluate` gives for the same input.
local function cli_evaluation(kind, date, answers, stakeholders)
  local input = json.object({ kind = kind, date = date, answers = answers })
  if stakeholders then
    input.internal_stakeholders = stakeholders
  end
  local r = support.evaluate(input)
  assert(r.code == 0, "labelcoop evaluate failed: " .. r.stderr)
  return r.json
end

-- Does a decoded JSON value contain the string `s` anywhere?
local function contains_string(value, s)
  if value == s then
    return true
  end
  if type(value) == "table" then
    for _, v in pairs(value) do
      if contains_string(v, s) then
        return true
      end
    end
  end
  return false
end

-- The user object's contract fields (id, email, name, role,
-- organisation_id); a field missing stays missing. Extra fields are allowed.
local function user_fields(u)
  if type(u) ~= "table" then
    return u
  end
  return { id = u.id, email = u.email, name = u.name, role = u.role, organisation_id = u.organisation_id }
end

local function label_of(list, org_id)
  for _, l in ipairs(list) do
    if l.organisation_id == org_id then
      return l
    end
  end
  return nil
end

describe("the labelcoop server, end to end", function()
  local fx, server, criteria, ids
  local tokens = {}
  local state = {}

  setup(function()
    fx = H.fixture()
    ids = fx.ids
    server = H.start_server({ db = H.fresh_db(fx.db) })
    -- the story's sessions (the login test below checks logins in detail)
    tokens = H.login_all(server)
  end)

  teardown(function()
    H.stop_all()
    H.cleanup()
  end)

  -- Submits the assessment `id` as `token`: 200, submitted, with the
  -- evaluation `frozen`. Returns the response.
  local function submitted(id, token, frozen)
    local r = expect(request(server, "POST", "/api/v1/assessments/" .. id .. "/submit", { token = token }), 200)
    assert.are.equal("submitted", r.json.status)
    assert_same_json(frozen, r.json.evaluation, "evaluation at submission")
    return r
  end

  it("announces exactly one line with its address on stdout", function()
    local out = server.output()
    assert.are.equal("listening on http://127.0.0.1:" .. server.port .. "\n", out)
    assert.is_true(server.port > 0 and server.port < 65536)
  end)

  it("serves the référentiel without login, the same as `rules list --format json`", function()
    local r = expect(request(server, "GET", "/api/v1/referential"), 200)
    assert.truthy((r.headers["content-type"] or ""):find("application/json", 1, true),
      "content-type: " .. tostring(r.headers["content-type"]))
    assert_same_json(support.listing(), r.json, "referential")
    criteria = r.json.criteria
    assert.are.equal(117, #criteria)
  end)

  it("serves an empty public registry without login, and refuses the private one", function()
    local r = expect(request(server, "GET", "/api/v1/public/labels"), 200)
    assert.are.same({}, r.json)
    assert.are.equal("[]", (r.body:gsub("%s", "")))
    expect_error(request(server, "GET", "/api/v1/labels"), 401)
    expect_error(request(server, "GET", "/api/v1/me"), 401)
  end)

  it("logs in every role, with a session cookie and a CSRF token", function()
    local orgs = { a = ids.org_a, b = ids.org_b }
    for _, key in ipairs(H.USER_ORDER) do
      local u = H.USERS[key]
      local token, r = H.login(server, u.email)
      assert.is_true(#token >= 43, "a token of 256 random bits is at least 43 characters: " .. token)
      assert.is_string(r.json.csrf_token)
      assert.is_true(#r.json.csrf_token >= 16, "csrf_token too short: " .. r.json.csrf_token)
      assert.are_not.equal(token, r.json.csrf_token)
      local expected_user = {
        id = ids[key], email = u.email, name = u.name, role = u.role,
        organisation_id = u.org and orgs[u.org] or json.null,
      }
      assert_same_json(expected_user, user_fields(r.json.user), "login user of " .. key)
      local cookie = r.headers["set-cookie"] or ""
      assert.truthy(cookie:find("labelcoop_session=" .. token, 1, true), "Set-Cookie: " .. cookie)
      for _, attr in ipairs({ "HttpOnly", "SameSite=Strict", "Path=/" }) do
        assert.truthy(cookie:lower():find(attr:lower(), 1, true), "Set-Cookie lacks " .. attr .. ": " .. cookie)
      end
      local me = expect(request(server, "GET", "/api/v1/me", { token = token }), 200, "me (bearer) " .. key)
      assert_same_json(expected_user, user_fields(me.json), "GET /me (bearer) of " .. key)
      me = expect(request(server, "GET", "/api/v1/me", { cookie = token }), 200, "me (cookie) " .. key)
      assert_same_json(expected_user, user_fields(me.json), "GET /me (cookie) of " .. key)
    end
    local first = H.login(server, H.USERS.cae_a.email)
    local again = H.login(server, H.USERS.cae_a.email)
    assert.are_not.equal(first, again, "two logins gave the same token")
    assert.are_not.equal(tokens.cae_a, again, "two logins gave the same token")
  end)

  it("matches emails case-insensitively at login", function()
    local token, r = H.login(server, "CAE-A@X.Test")
    assert.are.equal(ids.cae_a, r.json.user.id)
    assert.are.equal("cae-a@x.test", r.json.user.email)
    assert.is_string(token)
  end)

  it("answers 401 with the same message for an unknown email and a wrong password", function()
    local wrong = request(server, "POST", "/api/v1/session",
      { json = { email = "committee@x.test", password = "not the password" } })
    local unknown = request(server, "POST", "/api/v1/session",
      { json = { email = "nobody@x.test", password = "not the password" } })
    local e1 = expect_error(wrong, 401)
    local e2 = expect_error(unknown, 401)
    assert.are.equal(e1.message, e2.message)
    assert.is_nil(wrong.headers["set-cookie"], "a failed login set a cookie")
    expect(request(server, "GET", "/api/v1/me", { token = tokens.committee }), 200)
  end)

  it("gives the organisations as `org add` created them", function()
    local r = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_a, { token = tokens.cae_a }), 200)
    assert.are.equal(ids.org_a, r.json.id)
    assert.are.equal("Coopérative Alpha", r.json.name)
    assert.are.equal("Lyon", r.json.city)
    assert.are.equal("SCOP SA", r.json.legal_form)
    assert.are.equal("Auvergne-Rhône-Alpes", r.json.region)
    assert.are.equal("2015-06-01", r.json.member_since)
    local list = expect(request(server, "GET", "/api/v1/organisations", { token = tokens.committee }), 200)
    assert.are.equal(2, #list.json)
    local b = list.json[1].id == ids.org_b and list.json[1] or list.json[2]
    assert.are.equal("Coopérative Beta", b.name)
    assert.are.equal("Nantes", b.city)
    assert.are.equal("SCIC SAS", b.legal_form)
  end)

  describe("a self-assessment by the CAE", function()
    local answers = {}

    local function status_for(c)
      if c.id == "RH-15" then
        return "not_applicable"
      end
      if c.level == "mandatory" then
        return (c.id == "JF-02") and "partial" or "met"
      elseif c.level == "recommended" then
        return (tonumber(c.id:match("%d+")) % 2 == 0) and "partial" or "not_met"
      end
      return "not_met"
    end

    it("is created in draft under the active rule set", function()
      local r = request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/assessments",
        { token = tokens.cae_a, json = { kind = "self_assessment" } })
      expect(r, 201)
      local a = r.json
      assert.is_number(a.id)
      assert.are.equal(ids.org_a, a.organisation_id)
      assert.are.equal("Coopérative Alpha", a.organisation)
      assert.are.equal("self_assessment", a.kind)
      assert.are.equal("draft", a.status)
      assert.are.equal(support.listing().ruleset, a.ruleset)
      assert.truthy(a.ruleset:match("^%x+$") and #a.ruleset == 64, "ruleset is not 64 hex digits")
      assert.are.same({}, a.answers)
      assert.are.same({}, a.stakeholders)
      state.sa = a.id
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.cae_a }), 200)
      assert.are.equal(a.id, g.json.id)
      assert.are.equal("draft", g.json.status)
    end)

    it("is evaluated on demand while empty: incomplete", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.sa .. "/evaluation",
        { token = tokens.cae_a }), 200)
      assert.are.equal("incomplete", r.json.outcome)
      assert.are.equal(117, #r.json.missing)
      assert.are.equal(support.listing().ruleset, r.json.ruleset)
    end)

    it("takes an answer for each of the 117 criteria, returning the saved answer", function()
      for i, c in ipairs(criteria) do
        local body = {
          status = status_for(c),
          comment = "Auto-évaluation " .. c.id .. " : « preuve » n°" .. i,
          evidence = { "Document " .. c.id, "Entretien du " .. i },
        }
        answers[c.id] = body
        local r = request(server, "PUT", "/api/v1/assessments/" .. state.sa .. "/answers/" .. c.id,
          { token = tokens.cae_a, json = body })
        expect(r, 200, "answer " .. c.id)
        assert.are.equal(c.id, r.json.criterion)
        assert.are.equal(body.status, r.json.status)
        assert.are.equal(body.comment, r.json.comment)
        assert.are.same(body.evidence, r.json.evidence)
      end
    end)

    it("overwrites an answer when it is put again", function()
      local function stored_answer()
        local g = expect(request(server, "GET", "/api/v1/assessments/" .. state.sa, { token = tokens.cae_a }), 200)
        for _, a in ipairs(g.json.answers) do
          if a.criterion == "SO-01" then
            -- What GET adds: the criterion is in the référentiel, and the
            -- answer's entity tag (the one a PUT of it answers with).
            assert.is_false(a.orphan)
            a.orphan = nil
            local etag = a.etag
            a.etag = nil
            return a, etag
          end
        end
      end
      local previous = stored_answer()
      local body = { status = "met", comment = "Revu", evidence = {} }
      local r = expect(request(server, "PUT", "/api/v1/assessments/" .. state.sa .. "/answers/SO-01",
        { token = tokens.cae_a, json = body }), 200)
      assert.are.equal("met", r.json.status)
      assert.are.same({}, r.json.evidence)
      answers["SO-01"] = body
      -- The answer returned is the one stored, its date included, and the
      -- one the journal keeps as the write's after image, to the byte; its
      -- before image is the answer it replaced.
      local stored, etag = stored_answer()
      assert.are.same(stored, r.json)
      assert.are.equal(r.headers.etag, etag, "the tag the PUT gave is the one GET lists")
      assert.truthy(r.json.updated_at:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"), r.json.updated_at)
      local row = H.sql_rows(server.db, "SELECT at, before, after FROM journal WHERE action = 'answer.put'"
        .. " AND entity_id = " .. state.sa .. " ORDER BY id DESC LIMIT 1;")[1]
      assert.are.equal(r.body, row.after)
      assert.are.equal(r.json.updated_at, row.at, "the journal row is dated as the answer it records")
      assert.are.same(previous, support.json.decode(row.before))
      assert.are_not.same(previous, r.json)
    end)

    it("gives back every answer as stored", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.sa, { token = tokens.cae_a }), 200)
      assert.are.equal(117, #r.json.answers)
      local seen = {}
      for _, a in ipairs(r.json.answers) do
        local sent = answers[a.criterion]
        assert.truthy(sent, "answer for an unknown criterion " .. tostring(a.criterion))
        assert.is_nil(seen[a.criterion], "answer listed twice: " .. a.criterion)
        seen[a.criterion] = true
        assert.are.equal(sent.status, a.status, a.criterion)
        assert.are.equal(sent.comment, a.comment, a.criterion)
        assert.are.same(sent.evidence, a.evidence, a.criterion)
      end
    end)

    it("never serves a stale copy: a change made by another process shows at once", function()
      -- The server keeps rendered assessments per worker while the database
      -- is unchanged; a write by another connection must end that.
      local path = "/api/v1/assessments/" .. state.sa
      for _ = 1, 8 do -- warm every worker's copy
        expect(request(server, "GET", path, { token = tokens.cae_a }), 200)
      end
      H.sql(server.db, "UPDATE answers SET comment = 'changé dehors' WHERE assessment_id = "
        .. state.sa .. " AND criterion = 'SO-01';")
      for _ = 1, 8 do -- whichever worker answers
        local r = expect(request(server, "GET", path, { token = tokens.cae_a }), 200)
        for _, a in ipairs(r.json.answers) do
          if a.criterion == "SO-01" then assert.are.equal("changé dehors", a.comment) end
        end
      end
      -- The copy never lets anybody else read it: rights are checked each time.
      for _ = 1, 8 do
        expect_error(request(server, "GET", path, { token = tokens.cae_b }), 403)
        expect_error(request(server, "GET", path, { token = tokens.auditor }), 403)
        expect_error(request(server, "GET", path), 401)
      end
      -- and one made through the server, by whichever worker
      local put = expect(request(server, "PUT", path .. "/answers/SO-01",
        { token = tokens.cae_a, json = answers["SO-01"] }), 200)
      assert.are.equal(answers["SO-01"].comment, put.json.comment)
      for _ = 1, 8 do
        local r = expect(request(server, "GET", path, { token = tokens.cae_a }), 200)
        for _, a in ipairs(r.json.answers) do
          if a.criterion == "SO-01" then assert.are.equal(answers["SO-01"].comment, a.comment) end
        end
      end
    end)

    it("refuses stakeholders: they belong to audits", function()
      expect_error(request(server, "PUT", "/api/v1/assessments/" .. state.sa .. "/stakeholders",
        { token = tokens.cae_a, json = H.STAKEHOLDERS }), 409)
    end)

    it("is evaluated by the rules exactly as `labelcoop evaluate` does", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.sa .. "/evaluation",
        { token = tokens.cae_a }), 200)
      local ev = r.json
      assert.truthy(type(ev.date) == "string" and ev.date:match("^%d%d%d%d%-%d%d%-%d%d$"), "date: " .. tostring(ev.date))
      local plain = json.object({})
      for id, a in pairs(answers) do
        plain[id] = a.status
      end
      assert_same_json(cli_evaluation("self_assessment", ev.date, plain), ev, "self-assessment evaluation")
      assert.are.equal("self_assessment", ev.kind)
      assert.are.equal(json.null, ev.valid_until)
      state.sa_eval = ev
    end)

    it("is submitted with its evaluation frozen", function()
      local r = submitted(state.sa, tokens.cae_a, state.sa_eval)
      assert.are.equal(state.sa, r.json.id)
      local e = expect(request(server, "GET", "/api/v1/assessments/" .. state.sa .. "/evaluation",
        { token = tokens.committee }), 200)
      assert_same_json(state.sa_eval, e.json, "frozen evaluation")
    end)

    it("refuses answers and a second submission once submitted (409), keeping the answers", function()
      expect_error(request(server, "PUT", "/api/v1/assessments/" .. state.sa .. "/answers/JF-01",
        { token = tokens.cae_a, json = { status = "not_met", comment = "trop tard", evidence = {} } }), 409)
      expect_error(request(server, "POST", "/api/v1/assessments/" .. state.sa .. "/submit",
        { token = tokens.cae_a }), 409)
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.sa, { token = tokens.cae_a }), 200)
      assert.are.equal("submitted", r.json.status)
      for _, a in ipairs(r.json.answers) do
        if a.criterion == "JF-01" then
          assert.are.equal(answers["JF-01"].status, a.status)
          assert.are.equal(answers["JF-01"].comment, a.comment)
        end
      end
    end)

    it("makes its CAE 'engaged' in the registry", function()
      local r = expect(request(server, "GET", "/api/v1/labels", { token = tokens.cae_b }), 200)
      local a, b = label_of(r.json, ids.org_a), label_of(r.json, ids.org_b)
      assert.truthy(a, "org A missing from the registry: " .. r.body)
      assert.truthy(b, "org B missing from the registry: " .. r.body)
      assert.are.equal("engaged", a.status)
      assert.are.equal("Coopérative Alpha", a.organisation)
      assert.are.equal("Lyon", a.city)
      assert.are.equal(json.null, a.valid_until)
      assert.are.equal("none", b.status)
      assert.are.equal(json.null, b.valid_until)
      assert.are.same({}, expect(request(server, "GET", "/api/v1/public/labels"), 200).json)
    end)
  end)

  describe("an audit", function()
    it("is created by the committee for org A with the certified auditor", function()
      local r = request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/assessments",
        { token = tokens.committee, json = { kind = "audit", auditor_id = ids.auditor } })
      expect(r, 201)
      assert.is_number(r.json.id)
      assert.are.equal("audit", r.json.kind)
      assert.are.equal("draft", r.json.status)
      assert.are.equal(ids.org_a, r.json.organisation_id)
      assert.are.equal(ids.auditor, r.json.auditor_id)
      assert.are.equal(support.listing().ruleset, r.json.ruleset)
      assert.are.same({}, r.json.answers)
      assert.are.same({}, r.json.stakeholders)
      state.audit = r.json.id
    end)

    it("is refused with an auditor of the audited CAE (409 with the reason)", function()
      local e = expect_error(request(server, "POST", "/api/v1/organisations/" .. ids.org_b .. "/assessments",
        { token = tokens.committee, json = { kind = "audit", auditor_id = ids.auditor_b } }), 409, "$.auditor_id")
      assert.is_true(#e.message > 10, "the reason is missing: " .. e.message)
    end)

    it("is refused with an auditor whose certification has expired (409)", function()
      expect_error(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/assessments",
        { token = tokens.committee, json = { kind = "audit", auditor_id = ids.expired_auditor } }), 409, "$.auditor_id")
    end)

    it("is refused when auditor_id is not an auditor", function()
      for _, who in ipairs({ "cae_a", "committee", "admin" }) do
        local r = request(server, "POST", "/api/v1/organisations/" .. ids.org_b .. "/assessments",
          { token = tokens.committee, json = { kind = "audit", auditor_id = ids[who] } })
        assert(r.status == 400 or r.status == 409, "auditor_id = " .. who .. ": " .. H.show(r))
        expect_error(r, r.status)
      end
      local r = request(server, "POST", "/api/v1/organisations/" .. ids.org_b .. "/assessments",
        { token = tokens.committee, json = { kind = "audit", auditor_id = 987654 } })
      assert(r.status == 400 or r.status == 404 or r.status == 409, "unknown auditor_id: " .. H.show(r))
    end)

    it("is visible to its auditor, who answers every criterion as met", function()
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.auditor }), 200)
      assert.are.equal("audit", g.json.kind)
      H.answer_all(server, tokens.auditor, state.audit, criteria)
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.auditor }), 200)
      assert.are.equal(117, #r.json.answers)
      for _, a in ipairs(r.json.answers) do
        assert.are.equal("met", a.status, a.criterion)
        assert.are.equal("Constat " .. a.criterion, a.comment)
        assert.are.same({ "Pièce " .. a.criterion }, a.evidence)
      end
    end)

    it("is not eligible without internal stakeholders", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit .. "/evaluation",
        { token = tokens.auditor }), 200)
      assert.are.equal("not_eligible", r.json.outcome)
      assert.are.equal(false, r.json.eligible)
    end)

    it("takes the internal stakeholders who took part", function()
      local r = expect(request(server, "PUT", "/api/v1/assessments/" .. state.audit .. "/stakeholders",
        { token = tokens.auditor, json = H.STAKEHOLDERS }), 200)
      assert.are.same(H.STAKEHOLDERS, r.json)
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.committee }), 200)
      assert.are.same(H.STAKEHOLDERS, g.json.stakeholders)
      -- put again: the list is replaced, not appended to
      r = expect(request(server, "PUT", "/api/v1/assessments/" .. state.audit .. "/stakeholders",
        { token = tokens.auditor, json = H.STAKEHOLDERS }), 200)
      g = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.committee }), 200)
      assert.are.equal(3, #g.json.stakeholders)
    end)

    it("is then eligible, as `labelcoop evaluate` says", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit .. "/evaluation",
        { token = tokens.auditor }), 200)
      local ev = r.json
      assert_same_json(cli_evaluation("audit", ev.date, support.answers_for({}), 3), ev, "audit evaluation")
      assert.are.equal("eligible", ev.outcome)
      state.audit_eval = ev
    end)

    it("is submitted by its auditor with the evaluation frozen", function()
      local r = submitted(state.audit, tokens.auditor, state.audit_eval)
      assert.are.equal(true, r.json.evaluation.eligible)
    end)

    it("can no longer be edited by its auditor (409)", function()
      expect_error(request(server, "PUT", "/api/v1/assessments/" .. state.audit .. "/answers/JF-01",
        { token = tokens.auditor, json = { status = "not_met", comment = "", evidence = {} } }), 409)
      expect_error(request(server, "PUT", "/api/v1/assessments/" .. state.audit .. "/stakeholders",
        { token = tokens.auditor, json = {} }), 409)
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.committee }), 200)
      assert.are.same(H.STAKEHOLDERS, g.json.stakeholders)
    end)
  end)

  describe("the committee's decision", function()
    local recommendations = {
      "Formaliser le plan de formation des permanents.",
      "Publier le rapport annuel sur le site.",
    }
    local practice_text = "Un binôme de parrainage pour chaque nouvel entrepreneur."

    it("awards the label for 3 years from the decision date", function()
      local date = H.today()
      local r = request(server, "POST", "/api/v1/assessments/" .. state.audit .. "/decision", {
        token = tokens.committee,
        json = {
          outcome = "awarded", date = date, recommendations = recommendations,
          good_practices = { "Des réunions d'équipe mensuelles ouvertes à tous.",
            { criterion = "AC-01", text = practice_text } },
        },
      })
      expect(r, 201)
      local d = r.json
      assert.is_number(d.id)
      assert.are.equal(state.audit, d.assessment_id)
      assert.are.equal(ids.org_a, d.organisation_id)
      assert.are.equal("awarded", d.outcome)
      assert.are.equal(date, d.date)
      assert.are.equal(H.plus_years(date, 3), d.valid_until)
      assert.are.same(recommendations, d.recommendations)
      assert.are.equal(2, #d.good_practices)
      local texts = {}
      for i, gp in ipairs(d.good_practices) do
        texts[i] = type(gp) == "table" and gp.text or gp
      end
      assert.are.same({ "Des réunions d'équipe mensuelles ouvertes à tous.", practice_text }, texts)
      assert.are.equal("AC-01", d.good_practices[2].criterion)
      assert_same_json(state.audit_eval, d.evaluation, "the evaluation the decision rests on")
      state.decision = d
    end)

    it("marks the audit decided and lists the decision with it", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.committee }), 200)
      assert.are.equal("decided", r.json.status)
      assert.are.equal(1, #r.json.decisions)
      assert.are.equal(state.decision.id, r.json.decisions[1].id)
      assert.are.equal("awarded", r.json.decisions[1].outcome)
      -- the CAE reads its audit and the decision
      local c = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.cae_a }), 200)
      assert.are.equal(1, #c.json.decisions)
      assert.are.same(recommendations, c.json.decisions[1].recommendations)
    end)

    it("refuses a second decision on a decided audit (409)", function()
      expect_error(request(server, "POST", "/api/v1/assessments/" .. state.audit .. "/decision", {
        token = tokens.committee,
        json = { outcome = "refused", date = H.today(), recommendations = {}, good_practices = {} },
      }), 409)
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. state.audit, { token = tokens.committee }), 200)
      assert.are.equal(1, #r.json.decisions)
    end)

    it("shows org A labelled in the registry, until date + 3 years", function()
      for _, who in ipairs({ "cae_a", "cae_b", "auditor", "committee", "admin" }) do
        local r = expect(request(server, "GET", "/api/v1/labels", { token = tokens[who] }), 200, who)
        local a = label_of(r.json, ids.org_a)
        assert.truthy(a, "org A missing: " .. r.body)
        assert.are.equal("labelled", a.status)
        assert.are.equal(state.decision.valid_until, a.valid_until)
        assert.are.equal("Coopérative Alpha", a.organisation)
        assert.are.equal("none", label_of(r.json, ids.org_b).status)
      end
    end)

    it("shows org A, and only org A, in the public registry", function()
      local r = expect(request(server, "GET", "/api/v1/public/labels"), 200)
      assert.are.equal(1, #r.json, r.body)
      assert.are.equal(ids.org_a, r.json[1].organisation_id)
      assert.are.equal("Coopérative Alpha", r.json[1].organisation)
      assert.are.equal("Lyon", r.json[1].city)
      assert.are.equal("labelled", r.json[1].status)
      assert.are.equal(state.decision.valid_until, r.json[1].valid_until)
    end)

    -- The issue: "those the CAE agrees to share form the network's
    -- catalogue". How the CAE agrees is the server's own API (not in the
    -- contract these specs were written from): GET
    -- /organisations/{id}/good-practices and PATCH /good-practices/{id}
    -- {"shared": true}.
    it("keeps a good practice out of the catalogue until its CAE agrees to share it", function()
      local function catalogue(criterion)
        return expect(request(server, "GET", "/api/v1/good-practices?criterion=" .. criterion,
          { token = tokens.cae_b }), 200, "catalogue " .. criterion).json
      end
      assert.is_false(contains_string(catalogue("AC-01"), practice_text), "shared without the CAE's consent")
      local own = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_a .. "/good-practices",
        { token = tokens.cae_a }), 200)
      local practice
      for _, gp in ipairs(own.json) do
        if gp.text == practice_text then
          practice = gp
        end
      end
      assert.truthy(practice, "the CAE does not see its good practice: " .. own.body)
      assert.are.equal("AC-01", practice.criterion)
      expect_error(request(server, "PATCH", "/api/v1/good-practices/" .. practice.id,
        { token = tokens.cae_b, json = { shared = true } }), 403)
      -- (a missing practice once read an organisation out of nothing: UBSan
      -- under the fuzzer of request bodies)
      expect_error(request(server, "PATCH", "/api/v1/good-practices/999999",
        { token = tokens.cae_a, json = { shared = true } }), 404)
      assert.is_false(contains_string(catalogue("AC-01"), practice_text), "shared by another CAE")
      expect(request(server, "PATCH", "/api/v1/good-practices/" .. practice.id,
        { token = tokens.cae_a, json = { shared = true } }), 200)
      assert.truthy(contains_string(catalogue("AC-01"), practice_text), "practice missing once shared")
      assert.is_false(contains_string(catalogue("JF-01"), practice_text), "practice listed under JF-01")
    end)
  end)

  describe("other outcomes", function()
    it("refuses 'awarded' when the frozen evaluation is not eligible (409), accepts 'refused'", function()
      -- all met, but no internal stakeholders: not eligible
      local a = H.new_audit(server, tokens.committee, ids.org_b, ids.auditor)
      H.answer_all(server, tokens.auditor, a.id, criteria)
      local s = expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit",
        { token = tokens.auditor }), 200)
      assert.are.equal(false, s.json.evaluation.eligible)
      expect_error(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision", {
        token = tokens.committee,
        json = { outcome = "awarded", date = H.today(), recommendations = {}, good_practices = {} },
      }), 409)
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.committee }), 200)
      assert.are.equal("submitted", g.json.status)
      assert.are.same({}, g.json.decisions)
      local r = expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision", {
        token = tokens.committee,
        json = { outcome = "refused", date = H.today(), recommendations = { "Associer les parties prenantes." },
          good_practices = {} },
      }), 201)
      assert.are.equal("refused", r.json.outcome)
      assert.are.equal(json.null, r.json.valid_until)
      g = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.committee }), 200)
      assert.are.equal("decided", g.json.status)
      local labels = expect(request(server, "GET", "/api/v1/labels", { token = tokens.committee }), 200)
      assert.are.equal("engaged", label_of(labels.json, ids.org_b).status)
    end)

    it("gives a deferred audit back to its auditor, and lets the committee decide its resubmission", function()
      local a = H.submitted_audit(server, tokens.committee, tokens.auditor, ids.org_b, ids.auditor, criteria)
      local r = expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision", {
        token = tokens.committee,
        json = { outcome = "deferred", date = H.today(), recommendations = { "Compléter les preuves." },
          good_practices = {}, points = { "Joindre les statuts signés." } },
      }), 201)
      assert.are.equal("deferred", r.json.outcome)
      assert.are.equal(json.null, r.json.valid_until)
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.committee }), 200)
      assert.are.equal("draft", g.json.status)
      local labels = expect(request(server, "GET", "/api/v1/labels", { token = tokens.committee }), 200)
      assert.are.equal("engaged", label_of(labels.json, ids.org_b).status)
      expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit", { token = tokens.auditor }), 200)
      r = expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision", {
        token = tokens.committee,
        json = { outcome = "awarded", date = H.today(), recommendations = {}, good_practices = {} },
      }), 201)
      g = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.committee }), 200)
      assert.are.equal("decided", g.json.status)
      assert.are.equal(2, #g.json.decisions)
      local pub = expect(request(server, "GET", "/api/v1/public/labels"), 200)
      assert.are.equal(2, #pub.json, pub.body)
      assert.truthy(label_of(pub.json, ids.org_b), "org B not public after its award: " .. pub.body)
    end)

    it("shows a label awarded more than 3 years ago as expired, and not publicly", function()
      local o = expect(request(server, "POST", "/api/v1/organisations", {
        token = tokens.admin,
        json = { name = "Coopérative Gamma", legal_form = "SCOP SARL", city = "Lille", region = "Hauts-de-France",
          member_since = "2012-09-01" },
      }), 201)
      assert.is_number(o.json.id)
      assert.are.equal("Coopérative Gamma", o.json.name)
      local a = H.submitted_audit(server, tokens.admin, tokens.auditor, o.json.id, ids.auditor, criteria)
      -- an audit submitted in 2021: a decision is dated on or after its submission
      H.sql(server.db, "UPDATE assessments SET submitted_at = '2021-05-03T09:00:00Z' WHERE id = " .. a.id .. ";")
      local d = expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision", {
        token = tokens.committee,
        json = { outcome = "awarded", date = "2021-05-10", recommendations = {}, good_practices = {} },
      }), 201)
      assert.are.equal("2024-05-10", d.json.valid_until)
      local labels = expect(request(server, "GET", "/api/v1/labels", { token = tokens.cae_a }), 200)
      local g = label_of(labels.json, o.json.id)
      assert.truthy(g, "org Gamma missing: " .. labels.body)
      assert.are.equal("expired", g.status)
      assert.are.equal("2024-05-10", g.valid_until)
      assert.are.equal("Lille", g.city)
      local pub = expect(request(server, "GET", "/api/v1/public/labels"), 200)
      assert.is_nil(label_of(pub.json, o.json.id), "an expired label is public: " .. pub.body)
    end)
  end)

  describe("the action plan", function()
    local base

    it("is written by the CAE's members", function()
      base = "/api/v1/organisations/" .. ids.org_a .. "/action-items"
      local item = { criterion = "RH-03", action = "Rédiger l'accord d'intéressement", owner = "Alice Alpha",
        due = "2027-03-31", status = "todo" }
      local r = expect(request(server, "POST", base, { token = tokens.cae_a, json = item }), 201)
      assert.is_number(r.json.id)
      for k, v in pairs(item) do
        assert.are.equal(v, r.json[k], k)
      end
      state.item1 = r.json
      local second = { criterion = "SO-02", action = "Rencontrer la CCI", owner = "Bureau", due = "2027-06-30",
        status = "todo" }
      r = expect(request(server, "POST", base, { token = tokens.cae_a, json = second }), 201)
      assert.are_not.equal(state.item1.id, r.json.id)
      state.item2 = r.json
    end)

    it("is updated item by item with PATCH", function()
      local r = expect(request(server, "PATCH", base .. "/" .. state.item1.id,
        { token = tokens.cae_a, json = { status = "doing" } }), 200)
      assert.are.equal("doing", r.json.status)
      assert.are.equal(state.item1.action, r.json.action)
      assert.are.equal(state.item1.due, r.json.due)
      r = expect(request(server, "PATCH", base .. "/" .. state.item2.id,
        { token = tokens.cae_a, json = { status = "done", owner = "Trésorière" } }), 200)
      assert.are.equal("done", r.json.status)
      assert.are.equal("Trésorière", r.json.owner)
      assert.are.equal("Rencontrer la CCI", r.json.action)
    end)

    it("is listed for the CAE and read by the committee and the admin", function()
      for _, who in ipairs({ "cae_a", "committee", "admin" }) do
        local r = expect(request(server, "GET", base, { token = tokens[who] }), 200, who)
        assert.are.equal(2, #r.json, who .. ": " .. r.body)
        local by_id = {}
        for _, it_ in ipairs(r.json) do
          by_id[it_.id] = it_
        end
        assert.are.equal("doing", by_id[state.item1.id].status)
        assert.are.equal("RH-03", by_id[state.item1.id].criterion)
        assert.are.equal("done", by_id[state.item2.id].status)
        assert.are.equal("Trésorière", by_id[state.item2.id].owner)
      end
      expect_error(request(server, "GET", base, { token = tokens.cae_b }), 403)
      local b = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_b .. "/action-items",
        { token = tokens.cae_b }), 200)
      assert.are.same({}, b.json)
    end)
  end)

  describe("an audit given to another auditor", function()
    local audit
    local function sql(q)
      return H.sql_rows(server.db, q .. ";")
    end
    local function reassign(id, body, token)
      return request(server, "PATCH", "/api/v1/assessments/" .. id, { token = token or tokens.committee, json = body })
    end
    local function put_jf01(id, token)
      return request(server, "PUT", "/api/v1/assessments/" .. id .. "/answers/JF-01",
        { token = token, json = { status = "partial", comment = "Vu", evidence = {} } })
    end

    it("moves with its findings: the new auditor edits it, the former one no longer reads it", function()
      audit = H.new_audit(server, tokens.committee, ids.org_a, ids.auditor).id
      expect(put_jf01(audit, tokens.auditor), 200)
      local r = expect(reassign(audit, { auditor_id = ids.auditor_b }), 200)
      assert.are.equal(ids.auditor_b, r.json.auditor_id)
      assert.are.equal("draft", r.json.status)
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. audit, { token = tokens.auditor_b }), 200)
      assert.are.equal(1, #g.json.answers)
      assert.are.equal("JF-01", g.json.answers[1].criterion)
      expect_error(request(server, "GET", "/api/v1/assessments/" .. audit, { token = tokens.auditor }), 403)
      expect_error(put_jf01(audit, tokens.auditor), 403)
      expect(put_jf01(audit, tokens.auditor_b), 200)
      local mine = expect(request(server, "GET", "/api/v1/assessments", { token = tokens.auditor }), 200).json
      for _, a in ipairs(mine) do
        assert.are_not.equal(audit, a.id, "the former auditor still lists the audit")
      end
      -- journaled with both images, and announced to the integrations
      local rows = sql("SELECT user_id, before, after FROM journal WHERE action = 'assessment.reassign'"
        .. " AND entity_id = " .. audit)
      assert.are.equal(1, #rows)
      assert.are.equal(ids.committee, rows[1].user_id)
      assert.are.equal(ids.auditor, json.decode(rows[1].before).auditor_id)
      assert.are.equal(ids.auditor_b, json.decode(rows[1].after).auditor_id)
      local events = sql("SELECT data FROM events WHERE type = 'audit.assigned' ORDER BY id DESC LIMIT 1")
      local data = json.decode(events[1].data)
      assert.are.equal(audit, data.assessment_id)
      assert.are.equal(ids.auditor_b, data.auditor_id)
      assert.are.equal(ids.auditor, data.previous_auditor_id)
    end)

    it("changes nothing when given to the auditor it has", function()
      local r = expect(reassign(audit, { auditor_id = ids.auditor_b }, tokens.admin), 200)
      assert.are.equal(ids.auditor_b, r.json.auditor_id)
      assert.are.equal(1, #sql("SELECT id FROM journal WHERE action = 'assessment.reassign' AND entity_id = " .. audit))
    end)

    it("refuses what an audit cannot become, with the reason", function()
      expect_error(reassign(audit, json.object({})), 400, "$.auditor_id")
      expect_error(reassign(audit, { auditor_id = ids.auditor, note = "x" }), 400, "$.note")
      expect_error(reassign(audit, { auditor_id = "7" }), 400, "$.auditor_id")
      expect_error(reassign(audit, { auditor_id = ids.cae_a }), 400, "$.auditor_id")
      expect_error(reassign(audit, { auditor_id = 987654 }), 400, "$.auditor_id")
      -- the auditor's state: the path names the value; the audit's: no path
      local e = expect_error(reassign(audit, { auditor_id = ids.expired_auditor }), 409, "$.auditor_id")
      assert.truthy(e.message:find("certified", 1, true), e.message)
      local b = H.new_audit(server, tokens.committee, ids.org_b, ids.auditor).id
      e = expect_error(reassign(b, { auditor_id = ids.auditor_b }), 409, "$.auditor_id")
      assert.truthy(e.message:find("own CAE", 1, true), e.message)
      e = expect_error(reassign(state.audit, { auditor_id = ids.auditor_b }), 409, json.null)
      assert.truthy(e.message:find("only a draft", 1, true), e.message)
      e = expect_error(reassign(state.sa, { auditor_id = ids.auditor_b }), 409, json.null)
      assert.truthy(e.message:find("self-assessment", 1, true), e.message)
      expect_error(reassign(999999, { auditor_id = ids.auditor_b }), 404)
      -- nothing of the refusals was kept
      local g = expect(request(server, "GET", "/api/v1/assessments/" .. audit, { token = tokens.committee }), 200)
      assert.are.equal(ids.auditor_b, g.json.auditor_id)
    end)

    it("keeps an auditor's role and CAE while draft audits would be left to nobody", function()
      local function patch_user(body)
        return request(server, "PATCH", "/api/v1/users/" .. ids.auditor_b, { token = tokens.admin, json = body })
      end
      local e = expect_error(patch_user({ role = "committee" }), 409, "$.role")
      assert.truthy(e.message:find("draft audits " .. audit, 1, true), e.message)
      -- joining the audited CAE would make the audit their own CAE's
      e = expect_error(patch_user({ organisation_id = ids.org_a }), 409, "$.organisation_id")
      assert.truthy(e.message:find(tostring(audit), 1, true), e.message)
      expect(patch_user({ name = "Bruno Auditeur" }), 200)
      -- once the audit is someone else's, the change goes through
      expect(reassign(audit, { auditor_id = ids.auditor }), 200)
      expect(patch_user({ role = "committee" }), 200)
      local back = expect(patch_user({ role = "auditor" }), 200)
      assert.are.equal("auditor", back.json.role)
      assert.are.equal(ids.org_b, back.json.organisation_id)
    end)

    it("names the first of many draft audits, and says there are more", function()
      local first = H.new_audit(server, tokens.committee, ids.org_b, ids.auditor).id
      for _ = 1, 70 do
        H.new_audit(server, tokens.committee, ids.org_b, ids.auditor)
      end
      local e = expect_error(request(server, "PATCH", "/api/v1/users/" .. ids.auditor,
        { token = tokens.admin, json = { role = "committee" } }), 409)
      assert.truthy(e.message:find(", " .. first .. ",", 1, true) or e.message:find(" " .. first .. ",", 1, true),
        e.message)
      assert.truthy(e.message:find(", …: give them", 1, true), e.message)
      assert.is_true(#e.message < 400, "the message is not bounded: " .. #e.message)
    end)
  end)

  describe("logout", function()
    it("revokes the session it ends, and only that one", function()
      local t1 = H.login(server, H.USERS.cae_b.email)
      local t2 = H.login(server, H.USERS.cae_b.email)
      local r = request(server, "DELETE", "/api/v1/session", { token = t1 })
      expect(r, 204)
      assert.are.equal("", r.body)
      expect_error(request(server, "GET", "/api/v1/me", { token = t1 }), 401)
      expect_error(request(server, "GET", "/api/v1/labels", { cookie = t1 }), 401)
      expect(request(server, "GET", "/api/v1/me", { token = t2 }), 200)
    end)

    it("works with the cookie and the Origin header", function()
      local t = H.login(server, H.USERS.cae_a.email)
      expect(request(server, "DELETE", "/api/v1/session", { cookie = t, headers = { Origin = server.origin } }), 204)
      expect_error(request(server, "GET", "/api/v1/me", { cookie = t }), 401)
    end)
  end)

  -- curl arguments for one answer PUT of the body in file req, printing its
  -- status on a line and writing the response to out.
  local function curl_put(req, out, token, id, criterion)
    return "--max-time 20 -o " .. support.quote(out) .. " -w '%{http_code}\\n' -X PUT"
      .. " -H 'Content-Type: application/json' -H " .. support.quote("Authorization: Bearer " .. token)
      .. " --data-binary " .. support.quote("@" .. req) .. " "
      .. support.quote(server.url .. "/api/v1/assessments/" .. id .. "/answers/" .. criterion)
  end

  describe("concurrent clients", function()
    -- A thread pool serves them: a race in request handling shows up as
    -- a stray 404/405/500 on some of these valid requests.
    it("all get their writes through (16 clients x 117 answers at once)", function()
      local jobs = {}
      for j = 1, 16 do
        jobs[j] = j % 2 == 0 and { token = tokens.cae_a, org = ids.org_a } or { token = tokens.cae_b, org = ids.org_b }
      end
      local dir = H.tmpdir()
      local script = {}
      for j, job in ipairs(jobs) do
        job.id = H.new_self_assessment(server, job.token, job.org).id
        local args = { "curl -s" }
        for i, c in ipairs(criteria) do
          local req = dir .. "/req" .. j .. "_" .. i
          support.write(req, json.encode({ status = "partial", comment = "client " .. j .. " " .. c.id, evidence = {} }))
          args[#args + 1] = (i > 1 and "--next " or "") .. curl_put(req, req .. ".out", job.token, job.id, c.id)
        end
        script[#script + 1] = table.concat(args, " ") .. " >" .. support.quote(dir .. "/codes" .. j) .. " &"
      end
      script[#script + 1] = "wait"
      support.write(dir .. "/run.sh", table.concat(script, "\n") .. "\n")
      assert.is_true(os.execute("timeout 60 sh " .. support.quote(dir .. "/run.sh")) == true, "the clients did not finish")
      for j, job in ipairs(jobs) do
        local codes = support.lines(support.read(dir .. "/codes" .. j) or "")
        assert.are.equal(#criteria, #codes, "client " .. j .. " got " .. #codes .. " answers")
        for i, code in ipairs(codes) do
          assert.are.equal("200", code, "client " .. j .. ", " .. criteria[i].id .. ": "
            .. tostring(support.read(dir .. "/req" .. j .. "_" .. i .. ".out")))
        end
        local r = expect(request(server, "GET", "/api/v1/assessments/" .. job.id, { token = job.token }), 200)
        assert.are.equal(#criteria, #r.json.answers)
        for _, a in ipairs(r.json.answers) do
          assert.are.equal("client " .. j .. " " .. a.criterion, a.comment)
        end
      end
    end)
  end)

  describe("answers racing a submission", function()
    -- Answer writes share transactions (group commit) and are checked
    -- before theirs: the draft status is checked again inside it, so no
    -- answer lands once the submission has committed.
    it("every acknowledged answer is journaled before the submission, every later one is refused", function()
      local sa = H.new_self_assessment(server, tokens.cae_a, ids.org_a)
      H.answer_all(server, tokens.cae_a, sa.id, criteria)
      local dir = H.tmpdir()
      local script = {}
      for j = 1, 8 do
        local req = dir .. "/req" .. j
        support.write(req, json.encode({ status = "met", comment = "course " .. j, evidence = {} }))
        local args = { "curl -s" }
        for i = 1, 400 do
          local c = criteria[(j * 13 + i) % #criteria + 1]
          args[#args + 1] = (i > 1 and "--next " or "") .. curl_put(req, "/dev/null", tokens.cae_a, sa.id, c.id)
        end
        script[#script + 1] = table.concat(args, " ") .. " >" .. support.quote(dir .. "/codes" .. j) .. " &"
      end
      script[#script + 1] = "sleep 0.2"
      script[#script + 1] = "curl -s -o " .. support.quote(dir .. "/submit") .. " -w '%{http_code}' -X POST -H "
        .. support.quote("Authorization: Bearer " .. tokens.cae_a) .. " "
        .. support.quote(server.url .. "/api/v1/assessments/" .. sa.id .. "/submit") .. " >"
        .. support.quote(dir .. "/submit_code")
      script[#script + 1] = "wait"
      support.write(dir .. "/run.sh", table.concat(script, "\n") .. "\n")
      assert.is_true(os.execute("timeout 90 sh " .. support.quote(dir .. "/run.sh")) == true, "the clients did not finish")
      assert.are.equal("200", support.read(dir .. "/submit_code"), support.read(dir .. "/submit"))
      local counts = { ["200"] = 0, ["409"] = 0 }
      for j = 1, 8 do
        for _, code in ipairs(support.lines(support.read(dir .. "/codes" .. j) or "")) do
          assert.truthy(counts[code], "an answer PUT got " .. code)
          counts[code] = counts[code] + 1
        end
      end
      print(string.format("\nanswers racing a submission: %d written, %d refused", counts["200"], counts["409"]))
      assert.are.equal(8 * 400, counts["200"] + counts["409"])
      assert.is_true(counts["409"] > 0, "the submission did not come while answers were written")
      -- The journal is in commit order: one answer line per acknowledged
      -- write (and per answer_all write), all before the submission's.
      local function sql(q)
        return tonumber(H.sql_value(server.db, q .. ";"))
      end
      local where = " FROM journal WHERE entity = 'assessment' AND entity_id = " .. sa.id
      local submitted = sql("SELECT id" .. where .. " AND action = 'assessment.submit'")
      assert.is_true(sql("SELECT max(id)" .. where .. " AND action = 'answer.put'") < submitted)
      assert.are.equal(#criteria + counts["200"], sql("SELECT count(*)" .. where .. " AND action = 'answer.put'"))
    end)
  end)

  describe("db backup", function()
    it("copies the running server's database into a file a fresh server opens with the same data", function()
      local dir = H.tmpdir()
      local file = dir .. "/backup.db"
      local r = support.run({ "db", "backup", file, "--db", server.db })
      assert.are.equal(0, r.code, "db backup: " .. r.stderr)
      assert.truthy(H.size(file) and H.size(file) > 0, "no backup file")
      -- the original still answers
      expect(request(server, "GET", "/api/v1/me", { token = tokens.committee }), 200)
      local copy = H.start_server({ db = file })
      local token = H.login(copy, H.USERS.committee.email)
      for _, path in ipairs({
        "/api/v1/assessments/" .. state.audit,
        "/api/v1/assessments/" .. state.sa,
        "/api/v1/assessments/" .. state.audit .. "/evaluation",
        "/api/v1/labels",
        "/api/v1/organisations",
        "/api/v1/organisations/" .. ids.org_a .. "/action-items",
        "/api/v1/assessments",
      }) do
        local a = expect(request(server, "GET", path, { token = tokens.committee }), 200, "original " .. path)
        local b = expect(request(copy, "GET", path, { token = token }), 200, "backup " .. path)
        assert_same_json(a.json, b.json, path)
      end
      assert.are.equal(0, copy.stop())
    end)
  end)

  it("stops cleanly on SIGTERM (exit 0)", function()
    local rc, why = server.stop("TERM")
    assert.are.equal(0, rc, why)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

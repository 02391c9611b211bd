-- Issue 17, section 5: names are one line, texts have limits (in characters),
-- and a document has a cost bound. Against the real server and command line:
-- control characters in every name field refused with the JSON path (API and
-- `org add` / `user add`), texts over their limit refused with the path and
-- texts at their limit kept, the longest audit report drawn within page and
-- time bounds while other requests are answered, a frozen assessment's PDF
-- drawn once (the same bytes twice), and the self-assessment's own report.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local R = require "reports_support"

O.record() -- every answer checked against the API's description at the end

local request, expect, expect_error = H.request, H.expect, H.expect_error

local LONG, NAME, EVIDENCE, EVIDENCE_ITEMS, LIST_ITEMS = 5000, 200, 500, 20, 50

-- Control characters a name must refuse: line feed, carriage return, tab,
-- another C0, DEL, and C1's NEL (U+0085).
local CONTROLS = { ["a line feed"] = "A\nB", ["a carriage return"] = "A\rB", ["a tab"] = "A\tB",
  ["a C0 control"] = "A\1B", ["DEL"] = "A\127B", ["NEL (U+0085)"] = "A\u{85}B" }

local function pdf_file(bytes)
  local path = H.tmpdir() .. "/doc.pdf"
  support.write(path, bytes)
  return path
end

describe("text limits (issue 17)", function()
  local fx, db, server, tokens, criteria

  setup(function()
    fx, db, server, tokens, criteria = H.world()
  end)

  teardown(H.finish)

  local function answer_path(id, criterion)
    return "/api/v1/assessments/" .. id .. "/answers/" .. criterion
  end

  describe("names are one line", function()
    for what, bad in pairs(CONTROLS) do
      it("refuses " .. what .. " in each name of the API, with its path", function()
        local org = { name = "Coopérative Gamma", legal_form = "SCOP", city = "Lille", region = "Hauts-de-France" }
        for _, key in ipairs({ "name", "legal_form", "city", "region" }) do
          local body = {}
          for k, v in pairs(org) do
            body[k] = v
          end
          body[key] = bad
          expect_error(request(server, "POST", "/api/v1/organisations", { token = tokens.admin, json = body }),
            400, "$." .. key)
        end
        expect_error(request(server, "POST", "/api/v1/users", { token = tokens.admin,
          json = { email = "gamma@x.test", name = bad, role = "committee", password = H.PASSWORD } }), 400, "$.name")
        expect_error(request(server, "PATCH", "/api/v1/users/" .. fx.ids.cae_a, { token = tokens.admin,
          json = { name = bad } }), 400, "$.name")
        expect_error(request(server, "POST", "/api/v1/tokens", { token = tokens.admin, json = { name = bad } }),
          400, "$.name")
        expect_error(request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/action-items",
          { token = tokens.cae_a, json = { action = "Former les associés", owner = bad } }), 400, "$.owner")
      end)
    end

    it("refuses control characters in a stakeholder's name and role, with the entry's path", function()
      local a = H.new_audit(server, tokens.committee, fx.ids.org_a, fx.ids.auditor)
      local path = "/api/v1/assessments/" .. a.id .. "/stakeholders"
      expect_error(request(server, "PUT", path, { token = tokens.auditor,
        json = { { name = "Inès", role = "associée" }, { name = "Paul\nPermanent", role = "salarié" } } }),
        400, "$[1].name")
      expect_error(request(server, "PUT", path, { token = tokens.auditor,
        json = { { name = "Inès", role = "associée\r" } } }), 400, "$[0].role")
      local kept = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.auditor }), 200)
      assert.are.same({}, kept.json.stakeholders)
    end)

    it("refuses a name over two lines from `org add` and `user add` (exit 2), and stores nothing", function()
      local db = H.fresh_db(fx.db)
      local before = H.sql_value(db, "SELECT count(*) FROM organisations")
      local r = support.run({ "org", "add", "--db", db, "--name", string.rep("Coopérative\n", 40) })
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(r.stderr:find("$.name", 1, true), r.stderr)
      r = support.run({ "org", "add", "--db", db, "--name", "Coopérative Delta", "--city", "Caen\tNord" })
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(r.stderr:find("$.city", 1, true), r.stderr)
      assert.are.equal(before, H.sql_value(db, "SELECT count(*) FROM organisations"))
      r = support.run({ "user", "add", "--db", db, "--email", "delta@x.test", "--name", "Delta\nDupont",
        "--role", "committee", "--password-stdin" }, H.PASSWORD .. "\n")
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(r.stderr:find("$.name", 1, true), r.stderr)
      assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM users WHERE email = 'delta@x.test'"))
    end)

    it("keeps line breaks and tabs in a comment, and refuses other control characters there", function()
      local a = H.new_self_assessment(server, tokens.cae_a, fx.ids.org_a)
      local comment = "Première ligne\n\tdeuxième ligne\r\ntroisième"
      local r = expect(request(server, "PUT", answer_path(a.id, criteria[1].id), { token = tokens.cae_a,
        json = { status = "met", comment = comment, evidence = {} } }), 200)
      assert.are.equal(comment, r.json.comment)
      expect_error(request(server, "PUT", answer_path(a.id, criteria[1].id), { token = tokens.cae_a,
        json = { status = "met", comment = "a\1b" } }), 400, "$.comment")
      expect_error(request(server, "PUT", answer_path(a.id, criteria[1].id), { token = tokens.cae_a,
        json = { status = "met", comment = "a\u{9b}b" } }), 400, "$.comment")
      -- an evidence entry is one line: a document's name or address
      expect_error(request(server, "PUT", answer_path(a.id, criteria[1].id), { token = tokens.cae_a,
        json = { status = "met", evidence = { "statuts.pdf", "PV\nAG" } } }), 400, "$.evidence[1]")
    end)
  end)

  describe("texts have limits, counted in characters", function()
    it("keeps texts at their limit and refuses one character more, with the path", function()
      local a = H.new_self_assessment(server, tokens.cae_a, fx.ids.org_a)
      local path = answer_path(a.id, criteria[2].id)
      -- "é" is two bytes: the limit counts characters, not bytes
      local at = string.rep("é", LONG)
      local evidence = {}
      for i = 1, EVIDENCE_ITEMS do
        evidence[i] = string.rep("é", EVIDENCE)
      end
      local r = expect(request(server, "PUT", path, { token = tokens.cae_a,
        json = { status = "met", comment = at, evidence = evidence } }), 200)
      assert.are.equal(at, r.json.comment)
      assert.are.equal(EVIDENCE_ITEMS, #r.json.evidence)
      local e = expect_error(request(server, "PUT", path, { token = tokens.cae_a,
        json = { status = "met", comment = at .. "é" } }), 400, "$.comment")
      assert.is_truthy(e.message:find(tostring(LONG), 1, true), e.message)
      local long_entry = { "statuts.pdf", string.rep("é", EVIDENCE + 1) }
      expect_error(request(server, "PUT", path, { token = tokens.cae_a,
        json = { status = "met", evidence = long_entry } }), 400, "$.evidence[1]")
      evidence[#evidence + 1] = "une de trop"
      expect_error(request(server, "PUT", path, { token = tokens.cae_a,
        json = { status = "met", evidence = evidence } }), 400, "$.evidence")
      -- the refusals changed nothing
      local kept = expect(request(server, "GET", "/api/v1/assessments/" .. a.id, { token = tokens.cae_a }), 200)
      assert.are.equal(at, kept.json.answers[1].comment)
    end)

    it("limits names to 200 characters and an action to 5,000", function()
      local name = string.rep("ç", NAME)
      local org = expect(request(server, "POST", "/api/v1/organisations", { token = tokens.admin,
        json = { name = name, city = string.rep("c", NAME) } }), 201)
      assert.are.equal(name, org.json.name)
      expect_error(request(server, "POST", "/api/v1/organisations", { token = tokens.admin,
        json = { name = name .. "ç" } }), 400, "$.name")
      expect_error(request(server, "POST", "/api/v1/tokens", { token = tokens.admin,
        json = { name = string.rep("t", NAME + 1) } }), 400, "$.name")
      local items = "/api/v1/organisations/" .. fx.ids.org_a .. "/action-items"
      expect(request(server, "POST", items, { token = tokens.cae_a,
        json = { action = string.rep("a", LONG), owner = string.rep("o", NAME) } }), 201)
      expect_error(request(server, "POST", items, { token = tokens.cae_a,
        json = { action = string.rep("a", LONG + 1) } }), 400, "$.action")
      expect_error(request(server, "POST", items, { token = tokens.cae_a,
        json = { action = "Former", owner = string.rep("o", NAME + 1) } }), 400, "$.owner")
    end)

    it("limits a decision's recommendations and good practices, in size and number", function()
      local a = H.submitted_audit(server, tokens.committee, tokens.auditor, fx.ids.org_b, fx.ids.auditor, criteria)
      local path = "/api/v1/assessments/" .. a.id .. "/decision"
      local too_long = { "Courte", string.rep("r", LONG + 1) }
      expect_error(request(server, "POST", path, { token = tokens.committee,
        json = { outcome = "refused", recommendations = too_long } }), 400, "$.recommendations[1]")
      expect_error(request(server, "POST", path, { token = tokens.committee,
        json = { outcome = "refused", good_practices = { { criterion = criteria[1].id, text = string.rep("g", LONG + 1) } } } }),
        400, "$.good_practices[0]")
      local many = {}
      for i = 1, LIST_ITEMS + 1 do
        many[i] = "Recommandation " .. i
      end
      expect_error(request(server, "POST", path, { token = tokens.committee,
        json = { outcome = "refused", recommendations = many } }), 400, "$.recommendations")
      expect_error(request(server, "POST", path, { token = tokens.committee,
        json = { outcome = "refused", good_practices = many } }), 400, "$.good_practices")
      assert.are.equal("0", H.sql_value(server.db, "SELECT count(*) FROM decisions WHERE assessment_id = " .. a.id))
    end)
  end)

  describe("documents", function()
    -- The longest audit the limits allow: every criterion with a 5,000
    -- character comment and 20 evidence entries of 500, decided with 50
    -- recommendations and 50 good practices of 5,000 characters.
    local function worst_audit()
      local a = H.new_audit(server, tokens.committee, fx.ids.org_a, fx.ids.auditor)
      local comment = string.rep("Constat détaillé de l'auditeur. ", LONG // 32) -- words, as people write
      comment = comment .. string.rep("x", LONG - utf8.len(comment))
      local evidence = {}
      for i = 1, EVIDENCE_ITEMS do
        evidence[i] = string.rep("p", EVIDENCE) -- one long word: the worst for wrapping
      end
      local list = {}
      for i, c in ipairs(criteria) do
        list[i] = { method = "PUT", path = answer_path(a.id, c.id), token = tokens.auditor,
          json = { status = "met", comment = comment, evidence = evidence } }
      end
      for i, r in ipairs(H.many(server, list)) do
        expect(r, 200, "answer " .. criteria[i].id)
      end
      expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit", { token = tokens.auditor }), 200)
      local recs, practices = {}, {}
      for i = 1, LIST_ITEMS do
        recs[i] = string.rep("r", LONG)
        practices[i] = string.rep("Pratique ", LONG // 9)
      end
      expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision", { token = tokens.committee,
        json = { outcome = "refused", recommendations = recs, good_practices = practices } }), 201)
      return a.id
    end

    it("draws the longest report within bounds while other requests are answered", function()
      local id = worst_audit()
      local path = "/api/v1/assessments/" .. id .. "/report.pdf"
      -- four at once: as many as the server has workers
      local gets = {}
      for i = 1, 4 do
        gets[i] = H.background_get(server, path, tokens.committee)
      end
      local started = H.now()
      local function all_done()
        for _, g in ipairs(gets) do
          if not g() then
            return false
          end
        end
        return true
      end
      H.sleep(0.2)
      local answered, slowest = 0, 0
      while not all_done() and H.now() - started < 300 do
        local t = H.now()
        expect(request(server, "GET", "/api/v1/me", { token = tokens.cae_a }), 200, "GET /me during the PDF")
        slowest = math.max(slowest, H.now() - t)
        answered = answered + 1
        H.sleep(0.1)
      end
      local drawn
      for _, g in ipairs(gets) do
        local r = g()
        assert.is_truthy(r, "a report still under way after 300 s")
        -- drawn, or refused while others are drawn (503, to try again)
        assert.is_truthy(r.code == "200" or r.code == "503", "the report: " .. tostring(r.code))
        if r.code == "200" then
          drawn = r
        else
          local e = support.json.decode(support.read(r.body)).error
          assert.are.equal("unavailable", e.code)
        end
      end
      assert.is_truthy(drawn, "no report was drawn")
      local info = R.pdfinfo(drawn.body)
      local pages = tonumber(info.Pages)
      print(string.format("\nthe longest report: %s pages, %d bytes, drawn in %.1f s; %d GET /me meanwhile, "
        .. "the slowest in %.2f s", tostring(pages), H.size(drawn.body), drawn.seconds, answered, slowest))
      assert.is_true(pages ~= nil and pages <= 600, info.raw)
      assert.is_true(drawn.seconds < 120, "the report took " .. drawn.seconds .. " s")
      assert.is_true(slowest < 5, "GET /me took " .. slowest .. " s while reports were drawn")
      -- drawn once: the same bytes again (cairo dates each PDF it draws), at once
      H.sleep(1.1)
      local t = H.now()
      local again = expect(request(server, "GET", path, { token = tokens.committee }), 200)
      local kept = H.now() - t
      assert.is_true(again.body == support.read(drawn.body), "the frozen report was drawn again")
      assert.is_true(kept < 5, "the kept report took " .. kept .. " s")
      local text = R.pdftotext(drawn.body)
      assert.is_truthy(text:find("Rapport d'audit", 1, true), text:sub(1, 300))
    end)

    it("gives the same bytes twice for a frozen report, and a new document after a change", function()
      local a = H.submitted_audit(server, tokens.committee, tokens.auditor_b, fx.ids.org_a, fx.ids.auditor_b, criteria)
      local path = "/api/v1/assessments/" .. a.id .. "/report.pdf"
      local first = expect(request(server, "GET", path, { token = tokens.committee }), 200)
      H.sleep(1.1) -- cairo writes the time into each PDF it draws
      local second = expect(request(server, "GET", path, { token = tokens.cae_a }), 200)
      assert.is_true(first.body == second.body, "the frozen report was drawn again")
      -- the auditor's new name is a new document, never the kept one
      expect(request(server, "PATCH", "/api/v1/users/" .. fx.ids.auditor_b, { token = tokens.admin,
        json = { name = "Bruno Nouveau-Nom" } }), 200)
      local third = expect(request(server, "GET", path, { token = tokens.committee }), 200)
      local text = R.pdftotext(pdf_file(third.body))
      assert.is_truthy(text:find("Bruno Nouveau-Nom", 1, true), text:sub(1, 1500))
    end)

    it("titles a self-assessment's report as one, without the committee", function()
      local a = H.new_self_assessment(server, tokens.cae_b, fx.ids.org_b)
      H.answer_all(server, tokens.cae_b, a.id, criteria)
      expect(request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit", { token = tokens.cae_b }), 200)
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. a.id .. "/report.pdf",
        { token = tokens.cae_b }), 200)
      assert.are.equal("application/pdf", r.headers["content-type"])
      local text = R.pdftotext(pdf_file(r.body))
      assert.is_truthy(text:find("Rapport d'autoévaluation", 1, true), text:sub(1, 500))
      assert.is_falsy(text:find("Rapport d'audit", 1, true), "titled as an audit report:\n" .. text:sub(1, 500))
      -- (criteria may name a "comité social et économique": the labelling committee is what must not show)
      for _, words in ipairs({ "soumis au comité", "décision du comité", "comité de labellisation", "recommandations" }) do
        local at = text:lower():find(words, 1, true)
        assert.is_falsy(at, "'" .. words .. "' in a self-assessment report:\n" .. text:sub(math.max(1, (at or 1) - 300), (at or 1) + 300))
      end
      assert.is_falsy(text:find("Auditeur", 1, true), "an auditor is named:\n" .. text:sub(1, 3000))
      assert.is_truthy(text:find("Coopérative Beta", 1, true))
    end)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

-- Bad inputs over HTTP (issue 3): malformed and truncated JSON, wrong
-- types (each naming its JSON path), oversized bodies, wrong content types,
-- unknown criteria and ids, SQL metacharacters and invalid UTF-8 in text
-- fields, forged and revoked tokens, wrong methods. After each, the server
-- still answers and nothing it stored changed.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

local request, expect, expect_error = H.request, H.expect, H.expect_error

local MIB = 1024 * 1024

describe("bad inputs", function()
  local fx, ids, server, tokens, criteria
  local ctx = {}

  -- Everything a bad request could have touched, as the committee and the
  -- CAE see it.
  local function snapshot()
    local out = {}
    local list = {}
    for _, p in ipairs({
      { "committee", "/api/v1/assessments/" .. ctx.sa },
      { "committee", "/api/v1/assessments/" .. ctx.audit },
      { "committee", "/api/v1/assessments/" .. ctx.submitted },
      { "committee", "/api/v1/assessments" },
      { "committee", "/api/v1/organisations" },
      { "committee", "/api/v1/organisations/" .. ids.org_a .. "/action-items" },
      { "committee", "/api/v1/labels" },
      { "cae_a", "/api/v1/me" },
    }) do
      list[#list + 1] = { token = tokens[p[1]], path = p[2] }
    end
    for _, r in ipairs(H.get_many(server, list)) do
      expect(r, 200, "snapshot " .. r.path)
      out[r.path] = r.json
    end
    return out
  end


  -- Runs fn (which sends bad requests), then checks the server answers and
  -- that nothing changed.
  local function unchanged(fn)
    local before = snapshot()
    fn()
    local after = snapshot()
    for path, value in pairs(before) do
      assert(H.same(value, after[path]), "a refused request changed " .. path .. "\nbefore: " .. json.encode(value)
        .. "\nafter:  " .. json.encode(after[path]))
    end
  end

  local function answer_path(criterion, id)
    return "/api/v1/assessments/" .. (id or ctx.sa) .. "/answers/" .. criterion
  end

  local function answer_of(criterion, id)
    local r = expect(request(server, "GET", "/api/v1/assessments/" .. (id or ctx.sa), { token = tokens.committee }),
      200)
    for _, a in ipairs(r.json.answers) do
      if a.criterion == criterion then
        return a
      end
    end
    return nil
  end

  -- Puts JF-01 of the self-assessment back in its known state (a test
  -- whose bad request was wrongly accepted must not fail the next ones).
  local JF01 = { status = "partial", comment = "Statuts en cours de révision", evidence = { "Statuts 2019" } }
  local function reset_jf01()
    expect(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, json = JF01 }), 200, "reset JF-01")
  end

  setup(function()
    fx, _, server, tokens, criteria = H.world()
    ids = fx.ids
    ctx.sa = H.new_self_assessment(server, tokens.cae_a, ids.org_a).id
    reset_jf01()
    ctx.audit = H.new_audit(server, tokens.committee, ids.org_a, ids.auditor).id
    expect(request(server, "PUT", "/api/v1/assessments/" .. ctx.audit .. "/stakeholders",
      { token = tokens.auditor, json = H.STAKEHOLDERS }), 200)
    ctx.submitted = H.submitted_audit(server, tokens.committee, tokens.auditor, ids.org_a, ids.auditor, criteria).id
    ctx.item = expect(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/action-items", {
      token = tokens.cae_a,
      json = { criterion = "JF-01", action = "Réviser les statuts", owner = "Alice", due = "2027-01-01",
        status = "todo" },
    }), 201).json.id
  end)

  teardown(function()
    H.stop_all()
    H.cleanup()
  end)

  describe("malformed and truncated JSON", function()
    local MALFORMED = {
      { "an opening brace alone", "{" },
      { "a truncated string", '{"status":"met","comment":"ab' },
      { "a truncated object", '{"status":"met","comment":"abc",' },
      { "a trailing comma", '{"status":"met",}' },
      { "an unquoted key", '{status:"met"}' },
      { "single quotes", "{'status':'met'}" },
      { "an empty body", "" },
      { "garbage after the value", '{"status":"met"} x' },
      { "two values", '{"status":"met"}{"status":"met"}' },
      { "a bad escape", '{"status":"met","comment":"\\x41"}' },
      { "a control character in a string", '{"status":"met","comment":"a\1b"}' },
      { "a bare word", "nul" },
      { "NaN", '{"status":"met","comment":NaN}' },
      { "a comment", '{"status":"met" /* c */}' },
    }

    for _, case in ipairs(MALFORMED) do
      it("answers 400 at path $ for " .. case[1] .. ", changing nothing", function()
        reset_jf01()
        unchanged(function()
          expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, raw = case[2] }), 400, "$")
        end)
      end)
    end

    it("answers 400 at path $ on every endpoint that takes a body", function()
      unchanged(function()
        local bad = '{"a": [1, 2'
        expect_error(request(server, "POST", "/api/v1/session", { raw = bad }), 400, "$", "session")
        expect_error(request(server, "POST", "/api/v1/organisations", { token = tokens.admin, raw = bad }), 400, "$",
          "organisations")
        expect_error(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/assessments",
          { token = tokens.cae_a, raw = bad }), 400, "$", "assessments")
        expect_error(request(server, "PUT", "/api/v1/assessments/" .. ctx.audit .. "/stakeholders",
          { token = tokens.auditor, raw = '[{"name":"a","role":"b"}' }), 400, "$", "stakeholders")
        expect_error(request(server, "POST", "/api/v1/assessments/" .. ctx.submitted .. "/decision",
          { token = tokens.committee, raw = '{"outcome":"refused","date":"2026-01-01"' }), 400, "$", "decision")
        expect_error(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/action-items",
          { token = tokens.cae_a, raw = bad }), 400, "$", "action item")
        expect_error(request(server, "PATCH", "/api/v1/organisations/" .. ids.org_a .. "/action-items/" .. ctx.item,
          { token = tokens.cae_a, raw = '{"status":' }), 400, "$", "action item patch")
        expect_error(request(server, "POST", "/api/v1/tokens", { token = tokens.admin, raw = bad }), 400, "$", "tokens")
      end)
    end)

    -- Raw bytes on a TCP connection, closed after `linger` seconds.
    local function send_raw(bytes, linger)
      local dir = H.tmpdir()
      support.write(dir .. "/req", bytes)
      os.execute("timeout 5 bash -c " .. support.quote("exec 3<>/dev/tcp/127.0.0.1/" .. server.port
        .. "; cat " .. support.quote(dir .. "/req") .. " >&3; sleep " .. (linger or 0.2) .. "; exec 3>&-")
        .. " >/dev/null 2>&1")
    end

    it("survives a body cut short by the client's disconnect, changing nothing", function()
      reset_jf01()
      unchanged(function()
        local body = '{"status":"met","comment":"coupé en route'
        send_raw("PUT " .. answer_path("JF-01") .. " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
          .. tokens.cae_a .. "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n" .. body)
        send_raw("GARBAGE / NOT-HTTP\r\n\r\n")
        send_raw("PUT " .. answer_path("JF-01") .. " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le", 0)
      end)
      assert.are.equal("partial", answer_of("JF-01").status)
    end)

    it("survives deeply nested JSON (100 000 levels) with a 400", function()
      unchanged(function()
        local deep = string.rep("[", 100000) .. string.rep("]", 100000)
        local r = request(server, "PUT", "/api/v1/assessments/" .. ctx.audit .. "/stakeholders",
          { token = tokens.auditor, raw = deep })
        expect_error(r, 400)
        local obj = string.rep('{"a":', 100000) .. "1" .. string.rep("}", 100000)
        expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, raw = obj }), 400)
      end)
    end)
  end)

  describe("wrong types and values name their JSON path", function()
    local ANSWERS = {
      { "a number status", { status = 1, comment = "", evidence = {} }, "$.status" },
      { "an unknown status", { status = "great", comment = "", evidence = {} }, "$.status" },
      { "a null status", { status = json.null, comment = "", evidence = {} }, "$.status" },
      { "no status", json.object({ comment = "x", evidence = {} }), "$.status" },
      { "a number comment", { status = "met", comment = 5, evidence = {} }, "$.comment" },
      { "an object comment", { status = "met", comment = json.object({}), evidence = {} }, "$.comment" },
      { "a string evidence", { status = "met", comment = "", evidence = "PV" }, "$.evidence" },
      { "a number in evidence", { status = "met", comment = "", evidence = { 1 } }, "$.evidence[0]" },
      { "an object naming no document in evidence", { status = "met", comment = "",
        evidence = { "ok", json.object({}) } }, "$.evidence[1].document" },
      { "an array in evidence", { status = "met", comment = "", evidence = { "ok", { "PV" } } }, "$.evidence[1]" },
      { "an array body", {}, "$" },
      { "a string body", "met", "$" },
      { "a number body", 42, "$" },
      { "not_applicable where the criterion does not allow it", { status = "not_applicable", comment = "",
        evidence = {} }, "$.status" },
    }
    for _, case in ipairs(ANSWERS) do
      it("PUT answer with " .. case[1] .. " -> 400 " .. case[3], function()
        reset_jf01()
        unchanged(function()
          expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, json = case[2] }), 400,
            case[3])
        end)
        local a = answer_of("JF-01")
        assert.are.equal("partial", a.status)
        assert.are.equal("Statuts en cours de révision", a.comment)
      end)
    end

    it("takes not_applicable where the criterion allows it (RH-15)", function()
      local r = expect(request(server, "PUT", answer_path("RH-15"), { token = tokens.cae_a,
        json = { status = "not_applicable", comment = "Moins de 50 salariés", evidence = {} } }), 200)
      assert.are.equal("not_applicable", r.json.status)
      assert.are.equal("not_applicable", answer_of("RH-15").status)
    end)

    local OTHERS = {
      { "stakeholders as an object", "PUT", "stakeholders", "auditor", json.object({ name = "a", role = "b" }), "$" },
      { "a stakeholder as a string", "PUT", "stakeholders", "auditor", { "Inès" }, "$[0]" },
      { "a number stakeholder name", "PUT", "stakeholders", "auditor", { { name = 1, role = "associé" } },
        "$[0].name" },
      { "a stakeholder without role", "PUT", "stakeholders", "auditor",
        { { name = "Inès", role = "associé" }, json.object({ name = "Paul" }) }, "$[1].role" },
      { "a number email", "POST", "session", nil, { email = 5, password = "x" }, "$.email" },
      { "no password", "POST", "session", nil, json.object({ email = "cae-a@x.test" }), "$.password" },
      { "an array login", "POST", "session", nil, { "cae-a@x.test" }, "$" },
      { "an unknown assessment kind", "POST", "assessments", "cae_a", { kind = "bogus" }, "$.kind" },
      { "no assessment kind", "POST", "assessments", "cae_a", json.object({}), "$.kind" },
      { "a string auditor_id", "POST", "assessments", "committee", { kind = "audit", auditor_id = "7" },
        "$.auditor_id" },
      { "no auditor_id", "POST", "assessments", "committee", { kind = "audit" }, "$.auditor_id" },
      { "an unknown outcome", "POST", "decision", "committee",
        { outcome = "maybe", date = "2026-01-15", recommendations = {}, good_practices = {} }, "$.outcome" },
      { "an impossible date", "POST", "decision", "committee",
        { outcome = "refused", date = "2026-13-45", recommendations = {}, good_practices = {} }, "$.date" },
      { "February 30th", "POST", "decision", "committee",
        { outcome = "refused", date = "2026-02-30", recommendations = {}, good_practices = {} }, "$.date" },
      { "a number date", "POST", "decision", "committee",
        { outcome = "refused", date = 20260115, recommendations = {}, good_practices = {} }, "$.date" },
      { "string recommendations", "POST", "decision", "committee",
        { outcome = "refused", date = "2026-01-15", recommendations = "R", good_practices = {} },
        "$.recommendations" },
      { "a number recommendation", "POST", "decision", "committee",
        { outcome = "refused", date = "2026-01-15", recommendations = { "R", 2 }, good_practices = {} },
        "$.recommendations[1]" },
      { "a number good practice", "POST", "decision", "committee",
        { outcome = "refused", date = "2026-01-15", recommendations = {}, good_practices = { 5 } },
        "$.good_practices[0]" },
      { "a good practice on an unknown criterion", "POST", "decision", "committee",
        { outcome = "refused", date = "2026-01-15", recommendations = {},
          good_practices = { { criterion = "ZZ-99", text = "x" } } }, "$.good_practices[0].criterion" },
      { "an unknown action status", "POST", "action-items", "cae_a",
        { criterion = "JF-01", action = "a", owner = "o", due = "2027-01-01", status = "later" }, "$.status" },
      { "a due date in words", "POST", "action-items", "cae_a",
        { criterion = "JF-01", action = "a", owner = "o", due = "tomorrow", status = "todo" }, "$.due" },
      { "a due date before 2000", "POST", "action-items", "cae_a",
        { criterion = "JF-01", action = "a", owner = "o", due = "0202-01-01", status = "todo" }, "$.due" },
      { "a due date after 2100", "POST", "action-items", "cae_a",
        { criterion = "JF-01", action = "a", owner = "o", due = "2925-06-30", status = "todo" }, "$.due" },
      { "an action on an unknown criterion", "POST", "action-items", "cae_a",
        { criterion = "ZZ-99", action = "a", owner = "o", due = "2027-01-01", status = "todo" }, "$.criterion" },
      { "a number action", "POST", "action-items", "cae_a",
        { criterion = "JF-01", action = 3, owner = "o", due = "2027-01-01", status = "todo" }, "$.action" },
      { "a number status in a patch", "PATCH", "item", "cae_a", { status = 3 }, "$.status" },
      { "an unknown status in a patch", "PATCH", "item", "cae_a", { status = "finished" }, "$.status" },
      { "a number organisation name", "POST", "organisations", "admin",
        { name = 5, legal_form = "SCOP SA", city = "Caen", region = "Normandie", member_since = "2020-01-01" },
        "$.name" },
      { "a member_since in words", "POST", "organisations", "admin",
        { name = "Coopérative Epsilon", legal_form = "SCOP SA", city = "Caen", region = "Normandie",
          member_since = "yesterday" }, "$.member_since" },
      { "a number token name", "POST", "tokens", "admin", { name = 5 }, "$.name" },
    }
    for _, case in ipairs(OTHERS) do
      local what, method, where, who, body, path = case[1], case[2], case[3], case[4], case[5], case[6]
      it(method .. " " .. where .. " with " .. what .. " -> 400 " .. path, function()
        local url = ({
          stakeholders = "/api/v1/assessments/" .. ctx.audit .. "/stakeholders",
          session = "/api/v1/session",
          assessments = "/api/v1/organisations/" .. ids.org_a .. "/assessments",
          decision = "/api/v1/assessments/" .. ctx.submitted .. "/decision",
          ["action-items"] = "/api/v1/organisations/" .. ids.org_a .. "/action-items",
          item = "/api/v1/organisations/" .. ids.org_a .. "/action-items/" .. ctx.item,
          organisations = "/api/v1/organisations",
          tokens = "/api/v1/tokens",
        })[where]
        unchanged(function()
          expect_error(request(server, method, url, { token = who and tokens[who], json = body }), 400, path)
        end)
      end)
    end
  end)

  describe("body size", function()
    local function answer_of_size(n)
      local head, tail = '{"status":"met","comment":"', '","evidence":[]}'
      return head .. string.rep("a", n - #head - #tail) .. tail
    end

    it("refuses a body of 1 MiB + 1 byte with 413, changing nothing", function()
      unchanged(function()
        local body = answer_of_size(MIB + 1)
        assert.are.equal(MIB + 1, #body)
        expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, raw = body }), 413)
      end)
    end)

    it("refuses a 5 MiB body with 413, on login too", function()
      unchanged(function()
        expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a,
          raw = answer_of_size(5 * MIB) }), 413)
        local login = '{"email":"cae-a@x.test","password":"' .. string.rep("p", 5 * MIB) .. '"}'
        expect_error(request(server, "POST", "/api/v1/session", { raw = login }), 413)
      end)
    end)

    it("does not answer 413 to a body of exactly 1 MiB", function()
      local body = answer_of_size(MIB)
      assert.are.equal(MIB, #body)
      local comment_length = MIB - #'{"status":"met","comment":"' - #'","evidence":[]}'
      -- on an assessment of its own, so that the snapshots stay small
      local big = H.new_self_assessment(server, tokens.cae_b, ids.org_b).id
      local r = request(server, "PUT", answer_path("SO-04", big), { token = tokens.cae_b, raw = body })
      assert(r.status == 200 or r.status == 400, "expected 200 (stored) or 400 (comment too long), got " .. H.show(r))
      if r.status == 200 then
        assert.are.equal(comment_length, #answer_of("SO-04", big).comment)
      else
        expect_error(r, 400, "$.comment")
      end
    end)
  end)

  describe("content type", function()
    local body = { status = "not_met", comment = "type de contenu", evidence = {} }
    for _, ct in ipairs({ "text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data" }) do
      it("refuses " .. ct .. " with 415, changing nothing", function()
        unchanged(function()
          expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, json = body,
            content_type = ct }), 415)
        end)
      end)
    end

    it("refuses a body without Content-Type with 415", function()
      unchanged(function()
        expect_error(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a, json = body,
          content_type = false }), 415)
        expect_error(request(server, "POST", "/api/v1/session", { json = { email = "cae-a@x.test",
          password = H.PASSWORD }, content_type = "text/plain" }), 415)
      end)
    end)

    it("accepts application/json with a charset parameter", function()
      local r = request(server, "PUT", answer_path("SO-05"), { token = tokens.cae_a, json = body,
        content_type = "application/json; charset=utf-8" })
      expect(r, 200)
      assert.are.equal("type de contenu", answer_of("SO-05").comment)
    end)
  end)

  describe("unknown criteria and ids", function()
    it("answers 404 for an unknown criterion, changing nothing", function()
      unchanged(function()
        for _, c in ipairs({ "XX-99", "JF-999", "JF-01x", "JF-01%27%3B--", "%2e%2e" }) do
          expect_error(request(server, "PUT", answer_path(c), { token = tokens.cae_a,
            json = { status = "met", comment = "", evidence = {} } }), 404, nil, c)
        end
      end)
    end)

    it("answers 404 for unknown or malformed ids", function()
      unchanged(function()
        for _, id in ipairs({ "999999", "0", "-1", "abc", "1.5", "99999999999999999999999", "1%20OR%201=1" }) do
          expect_error(request(server, "GET", "/api/v1/assessments/" .. id, { token = tokens.committee }), 404, nil,
            "assessment " .. id)
          expect_error(request(server, "GET", "/api/v1/organisations/" .. id, { token = tokens.committee }), 404, nil,
            "organisation " .. id)
        end
        expect_error(request(server, "PATCH", "/api/v1/organisations/" .. ids.org_a .. "/action-items/999999",
          { token = tokens.cae_a, json = { status = "done" } }), 404)
        expect_error(request(server, "PUT", "/api/v1/assessments/999999/answers/JF-01",
          { token = tokens.committee, json = { status = "met", comment = "", evidence = {} } }), 404)
        expect_error(request(server, "GET", "/api/v1/nothing-here", { token = tokens.committee }), 404)
      end)
    end)

    it("answers 405 for a method an endpoint does not take", function()
      unchanged(function()
        expect_error(request(server, "DELETE", "/api/v1/referential", { token = tokens.admin }), 405)
        expect_error(request(server, "PATCH", "/api/v1/me", { token = tokens.admin, json = { name = "x" } }), 405)
        expect_error(request(server, "PUT", "/api/v1/organisations", { token = tokens.admin,
          json = { name = "x" } }), 405)
        expect_error(request(server, "GET", "/api/v1/assessments/" .. ctx.sa .. "/submit",
          { token = tokens.cae_a }), 405)
        expect_error(request(server, "DELETE", "/api/v1/assessments/" .. ctx.sa, { token = tokens.admin }), 405)
      end)
    end)
  end)

  describe("text fields", function()
    local SQLISH = {
      "Robert'); DROP TABLE answers;--",
      "' OR '1'='1",
      "\"; DELETE FROM users; --",
      "100% _like_ \\ backslash \\' \\\"",
      "ligne 1\nligne 2\ttabulée\r\n",
      "« guillemets » – tiret, emoji 😀, 中文",
      "<script>alert(1)</script>",
      "$(rm -rf /) `id` ${HOME}",
    }
    -- Names and evidence entries are one line (issue 17): their line breaks
    -- and tabs become spaces here; text_limits_spec checks their refusal.
    local function one_line(text)
      return (text:gsub("[\r\n\t]", " "))
    end

    it("stores SQL metacharacters and quotes verbatim in answers", function()
      for i, text in ipairs(SQLISH) do
        local c = criteria[20 + i].id
        local r = expect(request(server, "PUT", answer_path(c), { token = tokens.cae_a,
          json = { status = "met", comment = text, evidence = { one_line(text), "pièce " .. i } } }), 200, c)
        assert.are.equal(text, r.json.comment)
        local a = answer_of(c)
        assert.are.equal(text, a.comment)
        assert.are.same({ one_line(text), "pièce " .. i }, a.evidence)
      end
      -- the tables named are still there
      H.login(server, H.USERS.cae_b.email)
      expect(request(server, "GET", "/api/v1/assessments/" .. ctx.submitted, { token = tokens.committee }), 200)
    end)

    it("stores them verbatim in organisations, stakeholders and action items", function()
      for i, long_text in ipairs(SQLISH) do
        local text = one_line(long_text)
        local o = expect(request(server, "POST", "/api/v1/organisations", { token = tokens.admin,
          json = { name = "Coop " .. i .. " " .. text, legal_form = text, city = text, region = text,
            member_since = "2020-01-01" } }), 201)
        local g = expect(request(server, "GET", "/api/v1/organisations/" .. o.json.id, { token = tokens.admin }), 200)
        assert.are.equal("Coop " .. i .. " " .. text, g.json.name)
        assert.are.equal(text, g.json.city)
      end
      local people = {}
      for i, text in ipairs(SQLISH) do
        people[i] = { name = one_line(text), role = "associé " .. one_line(text) }
      end
      expect(request(server, "PUT", "/api/v1/assessments/" .. ctx.audit .. "/stakeholders",
        { token = tokens.auditor, json = people }), 200)
      local a = expect(request(server, "GET", "/api/v1/assessments/" .. ctx.audit, { token = tokens.committee }), 200)
      assert.are.same(people, a.json.stakeholders)
      expect(request(server, "PUT", "/api/v1/assessments/" .. ctx.audit .. "/stakeholders",
        { token = tokens.auditor, json = H.STAKEHOLDERS }), 200)
      local item = expect(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/action-items", {
        token = tokens.cae_a,
        json = { criterion = "RH-01", action = SQLISH[1], owner = SQLISH[3], due = "2027-02-02", status = "todo" },
      }), 201)
      assert.are.equal(SQLISH[1], item.json.action)
      local list = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_a .. "/action-items",
        { token = tokens.cae_a }), 200)
      local found
      for _, it_ in ipairs(list.json) do
        if it_.id == item.json.id then
          found = it_
        end
      end
      assert.truthy(found, "the item is not listed")
      assert.are.equal(SQLISH[1], found.action)
      assert.are.equal(SQLISH[3], found.owner)
    end)

    it("stores a NUL character verbatim or refuses it with 400", function()
      local before = answer_of("JF-01")
      local r = request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a,
        raw = '{"status":"met","comment":"avant\\u0000après","evidence":[]}' })
      assert(r.status == 200 or r.status == 400, "expected 200 or 400, got " .. H.show(r))
      if r.status == 200 then
        assert.are.equal("avant\0après", answer_of("JF-01").comment)
        expect(request(server, "PUT", answer_path("JF-01"), { token = tokens.cae_a,
          json = { status = before.status, comment = before.comment, evidence = before.evidence } }), 200)
      else
        expect_error(r, 400)
        assert.are.same(before, answer_of("JF-01"))
      end
    end)

    local INVALID_UTF8 = {
      { "a lone 0xFF byte", "\255\254" },
      { "an overlong slash", "\192\175" },
      { "an encoded surrogate", "\237\160\128" },
      { "a truncated sequence", "caf\195" },
      { "a stray continuation byte", "a\128b" },
    }
    for _, case in ipairs(INVALID_UTF8) do
      it("stores " .. case[1] .. " verbatim or refuses it with 400, never 500", function()
        local before = snapshot()
        local raw = '{"status":"met","comment":"x' .. case[2] .. 'y","evidence":["e' .. case[2] .. '"]}'
        local r = request(server, "PUT", answer_path("SO-06"), { token = tokens.cae_a, raw = raw })
        assert(r.status == 200 or r.status == 400, "expected 200 or 400, got " .. H.show(r))
        if r.status == 400 then
          expect_error(r, 400)
          local after = snapshot()
          for path, value in pairs(before) do
            assert(H.same(value, after[path]), "a refused request changed " .. path)
          end
        else
          -- stored: given back byte for byte
          local g = expect(request(server, "GET", "/api/v1/assessments/" .. ctx.sa, { token = tokens.cae_a }), 200)
          assert.truthy(g.body:find("x" .. case[2] .. "y", 1, true), "the bytes did not come back verbatim")
        end
        expect(request(server, "GET", "/api/v1/me", { token = tokens.cae_a }), 200)
      end)
    end

    it("refuses invalid UTF-8 in an organisation name or a login, or stores it verbatim; never 500", function()
      local r = request(server, "POST", "/api/v1/organisations", { token = tokens.admin,
        raw = '{"name":"Coop \255","legal_form":"SCOP SA","city":"Caen","region":"Normandie",'
          .. '"member_since":"2020-01-01"}' })
      assert(r.status == 201 or r.status == 400, "organisation: " .. H.show(r))
      local l = request(server, "POST", "/api/v1/session", { raw = '{"email":"cae-a\255@x.test","password":"x"}' })
      assert(l.status == 400 or l.status == 401, "login: " .. H.show(l))
      expect(request(server, "GET", "/api/v1/me", { token = tokens.admin }), 200)
    end)
  end)

  describe("tokens", function()
    local function flip_last(s)
      local last = s:sub(-1)
      return s:sub(1, -2) .. (last == "A" and "B" or "A")
    end

    it("answers 401 to forged bearer tokens, changing nothing", function()
      unchanged(function()
        local forged = {
          string.rep("0", 64),
          string.rep("f", 64),
          flip_last(tokens.cae_a),
          tokens.cae_a .. "x",
          tokens.cae_a:sub(1, -2),
          string.rep("A", 10000),
          "' OR '1'='1",
          "x",
        }
        for _, t in ipairs(forged) do
          expect_error(request(server, "GET", "/api/v1/me", { token = t }), 401, nil, "bearer " .. t:sub(1, 20))
          expect_error(request(server, "PUT", answer_path("JF-01"), { token = t,
            json = { status = "met", comment = "forgé", evidence = {} } }), 401, nil, "bearer " .. t:sub(1, 20))
          expect_error(request(server, "GET", "/api/v1/labels", { cookie = t }), 401, nil, "cookie " .. t:sub(1, 20))
        end
        for _, header in ipairs({ "Bearer", "Bearer ", "Basic YWRtaW5AeC50ZXN0OmNvcnJlY3Q=", tokens.admin,
          "Token " .. tokens.admin }) do
          expect_error(request(server, "GET", "/api/v1/me", { headers = { Authorization = header } }), 401, nil,
            "Authorization: " .. header:sub(1, 20))
        end
      end)
    end)

    it("answers 401 to the CSRF token used as a session token", function()
      local _, r = H.login(server, H.USERS.cae_a.email)
      expect_error(request(server, "GET", "/api/v1/me", { token = r.json.csrf_token }), 401)
      expect_error(request(server, "GET", "/api/v1/me", { cookie = r.json.csrf_token }), 401)
    end)

    it("answers 431 to request headers over its limit, and serves the next request", function()
      -- the pool libmicrohttpd parses headers in is 24 KiB: a header line of
      -- 10 000 bytes is read (above), as nginx reads 8 KiB by default
      local r = request(server, "GET", "/api/v1/me", { cookie = string.rep("A", 40000) })
      assert.are.equal(431, r.status, H.show(r))
      expect(request(server, "GET", "/api/v1/me", { token = tokens.admin }), 200)
    end)

    it("answers 401 to a revoked (logged out) token, changing nothing", function()
      local t = H.login(server, H.USERS.cae_a.email)
      expect(request(server, "DELETE", "/api/v1/session", { token = t }), 204)
      unchanged(function()
        expect_error(request(server, "GET", "/api/v1/me", { token = t }), 401)
        expect_error(request(server, "PUT", answer_path("JF-01"), { token = t,
          json = { status = "met", comment = "révoqué", evidence = {} } }), 401)
        expect_error(request(server, "DELETE", "/api/v1/session", { token = t }), 401)
      end)
    end)

    -- Expiry cannot be waited for (30 min idle, 12 h absolute): these age a
    -- session in the database with the sqlite3 shell. They rely on the
    -- schema (sessions.user_id, kind, created_at, last_seen in Unix seconds).
    local function age_sessions(user_id, set)
      local sql = "UPDATE sessions SET " .. set .. " WHERE user_id = " .. user_id .. " AND kind = 'session';"
      local ok = os.execute("sqlite3 -cmd '.timeout 5000' " .. support.quote(server.db) .. " "
        .. support.quote(sql) .. " >/dev/null")
      assert.is_true(ok == true, "sqlite3 failed: " .. sql)
    end

    it("answers 401 to a session idle for more than 30 minutes", function()
      local t = H.login(server, H.USERS.auditor_b.email)
      expect(request(server, "GET", "/api/v1/me", { token = t }), 200)
      age_sessions(ids.auditor_b, "last_seen = last_seen - 31 * 60, created_at = created_at - 31 * 60")
      unchanged(function()
        expect_error(request(server, "GET", "/api/v1/me", { token = t }), 401)
        expect_error(request(server, "GET", "/api/v1/labels", { cookie = t }), 401)
      end)
      expect(request(server, "GET", "/api/v1/me", { token = tokens.auditor }), 200)
    end)

    it("answers 401 to a session older than 12 hours, even if active", function()
      local t = H.login(server, H.USERS.expired_auditor.email)
      expect(request(server, "GET", "/api/v1/me", { token = t }), 200)
      age_sessions(ids.expired_auditor, "created_at = created_at - 12 * 3600 - 60")
      unchanged(function()
        expect_error(request(server, "GET", "/api/v1/me", { token = t }), 401)
      end)
    end)

    it("keeps a session alive while it is used within 30 minutes", function()
      local t = H.login(server, H.USERS.expired_auditor.email)
      age_sessions(ids.expired_auditor, "last_seen = last_seen - 29 * 60, created_at = created_at - 29 * 60")
      expect(request(server, "GET", "/api/v1/me", { token = t }), 200)
    end)

    it("answers 401 to a token issued by another server's database", function()
      local other = H.start_server({ db = H.fresh_db(fx.db) })
      local foreign = H.login(other, H.USERS.admin.email)
      expect(request(other, "GET", "/api/v1/me", { token = foreign }), 200)
      assert.are.equal(0, other.stop())
      unchanged(function()
        expect_error(request(server, "GET", "/api/v1/me", { token = foreign }), 401)
        expect_error(request(server, "POST", "/api/v1/organisations", { token = foreign,
          json = { name = "Coop étrangère", legal_form = "SCOP SA", city = "Metz", region = "Grand Est",
            member_since = "2020-01-01" } }), 401)
      end)
    end)
  end)

  it("still answers after all of it", function()
    expect(request(server, "GET", "/api/v1/referential"), 200)
    expect(request(server, "GET", "/api/v1/me", { token = tokens.committee }), 200)
    local t = H.login(server, H.USERS.auditor.email)
    expect(request(server, "GET", "/api/v1/assessments/" .. ctx.audit, { token = t }), 200)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

-- The siblings of issue 17's holes: each check inside the write it guards,
-- log lines that stay one line, documented exit codes on the command line,
-- a stop that never waits for a long document.

local support = require "support"
local H = require "http_support"
local L = require "lifecycle_support"

local request, expect = H.request, H.expect

describe("siblings", function()
  local fx, ids, db, server, t, criteria

  setup(function()
    fx, db, server, t, criteria = H.world()
    ids = fx.ids
  end)

  teardown(H.finish)

  describe("giving a draft audit to another auditor", function()
    it("never leaves an audit submitted by an auditor who no longer holds it (20 races)", function()
      for round = 1, 20 do
        local a = H.new_audit(server, t.committee, ids.org_a, ids.auditor)
        L.answer(server, t.auditor, a.id, L.answers(criteria))
        expect(request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/stakeholders",
          { token = t.auditor, json = H.STAKEHOLDERS }), 200, "stakeholders")
        local codes = H.race(server, {
          { method = "PATCH", path = "/api/v1/assessments/" .. a.id, token = t.committee,
            json = { auditor_id = ids.auditor_b } },
          { method = "POST", path = "/api/v1/assessments/" .. a.id .. "/submit", token = t.auditor,
            json = {} },
        })
        local after = L.get(server, t.committee, "/assessments/" .. a.id).json
        local what = "round " .. round .. ": PATCH " .. codes[1] .. ", submit " .. codes[2]
        if after.status == "submitted" then
          -- submitted by its auditor, who still holds it; the change came too late
          assert.are.equal(ids.auditor, after.auditor_id, what)
          assert.are.same({ 409, 200 }, codes, what)
        else
          -- given to the other auditor first: the first one's submission was refused
          assert.are.equal("draft", after.status, what)
          assert.are.equal(ids.auditor_b, after.auditor_id, what)
          assert.are.equal(200, codes[1], what)
          assert.are.equal(403, codes[2], what)
        end
      end
    end)
  end)

  describe("an auditor whose certification date is past", function()
    it("is recorded (history), and no write treats them as certified", function()
      local created = expect(request(server, "POST", "/api/v1/users", { token = t.admin, json = {
        email = "lapsed@x.test", name = "Laure Échue", role = "auditor", certified_until = "2021-06-30",
        password = H.PASSWORD } }), 201, "create").json
      assert.are.equal("2021-06-30", created.certified_until)
      -- an audit is neither opened for them nor given to them
      H.expect_error(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/assessments",
        { token = t.committee, json = { kind = "audit", auditor_id = created.id } }), 409, "$.auditor_id")
      local a = H.new_audit(server, t.committee, ids.org_a, ids.auditor_b)
      H.expect_error(request(server, "PATCH", "/api/v1/assessments/" .. a.id,
        { token = t.committee, json = { auditor_id = created.id } }), 409, "$.auditor_id")
      -- an auditor holding a draft audit, their date set in the past: kept,
      -- and their findings refused
      local yesterday = os.date("!%Y-%m-%d", os.time() - 86400)
      local token = H.login(server, H.USERS.auditor_b.email)
      expect(request(server, "PATCH", "/api/v1/users/" .. ids.auditor_b,
        { token = t.admin, json = { certified_until = yesterday } }), 200, "update")
      local path = "/api/v1/assessments/" .. a.id
      H.expect_error(request(server, "PUT", path .. "/answers/JF-01",
        { token = token, json = { status = "met" } }), 403)
      H.expect_error(request(server, "PUT", path .. "/stakeholders",
        { token = token, json = H.STAKEHOLDERS }), 403)
      H.expect_error(request(server, "POST", path .. "/submit", { token = token }), 403)
      assert.are.equal("draft", L.get(server, t.committee, "/assessments/" .. a.id).json.status)
      expect(request(server, "PATCH", "/api/v1/users/" .. ids.auditor_b,
        { token = t.admin, json = { certified_until = "2030-12-31" } }), 200, "restore")
    end)
  end)

  describe("a long PDF", function()
    -- A server of its own (the tests stop it) with a submitted audit whose
    -- texts are longer than the API takes (older data may hold them): a
    -- report of hundreds of pages, seconds to draw. Returns server, tokens,
    -- the report's path.
    local function long_report()
      local own = H.start_server({ db = H.fresh_db(fx.db) })
      local tk = H.login_all(own)
      local a = L.submitted_audit(own, tk, ids.org_a, ids.auditor, criteria)
      H.sql(own.db, "UPDATE answers SET comment = replace(hex(zeroblob(3000)), '00', 'mot '), "
        .. "evidence = '[' || substr(replace(hex(zeroblob(20)), '00', ',\"' || "
        .. "replace(hex(zeroblob(3000)), '00', 'mot ') || '\"'), 2) || ']' WHERE assessment_id = " .. a.id .. ";")
      return own, tk, "/api/v1/assessments/" .. a.id .. "/report.pdf"
    end

    -- Stops server (SIGTERM): it must exit 0 within 10 s.
    local function stops(server)
      local started = H.now()
      local rc, why = server.stop()
      assert.is_truthy(rc, why)
      assert.are.equal(0, rc)
      assert.is_true(H.now() - started < 10, "stopped in " .. (H.now() - started) .. " s")
    end

    it("is waited for a while when both drawing places are taken", function()
      local own, tk, path = long_report()
      local gets = {}
      for i = 1, 3 do -- two drawing places: the third waits for one
        gets[i] = H.background_get(own, path, tk.committee)
      end
      local first
      L.wait_for(function()
        for _, g in ipairs(gets) do
          first = first or g()
        end
        return first
      end, 60)
      assert.is_truthy(first, "no answer within 60 s")
      if first.code == "503" then
        assert.is_true(first.seconds >= 9, "refused after " .. first.seconds .. " s: not waited for")
      end
      stops(own)
    end)

    it("being drawn is given up at a stop, which never waits for it (503)", function()
      local own, tk, path = long_report()
      local get = H.background_get(own, path, tk.committee)
      H.sleep(1) -- drawing: the report takes seconds
      stops(own)
      assert.is_true(L.wait_for(get, 5), "no answer")
      local r = get()
      assert.are.equal("503", r.code)
      local e = support.json.decode(support.read(r.body)).error
      assert.are.equal("unavailable", e.code)
      assert.matches("the server is stopping", e.message, 1, true)
    end)
  end)
end)

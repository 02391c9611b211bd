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
    fx = H.fixture()
    ids = fx.ids
    db = H.fresh_db(fx.db)
    server = H.start_server({ db = db })
    t = H.login_all(server)
    criteria = H.criteria(server)
  end)

  teardown(function()
    H.stop_all()
    H.cleanup()
    support.cleanup()
  end)

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
end)

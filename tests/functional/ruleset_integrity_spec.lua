-- One request must never take the platform down (issue 17, section 1),
-- driven through the real binary and server: duplicate JSON keys refused
-- with their path; a rule set stored with files that do not hash to it
-- impossible; a stored rule set that no longer loads (changed with the
-- sqlite3 shell) leaves login, the public pages and the committee's rule
-- pages answering, and `rules activate --ruleset`, POST /rulesets and
-- `rules rollback` restore service; the rule specs run on every activation
-- path; SIGHUP never activates a folder.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local L = require "lifecycle_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

local request, expect = H.request, H.expect
local JF, JF01_OLD, JF01_NEW, hash_of = L.JF, L.JF01_OLD, L.JF01_NEW, L.hash_of

local function reworded_rules(name)
  local dir = L.rules_copy(name or "reworded")
  L.edit(dir, JF, JF01_OLD, JF01_NEW)
  return dir
end

-- The shipped specs fail on these: the threshold of recommended criteria.
local function failing_rules(name)
  local dir = L.rules_copy(name or "failing")
  L.edit(dir, "award.lua", "recommended_threshold = 0.5,", "recommended_threshold = 0.6,")
  return dir
end

-- A raw JSON body (duplicate keys cannot be written from a Lua table).
local function raw(server, method, path, token, body)
  return request(server, method, "/api/v1" .. path, { token = token, raw = body })
end

-- The rule files of a folder as the JSON text of an object, with `extra`
-- (raw "key": value text) added before the last brace.
local function files_text(dir, extra)
  local text = json.encode(L.files_of(dir))
  return text:sub(1, -2) .. (extra and ("," .. extra) or "") .. "}"
end

local function expect_rules_error(r, what)
  expect(r, 500, what)
  assert.are.equal("rules_error", r.json and r.json.error and r.json.error.code, H.show(r))
  return r.json.error.message
end

local function count_events(db)
  return tonumber(L.sql_value(db, "SELECT count(*) FROM events WHERE type = 'ruleset.activated';"))
end

local function count_journal(db)
  return tonumber(L.sql_value(db, "SELECT count(*) FROM journal WHERE action = 'ruleset.activate';"))
end

describe("rule set integrity", function()
  local fx, base, h0

  setup(function()
    fx = H.fixture()
    base = L.rules_copy("base")
    h0 = hash_of(base)
  end)

  teardown(function()
    H.stop_all()
    H.cleanup()
  end)

  local function world(rules_dir, db)
    db = db or H.fresh_db(fx.db)
    local server = H.start_server({ db = db, rules = rules_dir or base })
    local t = {}
    for _, name in ipairs({ "committee", "cae_a", "admin" }) do
      t[name] = H.login(server, H.USERS[name].email)
    end
    return { db = db, server = server, t = t }
  end

  describe("duplicate keys", function()
    local w
    setup(function() w = world() end)
    teardown(function() w.server.stop() end)

    it("are refused in every body the API reads, with the JSON path, nested too", function()
      H.expect_error(raw(w.server, "POST", "/session", nil,
        '{"email":"committee@x.test","password":"x","email":"admin@x.test"}'), 400, "$.email")
      local dup = files_text(base, '"award.lua":"return {}"')
      local r = H.expect_error(raw(w.server, "POST", "/rulesets", w.t.committee,
        '{"note":"x","files":' .. dup .. '}'), 400, "$.files.award.lua")
      assert.matches("duplicate key", r.message, 1, true)
      H.expect_error(raw(w.server, "POST", "/rulesets/whatif", w.t.committee, '{"files":' .. dup .. '}'), 400,
        "$.files.award.lua")
      H.expect_error(raw(w.server, "POST", "/organisations", w.t.admin,
        '{"name":"A","city":"Lyon","extra":{"list":[1,{"k":1,"k":2}]}}'), 400, "$.extra.list[1].k")
      local a = H.new_self_assessment(w.server, w.t.cae_a, fx.ids.org_a)
      H.expect_error(raw(w.server, "PUT", "/assessments/" .. a.id .. "/answers/JF-01", w.t.cae_a,
        '{"status":"met","comment":"a","comment":"b"}'), 400, "$.comment")
      -- Nothing was activated, and everything answers.
      assert.are.equal(1, #L.history(w.db))
      expect(L.get(w.server, w.t.committee, "/me"), 200, "GET /me")
      assert.are.equal(h0, L.active_hash(w.server))
      H.login(w.server, H.USERS.committee.email)
    end)

    it("are refused in `evaluate --answers`, exit 2 with the path", function()
      local r = support.run({ "evaluate", "--rules", base, "--answers", "-" },
        '{"kind":"audit","date":"2026-01-05","answers":{"JF-01":"met","JF-02":"met","JF-01":"not_met"}}')
      assert.are.equal(2, r.code, r.stdout .. r.stderr)
      assert.matches("$.answers.JF-01: duplicate key", r.stderr, 1, true)
    end)

    it("are refused in the plugins' settings file, with the path (the settings ignored)", function()
      local dir = H.tmpdir() .. "/plugins"
      assert(os.execute("cp -r " .. support.quote(support.root .. "/plugins") .. " " .. support.quote(dir)))
      support.write(dir .. "/settings.json",
        '{"evidence-required": {"enabled": true}, "evidence-required": {"enabled": false}}')
      local r = support.run({ "plugins", "list", "--plugins", dir })
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
      assert.matches('$.evidence-required: duplicate key', r.stderr, 1, true)
    end)
  end)

  describe("a stored rule set that no longer loads", function()
    local w, h1, h2, param

    setup(function()
      local db = H.fresh_db(fx.db)
      L.run({ "rules", "activate", "--db", db, "--rules", base, "--note", "référentiel" })
      local reworded = reworded_rules()
      h1 = hash_of(reworded)
      L.run({ "rules", "activate", "--db", db, "--rules", reworded, "--note", "JF-01 reformulé" })
      -- Behind labelcoop's back: one more file stored under the active hash.
      L.sql(db, "INSERT INTO ruleset_files (hash, path, content) VALUES ('" .. h1 .. "', 'zz.lua', 'return 1');")
      param = L.rules_copy("param")
      L.edit(param, "award.lua", "recommended_threshold = 0.5,", "recommended_threshold = 0.51,")
      h2 = hash_of(param)
      w = world(base, db)
    end)

    teardown(function() w.server.stop() end)

    it("leaves login, the public pages and the committee's rule pages answering", function()
      H.login(w.server, H.USERS.cae_a.email)
      expect(L.get(w.server, w.t.cae_a, "/me"), 200, "GET /me")
      expect(request(w.server, "GET", "/api/v1/public/labels"), 200, "public labels")
      expect(request(w.server, "GET", "/"), 200, "the web pages")
      expect(L.get(w.server, w.t.cae_a, "/assessments"), 200, "the list of assessments")
      -- Requests that need the rules say why, and how to restore them.
      local msg = expect_rules_error(request(w.server, "GET", "/api/v1/referential"), "referential")
      assert.matches("tampered", msg, 1, true)
      assert.matches("rules rollback", msg, 1, true)
      expect_rules_error(request(w.server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/assessments",
        { token = w.t.cae_a, json = { kind = "self_assessment" } }), "a new assessment")
      -- The committee sees the error on its rule pages.
      local hist = expect(L.get(w.server, w.t.committee, "/rulesets"), 200, "GET /rulesets").json
      assert.are.equal(h1, hist[#hist].ruleset)
      assert.matches("does not load", hist[#hist].error, 1, true)
      assert.is_nil(hist[1].error)
      expect(L.get(w.server, w.t.committee, "/rulesets/" .. h0), 200, "show")
      expect(L.get(w.server, w.t.committee, "/rulesets/diff?from=" .. h0 .. "&to=" .. h0), 200, "diff")
      local wi = expect(request(w.server, "POST", "/api/v1/rulesets/whatif",
        { token = w.t.committee, json = { files = L.files_of(param) } }), 200, "what-if").json
      assert.are.equal(h0, wi.current) -- the latest rule set that loads
      assert.matches("tampered", wi.error, 1, true)
      -- Still so after a restart, which says so on stderr.
      w.server.stop()
      w = world(base, w.db)
      expect_rules_error(request(w.server, "GET", "/api/v1/referential"), "referential after a restart")
      assert.matches("warning: the active rule set " .. h1:sub(1, 12) .. " does not load", select(2, w.server.output()),
        1, true)
    end)

    it("is weighed against by `whatif` as by the server: the latest that loads, said so", function()
      local r = support.run({ "whatif", "--db", w.db, "--rules", param, "--format", "json" })
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
      assert.are.equal(h0, support.json.decode(r.stdout).current)
      assert.matches("tampered", r.stderr, 1, true)
      assert.matches("compared with rule set " .. h0, r.stderr, 1, true)
    end)

    it("is replaced by `rules activate --ruleset HASH`, journaled, in one command", function()
      local events, journal = count_events(w.db), count_journal(w.db)
      local r = L.run({ "rules", "activate", "--db", w.db, "--rules", base, "--ruleset", h0, "--note", "retour" })
      assert.matches("activated rule set " .. h0, r.stdout, 1, true)
      assert.is_true(L.wait_for(function()
        return request(w.server, "GET", "/api/v1/referential").status == 200
      end), "the server did not pick up the activation")
      assert.are.equal(h0, L.active_hash(w.server))
      assert.are.equal(events + 1, count_events(w.db))
      assert.are.equal(journal + 1, count_journal(w.db))
      local hist = L.history(w.db)
      assert.are.equal("retour", hist[#hist].note)
      -- An unknown hash is bad usage; the tampered one does not load.
      assert.are.equal(2, support.run({ "rules", "activate", "--db", w.db, "--rules", base, "--ruleset",
        string.rep("0", 64), "--note", "x" }).code)
      r = support.run({ "rules", "activate", "--db", w.db, "--rules", base, "--ruleset", h1, "--note", "x" })
      assert.are.equal(3, r.code, r.stdout .. r.stderr)
      assert.matches("tampered", r.stderr, 1, true)
    end)

    it("`rules rollback` goes back to the previous activation", function()
      local p = expect(request(w.server, "POST", "/api/v1/rulesets", { token = w.t.committee,
        json = { files = L.files_of(param), note = "seuil à 51 %" } }), 201, "POST /rulesets")
      assert.are.equal(h2, p.json.ruleset)
      assert.is_true(L.wait_for(function() return L.active_hash(w.server) == h2 end))
      local events = count_events(w.db)
      local r = L.run({ "rules", "rollback", "--db", w.db, "--rules", base, "--note", "on revient" })
      assert.matches("activated rule set " .. h0, r.stdout, 1, true)
      assert.is_true(L.wait_for(function() return L.active_hash(w.server) == h0 end),
        "rollback not picked up: " .. L.active_hash(w.server))
      assert.are.equal(events + 1, count_events(w.db))
      local hist = L.history(w.db)
      assert.are.same({ h0, "on revient" }, { hist[#hist].ruleset, hist[#hist].note })
      assert.are.equal(2, support.run({ "rules", "rollback", "--db", w.db }).code, "no --note")
    end)

    it("is replaced by POST /rulesets {\"ruleset\": HASH} as well", function()
      L.sql(w.db, "INSERT INTO ruleset_files (hash, path, content) VALUES ('" .. h0 .. "', 'zz.lua', 'return 1');")
      w.server.stop()
      w = world(base, w.db)
      expect_rules_error(request(w.server, "GET", "/api/v1/referential"), "h0 tampered")
      local p = expect(request(w.server, "POST", "/api/v1/rulesets", { token = w.t.committee,
        json = { ruleset = h2, note = "retour au seuil à 51 %" } }), 201, "POST /rulesets {ruleset}")
      assert.matches("tampered", p.json.whatif.error, 1, true)
      assert.is_true(L.wait_for(function() return request(w.server, "GET", "/api/v1/referential").status == 200 end))
      assert.are.equal(h2, L.active_hash(w.server))
    end)
  end)

  describe("the rule specs, on every activation path", function()
    local w, failing, hf

    setup(function()
      w = world()
      failing = failing_rules()
      hf = hash_of(failing)
    end)
    teardown(function() w.server.stop() end)

    it("refuse POST /rulesets with 409 and busted's failures (the server's specs, never posted ones)", function()
      local r = H.expect_error(request(w.server, "POST", "/api/v1/rulesets", { token = w.t.committee,
        json = { files = L.files_of(failing), note = "60 %" } }), 409)
      assert.matches("%d+ successes? / [1-9]%d* failures? /", r.message)
      assert.matches("spec/award_spec.lua", r.message, 1, true)
      -- A spec is trusted Lua, run unsandboxed: never taken from a request.
      local files = L.files_of(reworded_rules("posted"))
      files["spec/boom_spec.lua"] = 'describe("x", function() it("y", function() os.exit(0) end) end)\n'
      r = H.expect_error(request(w.server, "POST", "/api/v1/rulesets", { token = w.t.committee,
        json = { files = files, note = "erreur" } }), 400, "$.files.spec/boom_spec.lua")
      assert.matches("unsandboxed", r.message, 1, true)
      assert.are.equal(1, #L.history(w.db))
      files["spec/boom_spec.lua"] = nil
      local p = expect(request(w.server, "POST", "/api/v1/rulesets", { token = w.t.committee,
        json = { files = files, note = "JF-01 reformulé" } }), 201, "the specs of the server's folder pass")
      assert.are_not.equal(hf, p.json.ruleset)
      assert.are.equal("0", L.sql_value(w.db, "SELECT count(*) FROM rulesets WHERE hash = '" .. hf .. "';"))
    end)

    it("refuse `rules activate` with exit 1, for a folder and for a stored rule set", function()
      local before = L.history(w.db)
      local r = support.run({ "rules", "activate", "--db", w.db, "--rules", failing, "--note", "60 %" })
      assert.are.equal(1, r.code, r.stdout .. r.stderr)
      assert.matches("[1-9]%d* failures? /", r.stderr)
      -- A stored rule set runs the folder's specs, as a folder would.
      local strict = L.rules_copy("strict")
      support.write(strict .. "/spec/boom_spec.lua",
        'describe("x", function() it("y", function() error("boum") end) end)\n')
      r = support.run({ "rules", "activate", "--db", w.db, "--rules", strict, "--ruleset", h0, "--note", "x" })
      assert.are.equal(1, r.code, r.stdout .. r.stderr)
      assert.matches("boum", r.stderr, 1, true)
      assert.are.same(before, L.history(w.db))
    end)

    it("SIGHUP re-reads the active rule set and never activates a changed folder", function()
      local served = L.rules_copy("served")
      local db = H.fresh_db(fx.db)
      local s = H.start_server({ db = db, rules = served })
      local hist = L.history(db)
      L.edit(served, JF, JF01_OLD, JF01_NEW)
      local _, err0 = s.output()
      L.signal(s, "HUP")
      assert.is_true(L.wait_for(function()
        local _, err = s.output()
        return err:sub(#err0 + 1):find("SIGHUP: the active rule set " .. h0 .. " loads", 1, true) ~= nil
      end, 10), "no SIGHUP line: " .. select(2, s.output()))
      assert.are.equal(h0, L.active_hash(s))
      assert.are.same(hist, L.history(db))
      -- A repair made in the database alone is seen after SIGHUP.
      L.sql(db, "DROP TRIGGER ruleset_files_frozen; UPDATE ruleset_files SET content = content || ' '"
        .. " WHERE path = 'award.lua';")
      L.signal(s, "HUP")
      assert.is_true(L.wait_for(function() return request(s, "GET", "/api/v1/referential").status == 500 end, 10),
        "the workers did not read the rule set again")
      assert.is_true(H.alive(s.pid))
      s.stop()
    end)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

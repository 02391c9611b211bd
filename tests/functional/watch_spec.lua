-- Watching it (issue 19): GET /api/v1/health answers a monitor or a load
-- balancer without a login, 200 when the database answers and a rule set is
-- active, 503 naming the part that fails; GET /metrics gives Prometheus the
-- counters and gauges, to the addresses --metrics-allow lists.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end

local function version_and_commit()
  local r = support.run({ "version" })
  return r.stdout:match("^labelcoop (%S+) %(commit (%S+)%)")
end

describe("GET /api/v1/health", function()
  local fx
  setup(function()
    fx = H.fixture()
  end)
  teardown(H.finish)

  it("is 200 with the version, the commit and the active rule set, without a login", function()
    local server = H.start_server({ db = H.fresh_db(fx.db) })
    local r = H.expect(H.request(server, "GET", "/api/v1/health"), 200, "health")
    local version, commit = version_and_commit()
    assert.are.same({ status = "ok", version = version, commit = commit, database = "ok",
      ruleset = support.check().hash, scanning = "off" }, r.json)
    -- Nothing else than GET.
    H.expect_error(H.request(server, "POST", "/api/v1/health", { json = {} }), 405)
  end)

  it("is 503 naming the rules when the active rule set does not load", function()
    local db = H.fresh_db(fx.db)
    local server = H.start_server({ db = db })
    local hash = H.request(server, "GET", "/api/v1/health").json.ruleset
    server.stop()
    -- Behind labelcoop's back: one more file stored under the active hash.
    H.sql(db, "INSERT INTO ruleset_files (hash, path, content) VALUES ('" .. hash .. "', 'zz.lua', 'return 1');")
    server = H.start_server({ db = db })
    local r = H.request(server, "GET", "/api/v1/health")
    assert.are.equal(503, r.status, H.show(r))
    assert.are.equal("unavailable", r.json.status)
    assert.are.equal("ok", r.json.database)
    assert.are.equal(support.json.null, r.json.ruleset)
    assert.truthy(r.json.rules:find("tampered", 1, true), r.json.rules)
  end)

  it("is 503 naming the database when it cannot be read, and 200 again once it can", function()
    local db = H.fresh_db(fx.db)
    -- One worker, which opens its connection at its first request: the file
    -- is replaced by one that is no database before that.
    local server = H.start_server({ db = db, args = { "--threads", "1" } })
    os.execute("mv " .. support.quote(db) .. " " .. support.quote(db .. ".away") .. " && echo 'not a database'"
      .. string.rep(" padding", 100) .. " >" .. support.quote(db))
    local r = H.request(server, "GET", "/api/v1/health")
    assert.are.equal(503, r.status, H.show(r))
    assert.are.equal("unavailable", r.json.status)
    assert.truthy(r.json.database:find("not a database", 1, true), r.json.database)
    os.execute("mv " .. support.quote(db .. ".away") .. " " .. support.quote(db))
    H.expect(H.request(server, "GET", "/api/v1/health"), 200, "the database is back")
  end)
end)

-- The samples of a scrape: {["name{labels}"] = value}; fails on a line
-- that is not Prometheus's text format, or a sample before its family's
-- HELP and TYPE.
local function samples(text)
  local t, typed = {}, {}
  for line in text:gmatch("[^\n]+") do
    local kind, family = line:match("^# (%u+) ([%w_:]+)")
    if kind then
      assert(kind == "HELP" or kind == "TYPE", line)
      typed[family] = true
    else
      local name, labels, value = line:match("^([%a_:][%w_:]*)(%b{}) (%S+)$")
      if not name then
        labels = ""
        name, value = line:match("^([%a_:][%w_:]*) (%S+)$")
      end
      assert(name and tonumber(value), "not a sample: " .. line)
      local base = name:gsub("_bucket$", ""):gsub("_sum$", ""):gsub("_count$", "")
      assert(typed[name] or typed[base], "a sample before its HELP and TYPE: " .. line)
      t[name .. labels] = tonumber(value)
    end
  end
  return t
end

describe("GET /metrics", function()
  teardown(H.finish)

  it("gives the counters and gauges, which move with the traffic", function()
    local fx, db, server, tokens, criteria = H.world()
    local function scrape()
      local r = H.expect(H.request(server, "GET", "/metrics"), 200, "metrics")
      assert.are.equal("text/plain; version=0.0.4; charset=utf-8", r.headers["content-type"])
      return samples(r.body)
    end
    local referential = 'labelcoop_http_requests_total{route="referential",method="GET",status="200"}'
    local before = scrape()
    for _ = 1, 3 do
      H.request(server, "GET", "/api/v1/referential")
    end
    H.request(server, "GET", "/api/v1/nowhere")
    local id = H.new_self_assessment(server, tokens.cae_a, fx.ids.org_a).id
    H.answer_all(server, tokens.cae_a, id, { criteria[1], criteria[2] })
    H.expect(H.request(server, "GET", "/api/v1/assessments/" .. id .. "/evaluation",
      { token = tokens.cae_a }), 200, "evaluation")
    local after = scrape()
    assert.are.equal((before[referential] or 0) + 3, after[referential])
    assert.is_true(after['labelcoop_http_requests_total{route="none",method="GET",status="404"}'] >= 1)
    assert.are.equal(before.labelcoop_answer_writes_committed_total + 2,
      after.labelcoop_answer_writes_committed_total)
    assert.is_true(after.labelcoop_rule_evaluations_total > before.labelcoop_rule_evaluations_total)
    assert.is_true(after.labelcoop_rule_evaluation_seconds_total > 0)
    assert.is_true(after['labelcoop_http_request_duration_seconds_bucket{le="+Inf"}']
      == after.labelcoop_http_request_duration_seconds_count)
    assert.is_true(after.labelcoop_sessions_open >= 7, "the world's logins")
    assert.are.equal(0, after.labelcoop_outbox_pending)
    local hash = H.request(server, "GET", "/api/v1/health").json.ruleset
    assert.are.equal(1, after['labelcoop_ruleset_active{ruleset="' .. hash .. '"}'])
    assert.is_true(after.labelcoop_database_bytes > 0)
    assert.is_true(after.labelcoop_wal_bytes >= 0)
  end)

  it("is a 404 to an address --metrics-allow does not list", function()
    local fx = H.fixture()
    local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--metrics-allow", "10.0.0.0/8" } })
    H.expect_error(H.request(server, "GET", "/metrics"), 404)
    local r = support.run({ "serve", "--db", H.tmpdir() .. "/x.db", "--metrics-allow", "10.0.0.0/40" })
    assert.are.equal(2, r.code)
    assert.truthy(r.stderr:find("metrics-allow: '10.0.0.0/40' is not an address or a network", 1, true),
      r.stderr)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

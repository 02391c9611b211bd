-- Plugins (issue 5): the three shipped plugins at work in a real server, and
-- a broken plugin kept from harming the platform.

local support = require "support"
local W = require "webhook_support"
local O = require "openapi_support"
local H = W.H
local json = support.json

O.record() -- every answer checked against the API's description at the end

-- A submitted, fully met audit of org A by the fixture's auditor.
local function submitted_audit(server, tokens, ids)
  local criteria = H.criteria(server)
  local audit = H.new_audit(server, tokens.committee, ids.org_a, ids.auditor)
  H.answer_all(server, tokens.auditor, audit.id, criteria, function() return "met" end)
  H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. audit.id .. "/stakeholders",
    { token = tokens.auditor, json = H.STAKEHOLDERS }), 200, "stakeholders")
  H.expect(H.request(server, "POST", "/api/v1/assessments/" .. audit.id .. "/submit",
    { token = tokens.auditor }), 200, "submit")
  return audit
end

-- An award dated `date`: of an audit submitted that day (a decision is
-- dated on or after its audit's submission).
local function award(server, token, audit_id, date)
  H.sql(server.db, "UPDATE assessments SET submitted_at = '" .. date .. "T08:00:00Z' WHERE id = " .. audit_id .. ";")
  return H.expect(H.request(server, "POST", "/api/v1/assessments/" .. audit_id .. "/decision",
    { token = token, json = { outcome = "awarded", date = date } }), 201, "decision")
end

-- The shipped plugins copied into a folder of our own, beside them "loops"
-- (its validate_answer never returns) and the plugin `other` whose
-- plugin.lua is `text`. Returns the folder.
local function plugins_with_loops(other, text)
  local dir = H.tmpdir() .. "/plugins"
  assert.is_true(os.execute("cp -r '" .. support.root .. "/plugins' '" .. dir .. "' && mkdir -p '"
    .. dir .. "/loops' '" .. dir .. "/" .. other .. "'"))
  support.write(dir .. "/loops/plugin.lua", [[
plugin {
  name = "loops", version = "0.1", priority = 1,
  hooks = {
    validate_answer = function(criterion, answer)
      while true do end
    end,
  },
}
]])
  support.write(dir .. "/" .. other .. "/plugin.lua", text)
  return dir
end

-- One fixture for the server specs below (busted runs file-level setup
-- once, before them).
local fixture

setup(function()
  fixture = W.fixture()
end)

teardown(function()
  W.stop_all()
  H.cleanup()
end)

describe("plugins", function()

  it("are listed with their hooks, by priority then name", function()
    local r = support.run({ "plugins", "list", "--plugins", support.root .. "/plugins",
      "--format", "json" })
    assert.are.equal(0, r.code, r.stderr)
    local list = json.decode(r.stdout)
    local names = {}
    for i, p in ipairs(list) do names[i] = p.name end
    assert.are.same({ "evidence-required", "chat-notify", "renewal-reminder" }, names)
    assert.are.same({ "validate_answer" }, list[1].hooks)
    assert.are.equal(false, list[1].enabled) -- off in plugins/settings.json
    assert.are.same({ "webhook_payload" }, list[2].hooks)
    assert.are.same({ "on_event" }, list[3].hooks)
    assert.are.equal(180, list[3].settings.lead_days)
  end)

  it("evidence-required refuses 'met' on a mandatory criterion without evidence once enabled",
    function()
      local db = H.fresh_db(fixture.db)
      local server = W.start_server({ db = db })
      local tokens = W.login(server, { "admin", "cae_a" })
      local sa = H.new_self_assessment(server, tokens.cae_a, fixture.ids.org_a)
      local path = "/api/v1/assessments/" .. sa.id .. "/answers/"
      H.expect(H.request(server, "PUT", path .. "JF-01", { token = tokens.cae_a,
        json = { status = "met" } }), 200, "before enabling")
      H.expect(H.request(server, "PATCH", "/api/v1/plugins/evidence-required",
        { token = tokens.admin, json = { enabled = true } }), 200, "enable")
      local r = H.request(server, "PUT", path .. "JF-02", { token = tokens.cae_a,
        json = { status = "met" } })
      H.expect_error(r, 400, "$", "met without evidence")
      assert.truthy(r.json.error.message:find("JF-02 ne peut être déclaré satisfait sans preuve",
        1, true), H.show(r))
      H.expect(H.request(server, "PUT", path .. "JF-02", { token = tokens.cae_a,
        json = { status = "met", evidence = { "statuts-2025.pdf" } } }), 200, "with evidence")
      H.expect(H.request(server, "PUT", path .. "JF-03", { token = tokens.cae_a,
        json = { status = "partial" } }), 200, "partial needs no evidence")
      -- A non-CAE may not flip plugins; the admin turns it off again.
      H.expect_error(H.request(server, "PATCH", "/api/v1/plugins/evidence-required",
        { token = tokens.cae_a, json = { enabled = false } }), 403)
      H.expect(H.request(server, "PATCH", "/api/v1/plugins/evidence-required",
        { token = tokens.admin, json = { enabled = false } }), 200, "disable")
      H.expect(H.request(server, "PUT", path .. "JF-04", { token = tokens.cae_a,
        json = { status = "met" } }), 200, "after disabling")
    end)

  it("chat-notify sends a chat message, signed, for a decision", function()
    local db = H.fresh_db(fixture.db)
    local secret = W.secret()
    local receiver = W.start_receiver({ secret = secret })
    local server = W.start_server({ db = db })
    local tokens = W.login(server, { "admin", "committee", "auditor" })
    local r = H.request(server, "POST", "/api/v1/webhooks", { token = tokens.admin,
      json = { url = receiver.hook, events = { "decision.recorded" }, secret = secret,
        plugin = "chat-notify" } })
    H.expect(r, 201, "webhook")
    assert.are.equal("chat-notify", r.json.plugin)
    local audit = submitted_audit(server, tokens, fixture.ids)
    award(server, tokens.committee, audit.id, "2026-03-02")
    local records = W.wait_records(receiver, 1, 15)
    assert.are.equal(1, #records)
    assert.is_true(records[1].verified)
    assert.are.same({ text = "Le Comité de labellisation a attribué le label à Coopérative Alpha "
      .. "(valable jusqu'au 02/03/2029)." }, records[1].body)
  end)

  it("renewal-reminder adds the renewal actions when a label has six months left", function()
    local db = H.fresh_db(fixture.db)
    local server = W.start_server({ db = db })
    local tokens = W.login(server, { "committee", "auditor", "cae_a" })
    local audit = submitted_audit(server, tokens, fixture.ids)
    -- Decided 3 years minus 100 days ago: 100 days of validity left.
    award(server, tokens.committee, audit.id, W.minus_years(W.days_from_today(100), 3))
    local t = support.run({ "tick", "--db", db })
    assert.are.equal(0, t.code, t.stderr)
    local items
    assert.is_true(W.wait_for(function()
      items = H.request(server, "GET", "/api/v1/organisations/" .. fixture.ids.org_a
        .. "/action-items", { token = tokens.cae_a }).json
      return items and #items >= 3
    end, 15), "no renewal actions appeared")
    assert.are.equal(3, #items)
    assert.are.equal("Demander l'audit de renouvellement du LABEL CPE au réseau", items[2].action)
    assert.are.equal("todo", items[1].status)
    -- Each event reaches the plugin once: another tick adds nothing.
    support.run({ "tick", "--db", db })
    H.sleep(2)
    items = H.request(server, "GET", "/api/v1/organisations/" .. fixture.ids.org_a
      .. "/action-items", { token = tokens.cae_a }).json
    assert.are.equal(3, #items)
  end)

  it("a broken plugin is left out or stopped by its limits; the platform keeps working",
    function()
      local dir = plugins_with_loops("broken", "plugin { name = 'broken', version = \n")
      local list = support.run({ "plugins", "list", "--plugins", dir })
      assert.are.equal(3, list.code)
      assert.truthy(list.stderr:find("broken/plugin.lua:2:", 1, true), list.stderr)
      local db = H.fresh_db(fixture.db)
      local server = W.start_server({ db = db, plugins = dir })
      local tokens = W.login(server, { "cae_a" })
      local sa = H.new_self_assessment(server, tokens.cae_a, fixture.ids.org_a)
      local started = H.now()
      local r = H.request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/JF-01",
        { token = tokens.cae_a, json = { status = "met" } })
      H.expect(r, 200, "the looping hook is skipped")
      assert.is_true(H.now() - started < 10, "the loop was not stopped in time")
      H.expect(H.request(server, "GET", "/api/v1/me", { token = tokens.cae_a }), 200, "alive")
      server.stop()
      local text = support.read(server.dir .. "/err") or ""
      assert.truthy(text:find("plugin loops: validate_answer: plugin.lua:5: instruction limit "
        .. "exceeded", 1, true), text)
    end)

  it("an error a plugin makes from an answer's text is logged on one line", function()
    local dir = H.tmpdir() .. "/plugins"
    assert.is_true(os.execute("mkdir -p '" .. dir .. "/echo' '" .. dir .. "/bad'"))
    support.write(dir .. "/bad/plugin.lua", 'error("at load\\nerror: forged", 0)\n')
    support.write(dir .. "/echo/plugin.lua", [[
plugin {
  name = "echo", version = "0.1",
  hooks = {
    validate_answer = function(criterion, answer)
      error(answer.comment, 0)
    end,
  },
}
]])
    local server = W.start_server({ db = H.fresh_db(fixture.db), plugins = dir })
    local tokens = W.login(server, { "cae_a" })
    local sa = H.new_self_assessment(server, tokens.cae_a, fixture.ids.org_a)
    H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/JF-01",
      { token = tokens.cae_a, json = { status = "met", comment = "x\nerror: forged\r\n" } }), 200)
    server.stop()
    local text = support.read(server.dir .. "/err") or ""
    assert.truthy(text:find("plugin echo: validate_answer: x\\x0aerror: forged\\x0d\\x0a\n", 1, true), text)
    assert.falsy(text:find("\nerror: forged", 1, true), text)
    -- a plugin that fails to load: one line per problem
    local list = support.run({ "plugins", "list", "--plugins", dir })
    assert.truthy(list.stderr:find("not loaded: bad/at load\\x0aerror: forged\n", 1, true), list.stderr)
  end)
end)

describe("a plugin stopped by its limits at run time", function()

  it("a loop and an allocation without bound are stopped on each call, the server answering meanwhile",
    function()
      local L = require "lifecycle_support"
      local dir = plugins_with_loops("hungry", [=[
plugin {
  name = "hungry", version = "0.1", priority = 2,
  hooks = {
    validate_answer = function(criterion, answer)
      local kept = {}
      while true do kept[#kept + 1] = string.rep("y", 1 << 20) .. #kept end
    end,
  },
}
]=])
      local server = W.start_server({ db = H.fresh_db(fixture.db), plugins = dir })
      local tokens = W.login(server, { "cae_a" })
      local sa = H.new_self_assessment(server, tokens.cae_a, fixture.ids.org_a)
      -- Readers all along, on connections of their own.
      local stream = L.stream(server, { { path = "/referential" }, { path = "/me", token = tokens.cae_a } }, 4)
      local criteria = { "JF-01", "JF-02", "JF-03", "JF-04" }
      for _, c in ipairs(criteria) do
        local started = H.now()
        local r = H.request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/" .. c,
          { token = tokens.cae_a, json = { status = "met", comment = "malgré les greffons" } })
        H.expect(r, 200, "the hooks stopped by their limits are skipped")
        assert.is_true(H.now() - started < 10, "the hooks were not stopped in time")
      end
      local codes = stream.finish()
      assert.is_true(#codes >= 4, "too few requests while the hooks ran: " .. #codes)
      for _, c in ipairs(codes) do
        assert.are.equal(200, c.code, "GET " .. c.path .. " while the hooks ran")
      end
      local a = H.expect(H.request(server, "GET", "/api/v1/assessments/" .. sa.id, { token = tokens.cae_a }), 200)
      assert.are.equal(#criteria, #a.json.answers)
      server.stop()
      local text = support.read(server.dir .. "/err") or ""
      local function count(needle)
        return select(2, text:gsub(needle:gsub("%p", "%%%0"), ""))
      end
      assert.are.equal(#criteria, count("plugin loops: validate_answer: plugin.lua:5: instruction limit exceeded"),
        text)
      assert.are.equal(#criteria, count("plugin hungry: validate_answer: plugin.lua:6: memory limit exceeded"), text)
    end)
end)

describe("a plugin's report format", function()
  teardown(function()
    H.cleanup()
  end)

  it("renders a report in a format the core does not know", function()
    local dir = H.tmpdir() .. "/plugins"
    assert.is_true(os.execute("mkdir -p '" .. dir .. "/markdown'"))
    support.write(dir .. "/markdown/plugin.lua", [[
plugin {
  name = "markdown", version = "1.0",
  hooks = {
    report_format = function(format, document)
      if format ~= "md" then return nil end
      local lines = { "# " .. document.title }
      for _, b in ipairs(document.blocks) do
        if b.type == "heading" then lines[#lines + 1] = "## " .. b.text end
      end
      return { content_type = "text/markdown", body = table.concat(lines, "\n") .. "\n" }
    end,
  },
}
]])
    local db = H.tmpdir() .. "/md.db"
    assert.are.equal(0, support.run({ "demo", "--db", db }).code)
    local r = support.run({ "report", "network-overview", "--db", db, "--plugins", dir,
      "--format", "md" })
    assert.are.equal(0, r.code, r.stderr)
    local expected = "# Vue d'ensemble du réseau\n## Les CAE par statut de label\n"
    assert.are.equal(expected, r.stdout:sub(1, #expected))
    local bad = support.run({ "report", "network-overview", "--db", db, "--plugins", dir,
      "--format", "docx" })
    assert.are.equal(2, bad.code)
    assert.truthy(bad.stderr:find("unknown format docx", 1, true), bad.stderr)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

-- Accounts under hostile and concurrent use (issue 17, section 3):
-- granting the committee role takes two people; concurrent changes of one
-- account compose. The login throttle is in login_throttle_spec.

local H = require "http_support"
local O = require "openapi_support"
local A = require "accounts_support"
local support = require "support"

O.record() -- every answer checked against the API's description at the end
local json = support.json
local concurrently, curl, statuses = A.concurrently, A.curl, A.statuses

local fixture

setup(function()
  fixture = H.fixture()
end)

teardown(H.finish)

describe("the committee role", function()
  local server, tokens, criteria

  before_each(function()
    server = H.start_server({ db = H.fresh_db(fixture.db) })
    tokens = H.login_all(server)
    criteria = H.criteria(server)
  end)

  after_each(function()
    server.stop()
  end)

  local function decide(token, audit)
    return H.request(server, "POST", "/api/v1/assessments/" .. audit .. "/decision", { token = token,
      json = { outcome = "refused", date = H.today(), recommendations = {}, good_practices = {} } })
  end

  local function new_member(email)
    local r = H.expect(H.request(server, "POST", "/api/v1/users", { token = tokens.admin,
      json = { email = email, name = "Nouveau Membre", role = "committee", password = H.PASSWORD } }), 201,
      "create")
    return r.json
  end

  it("given by an administrator has no effect until another committee member confirms it", function()
    local created = new_member("nouveau@x.test")
    assert.are.equal("none", created.role)
    assert.are.equal("committee", created.pending_role)
    local newcomer = H.login(server, "nouveau@x.test")
    local me = H.expect(H.request(server, "GET", "/api/v1/me", { token = newcomer }), 200, "me").json
    assert.are.equal("none", me.role)

    local audit = H.submitted_audit(server, tokens.committee, tokens.auditor, fixture.ids.org_a,
      fixture.ids.auditor, criteria).id
    H.expect_error(decide(newcomer, audit), 403, nil, "a decision before the confirmation")
    H.expect_error(H.request(server, "GET", "/api/v1/users", { token = newcomer }), 403)

    local confirm = "/api/v1/users/" .. created.id .. "/confirm-role"
    local own = H.request(server, "POST", confirm, { token = newcomer })
    H.expect_error(own, 403, nil, "confirming one's own role")
    assert.truthy(own.json.error.message:find("never by its holder", 1, true), H.show(own))
    H.expect_error(H.request(server, "POST", confirm, { token = tokens.admin }), 403, nil, "an admin confirms")
    H.expect_error(H.request(server, "POST", "/api/v1/users/" .. fixture.ids.auditor .. "/confirm-role",
      { token = tokens.committee }), 409, nil, "nothing awaits")

    local r = H.expect(H.request(server, "POST", confirm, { token = tokens.committee }), 200, "confirm")
    assert.are.equal("committee", r.json.role)
    assert.are.equal(json.null, r.json.pending_role)
    H.expect_error(H.request(server, "POST", confirm, { token = tokens.committee }), 409, nil, "twice")
    me = H.expect(H.request(server, "GET", "/api/v1/me", { token = newcomer }), 200, "me after").json
    assert.are.equal("committee", me.role)
    H.expect(decide(newcomer, audit), 201, "a decision once confirmed")

    local rows = H.sql_rows(server.db, "SELECT user_id, entity_id, before, after FROM journal"
      .. " WHERE action = 'user.confirm_role';")
    assert.are.equal(1, #rows)
    assert.are.equal(fixture.ids.committee, rows[1].user_id)
    assert.are.equal(created.id, rows[1].entity_id)
    assert.are.equal("committee", json.decode(rows[1].before).pending_role)
    assert.are.equal("committee", json.decode(rows[1].after).role)
  end)

  it("given by a role change waits too, and a change reverted meanwhile confirms nothing", function()
    local path = "/api/v1/users/" .. fixture.ids.auditor
    local r = H.expect(H.request(server, "PATCH", path, { token = tokens.admin, json = { role = "committee" } }),
      200, "to committee")
    assert.are.equal("auditor", r.json.role)
    assert.are.equal("committee", r.json.pending_role)
    -- meanwhile the account is what it was: an auditor, never a decider
    local audit = H.submitted_audit(server, tokens.committee, tokens.auditor, fixture.ids.org_a,
      fixture.ids.auditor, criteria).id
    H.expect_error(decide(tokens.auditor, audit), 403, nil, "a decision while waiting")
    -- the administrator changes their mind: nothing is left to confirm
    r = H.expect(H.request(server, "PATCH", path, { token = tokens.admin, json = { role = "auditor" } }), 200,
      "back")
    assert.are.equal(json.null, r.json.pending_role)
    H.expect_error(H.request(server, "POST", path .. "/confirm-role", { token = tokens.committee }), 409)
    local users = H.expect(H.request(server, "GET", "/api/v1/users", { token = tokens.committee }), 200).json
    for _, u in ipairs(users) do
      if u.id == fixture.ids.auditor then
        assert.are.equal("auditor", u.role)
      end
    end
  end)

  it("is confirmed once when two members confirm at the same time, and never by a disabled one", function()
    H.admin({ "user", "add", "--db", server.db, "--email", "second@x.test", "--name", "Second Membre",
      "--role", "committee", "--password-stdin" }, H.PASSWORD .. "\n")
    local second = H.login(server, "second@x.test")
    for round = 1, 3 do
      local created = new_member("nouveau" .. round .. "@x.test")
      local path = "/api/v1/users/" .. created.id .. "/confirm-role"
      local outs = concurrently({ curl(server, "POST", path, { token = tokens.committee }),
        curl(server, "POST", path, { token = second }) })
      local got = { statuses(outs[1])[1], statuses(outs[2])[1] }
      table.sort(got)
      assert.are.same({ 200, 409 }, got, "round " .. round)
    end
    assert.are.equal("3", H.sql_value(server.db,
      "SELECT count(*) FROM journal WHERE action = 'user.confirm_role';"))

    -- a member disabled by an administrator confirms nothing any more
    local created = new_member("attente@x.test")
    H.expect(H.request(server, "PATCH", "/api/v1/users/" .. fixture.ids.committee,
      { token = tokens.admin, json = { disabled = true } }), 200, "disable")
    H.expect_error(H.request(server, "POST", "/api/v1/users/" .. created.id .. "/confirm-role",
      { token = tokens.committee }), 401)
  end)

  it("waits again when an administrator sets a member's password or email", function()
    H.admin({ "user", "add", "--db", server.db, "--email", "second@x.test", "--name", "Second Membre",
      "--role", "committee", "--password-stdin" }, H.PASSWORD .. "\n")
    local second = H.login(server, "second@x.test")
    local path = "/api/v1/users/" .. fixture.ids.committee
    H.expect(H.request(server, "PATCH", path, { token = tokens.admin, json = { name = "Camille C." } }), 200,
      "a name changes nothing")
    local r = H.expect(H.request(server, "PATCH", path, { token = tokens.admin,
      json = { password = "le mot de passe de l'administration" } }), 200, "reset")
    assert.are.equal("none", r.json.role)
    assert.are.equal("committee", r.json.pending_role)
    -- whoever knows the new password is no committee member on their own
    local taken = H.login(server, H.USERS.committee.email, "le mot de passe de l'administration")
    local audit = H.submitted_audit(server, second, tokens.auditor, fixture.ids.org_a, fixture.ids.auditor,
      criteria).id
    H.expect_error(decide(taken, audit), 403, nil, "a decision after the reset")
    H.expect(H.request(server, "POST", path .. "/confirm-role", { token = second }), 200, "confirmed")
    H.expect(decide(taken, audit), 201, "a decision once confirmed")
    r = H.expect(H.request(server, "PATCH", "/api/v1/users/" .. fixture.ids.committee, { token = tokens.admin,
      json = { email = "camille@x.test" } }), 200, "new email")
    assert.are.equal("committee", r.json.pending_role)
  end)

  it("is given at once from the command line, the server's operator", function()
    local db = H.fresh_db(fixture.db)
    local id = H.admin({ "user", "add", "--db", db, "--email", "first@x.test", "--name", "Premier Membre",
      "--role", "committee", "--password-stdin" }, H.PASSWORD .. "\n")
    assert.are.equal("committee", H.sql_value(db,
      "SELECT coalesce(acting_role, role) FROM users WHERE id = " .. id .. ";"))
  end)
end)

describe("concurrent changes of one account", function()

  it("compose: a new password and, 20 ms later, a disable both hold, 5 times out of 5", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local admin = H.login(server, H.USERS.admin.email)
    local path = "/api/v1/users/" .. fixture.ids.cae_a
    for round = 1, 5 do
      -- the password's hashing (argon2id, tens of ms) starts first
      local outs = concurrently({
        curl(server, "PATCH", path, { token = admin, json = { password = "un mot de passe n° " .. round } }),
        curl(server, "PATCH", path, { token = admin, json = { disabled = true } }),
      }, function(i) return (i - 1) * 0.02 end)
      assert.are.same({ 200 }, statuses(outs[1]), "password, round " .. round)
      assert.are.same({ 200 }, statuses(outs[2]), "disable, round " .. round)
      assert.are.equal("1", H.sql_value(server.db, "SELECT disabled FROM users WHERE id = "
        .. fixture.ids.cae_a .. ";"), "the account ends disabled, round " .. round)
      local login = H.request(server, "POST", "/api/v1/session",
        { json = { email = H.USERS.cae_a.email, password = "un mot de passe n° " .. round } })
      H.expect_error(login, 401)
      assert.truthy(login.json.error.message:find("disabled", 1, true), "the new password holds too")
      H.expect(H.request(server, "PATCH", path, { token = admin, json = { disabled = false } }), 200, "enable")
    end
    server.stop()
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

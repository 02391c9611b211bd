-- People, not roles (issue 21): a person (one email, one password) holds
-- several roles; a session acts in the one chosen at login or switched to;
-- every rule about auditors holds per person, whichever role they log in
-- with; a CAE's responsible member manages its team. Migration 11 carries
-- every account's role over, a committee role awaiting confirmation included.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end

local request, expect, expect_error = H.request, H.expect, H.expect_error

describe("people", function()
  local fx, server, tokens, criteria

  setup(function()
    fx, _, server, tokens, criteria = H.world()
  end)

  teardown(H.finish)

  local function login(email, role)
    return request(server, "POST", "/api/v1/session", { json = { email = email, password = H.PASSWORD, role = role } })
  end

  local function as(token, method, path, body)
    return request(server, method, "/api/v1" .. path, { token = token, json = body })
  end

  local function new_user(email, name, role, org, certified)
    return expect(as(tokens.admin, "POST", "/users", { email = email, name = name, role = role,
      organisation_id = org, certified_until = certified, password = H.PASSWORD }), 201, "user " .. email).json
  end

  local function add_role(id, body)
    return as(tokens.admin, "POST", "/users/" .. id .. "/roles", body)
  end

  describe("a person with two roles", function()
    local paul, audit_b

    setup(function()
      paul = new_user("paul@x.test", "Paul Pair", "cae", fx.ids.org_a)
      local r = expect(add_role(paul.id, { role = "auditor", certified_until = "2030-12-31" }), 201)
      assert.are.equal("cae", r.json.role, "the first role stays the first")
      assert.are.equal(2, #r.json.roles)
      assert.are.same({ "cae", "auditor" }, { r.json.roles[1].role, r.json.roles[2].role })
    end)

    it("logs in to the first role by default, or to the one named", function()
      local me = expect(login("paul@x.test"), 201).json.user
      assert.are.equal("cae", me.role)
      assert.are.equal(fx.ids.org_a, me.organisation_id)
      assert.are.equal(2, #me.roles)
      me = expect(login("paul@x.test", "auditor"), 201).json.user
      assert.are.equal("auditor", me.role)
      assert.are.equal("2030-12-31", me.certified_until)
      local e = expect_error(login("paul@x.test", "committee"), 400, "$.role")
      assert.truthy(e.message:find("you do not hold the role committee", 1, true), e.message)
      expect_error(login("paul@x.test", 7), 400, "$.role")
      -- said only to whoever knows the password
      local r = request(server, "POST", "/api/v1/session",
        { json = { email = "paul@x.test", password = "wrong password", role = "committee" } })
      expect_error(r, 401)
    end)

    it("is never the auditor of their own CAE, whichever role they log in with", function()
      for _, role in ipairs({ "cae", "auditor" }) do
        expect(login("paul@x.test", role), 201)
        local e = expect_error(as(tokens.committee, "POST", "/organisations/" .. fx.ids.org_a .. "/assessments",
          { kind = "audit", auditor_id = paul.id }), 409, "$.auditor_id")
        assert.truthy(e.message:find("belongs to this CAE", 1, true), e.message)
      end
      -- nor given one by a change of auditor
      local other = H.new_audit(server, tokens.committee, fx.ids.org_a, fx.ids.auditor)
      expect_error(as(tokens.committee, "PATCH", "/assessments/" .. other.id, { auditor_id = paul.id }), 409,
        "$.auditor_id")
      audit_b = H.new_audit(server, tokens.committee, fx.ids.org_b, paul.id)
    end)

    it("reaches through neither role what the other forbids, and switches role", function()
      local cae = expect(login("paul@x.test"), 201).json.token
      local sa = H.new_self_assessment(server, cae, fx.ids.org_a)
      -- as a CAE member: not the audit the auditor role was given
      expect_error(as(cae, "GET", "/assessments/" .. audit_b.id), 403)
      expect_error(as(cae, "PUT", "/assessments/" .. audit_b.id .. "/answers/JF-01", { status = "met" }), 403)
      -- as the auditor: not the CAE's own draft, nor a new self-assessment of it
      local auditor = expect(login("paul@x.test", "auditor"), 201).json.token
      expect(as(auditor, "PUT", "/assessments/" .. audit_b.id .. "/answers/JF-01", { status = "met" }), 200)
      expect_error(as(auditor, "GET", "/assessments/" .. sa.id), 403)
      expect_error(as(auditor, "POST", "/organisations/" .. fx.ids.org_a .. "/assessments",
        { kind = "self_assessment" }), 403)
      expect_error(as(auditor, "GET", "/organisations/" .. fx.ids.org_a .. "/action-items"), 403)
      -- the CAE session switches to the auditor role, and back
      local me = expect(as(cae, "PUT", "/session/role", { role = "auditor" }), 200).json
      assert.are.equal("auditor", me.role)
      expect(as(cae, "PUT", "/assessments/" .. audit_b.id .. "/answers/JF-02", { status = "met" }), 200)
      expect_error(as(cae, "GET", "/assessments/" .. sa.id), 403)
      assert.are.equal("auditor", expect(as(cae, "GET", "/me"), 200).json.role)
      expect_error(as(cae, "PUT", "/session/role", { role = "admin" }), 400, "$.role")
      expect_error(as(cae, "PUT", "/session/role", { role = "chef" }), 400, "$.role")
      expect(as(cae, "PUT", "/session/role", { role = "cae" }), 200)
      expect(as(cae, "GET", "/assessments/" .. sa.id), 200)
      -- an API token keeps the role it was made in
      local token = expect(as(tokens.admin, "POST", "/tokens", { name = "script" }), 201).json.token
      expect_error(as(token, "PUT", "/session/role", { role = "admin" }), 403)
      local listed = expect(as(tokens.admin, "GET", "/tokens"), 200).json
      assert.are.equal("admin", listed[#listed].role)
    end)

    it("keeps the roles their draft audits need, and sessions end with their role", function()
      -- Paul audits org B: a role naming org B would make it his own CAE's audit
      local quentin = new_user("quentin@x.test", "Quentin Quatre", "auditor", nil, "2030-12-31")
      local audit = H.new_audit(server, tokens.committee, fx.ids.org_b, quentin.id)
      local e = expect_error(add_role(quentin.id, { role = "cae", organisation_id = fx.ids.org_b }), 409,
        "$.organisation_id")
      assert.truthy(e.message:find("draft audits " .. audit.id, 1, true), e.message)
      expect(add_role(quentin.id, { role = "cae", organisation_id = fx.ids.org_a }), 201)
      expect_error(add_role(quentin.id, { role = "cae", organisation_id = fx.ids.org_a }), 409)
      expect_error(add_role(quentin.id, { role = "cae" }), 400, "$.organisation_id")
      expect_error(add_role(quentin.id, { role = "chef" }), 400, "$.role")
      expect_error(add_role(999999, { role = "admin" }), 404)
      e = expect_error(as(tokens.admin, "DELETE", "/users/" .. quentin.id .. "/roles/auditor"), 409, "$.role")
      assert.truthy(e.message:find("draft audits " .. audit.id, 1, true), e.message)
      -- once the audit is someone else's, the role goes, and the session acting in it
      local auditor = expect(login("quentin@x.test", "auditor"), 201).json.token
      local cae = expect(login("quentin@x.test", "cae"), 201).json.token
      expect(as(tokens.committee, "PATCH", "/assessments/" .. audit.id, { auditor_id = fx.ids.auditor }), 200)
      local after = expect(as(tokens.admin, "DELETE", "/users/" .. quentin.id .. "/roles/auditor"), 200).json
      assert.are.equal(1, #after.roles)
      assert.are.equal("cae", after.role)
      expect_error(as(auditor, "GET", "/me"), 401)
      assert.are.equal("cae", expect(as(cae, "GET", "/me"), 200).json.role)
      -- the certification of a role changed in place
      local r = expect(as(tokens.admin, "PATCH", "/users/" .. paul.id .. "/roles/auditor",
        { certified_until = "2031-06-30" }), 200).json
      assert.are.equal("2031-06-30", r.roles[2].certified_until)
      expect_error(as(tokens.admin, "PATCH", "/users/" .. paul.id .. "/roles/committee",
        { certified_until = "2031-06-30" }), 404)
      -- the last role removed leaves nothing to log in as: the account is disabled
      local gone = expect(as(tokens.admin, "DELETE", "/users/" .. quentin.id .. "/roles/cae"), 200).json
      assert.is_true(gone.disabled)
      assert.are.equal("none", gone.role)
      expect_error(as(cae, "GET", "/me"), 401)
    end)

    it("gets the committee role through the API only once another member confirms it", function()
      local r = expect(add_role(paul.id, { role = "committee" }), 201).json
      assert.are.equal("none", r.roles[3].role)
      assert.are.equal("committee", r.roles[3].pending_role)
      expect_error(login("paul@x.test", "committee"), 400, "$.role")
      expect(as(tokens.committee, "POST", "/users/" .. paul.id .. "/confirm-role"), 200)
      assert.are.equal("committee", expect(login("paul@x.test", "committee"), 201).json.user.role)
      -- and is still a CAE member and an auditor
      assert.are.equal("cae", expect(login("paul@x.test"), 201).json.user.role)
      local users = expect(as(tokens.admin, "GET", "/users"), 200).json
      for _, u in ipairs(users) do
        if u.id == paul.id then
          assert.are.equal(3, #u.roles)
        end
      end
    end)
  end)

  describe("a CAE's team", function()
    local zoe, yann, team

    setup(function()
      expect(as(tokens.admin, "PATCH", "/users/" .. fx.ids.cae_a .. "/roles/cae", { responsible = true }), 200)
      zoe = new_user("zoe@x.test", "Zoé Zèbre", "cae", fx.ids.org_a)
      yann = new_user("yann@x.test", "Yann Yole", "cae", fx.ids.org_a)
      expect(add_role(yann.id, { role = "auditor", certified_until = "2030-12-31" }), 201)
      team = "/organisations/" .. fx.ids.org_a .. "/team"
    end)

    it("is listed to its responsible member and the admin only", function()
      local list = expect(as(tokens.cae_a, "GET", team), 200).json
      local names = {}
      for _, m in ipairs(list) do
        names[m.email] = m
      end
      assert.is_true(names[H.USERS.cae_a.email].responsible)
      assert.is_false(names["zoe@x.test"].responsible)
      assert.are.same({ "auditor" }, names["yann@x.test"].other_roles)
      expect(as(tokens.admin, "GET", team), 200)
      for _, who in ipairs({ "cae_b", "auditor", "committee" }) do
        expect_error(as(tokens[who], "GET", team), 403)
      end
      expect_error(as(tokens.cae_b, "GET", "/organisations/" .. fx.ids.org_b .. "/team"), 403)
      expect_error(as(tokens.admin, "GET", "/organisations/999999/team"), 404)
    end)

    it("lets the responsible member disable and enable a colleague, never themselves", function()
      local zoe_token = H.login(server, "zoe@x.test")
      local r = expect(as(tokens.cae_a, "PATCH", team .. "/" .. zoe.id, { disabled = true }), 200).json
      assert.is_true(r.disabled)
      expect_error(as(zoe_token, "GET", "/me"), 401)
      expect_error(login("zoe@x.test"), 401)
      expect(as(tokens.cae_a, "PATCH", team .. "/" .. zoe.id, { disabled = false }), 200)
      H.login(server, "zoe@x.test")
      local e = expect_error(as(tokens.cae_a, "PATCH", team .. "/" .. fx.ids.cae_a, { responsible = false }), 403)
      assert.truthy(e.message:find("your own membership", 1, true), e.message)
      -- a colleague's other roles are not the CAE's to switch off
      e = expect_error(as(tokens.cae_a, "PATCH", team .. "/" .. yann.id, { disabled = true }), 403)
      assert.truthy(e.message:find("only an administrator", 1, true), e.message)
      -- nor is anyone outside the CAE
      expect_error(as(tokens.cae_a, "PATCH", team .. "/" .. fx.ids.cae_b, { disabled = true }), 404)
      expect_error(as(tokens.cae_a, "PATCH", team .. "/" .. zoe.id, { disabled = "yes" }), 400, "$.disabled")
      expect_error(as(tokens.cae_a, "PATCH", team .. "/" .. zoe.id, {}), 400)
      -- a member who is not responsible manages nothing
      expect_error(as(tokens.cae_b, "PATCH", "/organisations/" .. fx.ids.org_b .. "/team/" .. fx.ids.cae_b,
        { disabled = true }), 403)
      expect_error(as(zoe_token, "PATCH", team .. "/" .. yann.id, { responsible = true }), 401)
    end)

    it("makes a colleague responsible, who then manages the team too", function()
      expect(as(tokens.cae_a, "PATCH", team .. "/" .. zoe.id, { responsible = true }), 200)
      local zoe_token = H.login(server, "zoe@x.test")
      expect(as(zoe_token, "GET", team), 200)
      -- the flag is read from the database at each request: taken back, the right goes
      expect(as(tokens.cae_a, "PATCH", team .. "/" .. zoe.id, { responsible = false }), 200)
      expect_error(as(zoe_token, "GET", team), 403)
    end)

    it("removes a colleague: the CAE role goes, the account stays if it holds another", function()
      local yann_auditor = expect(login("yann@x.test", "auditor"), 201).json.token
      local r = expect(as(tokens.cae_a, "DELETE", team .. "/" .. yann.id), 200).json
      assert.are.equal("auditor", r.role)
      assert.is_false(r.disabled)
      assert.are.equal("auditor", expect(as(yann_auditor, "GET", "/me"), 200).json.role)
      r = expect(as(tokens.cae_a, "DELETE", team .. "/" .. zoe.id), 200).json
      assert.is_true(r.disabled)
      expect_error(as(tokens.cae_a, "DELETE", team .. "/" .. zoe.id), 404)
      local journal = H.sql(server.db, "SELECT action || ' ' || entity_id FROM journal"
        .. " WHERE action IN ('user.update', 'user.role_remove') ORDER BY id;")
      assert.truthy(journal:find("user.update " .. zoe.id, 1, true), journal)
      assert.truthy(journal:find("user.role_remove " .. yann.id, 1, true), journal)
      assert.truthy(journal:find("user.role_remove " .. zoe.id, 1, true), journal)
    end)
  end)

  it("migration 11 carries every account's role over, a committee role awaiting confirmation too", function()
    local db = H.fresh_db(fx.db)
    -- as migration 8 left it: the committee role given, the auditor one acted in meanwhile;
    -- the later migrations (12: account tokens, 13: notifications) undone first
    H.sql(db, "UPDATE users SET role = 'committee', acting_role = 'auditor' WHERE id = " .. fx.ids.auditor_b .. ";"
      .. " DROP TABLE notifications; DROP TABLE notification_optouts; DROP TABLE notify_secret;"
      .. " DROP TABLE account_tokens;"
      .. " DROP TABLE roles; ALTER TABLE sessions DROP COLUMN role_id;"
      .. " PRAGMA user_version = 10;")
    local old = H.sql(db, "SELECT id, coalesce(acting_role, role), organisation_id, certified_until FROM users"
      .. " ORDER BY id;")
    local s = H.start_server({ db = db })
    local new = H.sql(db, "SELECT user_id, role, organisation_id, certified_until FROM roles ORDER BY user_id;")
    assert.are.equal(old, new)
    assert.are.equal("committee", H.sql_value(db, "SELECT pending FROM roles WHERE user_id = " .. fx.ids.auditor_b))
    local admin = H.login(s, H.USERS.admin.email)
    local me = expect(request(s, "GET", "/api/v1/me", { token = H.login(s, H.USERS.auditor_b.email) }), 200).json
    assert.are.equal("auditor", me.role)
    assert.are.equal("committee", me.pending_role)
    expect(request(s, "POST", "/api/v1/users/" .. fx.ids.auditor_b .. "/confirm-role",
      { token = H.login(s, H.USERS.committee.email) }), 200)
    me = expect(request(s, "GET", "/api/v1/me", { token = H.login(s, H.USERS.auditor_b.email) }), 200).json
    assert.are.equal("committee", me.role)
    expect(request(s, "GET", "/api/v1/users", { token = admin }), 200)
    s.stop()
    support.run({ "verify", "--db", db })
  end)

  it("gives a person another role from the command line, at once", function()
    local db = H.fresh_db(fx.db)
    local out = H.admin({ "user", "role", "--db", db, "--email", H.USERS.auditor_b.email, "--role", "committee" })
    assert.are.equal("roles", out)
    assert.are.equal("committee", H.sql_value(db, "SELECT role FROM roles WHERE pending IS NULL AND user_id = "
      .. fx.ids.auditor_b .. " ORDER BY id DESC LIMIT 1"))
    local r = support.run({ "user", "role", "--db", db, "--email", H.USERS.auditor_b.email, "--role", "committee" })
    assert.are.equal(2, r.code)
    assert.truthy(r.stderr:find("already holds the role committee", 1, true), r.stderr)
    r = support.run({ "user", "role", "--db", db, "--email", "nobody@x.test", "--role", "admin" })
    assert.are.equal(2, r.code)
    assert.truthy(r.stderr:find("no user with the email nobody@x.test", 1, true), r.stderr)
    r = support.run({ "user", "role", "--db", db, "--email", H.USERS.admin.email, "--role", "cae" })
    assert.are.equal(2, r.code)
    assert.truthy(r.stderr:find("$.organisation_id: is required for a CAE member", 1, true), r.stderr)
  end)

  it("gave only documented answers, each fitting its schema", function()
    assert.is_table(criteria)
    O.check(server)
  end)
end)

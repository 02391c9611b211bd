-- Sessions (issue 3): a password change revokes the user's other sessions;
-- API tokens outlive it; the new password works and the old one does not.
-- Account administration: an administrator changes a user's role,
-- organisation, certification or password, and lists and revokes API tokens.

local H = require "http_support"
local O = require "openapi_support"
local support = require "support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

local fixture

setup(function()
  fixture = H.fixture()
end)

teardown(function()
  H.stop_all()
  H.cleanup()
end)

describe("a password change", function()

  it("revokes the user's other sessions, keeps this one, and swaps the passwords", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local email = H.USERS.cae_a.email
    local here = H.login(server, email)
    local elsewhere = H.login(server, email)
    local other_user = H.login(server, H.USERS.cae_b.email)
    local path = "/api/v1/me/password"

    H.expect_error(H.request(server, "PUT", path, { token = here,
      json = { current = "not my password", new = "a brand new passphrase" } }), 400, "$.current")
    H.expect_error(H.request(server, "PUT", path, { token = here,
      json = { current = H.PASSWORD, new = "short" } }), 400, "$.new")
    H.expect(H.request(server, "GET", "/api/v1/me", { token = elsewhere }), 200,
      "a refused change revokes nothing")

    H.expect(H.request(server, "PUT", path, { token = here,
      json = { current = H.PASSWORD, new = "a brand new passphrase" } }), 204, "change")
    H.expect(H.request(server, "GET", "/api/v1/me", { token = here }), 200, "this session stays")
    H.expect_error(H.request(server, "GET", "/api/v1/me", { token = elsewhere }), 401)
    H.expect(H.request(server, "GET", "/api/v1/me", { token = other_user }), 200,
      "another user's session stays")

    H.expect_error(H.request(server, "POST", "/api/v1/session",
      { json = { email = email, password = H.PASSWORD } }), 401)
    H.login(server, email, "a brand new passphrase")
  end)

  it("leaves an API token working", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local admin = H.login(server, H.USERS.admin.email)
    local r = H.expect(H.request(server, "POST", "/api/v1/tokens", { token = admin,
      json = { name = "intégration" } }), 201, "token")
    local api_token = r.json.token
    H.expect(H.request(server, "PUT", "/api/v1/me/password", { token = admin,
      json = { current = H.PASSWORD, new = "another long passphrase" } }), 204, "change")
    H.expect(H.request(server, "GET", "/api/v1/me", { token = api_token }), 200,
      "an integration's token is not a browser session")
  end)
end)

describe("account administration", function()

  local function journal_actions(db)
    return H.sql(db, "SELECT action FROM journal ORDER BY id;")
  end

  it("changes a user's role, organisation and certification, checked as a whole", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local admin = H.login(server, H.USERS.admin.email)
    local cae = H.login(server, H.USERS.cae_a.email)
    local id = fixture.ids.cae_a
    local path = "/api/v1/users/" .. id

    -- Refusals name the field and change nothing.
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { organisation_id = json.null } }),
      400, "$.organisation_id")
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { role = "boss" } }), 400, "$.role")
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { name = json.null } }), 400, "$.name")
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { name = "" } }), 400, "$.name")
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { shoe_size = 42 } }), 400, "$.shoe_size")
    H.expect_error(H.request(server, "PATCH", path, { token = admin, raw = "{}" }), 400)
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { organisation_id = 999 } }),
      400, "$.organisation_id")
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { password = "short" } }),
      400, "$.password")
    H.expect_error(H.request(server, "PATCH", "/api/v1/users/99999", { token = admin, json = { name = "X" } }), 404)
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { email = H.USERS.cae_b.email } }), 409)
    H.expect_error(H.request(server, "PATCH", path, { token = cae, json = { role = "admin" } }), 403)
    local me = H.expect(H.request(server, "GET", "/api/v1/me", { token = cae }), 200, "me").json
    assert.are.equal("cae", me.role)

    -- A CAE member becomes a certified peer auditor: the session sees it at once.
    local r = H.expect(H.request(server, "PATCH", path, { token = admin,
      json = { role = "auditor", certified_until = "2031-06-30", name = "Alice Alpha-Audit" } }), 200, "promote")
    assert.are.same({ id = id, email = H.USERS.cae_a.email, name = "Alice Alpha-Audit", role = "auditor",
      pending_role = json.null, organisation_id = fixture.ids.org_a, certified_until = "2031-06-30",
      disabled = false }, r.json)
    me = H.expect(H.request(server, "GET", "/api/v1/me", { token = cae }), 200, "me after").json
    assert.are.equal("auditor", me.role)
    H.expect_error(H.request(server, "POST", "/api/v1/organisations/" .. fixture.ids.org_a .. "/assessments",
      { token = cae, json = { kind = "self_assessment" } }), 403)

    -- null clears the certification; the list shows the change.
    H.expect(H.request(server, "PATCH", path, { token = admin, json = { certified_until = json.null } }), 200, "clear")
    local users = H.expect(H.request(server, "GET", "/api/v1/users", { token = admin }), 200, "users").json
    for _, u in ipairs(users) do
      if u.id == id then
        assert.are.equal(json.null, u.certified_until)
        assert.are.equal("auditor", u.role)
      end
    end
    server.stop()
    assert.truthy(journal_actions(server.db):find("user.update\nuser.update", 1, true))
  end)

  it("keeps the last administrator, and a new password ends the user's sessions", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local admin = H.login(server, H.USERS.admin.email)
    local admin_path = "/api/v1/users/" .. fixture.ids.admin
    local r = H.request(server, "PATCH", admin_path, { token = admin, json = { role = "committee" } })
    H.expect_error(r, 409)
    assert.truthy(r.json.error.message:find("last administrator", 1, true))
    -- With another administrator, the first may step down.
    H.expect(H.request(server, "PATCH", "/api/v1/users/" .. fixture.ids.committee,
      { token = admin, json = { role = "admin" } }), 200, "second admin")
    -- The committee role asked for waits for a committee member's confirmation
    -- (accounts_spec): until then the account stays an administrator.
    r = H.expect(H.request(server, "PATCH", admin_path, { token = admin, json = { role = "committee" } }), 200,
      "step down")
    assert.are.equal("admin", r.json.role)
    assert.are.equal("committee", r.json.pending_role)
    H.expect(H.request(server, "GET", "/api/v1/tokens", { token = admin }), 200, "still an administrator")

    -- The new administrator resets a CAE member's password.
    local new_admin = H.login(server, H.USERS.committee.email)
    local cae_a = H.login(server, H.USERS.cae_a.email)
    local cae_b = H.login(server, H.USERS.cae_b.email)
    H.expect(H.request(server, "PATCH", "/api/v1/users/" .. fixture.ids.cae_a,
      { token = new_admin, json = { password = "un nouveau mot de passe" } }), 200, "reset")
    H.expect_error(H.request(server, "GET", "/api/v1/me", { token = cae_a }), 401)
    H.expect(H.request(server, "GET", "/api/v1/me", { token = cae_b }), 200, "another user's session stays")
    H.expect_error(H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.cae_a.email, password = H.PASSWORD } }), 401)
    H.login(server, H.USERS.cae_a.email, "un nouveau mot de passe")
  end)

  it("disables an account: no login, no session, no token, until enabled again", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local admin = H.login(server, H.USERS.admin.email)
    local committee = H.login(server, H.USERS.committee.email)
    local path = "/api/v1/users/" .. fixture.ids.committee
    -- the committee member is made an admin, with an API token, then disabled
    H.expect(H.request(server, "PATCH", path, { token = admin, json = { role = "admin" } }), 200, "promote")
    local token = H.expect(H.request(server, "POST", "/api/v1/tokens", { token = committee,
      json = { name = "Outil" } }), 201, "token").json.token
    H.expect_error(H.request(server, "PATCH", path, { token = admin, json = { disabled = "yes" } }), 400, "$.disabled")
    H.expect_error(H.request(server, "POST", "/api/v1/users", { token = admin, json = { email = "n@x.test",
      name = "N", role = "committee", password = H.PASSWORD, disabled = true } }), 400, "$.disabled")
    local r = H.expect(H.request(server, "PATCH", path, { token = admin, json = { disabled = true } }), 200, "disable")
    assert.is_true(r.json.disabled)
    H.expect_error(H.request(server, "GET", "/api/v1/me", { token = committee }), 401)
    H.expect_error(H.request(server, "GET", "/api/v1/me", { token = token }), 401)
    local login = H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.committee.email, password = H.PASSWORD } })
    H.expect_error(login, 401)
    assert.truthy(login.json.error.message:find("disabled", 1, true), H.show(login))
    -- a wrong password still says only that
    login = H.request(server, "POST", "/api/v1/session", { json = { email = H.USERS.committee.email, password = "x" } })
    H.expect_error(login, 401)
    assert.is_nil(login.json.error.message:find("disabled", 1, true))
    -- the last enabled administrator cannot be disabled
    H.expect_error(H.request(server, "PATCH", "/api/v1/users/" .. fixture.ids.admin,
      { token = admin, json = { disabled = true } }), 409)
    local users = H.expect(H.request(server, "GET", "/api/v1/users", { token = admin }), 200, "users").json
    for _, u in ipairs(users) do
      assert.are.equal(u.id == fixture.ids.committee, u.disabled, "disabled of " .. u.email)
    end
    -- enabled again: the password works; the revoked token stays revoked
    H.expect(H.request(server, "PATCH", path, { token = admin, json = { disabled = false } }), 200, "enable")
    H.login(server, H.USERS.committee.email)
    H.expect_error(H.request(server, "GET", "/api/v1/me", { token = token }), 401)
  end)

  -- Each worker thread trusts a session it resolved until the accounts or
  -- sessions change, counted by triggers: a change made outside the server
  -- (here the sqlite3 shell) must end the trust, answers written meanwhile
  -- (which change the data but not the accounts) or not.
  it("ends a session or an account changed outside the server at its next request", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local ta = H.login(server, H.USERS.cae_a.email)
    local tb = H.login(server, H.USERS.cae_b.email)
    local a = H.expect(H.request(server, "POST", "/api/v1/organisations/" .. fixture.ids.org_b .. "/assessments",
      { token = tb, json = { kind = "self_assessment" } }), 201, "draft").json
    local criteria = H.criteria(server)
    local function busy(n) -- every worker resolves both sessions, answers written in between
      for i = 1, n do
        H.expect(H.request(server, "GET", "/api/v1/me", { token = ta }), 200, "me a")
        H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/answers/" .. criteria[i].id,
          { token = tb, json = { status = "met" } }), 200, "answer")
      end
    end
    busy(12)
    H.sql(server.db, "UPDATE users SET disabled = 1 WHERE email = '" .. H.USERS.cae_a.email .. "'")
    for i = 1, 12 do
      H.expect_error(H.request(server, "GET", "/api/v1/me", { token = ta }), 401)
      H.expect(H.request(server, "GET", "/api/v1/me", { token = tb }), 200, "me b")
      H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/answers/" .. criteria[i].id,
        { token = tb, json = { status = "not_met" } }), 200, "answer b")
    end
    H.sql(server.db, "DELETE FROM sessions WHERE user_id = " .. fixture.ids.cae_b)
    -- Answers first: a worker checks them with what it last read, from
    -- before the change, and the write must see that it no longer holds.
    for i = 1, 12 do
      H.expect_error(H.request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/answers/" .. criteria[i].id,
        { token = tb, json = { status = "partial" } }), 401)
    end
    assert.are.equal("0", H.sql_value(server.db, "SELECT COUNT(*) FROM answers WHERE status = 'partial'"))
    for _ = 1, 12 do
      H.expect_error(H.request(server, "GET", "/api/v1/me", { token = tb }), 401)
    end
  end)

  it("lists API tokens without their secret and revokes one", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local admin = H.login(server, H.USERS.admin.email)
    local kept = H.expect(H.request(server, "POST", "/api/v1/tokens", { token = admin, json = { name = "Tableur" } }),
      201, "token").json.token
    local leaked = H.expect(H.request(server, "POST", "/api/v1/tokens", { token = admin, json = { name = "Fuite" } }),
      201, "token").json.token
    H.expect(H.request(server, "GET", "/api/v1/me", { token = leaked }), 200, "the token works")

    local listed = H.expect(H.request(server, "GET", "/api/v1/tokens", { token = admin }), 200, "list")
    for _, secret in ipairs({ kept, leaked }) do
      assert.is_nil(listed.body:find(secret, 1, true), "a listing shows a token's secret")
    end
    local list = listed.json
    assert.are.equal(2, #list)
    local by_name = {}
    for _, t in ipairs(list) do
      by_name[t.name] = t
      assert.truthy(t.id:match("^%x+$") and #t.id == 16, "id " .. t.id)
      assert.are.equal(fixture.ids.admin, t.user_id)
      assert.are.equal(H.USERS.admin.name, t.user_name)
      assert.truthy(t.created_at:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"))
    end

    local cae = H.login(server, H.USERS.cae_a.email)
    H.expect_error(H.request(server, "GET", "/api/v1/tokens", { token = cae }), 403)
    H.expect_error(H.request(server, "DELETE", "/api/v1/tokens/" .. by_name.Fuite.id, { token = cae }), 403)
    H.expect(H.request(server, "DELETE", "/api/v1/tokens/" .. by_name.Fuite.id, { token = admin }), 204, "revoke")
    H.expect_error(H.request(server, "GET", "/api/v1/me", { token = leaked }), 401)
    H.expect(H.request(server, "GET", "/api/v1/me", { token = kept }), 200, "the other token stays")
    H.expect_error(H.request(server, "DELETE", "/api/v1/tokens/" .. by_name.Fuite.id, { token = admin }), 404)
    H.expect_error(H.request(server, "DELETE", "/api/v1/tokens/NOT-AN-ID", { token = admin }), 404)
    -- A token's last use is kept (at most a minute late): made an hour old,
    -- then used, it shows a use after its creation.
    H.sql(server.db, "UPDATE sessions SET created_at = created_at - 3600, last_seen = last_seen - 3600"
      .. " WHERE kind = 'api';")
    H.expect(H.request(server, "GET", "/api/v1/me", { token = kept }), 200, "the aged token")
    list = H.expect(H.request(server, "GET", "/api/v1/tokens", { token = admin }), 200, "list after").json
    assert.are.equal(1, #list)
    assert.are.equal("Tableur", list[1].name)
    assert.is_true(list[1].last_used_at > list[1].created_at,
      "last use " .. list[1].last_used_at .. ", created " .. list[1].created_at)
    server.stop()
    assert.truthy(journal_actions(server.db):find("token.revoke", 1, true))
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

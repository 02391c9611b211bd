-- Invitations (issue 21, "Invitation"): an administrator or the committee
-- invites someone by e-mail with a role; the invitee gets a link, valid 7
-- days and single use, chooses a password and is logged in. Checked as an
-- account creation, sent through a real SMTP server
-- (tests/functional/smtp_receiver.py), the token never stored nor logged.

local support = require "support"
local H = require "http_support"
local M = require "mail_support"
local O = require "openapi_support"
local json = support.json

O.record()

local LINK = "https://label.example.org/#/invitation/"
local NEW_PASSWORD = "Mon mot de passe choisi 9"

local function token_for(box, email, n)
  return M.link_token(box, email, LINK, n)
end

local function invite(server, token, body, status)
  return H.expect(H.request(server, "POST", "/api/v1/invitations", { token = token, json = body }),
    status or 201, "invite " .. tostring(body.email))
end

local function accept(server, token, password)
  return H.request(server, "POST", "/api/v1/invitations/" .. token .. "/accept",
    { json = { password = password or NEW_PASSWORD } })
end

describe("invitations", function()
  local fx

  setup(function()
    fx = H.fixture()
  end)

  teardown(H.finish)

  it("an invitee gets the link once, chooses a password once, and is logged in", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local admin = H.login(server, H.USERS.admin.email)
    local email = "nouvelle@alpha.example"
    local r = invite(server, admin, { email = email, name = "Nora Nouvelle", role = "cae",
      organisation_id = fx.ids.org_a })
    assert.are.equal(email, r.json.email)
    assert.are.equal("pending", r.json.status)
    assert.are.equal(fx.ids.admin, r.json.invited_by)
    local token, message = token_for(box, email)
    assert.are.equal(43, #token)
    assert.falsy(r.body:find(token, 1, true), "the answer holds the token")
    assert.are.equal("Invitation sur la plateforme du label", message.subject)
    assert.truthy(message.parts[1].content:find("Ada Admin vous invite", 1, true))
    assert.truthy(message.parts[1].content:find("Coopérative Alpha", 1, true))
    assert.are.equal(json.null, message.list_unsubscribe, "an account's own message has no unsubscribe")
    -- only a hash of it is stored
    local stored = H.sql_value(db, "SELECT hash FROM account_tokens WHERE email = '" .. email .. "';")
    assert.are.equal(64, #stored)
    assert.are_not.equal(token, stored)
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM account_tokens WHERE hash LIKE '%"
      .. token .. "%';"))
    -- listed for administrators
    local list = H.expect(H.request(server, "GET", "/api/v1/invitations", { token = admin }), 200).json
    assert.are.equal(1, #list)
    assert.are.equal(r.json.id, list[1].id)
    -- the password is checked as an account's
    local e = H.expect_error(accept(server, token, "court"), 400, "$.password")
    assert.truthy(e.message:find("at least 10 characters", 1, true), e.message)
    local bad = H.request(server, "POST", "/api/v1/invitations/" .. token .. "/accept", { raw = "{}" })
    H.expect_error(bad, 400, "$.password")
    -- accepted: the account, and a session
    r = H.expect(accept(server, token), 201, "accept")
    assert.are.equal(email, r.json.user.email)
    assert.are.equal("cae", r.json.user.role)
    assert.are.equal(fx.ids.org_a, r.json.user.organisation_id)
    local cookie = r.headers["set-cookie"]
    assert.truthy(cookie and cookie:find("labelcoop_session=" .. r.json.token, 1, true), H.show(r))
    assert.truthy(cookie:find("HttpOnly", 1, true))
    local me = H.expect(H.request(server, "GET", "/api/v1/me", { cookie = r.json.token }), 200).json
    assert.are.equal(email, me.email)
    H.login(server, email, NEW_PASSWORD)
    -- once
    e = H.expect_error(accept(server, token, "Un autre mot de passe 10"), 410)
    assert.truthy(e.message:find("used already", 1, true), e.message)
    H.login(server, email, NEW_PASSWORD)
    list = H.expect(H.request(server, "GET", "/api/v1/invitations", { token = admin }), 200).json
    assert.are.equal(0, #list)
    -- an unknown link
    H.expect_error(accept(server, string.rep("A", 43)), 404)
    H.expect_error(accept(server, "court"), 404)
    -- the message came once
    support.sleep(1)
    assert.are.equal(1, #M.messages(box))
    -- once sent, the outbox keeps the message without its link
    support.wait_for(function() return #M.mail_log(db, "sent") == 1 end, 10, 0.1)
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM mail WHERE text LIKE '%" .. token
      .. "%' OR html LIKE '%" .. token .. "%';"))
    server.stop()
    local out, err = server.output()
    local log = out .. err
    assert.truthy(log:find("POST /api/v1/invitations/:key/accept 201", 1, true), log)
    assert.falsy(log:find(token, 1, true), "the log holds the token")
  end)

  it("is checked as an account's creation, with the same messages", function()
    local db = H.fresh_db(fx.db)
    local server = H.start_server({ db = db })
    local admin = H.login(server, H.USERS.admin.email)
    local cases = {
      { { email = "x@y.test", name = "X", role = "boss" }, "$.role" },
      { { email = "pas une adresse", name = "X", role = "auditor" }, "$.email" },
      { { email = "x@y.test", name = "X", role = "cae" }, "$.organisation_id" },
      { { email = "x@y.test", name = "X", role = "cae", organisation_id = 999 }, "$.organisation_id" },
      { { email = "x@y.test", role = "auditor" }, "$.name" },
      { { email = "x@y.test", name = "", role = "auditor" }, "$.name" },
    }
    for _, c in ipairs(cases) do
      local as_invitation = H.expect_error(H.request(server, "POST", "/api/v1/invitations",
        { token = admin, json = c[1] }), 400, c[2], json.encode(c[1]))
      local user = {}
      for k, v in pairs(c[1]) do
        user[k] = v
      end
      user.password = H.PASSWORD
      local as_user = H.expect_error(H.request(server, "POST", "/api/v1/users",
        { token = admin, json = user }), 400, c[2], json.encode(user))
      assert.are.equal(as_user.message, as_invitation.message)
    end
    -- a password has no place in an invitation: the invitee chooses it
    H.expect_error(H.request(server, "POST", "/api/v1/invitations", { token = admin,
      json = { email = "x@y.test", name = "X", role = "auditor", password = H.PASSWORD } }), 400, "$.password")
    -- an address with an account
    local e = H.expect_error(H.request(server, "POST", "/api/v1/invitations", { token = admin,
      json = { email = "CAE-A@x.test", name = "X", role = "auditor" } }), 409, "$.email")
    assert.truthy(e.message:find("has an account already (user " .. fx.ids.cae_a .. ")", 1, true), e.message)
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM account_tokens;"))
  end)

  it("is for administrators and the committee; a committee role so given waits for confirmation", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local body = { email = "membre@comite.example", name = "Marc Membre", role = "committee" }
    for _, who in ipairs({ "cae_a", "auditor" }) do
      local t = H.login(server, H.USERS[who].email)
      H.expect_error(H.request(server, "POST", "/api/v1/invitations", { token = t, json = body }), 403)
      H.expect_error(H.request(server, "GET", "/api/v1/invitations", { token = t }), 403)
    end
    local committee = H.login(server, H.USERS.committee.email)
    H.expect_error(H.request(server, "GET", "/api/v1/invitations", { token = committee }), 403)
    invite(server, committee, body)
    local token, message = token_for(box, body.email)
    assert.truthy(message.parts[1].content:find("Camille Comité vous invite", 1, true))
    local r = H.expect(accept(server, token), 201)
    assert.are.equal("none", r.json.user.role)
    assert.are.equal("committee", r.json.user.pending_role)
    -- the holder cannot confirm it; another member does
    H.expect_error(H.request(server, "POST", "/api/v1/users/" .. r.json.user.id .. "/confirm-role",
      { token = r.json.token }), 403)
    local confirmed = H.expect(H.request(server, "POST", "/api/v1/users/" .. r.json.user.id .. "/confirm-role",
      { token = committee }), 200).json
    assert.are.equal("committee", confirmed.role)
  end)

  it("is also a CAE's responsible member's, for a colleague of their own CAE only", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local admin = H.login(server, H.USERS.admin.email)
    local colleague = { email = "nadia@alpha.example", name = "Nadia Nouvelle", role = "cae",
      organisation_id = fx.ids.org_a }
    -- a member who is not responsible invites nobody
    local member = H.login(server, H.USERS.cae_a.email)
    local e = H.expect_error(H.request(server, "POST", "/api/v1/invitations", { token = member, json = colleague }),
      403)
    assert.truthy(e.message:find("responsible member", 1, true), e.message)
    H.expect(H.request(server, "PATCH", "/api/v1/users/" .. fx.ids.cae_a .. "/roles/cae",
      { token = admin, json = { responsible = true } }), 200)
    -- responsible: another role, another CAE, or no CAE at all are still refused
    local lead = H.login(server, H.USERS.cae_a.email)
    for _, other in ipairs({
      { email = "aude@x.test", name = "Aude", role = "auditor" },
      { email = "bea@x.test", name = "Béa", role = "cae", organisation_id = fx.ids.org_b },
      { email = "carl@x.test", name = "Carl", role = "committee" },
    }) do
      H.expect_error(H.request(server, "POST", "/api/v1/invitations", { token = lead, json = other }), 403)
    end
    local invitation = invite(server, lead, colleague)
    assert.are.equal(fx.ids.cae_a, invitation.json.invited_by)
    -- the list and its revocation stay the administrators'
    H.expect_error(H.request(server, "GET", "/api/v1/invitations", { token = lead }), 403)
    local r = H.expect(accept(server, (token_for(box, colleague.email))), 201)
    assert.are.equal("cae", r.json.user.role)
    assert.are.equal(fx.ids.org_a, r.json.user.organisation_id)
    -- the newcomer is on the team the responsible member manages
    local team = H.expect(H.request(server, "GET", "/api/v1/organisations/" .. fx.ids.org_a .. "/team",
      { token = lead }), 200).json
    local found = false
    for _, m in ipairs(team) do
      found = found or m.email == colleague.email
    end
    assert.is_true(found, json.encode(team))
  end)

  it("expires after 7 days, can be revoked, and a new one replaces the pending one", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local admin = H.login(server, H.USERS.admin.email)
    local r = invite(server, admin, { email = "a@late.example", name = "A", role = "auditor" })
    local token = token_for(box, "a@late.example", 1)
    -- valid 7 days
    local created, expires = r.json.created_at, r.json.expires_at
    local function seconds(t)
      local y, mo, d, h, mi, s = t:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)Z$")
      return os.time({ year = y, month = mo, day = d, hour = h, min = mi, sec = s })
    end
    assert.are.equal(7 * 24 * 3600, seconds(expires) - seconds(created))
    H.sql(db, "UPDATE account_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE id = " .. r.json.id .. ";")
    local list = H.expect(H.request(server, "GET", "/api/v1/invitations", { token = admin }), 200).json
    assert.are.equal("expired", list[1].status)
    local e = H.expect_error(accept(server, token), 410)
    assert.truthy(e.message:find("expired at 2020-01-01T00:00:00Z", 1, true), e.message)
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM users WHERE email = 'a@late.example';"))
    -- a new invitation replaces it
    r = invite(server, admin, { email = "a@late.example", name = "A", role = "auditor" })
    local second = token_for(box, "a@late.example", 2)
    list = H.expect(H.request(server, "GET", "/api/v1/invitations", { token = admin }), 200).json
    assert.are.equal(1, #list)
    assert.are.equal(r.json.id, list[1].id)
    -- revoked
    local cae = H.login(server, H.USERS.cae_a.email)
    H.expect_error(H.request(server, "DELETE", "/api/v1/invitations/" .. r.json.id, { token = cae }), 403)
    H.expect(H.request(server, "DELETE", "/api/v1/invitations/" .. r.json.id, { token = admin }), 204)
    H.expect_error(H.request(server, "DELETE", "/api/v1/invitations/" .. r.json.id, { token = admin }), 404)
    H.expect_error(accept(server, second), 404)
    H.expect_error(accept(server, token), 404)
  end)

  it("eight accepts at once: exactly one makes the account", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local admin = H.login(server, H.USERS.admin.email)
    invite(server, admin, { email = "course@race.example", name = "Course", role = "auditor" })
    local token = token_for(box, "course@race.example")
    local list = {}
    for i = 1, 8 do
      list[i] = { method = "POST", path = "/api/v1/invitations/" .. token .. "/accept",
        json = { password = "Mot de passe numéro " .. i } }
    end
    local codes = H.race(server, list)
    local won, gone = 0, 0
    for _, code in ipairs(codes) do
      won = won + (code == 201 and 1 or 0)
      gone = gone + (code == 410 and 1 or 0)
    end
    assert.are.equal(1, won, json.encode(codes))
    assert.are.equal(7, gone, json.encode(codes))
    assert.are.equal("1", H.sql_value(db, "SELECT count(*) FROM users WHERE email = 'course@race.example';"))
  end)

  it("documents every answer this spec was given", O.check_all)
end)

-- Forgotten passwords (issue 21, "Forgotten password"): the same answer
-- whether or not the address has an account, a link by e-mail (a real SMTP
-- server, tests/functional/smtp_receiver.py) valid 1 hour and once, stored
-- hashed, that ends every session of the account; requests throttled per
-- client address and per email, and wrong current passwords (PUT
-- /me/password) throttled as failed logins are.

local support = require "support"
local H = require "http_support"
local M = require "mail_support"
local A = require "accounts_support"
local O = require "openapi_support"
local json = support.json

O.record()

local LINK = "https://label.example.org/#/mot-de-passe/"
local NEW_PASSWORD = "Un nouveau mot de passe 7"

local function ask(server, email)
  return H.request(server, "POST", "/api/v1/password-reset", { json = { email = email } })
end

local function reset(server, token, password)
  return H.request(server, "POST", "/api/v1/password-reset/" .. token,
    { json = { password = password or NEW_PASSWORD } })
end

local function token_for(box, email, n)
  return M.link_token(box, email, LINK, n)
end

describe("forgotten passwords", function()
  local fx

  setup(function()
    fx = H.fixture()
  end)

  teardown(H.finish)

  it("answers the same for every address; mails an enabled account alone", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local admin = H.login(server, H.USERS.admin.email)
    H.expect(H.request(server, "PATCH", "/api/v1/users/" .. fx.ids.cae_b,
      { token = admin, json = { disabled = true } }), 200, "disable cae_b")
    local known = H.expect(ask(server, H.USERS.cae_a.email), 202, "known")
    local unknown = H.expect(ask(server, "personne@nulle-part.example"), 202, "unknown")
    local disabled = H.expect(ask(server, H.USERS.cae_b.email), 202, "disabled")
    assert.are.equal(known.body, unknown.body)
    assert.are.equal(known.body, disabled.body)
    assert.are.equal(known.headers["content-type"], unknown.headers["content-type"])
    assert.truthy(known.json.message:find("valid 1 hour", 1, true), known.body)
    local token, message = token_for(box, H.USERS.cae_a.email)
    assert.are.equal("Réinitialisation de votre mot de passe", message.subject)
    assert.are.equal(json.null, message.list_unsubscribe)
    assert.truthy(message.parts[1].content:find("Bonjour " .. H.USERS.cae_a.name, 1, true))
    -- nothing else was sent, nor stored
    support.sleep(1.5)
    assert.are.equal(1, #M.messages(box), json.encode(M.messages(box)))
    assert.are.equal(1, #M.mail_log(db))
    support.wait_for(function() return #M.mail_log(db, "sent") == 1 end, 10, 0.1)
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM mail WHERE text LIKE '%" .. token
      .. "%' OR html LIKE '%" .. token .. "%';"))
    assert.are.equal("1", H.sql_value(db, "SELECT count(*) FROM account_tokens;"))
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM account_tokens WHERE hash LIKE '%"
      .. token .. "%';"))
    -- valid 1 hour
    assert.are.equal("3600", H.sql_value(db, "SELECT strftime('%s', expires_at) - strftime('%s', created_at)"
      .. " FROM account_tokens;"))
    -- bad requests are refused alike too
    H.expect_error(H.request(server, "POST", "/api/v1/password-reset", { json = {} }), 400)
    H.expect_error(H.request(server, "POST", "/api/v1/password-reset",
      { json = { email = H.USERS.cae_a.email, password = "x" } }), 400, "$.password")
  end)

  it("the link sets the password once and ends every session of the account", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local sessions = { (H.login(server, H.USERS.auditor.email)), (H.login(server, H.USERS.auditor.email)) }
    local other = H.login(server, H.USERS.cae_a.email)
    H.expect(ask(server, H.USERS.auditor.email), 202)
    local token = token_for(box, H.USERS.auditor.email)
    H.expect_error(reset(server, token, "court"), 400, "$.password")
    local r = H.expect(reset(server, token), 200, "reset")
    assert.is_true(r.json.sessions_ended)
    assert.are.equal(H.USERS.auditor.email, r.json.email)
    assert.truthy(r.json.message:find("every session of the account was ended", 1, true), r.body)
    for _, t in ipairs(sessions) do
      H.expect_error(H.request(server, "GET", "/api/v1/me", { token = t }), 401)
    end
    H.expect(H.request(server, "GET", "/api/v1/me", { token = other }), 200, "another account's session")
    H.expect_error(H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.auditor.email, password = H.PASSWORD } }), 401)
    H.login(server, H.USERS.auditor.email, NEW_PASSWORD)
    local e = H.expect_error(reset(server, token, "Encore un autre mot de passe"), 410)
    assert.truthy(e.message:find("used already", 1, true), e.message)
    H.login(server, H.USERS.auditor.email, NEW_PASSWORD)
    H.expect_error(reset(server, string.rep("x", 43)), 404)
    -- answers given before the route is known hide the token too
    H.expect_error(H.request(server, "GET", "/api/v1/password-reset/" .. token), 405)
    H.expect_error(H.request(server, "POST", "/api/v1/password-reset/" .. token,
      { raw = string.rep("x", 2 * 1024 * 1024) }), 413)
    server.stop()
    local out, err = server.output()
    local log = out .. err
    for _, line in ipairs({ "POST /api/v1/password-reset/:key 200", "GET /api/v1/password-reset/:key 405",
      "POST /api/v1/password-reset/:key 413" }) do
      assert.truthy(log:find(line, 1, true), line .. " not in the log:\n" .. log)
    end
    assert.falsy(log:find(token, 1, true), "the log holds the token")
  end)

  it("expires after an hour; a newer link replaces the older", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    local email = H.USERS.committee.email
    H.expect(ask(server, email), 202)
    local first = token_for(box, email, 1)
    H.expect(ask(server, email), 202)
    local second = token_for(box, email, 2)
    H.expect_error(reset(server, first), 404)
    H.sql(db, "UPDATE account_tokens SET expires_at = '2020-01-01T00:00:00Z';")
    local e = H.expect_error(reset(server, second), 410)
    assert.truthy(e.message:find("expired at 2020-01-01T00:00:00Z", 1, true), e.message)
    H.login(server, email, H.PASSWORD) -- unchanged
  end)

  it("eight uses at once: exactly one sets the password", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    H.expect(ask(server, H.USERS.cae_a.email), 202)
    local token = token_for(box, H.USERS.cae_a.email)
    local list = {}
    for i = 1, 8 do
      list[i] = { method = "POST", path = "/api/v1/password-reset/" .. token,
        json = { password = "Mot de passe numéro " .. i } }
    end
    local codes = H.race(server, list)
    local won, winner = 0, nil
    for i, code in ipairs(codes) do
      if code == 200 then
        won, winner = won + 1, i
      else
        assert.are.equal(410, code, json.encode(codes))
      end
    end
    assert.are.equal(1, won, json.encode(codes))
    H.login(server, H.USERS.cae_a.email, "Mot de passe numéro " .. winner)
  end)

  it("throttles requests per email and per client address, known or not", function()
    local db = H.fresh_db(fx.db)
    local server, box = M.serve_plain(db)
    for _, email in ipairs({ H.USERS.cae_b.email, "inconnu@nulle-part.example" }) do
      local bodies = {}
      for i = 1, 5 do
        bodies[i] = H.expect(ask(server, email), 202, email .. " " .. i).body
      end
      local r = H.expect_error(ask(server, email), 429)
      assert.truthy(r.message:find("too many password reset requests", 1, true), r.message)
      assert.are.equal(bodies[1], bodies[5])
    end
    -- from one address, 20 at most, whatever the emails
    local words = {}
    for i = 1, 21 do
      words[#words + 1] = A.curl(server, "POST", "/api/v1/password-reset",
        { from = "127.0.0.7", json = { email = "x" .. i .. "@nulle-part.example" } })
    end
    local codes = A.statuses(A.concurrently({ table.concat(words, "; ") })[1])
    assert.are.equal(21, #codes)
    for i = 1, 20 do
      assert.are.equal(202, codes[i], json.encode(codes))
    end
    assert.are.equal(429, codes[21])
    -- the account's 5 messages, no more
    support.sleep(1)
    assert.are.equal(5, #M.messages(box))
  end)

  it("counts a wrong current password (PUT /me/password) as a failed login", function()
    local db = H.fresh_db(fx.db)
    local server = H.start_server({ db = db })
    local token = H.login(server, H.USERS.cae_a.email)
    local function change(current)
      return H.request(server, "PUT", "/api/v1/me/password",
        { token = token, json = { current = current, new = NEW_PASSWORD } })
    end
    -- a right one takes its count back
    H.expect_error(change("faux 0"), 400, "$.current")
    H.expect(change(H.PASSWORD), 204)
    H.expect(H.request(server, "PUT", "/api/v1/me/password",
      { token = token, json = { current = NEW_PASSWORD, new = H.PASSWORD } }), 204)
    for i = 1, 5 do
      H.expect_error(change("faux " .. i), 400, "$.current")
    end
    local e = H.expect_error(change(H.PASSWORD), 429)
    assert.truthy(e.message:find("too many wrong passwords", 1, true), e.message)
    -- the account's logins are locked with it
    H.expect_error(H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.cae_a.email, password = H.PASSWORD } }), 429)
  end)

  it("documents every answer this spec was given", O.check_all)
end)

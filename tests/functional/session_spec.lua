-- Sessions (issue 3): a password change revokes the user's other sessions;
-- API tokens outlive it; the new password works and the old one does not.

local H = require "http_support"

describe("a password change", function()
  local fixture

  setup(function()
    fixture = H.fixture()
  end)

  teardown(function()
    H.stop_all()
    H.cleanup()
  end)

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

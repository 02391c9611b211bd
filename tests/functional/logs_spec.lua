-- The log (issue 19): one line a request with its RFC 3339 time, its id
-- (also the X-Request-Id answered), the client, the user, the route, the
-- status and the duration, as text or as JSON (--log-format json); and no
-- password, token or secret in it, whatever a full run of the platform did.

local support = require "support"
local H = require "http_support"

local json = support.json

local STAMP = "%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ"

-- Everything secret a run handles, written by the world's users.
local function secret_run(server, tokens, fx)
  local secrets = { H.PASSWORD }
  for _, t in pairs(tokens) do
    secrets[#secrets + 1] = t
  end
  local login = H.expect(H.request(server, "POST", "/api/v1/session",
    { json = { email = H.USERS.cae_b.email, password = H.PASSWORD } }), 201)
  secrets[#secrets + 1] = login.json.csrf_token
  H.expect(H.request(server, "GET", "/api/v1/me", { cookie = login.json.token }), 200)
  local api = H.expect(H.request(server, "POST", "/api/v1/tokens",
    { token = tokens.admin, json = { name = "Tableur" } }), 201).json.token
  secrets[#secrets + 1] = api
  H.expect(H.request(server, "GET", "/api/v1/organisations", { token = api }), 200)
  local hook = H.expect(H.request(server, "POST", "/api/v1/webhooks",
    { token = tokens.admin, json = { url = "https://hooks.example.org/x" } }), 201).json
  secrets[#secrets + 1] = hook.secret
  local new_password = "Un tout autre mot de passe 42"
  secrets[#secrets + 1] = new_password
  H.expect(H.request(server, "PUT", "/api/v1/me/password", { token = tokens.cae_a,
    json = { current = H.PASSWORD, new = new_password } }), 204)
  local created = "Mot de passe du nouveau membre 7"
  secrets[#secrets + 1] = created
  H.expect(H.request(server, "POST", "/api/v1/users", { token = tokens.admin, json = {
    email = "nouveau@alpha.example", name = "Nouveau", role = "cae",
    organisation_id = fx.ids.org_a, password = created } }), 201)
  -- A failed login with a password that is nearly right.
  secrets[#secrets + 1] = H.PASSWORD .. "!"
  H.expect_error(H.request(server, "POST", "/api/v1/session",
    { json = { email = H.USERS.auditor.email, password = H.PASSWORD .. "!" } }), 401)
  return secrets
end

describe("the log", function()
  teardown(H.finish)

  it("says a line a request, with its time, id, client, user, route, status and duration", function()
    local fx, _, server, tokens = H.world()
    local r = H.expect(H.request(server, "GET", "/api/v1/me", { token = tokens.committee }), 200)
    local id = r.headers["x-request-id"]
    assert.truthy(id and id:match("^%x+$") and #id == 16, tostring(id))
    server.stop()
    local _, err = server.output()
    local line = err:match("[^\n]*req=" .. id .. "[^\n]*")
    assert.truthy(line, err)
    local stamp, client, user, route, rest = line:match("^(" .. STAMP .. ") req=%x+ client=(%S+) user=(%S+)"
      .. " route=(%S+) (.*)$")
    assert.truthy(stamp, line)
    assert.are.equal("127.0.0.1", client)
    assert.are.equal(tostring(fx.ids.committee), user)
    assert.are.equal("me", route)
    assert.truthy(rest:match("^GET /api/v1/me 200 %d+%.%dms$"), rest)
  end)

  it("never holds a password, a token or a secret", function()
    local fx, _, server, tokens = H.world()
    local secrets = secret_run(server, tokens, fx)
    server.stop()
    local out, err = server.output()
    local log = out .. err
    assert.truthy(log:find("route=session POST /api/v1/session 401", 1, true), "the run is logged")
    for _, secret in ipairs(secrets) do
      assert.is_nil(log:find(secret, 1, true), "the log holds a secret: " .. secret)
    end
  end)

  it("is one JSON object a line with --log-format json", function()
    local fx = H.fixture()
    local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--log-format", "json" } })
    local token = H.login(server, H.USERS.admin.email)
    local r = H.expect(H.request(server, "GET", "/api/v1/organisations/" .. fx.ids.org_a,
      { token = token }), 200)
    H.request(server, "GET", "/api/v1/nowhere")
    server.stop()
    local _, err = server.output()
    local seen = {}
    for line in err:gmatch("[^\n]+") do
      local ok, o = pcall(json.decode, line)
      assert.truthy(ok and type(o) == "table", "not a JSON line: " .. line)
      assert.truthy(type(o.time) == "string" and o.time:match("^" .. STAMP .. "$"), line)
      if o.request_id then
        seen[o.request_id] = o
      end
    end
    local o = seen[r.headers["x-request-id"]]
    assert.truthy(o, err)
    assert.are.same({ client = "127.0.0.1", user = fx.ids.admin, method = "GET",
      path = "/api/v1/organisations/" .. fx.ids.org_a, route = "organisations/:id", status = 200 },
      { client = o.client, user = o.user, method = o.method, path = o.path, route = o.route,
        status = o.status })
    assert.is_true(o.ms >= 0)
    local r2 = support.run({ "serve", "--db", H.tmpdir() .. "/x.db", "--log-format", "yaml" })
    assert.are.equal(2, r2.code)
    assert.truthy(r2.stderr:find("log-format = yaml: text or json", 1, true), r2.stderr)
  end)

  it("keeps a trusted proxy's X-Request-Id, and makes its own for anyone else", function()
    local fx = H.fixture()
    local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--trusted-proxy", "127.0.0.1" } })
    local r = H.request(server, "GET", "/api/v1/health", { headers = { ["X-Request-Id"] = "nginx-4f2a" } })
    assert.are.equal("nginx-4f2a", r.headers["x-request-id"])
    r = H.request(server, "GET", "/api/v1/health", { headers = { ["X-Request-Id"] = "bad id\1" } })
    assert.truthy(r.headers["x-request-id"]:match("^%x+$"), r.headers["x-request-id"])
    server.stop()
    server = H.start_server({ db = H.fresh_db(fx.db) })
    r = H.request(server, "GET", "/api/v1/health", { headers = { ["X-Request-Id"] = "nginx-4f2a" } })
    assert.are_not.equal("nginx-4f2a", r.headers["x-request-id"])
  end)
end)

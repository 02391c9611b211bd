-- HTTP as integrators expect it (issue 19): 201 with Location, 405 with
-- Allow, 429 with Retry-After.

local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end

describe("the API's HTTP semantics", function()
  local fx, server, tokens

  setup(function()
    fx, _, server, tokens = H.world()
  end)
  teardown(H.finish)

  it("answers 201 with the Location of what it made, which reads back", function()
    local r = H.expect(H.request(server, "POST", "/api/v1/organisations",
      { token = tokens.admin, json = { name = "Coopérative Delta" } }), 201, "org")
    assert.are.equal("/api/v1/organisations/" .. r.json.id, r.headers.location)
    local back = H.expect(H.request(server, "GET", r.headers.location, { token = tokens.admin }), 200)
    assert.are.equal("Coopérative Delta", back.json.name)
    r = H.expect(H.request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/assessments",
      { token = tokens.cae_a, json = { kind = "self_assessment" } }), 201, "assessment")
    assert.are.equal("/api/v1/assessments/" .. r.json.id, r.headers.location)
    H.expect(H.request(server, "GET", r.headers.location, { token = tokens.cae_a }), 200)
    r = H.expect(H.request(server, "POST", "/api/v1/webhooks",
      { token = tokens.admin, json = { url = "https://hooks.example.org/labelcoop" } }), 201, "webhook")
    assert.are.equal("/api/v1/webhooks/" .. r.json.id, r.headers.location)
    H.expect(H.request(server, "GET", r.headers.location, { token = tokens.admin }), 200)
  end)

  it("answers 405 with the methods the path takes", function()
    local r = H.request(server, "DELETE", "/api/v1/referential")
    H.expect_error(r, 405)
    assert.are.equal("GET", r.headers.allow)
    r = H.request(server, "PUT", "/api/v1/organisations", { token = tokens.admin, json = {} })
    H.expect_error(r, 405)
    local methods = {}
    for m in r.headers.allow:gmatch("[A-Z]+") do
      methods[m] = true
    end
    assert.are.same({ GET = true, POST = true }, methods)
  end)

  it("answers 429 with Retry-After, the throttle's window", function()
    for i = 1, 5 do
      H.expect_error(H.request(server, "POST", "/api/v1/session",
        { json = { email = H.USERS.auditor_b.email, password = "wrong " .. i } }), 401)
    end
    local r = H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.auditor_b.email, password = H.PASSWORD } })
    H.expect_error(r, 429)
    assert.are.equal("900", r.headers["retry-after"])
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

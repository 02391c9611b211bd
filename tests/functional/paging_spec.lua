-- Lists in pages (issue 19): `limit` (default 100, at most 1,000) and an
-- opaque `cursor`, the answer still a JSON array, the next page in a
-- `Link: <...>; rel="next"` header; any query parameter a route does not
-- take is refused, named.

local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end

-- Follows the Link headers from path; every page's items, in order, and
-- the number of pages.
local function all_pages(server, token, path)
  local items, pages = {}, 0
  while path do
    local r = H.expect(H.request(server, "GET", path, { token = token }), 200, path)
    assert.are.equal("table", type(r.json), path)
    pages = pages + 1
    for _, item in ipairs(r.json) do
      items[#items + 1] = item
    end
    local link = r.headers.link
    path = link and link:match('^<([^>]+)>; rel="next"$')
    assert.truthy(not link or path, "a Link that is not rel=next: " .. tostring(link))
  end
  return items, pages
end

local function ids(items)
  local t = {}
  for i, item in ipairs(items) do
    t[i] = item.id
  end
  return t
end

describe("list pages", function()
  local fx, server, tokens

  setup(function()
    fx, _, server, tokens = H.world()
    local list = {}
    for i = 1, 101 do
      list[i] = { method = "POST", path = "/api/v1/organisations", token = tokens.admin,
        json = { name = string.format("Coopérative %03d", i) } }
    end
    for _, r in ipairs(H.many(server, list)) do
      H.expect(r, 201, "org")
    end
  end)
  teardown(H.finish)

  it("gives 100 items a page by default, and the same list whatever the page size", function()
    local whole = H.expect(H.request(server, "GET", "/api/v1/organisations?limit=1000",
      { token = tokens.admin }), 200).json
    assert.are.equal(103, #whole, "the fixture's two and the 101 made")
    assert.is_nil(H.request(server, "GET", "/api/v1/organisations?limit=1000",
      { token = tokens.admin }).headers.link, "no next page after the last")
    local first = H.request(server, "GET", "/api/v1/organisations", { token = tokens.admin })
    assert.are.equal(100, #first.json)
    assert.truthy(first.headers.link:find("limit=100", 1, true), first.headers.link)
    for _, size in ipairs({ 1, 7, 100 }) do
      local items, pages = all_pages(server, tokens.admin, "/api/v1/organisations?limit=" .. size)
      assert.are.same(ids(whole), ids(items), "pages of " .. size)
      assert.are.equal(math.ceil(103 / size), pages)
    end
  end)

  it("keeps a list's filter in its next page's address", function()
    for _ = 1, 3 do
      H.new_self_assessment(server, tokens.cae_a, fx.ids.org_a)
    end
    local path = "/api/v1/assessments?organisation_id=" .. fx.ids.org_a .. "&limit=2"
    local r = H.expect(H.request(server, "GET", path, { token = tokens.admin }), 200)
    assert.truthy(r.headers.link:find("organisation_id=" .. fx.ids.org_a, 1, true), r.headers.link)
    local items = all_pages(server, tokens.admin, path)
    assert.are.equal(3, #items)
    for _, a in ipairs(items) do
      assert.are.equal(fx.ids.org_a, a.organisation_id)
    end
  end)

  it("refuses a bad limit, a forged cursor and a parameter the route does not take, naming it", function()
    for query, where in pairs({
      ["limit=0"] = "?limit", ["limit=1001"] = "?limit", ["limit=ten"] = "?limit",
      ["cursor=bm9wZQ"] = "?cursor", ["cursor=%25%25"] = "?cursor", ["limt=5"] = "?limt",
      ["organisation=1"] = "?organisation",
    }) do
      H.expect_error(H.request(server, "GET", "/api/v1/organisations?" .. query, { token = tokens.admin }),
        400, where)
    end
    H.expect_error(H.request(server, "GET", "/api/v1/me?debug=1", { token = tokens.admin }), 400, "?debug")
    -- What a route does take still works.
    H.expect(H.request(server, "GET", "/api/v1/referential?ruleset="
      .. H.request(server, "GET", "/api/v1/health").json.ruleset), 200, "referential by rule set")
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

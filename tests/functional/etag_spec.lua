-- Lost updates (issue 19): an assessment and each of its answers carry an
-- entity tag (ETag); a write with If-Match is refused 412 when what it
-- would change is no longer what the caller read, and one with
-- If-None-Match: * when what it would create is there already, so two
-- auditors' tabs never overwrite each other silently. The checks are made
-- inside the write.

local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end

describe("ETag and If-Match", function()
  local fx, server, tokens, criteria, id

  local function path(c)
    return "/api/v1/assessments/" .. id .. (c and ("/answers/" .. c) or "")
  end

  -- The assessment as a tab loads it: its tag, and each answer's.
  local function load(token)
    local r = H.expect(H.request(server, "GET", path(), { token = token or tokens.cae_a }), 200, "load")
    local answers = {}
    for _, a in ipairs(r.json.answers) do
      answers[a.criterion] = a
    end
    return r.headers.etag, answers
  end

  local function put(c, comment, if_match, token)
    return H.request(server, "PUT", path(c), { token = token or tokens.cae_a,
      headers = if_match and { ["If-Match"] = if_match } or nil,
      json = { status = "met", comment = comment, evidence = {} } })
  end

  setup(function()
    fx, _, server, tokens, criteria = H.world()
    id = H.new_self_assessment(server, tokens.cae_a, fx.ids.org_a).id
    H.expect(put(criteria[1].id, "premier"), 200)
  end)
  teardown(H.finish)

  it("tags an assessment and each answer, and a PUT answers with the answer's new tag", function()
    local tag, answers = load()
    assert.truthy(tag and tag:match('^"%x+"$'), tostring(tag))
    local a = answers[criteria[1].id]
    assert.truthy(a.etag and a.etag:match('^"%x+"$'), tostring(a.etag))
    local r = H.expect(put(criteria[1].id, "deuxième", a.etag), 200, "with the tag read")
    assert.truthy(r.headers.etag and r.headers.etag ~= a.etag, tostring(r.headers.etag))
    -- What the PUT said is what a new load lists, and the assessment's tag moved.
    local tag2, answers2 = load()
    assert.are.equal(r.headers.etag, answers2[criteria[1].id].etag)
    assert.are_not.equal(tag, tag2)
  end)

  it("refuses 412 the second of two tabs writing the same answer, losing nothing", function()
    local _, answers = load()
    local read = answers[criteria[1].id].etag
    H.expect(put(criteria[1].id, "onglet A", read), 200, "tab A")
    local r = put(criteria[1].id, "onglet B", read)
    H.expect_error(r, 412)
    local _, now = load()
    assert.are.equal("onglet A", now[criteria[1].id].comment)
    -- Tab B reloads and writes again.
    H.expect(put(criteria[1].id, "onglet B", now[criteria[1].id].etag), 200, "tab B after a reload")
    -- Without If-Match, the last write wins, as before.
    H.expect(put(criteria[1].id, "sans condition"), 200)
  end)

  it("answers 412 for an answer that is not there, or a tag that is no tag", function()
    H.expect_error(put(criteria[2].id, "nouveau", "*"), 412)
    H.expect_error(put(criteria[2].id, "nouveau", '"0123"'), 412)
    local _, answers = load()
    assert.is_nil(answers[criteria[2].id], "nothing written")
    H.expect_error(put(criteria[1].id, "x", "W/" .. answers[criteria[1].id].etag), 412)
    H.expect_error(put(criteria[1].id, "x", "not a tag at all"), 412)
    -- One of a list, and "*" for an answer that is there, match.
    H.expect(put(criteria[1].id, "liste", '"aaaa", ' .. answers[criteria[1].id].etag), 200)
    H.expect(put(criteria[1].id, "étoile", "*"), 200)
  end)

  it("creates with If-None-Match: * only what is not there yet: of racing creations, one lands", function()
    local function create(c, comment)
      return H.request(server, "PUT", path(c), { token = tokens.cae_a, headers = { ["If-None-Match"] = "*" },
        json = { status = "met", comment = comment, evidence = {} } })
    end
    H.expect(create(criteria[4].id, "onglet A"), 200, "the first creation")
    H.expect_error(create(criteria[4].id, "onglet B"), 412)
    local _, now = load()
    assert.are.equal("onglet A", now[criteria[4].id].comment)
    local list = {}
    for i = 1, 16 do
      list[i] = { method = "PUT", path = path(criteria[5].id), token = tokens.cae_a,
        headers = { ["If-None-Match"] = "*" }, json = { status = "met", comment = "course " .. i, evidence = {} } }
    end
    local codes = {}
    for _, status in ipairs(H.race(server, list)) do
      codes[status] = (codes[status] or 0) + 1
    end
    assert.are.same({ [200] = 1, [412] = 15 }, codes)
  end)

  it("refuses 412 a change of the assessment read before another one", function()
    local audit = H.new_audit(server, tokens.committee, fx.ids.org_a, fx.ids.auditor).id
    local apath = "/api/v1/assessments/" .. audit
    local tag = H.expect(H.request(server, "GET", apath, { token = tokens.committee }), 200).headers.etag
    -- Someone answers meanwhile: the audit's tag moves.
    H.expect(H.request(server, "PUT", apath .. "/answers/" .. criteria[3].id, { token = tokens.auditor,
      json = { status = "met", comment = "", evidence = {} } }), 200)
    H.expect_error(H.request(server, "PATCH", apath, { token = tokens.committee,
      headers = { ["If-Match"] = tag }, json = { auditor_id = fx.ids.auditor_b } }), 412)
    local fresh = H.request(server, "GET", apath, { token = tokens.committee })
    assert.are.equal(fx.ids.auditor, fresh.json.auditor_id, "nothing changed")
    H.expect(H.request(server, "PATCH", apath, { token = tokens.committee,
      headers = { ["If-Match"] = fresh.headers.etag }, json = { auditor_id = fx.ids.auditor_b } }), 200)
  end)

  it("checks inside the write: of concurrent writes with one tag, exactly one lands", function()
    local _, answers = load()
    local read = answers[criteria[1].id].etag
    local list = {}
    for i = 1, 16 do
      list[i] = { method = "PUT", path = path(criteria[1].id), token = tokens.cae_a,
        headers = { ["If-Match"] = read }, json = { status = "met", comment = "course " .. i, evidence = {} } }
    end
    local ok, refused = 0, 0
    for _, status in ipairs(H.race(server, list)) do
      if status == 200 then
        ok = ok + 1
      elseif status == 412 then
        refused = refused + 1
      end
    end
    assert.are.same({ 1, 15 }, { ok, refused })
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

-- The permission matrix (issue 3): every endpoint x every role, anonymous
-- and another CAE's member included, gets exactly the allowed status. Then
-- what the lists show each role, the CSRF rule for cookie sessions, API
-- tokens, and the login rate limit.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

local request, expect, expect_error = H.request, H.expect, H.expect_error

-- Who calls: "anon" sends no credentials; the others their bearer token.
-- auditor is the auditor assigned to the audits below; auditor_b is not
-- (and belongs to org B); cae_b is the other CAE's member.
local ROLES = { "anon", "cae_a", "cae_b", "auditor", "auditor_b", "committee", "admin" }

local function E(...)
  local list = { ... }
  assert(#list == #ROLES, "a matrix row needs " .. #ROLES .. " statuses")
  local m = {}
  for i, role in ipairs(ROLES) do
    m[role] = list[i]
  end
  return m
end

local function all(status)
  return E(status, status, status, status, status, status, status)
end

local function logged_in(status)
  return E(401, status, status, status, status, status, status)
end

local function answer_body()
  return { status = "partial", comment = "Matrice", evidence = { "PV" } }
end

-- The matrix. Placeholders in paths: {org_a} {org_b} {sa} (a draft
-- self-assessment of org A) {audit} (a draft audit of org A assigned to
-- `auditor`) {submitted} (a submitted audit of org A) {item} (an action
-- item of org A). `fresh` names a maker of a new resource for the roles
-- whose expected status is 2xx (their request changes its state);
-- `fresh_token` logs in again for that row.
local MATRIX = {
  --  method   path                                              anon cae_a cae_b aud aud_b comm admin
  { "POST", "/api/v1/session",                                   all(201),
    body = function() return { email = "committee@x.test", password = H.PASSWORD } end },
  { "GET", "/api/v1/me",                                         logged_in(200) },
  { "GET", "/api/v1/referential",                                all(200) },
  { "GET", "/api/v1/public/labels",                              all(200) },
  { "GET", "/api/v1/labels",                                     logged_in(200) },
  { "GET", "/api/v1/good-practices?criterion=JF-01",             logged_in(200) },
  { "GET", "/api/v1/organisations",                              logged_in(200) },
  { "POST", "/api/v1/organisations",                             E(401, 403, 403, 403, 403, 403, 201),
    body = function(_, role)
      return { name = "Coopérative de " .. role, legal_form = "SCOP SA", city = "Brest", region = "Bretagne",
        member_since = "2020-02-02" }
    end },
  { "GET", "/api/v1/organisations/{org_a}",                      E(401, 200, 403, 200, 200, 200, 200) },
  { "GET", "/api/v1/organisations/{org_b}",                      E(401, 403, 200, 200, 200, 200, 200) },
  { "POST", "/api/v1/organisations/{org_a}/assessments",         E(401, 201, 403, 403, 403, 403, 403),
    body = function() return { kind = "self_assessment" } end, label = "self_assessment" },
  { "POST", "/api/v1/organisations/{org_b}/assessments",         E(401, 403, 201, 403, 403, 403, 403),
    body = function() return { kind = "self_assessment" } end, label = "self_assessment" },
  { "POST", "/api/v1/organisations/{org_a}/assessments",         E(401, 403, 403, 403, 403, 201, 201),
    body = function(ctx) return { kind = "audit", auditor_id = ctx.auditor_id } end, label = "audit" },
  -- a draft audit given to another auditor: by whoever opens audits
  { "PATCH", "/api/v1/assessments/{audit}",                      E(401, 403, 403, 403, 403, 200, 200),
    fresh = "audit", body = function(ctx) return { auditor_id = ctx.auditor_b_id } end },
  { "PATCH", "/api/v1/assessments/{sa}",                         E(401, 403, 403, 403, 403, 409, 409),
    body = function(ctx) return { auditor_id = ctx.auditor_b_id } end, label = "self-assessment" },
  { "GET", "/api/v1/assessments",                                logged_in(200) },
  -- An auditor with an audit of org A reads its submitted self-assessments
  -- beside the audit's findings (issue 7, the browser specs); a draft, like
  -- this one, stays the CAE's own.
  { "GET", "/api/v1/assessments/{sa}",                           E(401, 200, 403, 403, 403, 200, 200) },
  { "GET", "/api/v1/assessments/{sa}/evaluation",                E(401, 200, 403, 403, 403, 200, 200) },
  { "GET", "/api/v1/assessments/{audit}",                        E(401, 200, 403, 200, 403, 200, 200) },
  { "GET", "/api/v1/assessments/{audit}/evaluation",             E(401, 200, 403, 200, 403, 200, 200) },
  { "GET", "/api/v1/assessments/{submitted}",                    E(401, 200, 403, 200, 403, 200, 200) },
  { "GET", "/api/v1/assessments/999999",                         E(401, 404, 404, 404, 404, 404, 404) },
  -- Findings are written by those who answer for them: the CAE's members
  -- (self-assessment), the assigned certified auditor (audit); an admin
  -- administers and writes none (issue 17).
  { "PUT", "/api/v1/assessments/{sa}/answers/JF-01",             E(401, 200, 403, 403, 403, 403, 403),
    body = answer_body },
  { "PUT", "/api/v1/assessments/{audit}/answers/JF-01",          E(401, 403, 403, 200, 403, 403, 403),
    body = answer_body },
  { "PUT", "/api/v1/assessments/{audit}/stakeholders",           E(401, 403, 403, 200, 403, 403, 403),
    body = function() return H.STAKEHOLDERS end },
  -- allowed callers in the wrong state get 409; the others still 403
  { "PUT", "/api/v1/assessments/{sa}/stakeholders",              E(401, 409, 403, 403, 403, 403, 403),
    body = function() return H.STAKEHOLDERS end, label = "self-assessment" },
  { "PUT", "/api/v1/assessments/{submitted}/answers/JF-01",      E(401, 403, 403, 409, 403, 403, 403),
    body = answer_body, label = "submitted" },
  { "POST", "/api/v1/assessments/{audit}/decision",              E(401, 403, 403, 403, 403, 409, 403),
    body = function() return { outcome = "refused", date = H.today(), recommendations = {}, good_practices = {} } end,
    label = "draft" },
  { "POST", "/api/v1/assessments/{sa}/decision",                 E(401, 403, 403, 403, 403, 409, 403),
    body = function() return { outcome = "refused", date = H.today(), recommendations = {}, good_practices = {} } end,
    label = "self-assessment" },
  { "GET", "/api/v1/organisations/{org_a}/action-items",         E(401, 200, 403, 403, 403, 200, 200) },
  { "POST", "/api/v1/organisations/{org_a}/action-items",        E(401, 201, 403, 403, 403, 403, 403),
    body = function(_, role)
      return { criterion = "RH-03", action = "Action de " .. role, owner = role, due = "2027-01-31", status = "todo" }
    end },
  { "PATCH", "/api/v1/organisations/{org_a}/action-items/{item}", E(401, 200, 403, 403, 403, 403, 403),
    body = function() return { status = "doing" } end },
  -- the good-practice sharing endpoints the server adds for the issue's
  -- "those the CAE agrees to share" (not in the written contract): read
  -- like the action plan
  { "GET", "/api/v1/organisations/{org_a}/good-practices",       E(401, 200, 403, 403, 403, 200, 200) },
  -- Sharing a practice is the CAE's own consent: nobody gives it for them.
  { "PATCH", "/api/v1/good-practices/{practice}",                E(401, 200, 403, 403, 403, 403, 403),
    body = function() return { shared = true } end },
  { "POST", "/api/v1/tokens",                                    E(401, 403, 403, 403, 403, 403, 201),
    body = function(_, role) return { name = "intégration " .. role } end },
  { "GET", "/api/v1/tokens",                                     E(401, 403, 403, 403, 403, 403, 200) },
  { "DELETE", "/api/v1/tokens/0123456789abcdef",                 E(401, 403, 403, 403, 403, 403, 404) },
  -- invitations (issue 21): the committee invites too; accepting and the
  -- forgotten password are public (an unknown link: 404)
  { "POST", "/api/v1/invitations",                               E(401, 403, 403, 403, 403, 201, 201),
    body = function(_, role) return { email = "invite-" .. role .. "@x.test", name = "Invité", role = "auditor" } end },
  { "GET", "/api/v1/invitations",                                E(401, 403, 403, 403, 403, 403, 200) },
  { "DELETE", "/api/v1/invitations/999999",                      E(401, 403, 403, 403, 403, 403, 404) },
  { "POST", "/api/v1/invitations/unknown/accept",                all(404),
    body = function() return { password = "Mot de passe choisi" } end },
  { "POST", "/api/v1/password-reset",                            all(202),
    body = function(_, role) return { email = "reset-" .. role .. "@x.test" } end },
  { "POST", "/api/v1/password-reset/unknown",                    all(404),
    body = function() return { password = "Mot de passe choisi" } end },
  { "PATCH", "/api/v1/users/{auditor_id}",                       E(401, 403, 403, 403, 403, 403, 200),
    body = function() return { name = H.USERS.auditor.name } end },
  { "POST", "/api/v1/assessments/{sa}/submit",                   E(401, 200, 403, 403, 403, 403, 403),
    fresh = "sa" },
  { "POST", "/api/v1/assessments/{audit}/submit",                E(401, 403, 403, 200, 403, 403, 403),
    fresh = "audit" },
  { "POST", "/api/v1/assessments/{submitted}/decision",          E(401, 403, 403, 403, 403, 201, 403),
    fresh = "submitted",
    body = function() return { outcome = "refused", date = H.today(), recommendations = { "R" }, good_practices = {} } end },
  -- People, not roles (issue 21): the role a session acts in is one the
  -- person holds; roles are the admin's to give; a CAE's team its
  -- responsible member's (cae_a, made so in setup) and the admin's.
  { "PUT", "/api/v1/session/role",                               E(401, 200, 200, 400, 400, 400, 400),
    fresh_token = true, body = function() return { role = "cae" } end },
  { "POST", "/api/v1/users/{expired_auditor_id}/roles",          E(401, 403, 403, 403, 403, 403, 201),
    body = function() return { role = "committee" } end },
  { "DELETE", "/api/v1/users/{expired_auditor_id}/roles/committee", E(401, 403, 403, 403, 403, 403, 200) },
  { "GET", "/api/v1/organisations/{org_a}/team",                 E(401, 200, 403, 403, 403, 403, 200) },
  { "GET", "/api/v1/organisations/{org_b}/team",                 E(401, 403, 403, 403, 403, 403, 200) },
  { "PATCH", "/api/v1/organisations/{org_a}/team/{colleague_id}", E(401, 200, 403, 403, 403, 403, 200),
    body = function() return { disabled = false } end },
  { "DELETE", "/api/v1/organisations/{org_a}/team/{member}",     E(401, 200, 403, 403, 403, 403, 200),
    fresh = "member" },
  -- notifications are each person's own (issue 21); the e-mail outbox the
  -- administrators'; an unsubscribe link needs no login, only a right token
  { "GET", "/api/v1/me/notifications",                           logged_in(200) },
  { "PUT", "/api/v1/me/notifications",                           logged_in(200),
    body = function() return { label_expiring = true } end },
  { "GET", "/api/v1/notifications",                              logged_in(200) },
  { "GET", "/api/v1/notifications/unread",                       logged_in(200) },
  { "POST", "/api/v1/notifications/read",                        logged_in(200) },
  { "POST", "/api/v1/notifications/{note_a}/read",               E(401, 200, 404, 404, 404, 404, 404) },
  { "GET", "/api/v1/mail",                                       E(401, 403, 403, 403, 403, 403, 200) },
  { "GET", "/api/v1/unsubscribe/1-00112233/audit_assigned",      all(404) },
  { "POST", "/api/v1/unsubscribe/1-00112233/audit_assigned",     all(404) },
  { "DELETE", "/api/v1/session",                                 logged_in(204), fresh_token = true },
}

-- A matrix path with its placeholders filled from vars.
local function path_of(template, vars)
  return (template:gsub("{([%w_]+)}", function(k)
    return tostring(assert(vars[k], "no value for {" .. k .. "}"))
  end))
end

describe("permissions", function()
  local fx, ids, server, tokens, criteria
  local ctx = {}
  local makers = {}

  setup(function()
    fx, _, server, tokens, criteria = H.world()
    ids = fx.ids
    ctx.org_a, ctx.org_b, ctx.auditor_id, ctx.auditor_b_id = ids.org_a, ids.org_b, ids.auditor, ids.auditor_b
    ctx.expired_auditor_id = ids.expired_auditor
    expect(request(server, "PATCH", "/api/v1/users/" .. ids.cae_a .. "/roles/cae",
      { token = tokens.admin, json = { responsible = true } }), 200, "cae_a responsible")
    local colleagues = 0
    makers.member = function()
      colleagues = colleagues + 1
      return expect(request(server, "POST", "/api/v1/users", { token = tokens.admin,
        json = { email = "colleague" .. colleagues .. "@x.test", name = "Colette Collègue", role = "cae",
          organisation_id = ids.org_a, password = H.PASSWORD } }), 201, "a colleague").json.id
    end
    ctx.colleague_id = makers.member()
    ctx.member = ctx.colleague_id
    ctx.sa = H.new_self_assessment(server, tokens.cae_a, ids.org_a).id
    ctx.sa_b = H.new_self_assessment(server, tokens.cae_b, ids.org_b).id
    ctx.audit = H.new_audit(server, tokens.committee, ids.org_a, ids.auditor).id
    ctx.submitted = H.submitted_audit(server, tokens.committee, tokens.auditor, ids.org_a, ids.auditor, criteria).id
    local item = expect(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/action-items", {
      token = tokens.cae_a,
      json = { criterion = "JF-01", action = "Mettre à jour les statuts", owner = "Alice", due = "2027-01-01",
        status = "todo" },
    }), 201, "action item")
    ctx.item = item.json.id
    local decided = H.submitted_audit(server, tokens.committee, tokens.auditor, ids.org_a, ids.auditor, criteria)
    expect(request(server, "POST", "/api/v1/assessments/" .. decided.id .. "/decision", {
      token = tokens.committee,
      json = { outcome = "refused", date = H.today(), recommendations = {},
        good_practices = { { criterion = "AC-02", text = "Un café des entrepreneurs chaque mois." } } },
    }), 201, "decision with a good practice")
    local own = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_a .. "/good-practices",
      { token = tokens.committee }), 200, "org good practices")
    ctx.practice = own.json[1] and own.json[1].id
    -- the audit assigned above, in cae_a's notifications
    local notes = expect(request(server, "GET", "/api/v1/notifications", { token = tokens.cae_a }), 200,
      "notifications")
    ctx.note_a = notes.json[#notes.json].id

    -- makers of fresh resources, complete so that submitting is possible
    makers.sa = function()
      local sa = H.new_self_assessment(server, tokens.cae_a, ids.org_a)
      H.answer_all(server, tokens.cae_a, sa.id, criteria)
      return sa.id
    end
    makers.audit = function()
      local a = H.new_audit(server, tokens.committee, ids.org_a, ids.auditor)
      H.answer_all(server, tokens.auditor, a.id, criteria)
      expect(request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/stakeholders",
        { token = tokens.auditor, json = H.STAKEHOLDERS }), 200, "stakeholders")
      return a.id
    end
    makers.submitted = function()
      return H.submitted_audit(server, tokens.committee, tokens.auditor, ids.org_a, ids.auditor, criteria).id
    end
  end)

  teardown(function()
    H.stop_all()
    H.cleanup()
  end)

  describe("matrix", function()
    for _, row in ipairs(MATRIX) do
      local method, template, expected = row[1], row[2], row[3]
      for _, role in ipairs(ROLES) do
        local status = expected[role]
        local name = string.format("%s %s%s as %s -> %d", method, template,
          row.label and (" (" .. row.label .. ")") or "", role, status)
        it(name, function()
          local vars = setmetatable({}, { __index = ctx })
          if row.fresh and status < 300 then
            vars[row.fresh] = makers[row.fresh]()
          end
          local path = path_of(template, vars)
          local token
          if role ~= "anon" then
            token = row.fresh_token and H.login(server, H.USERS[role].email) or tokens[role]
          end
          local opts = { token = token }
          if row.body then
            opts.json = row.body(vars, role)
          elseif method == "POST" or method == "PUT" or method == "PATCH" then
            opts.json = json.object({})
          end
          local r = request(server, method, path, opts)
          if status >= 400 then
            expect_error(r, status)
          else
            expect(r, status)
            if status ~= 204 then
              assert(r.json ~= nil, "a " .. status .. " without a JSON body: " .. H.show(r))
            end
          end
        end)
      end
    end
  end)

  describe("lists", function()
    local function ids_of(list)
      local set = {}
      for _, x in ipairs(list) do
        set[x.id] = x
      end
      return set
    end

    it("GET /assessments shows each role exactly what it may read", function()
      local everything = ids_of(expect(request(server, "GET", "/api/v1/assessments", { token = tokens.committee }),
        200).json)
      local admin = ids_of(expect(request(server, "GET", "/api/v1/assessments", { token = tokens.admin }), 200).json)
      for _, id in ipairs({ ctx.sa, ctx.sa_b, ctx.audit, ctx.submitted }) do
        assert.truthy(everything[id], "committee does not see assessment " .. id)
        assert.truthy(admin[id], "admin does not see assessment " .. id)
      end
      assert.are.same(support.keys(everything), support.keys(admin))
      local expect_visible = {
        cae_a = function(a) return a.organisation_id == ids.org_a end,
        cae_b = function(a) return a.organisation_id == ids.org_b end,
        auditor = function(a) return a.kind == "audit" and a.auditor_id == ids.auditor end,
        -- only the audits given to them by the matrix's PATCH rows
        auditor_b = function(a) return a.kind == "audit" and a.auditor_id == ids.auditor_b end,
      }
      for role, visible in pairs(expect_visible) do
        local seen = ids_of(expect(request(server, "GET", "/api/v1/assessments", { token = tokens[role] }), 200).json)
        for id, a in pairs(everything) do
          if visible(a) then
            assert.truthy(seen[id], role .. " does not see assessment " .. id)
          else
            assert.is_nil(seen[id], role .. " sees assessment " .. id .. " (" .. tostring(a.kind) .. " of org "
              .. tostring(a.organisation_id) .. ")")
          end
        end
        for id in pairs(seen) do
          assert.truthy(everything[id], role .. " sees an assessment the committee does not: " .. id)
        end
      end
      assert.truthy(everything[ctx.sa].kind == "self_assessment")
    end)

    it("GET /organisations shows a CAE member only its own organisation, the others all", function()
      for role, expected in pairs({ cae_a = { ids.org_a }, cae_b = { ids.org_b } }) do
        local r = expect(request(server, "GET", "/api/v1/organisations", { token = tokens[role] }), 200)
        assert.are.equal(1, #r.json, role .. ": " .. r.body)
        assert.are.equal(expected[1], r.json[1].id)
      end
      for _, role in ipairs({ "auditor", "auditor_b", "committee", "admin" }) do
        local r = expect(request(server, "GET", "/api/v1/organisations", { token = tokens[role] }), 200)
        local set = ids_of(r.json)
        assert.truthy(set[ids.org_a] and set[ids.org_b], role .. " does not see both organisations: " .. r.body)
        assert.are.equal("Coopérative Alpha", set[ids.org_a].name)
        assert.are.equal("Coopérative Beta", set[ids.org_b].name)
      end
    end)

    it("GET /organisations/{id}/action-items of org A shows only org A's items", function()
      local r = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_a .. "/action-items",
        { token = tokens.committee }), 200)
      local set = ids_of(r.json)
      assert.truthy(set[ctx.item], "the item is missing: " .. r.body)
      local b = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_b .. "/action-items",
        { token = tokens.committee }), 200)
      assert.is_nil(ids_of(b.json)[ctx.item], "org A's item listed for org B")
    end)

    it("a forbidden request changes nothing", function()
      local before = expect(request(server, "GET", "/api/v1/assessments/" .. ctx.sa, { token = tokens.committee }), 200)
      expect_error(request(server, "PUT", "/api/v1/assessments/" .. ctx.sa .. "/answers/JF-02",
        { token = tokens.cae_b, json = { status = "not_met", comment = "intrus", evidence = {} } }), 403)
      expect_error(request(server, "PATCH", "/api/v1/organisations/" .. ids.org_a .. "/action-items/" .. ctx.item,
        { token = tokens.cae_b, json = { status = "done" } }), 403)
      local after = expect(request(server, "GET", "/api/v1/assessments/" .. ctx.sa, { token = tokens.committee }), 200)
      assert.are.same(before.json, after.json)
      local items = expect(request(server, "GET", "/api/v1/organisations/" .. ids.org_a .. "/action-items",
        { token = tokens.committee }), 200)
      for _, item in ipairs(items.json) do
        if item.id == ctx.item then
          assert.are_not.equal("done", item.status)
        end
      end
    end)
  end)

  -- A person holding two roles (issue 21), member of org A and certified
  -- auditor, reaches through each exactly what that role's holder does: as
  -- the CAE member what cae_a does (but its team: cae_a is its responsible
  -- member, this person is not), as the auditor what auditor_b does (an
  -- auditor with no audit here). Every reading row of the matrix, both ways.
  describe("a person of two roles", function()
    local as = {}
    local differs = { cae = { ["/api/v1/organisations/{org_a}/team"] = 403 }, auditor = {} }
    local column = { cae = "cae_a", auditor = "auditor_b" }

    setup(function()
      local u = expect(request(server, "POST", "/api/v1/users", { token = tokens.admin, json = { email = "both@x.test",
        name = "Béa Deux-Rôles", role = "cae", organisation_id = ids.org_a, password = H.PASSWORD } }), 201).json
      expect(request(server, "POST", "/api/v1/users/" .. u.id .. "/roles", { token = tokens.admin,
        json = { role = "auditor", certified_until = "2030-12-31" } }), 201)
      for role in pairs(column) do
        as[role] = expect(request(server, "POST", "/api/v1/session",
          { json = { email = "both@x.test", password = H.PASSWORD, role = role } }), 201).json.token
      end
    end)

    for _, row in ipairs(MATRIX) do
      local method, template, expected = row[1], row[2], row[3]
      for _, role in ipairs({ "cae", "auditor" }) do
        if method == "GET" and not row.fresh then
          local status = differs[role][template] or expected[column[role]]
          it(string.format("GET %s as the %s role -> %d, as %s", template, role, status, column[role]), function()
            local r = request(server, method, path_of(template, ctx), { token = as[role] })
            if status >= 400 then
              expect_error(r, status)
            else
              expect(r, status)
            end
          end)
        end
      end
    end
  end)

  describe("cookie sessions and CSRF", function()
    local cookie, csrf, path

    setup(function()
      local _, r = H.login(server, H.USERS.cae_a.email)
      cookie, csrf = r.json.token, r.json.csrf_token
      path = "/api/v1/assessments/" .. ctx.sa .. "/answers/SO-03"
    end)

    local function comment_of_so03()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. ctx.sa, { token = tokens.committee }), 200)
      for _, a in ipairs(r.json.answers) do
        if a.criterion == "SO-03" then
          return a.comment
        end
      end
      return nil
    end

    it("reads with the cookie alone", function()
      local r = expect(request(server, "GET", "/api/v1/me", { cookie = cookie }), 200)
      assert.are.equal(ids.cae_a, r.json.id)
    end)

    it("refuses a cookie-authenticated change without Origin or CSRF token (403), changing nothing", function()
      local before = comment_of_so03()
      expect_error(request(server, "PUT", path, { cookie = cookie,
        json = { status = "met", comment = "sans origine", evidence = {} } }), 403)
      assert.are.equal(before, comment_of_so03())
    end)

    it("refuses a cookie-authenticated change from another origin (403)", function()
      expect_error(request(server, "PUT", path, { cookie = cookie, headers = { Origin = "http://evil.test" },
        json = { status = "met", comment = "autre origine", evidence = {} } }), 403)
      expect_error(request(server, "PUT", path, { cookie = cookie,
        headers = { Origin = "http://127.0.0.1:" .. (server.port == 1 and 2 or server.port - 1) },
        json = { status = "met", comment = "autre port", evidence = {} } }), 403)
      assert.are_not.equal("autre origine", comment_of_so03())
      assert.are_not.equal("autre port", comment_of_so03())
    end)

    it("refuses a cookie-authenticated change with a wrong CSRF token (403)", function()
      expect_error(request(server, "PUT", path, { cookie = cookie, headers = { ["X-CSRF-Token"] = "0" .. csrf },
        json = { status = "met", comment = "mauvais jeton", evidence = {} } }), 403)
      assert.are_not.equal("mauvais jeton", comment_of_so03())
    end)

    it("accepts a cookie-authenticated change with the right Origin", function()
      expect(request(server, "PUT", path, { cookie = cookie, headers = { Origin = server.origin },
        json = { status = "met", comment = "bonne origine", evidence = {} } }), 200)
      assert.are.equal("bonne origine", comment_of_so03())
    end)

    it("accepts a cookie-authenticated change with the CSRF token", function()
      expect(request(server, "PUT", path, { cookie = cookie, headers = { ["X-CSRF-Token"] = csrf },
        json = { status = "met", comment = "jeton CSRF", evidence = {} } }), 200)
      assert.are.equal("jeton CSRF", comment_of_so03())
    end)

    it("accepts a bearer-authenticated change with neither", function()
      expect(request(server, "PUT", path, { token = cookie,
        json = { status = "met", comment = "porteur", evidence = {} } }), 200)
      assert.are.equal("porteur", comment_of_so03())
    end)

    it("refuses a cookie-authenticated logout without Origin, and the session stays", function()
      expect_error(request(server, "DELETE", "/api/v1/session", { cookie = cookie }), 403)
      expect(request(server, "GET", "/api/v1/me", { cookie = cookie }), 200)
    end)
  end)

  describe("API tokens", function()
    it("are created by the admin, shown once, and work as bearer tokens", function()
      local r = expect(request(server, "POST", "/api/v1/tokens", { token = tokens.admin, json = { name = "export" } }),
        201)
      assert.are.equal("export", r.json.name)
      assert.is_string(r.json.token)
      assert.is_true(#r.json.token >= 43, "token too short: " .. r.json.token)
      local me = expect(request(server, "GET", "/api/v1/me", { token = r.json.token }), 200)
      assert.are.equal(ids.admin, me.json.id)
      assert.are.equal("admin", me.json.role)
      local o = expect(request(server, "POST", "/api/v1/organisations", { token = r.json.token,
        json = { name = "Coopérative Delta", legal_form = "SCOP SARL", city = "Dijon", region = "Bourgogne",
          member_since = "2018-04-04" } }), 201)
      assert.are.equal("Coopérative Delta", o.json.name)
      local again = expect(request(server, "POST", "/api/v1/tokens", { token = tokens.admin,
        json = { name = "export" } }), 201)
      assert.are_not.equal(r.json.token, again.json.token)
    end)
  end)

  describe("the login rate limit", function()
    it("answers 429 for an account after 5 failures, even with the right password; others still log in", function()
      local limited = H.start_server({ db = H.fresh_db(fx.db) })
      local body = { email = H.USERS.cae_b.email, password = "wrong password" }
      for i = 1, 5 do
        expect_error(request(limited, "POST", "/api/v1/session", { json = body }), 401, nil, "failure " .. i)
      end
      expect_error(request(limited, "POST", "/api/v1/session", { json = body }), 429, nil, "6th attempt")
      expect_error(request(limited, "POST", "/api/v1/session",
        { json = { email = H.USERS.cae_b.email, password = H.PASSWORD } }), 429, nil, "right password when limited")
      expect_error(request(limited, "POST", "/api/v1/session",
        { json = { email = "CAE-B@x.test", password = H.PASSWORD } }), 429, nil, "same account, other case")
      local token = H.login(limited, H.USERS.cae_a.email)
      expect(request(limited, "GET", "/api/v1/me", { token = token }), 200)
      -- the limit is for failures: successful logins never trip it
      for i = 1, 6 do
        H.login(limited, H.USERS.committee.email)
      end
      assert.are.equal(0, limited.stop())
    end)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

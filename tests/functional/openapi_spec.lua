-- GET /api/v1/openapi.json (issue 19): the API's OpenAPI 3.1 description.
-- The document is valid (its schemas compile as JSON Schema 2020-12), and a
-- scenario calls every operation it documents with the role that may: each
-- answers (no 404, no 405), with a documented status and a body its schema
-- accepts, and each body the server took fits the documented request
-- (openapi_check.py, one python3 process over all the recorded answers, see
-- openapi_support.lua; the API's other specs check their own answers the
-- same way). That each route of api.c is in the document, and back, is
-- unit.openapi_routes.

local support = require "support"
local H = require "http_support"
local json = support.json

local L = require "lifecycle_support"
local O = require "openapi_support"

local request, expect, expect_error = H.request, H.expect, H.expect_error

describe("openapi.json", function()
  local fx, db, server, tokens, criteria, doc_file

  setup(function()
    O.record()
    fx, db, server, tokens, criteria = H.world()
    doc_file = O.document(server)
  end)

  teardown(function()
    H.record_to(nil)
    H.finish()
  end)

  it("is served to anyone, as JSON, with an ETag that revalidates", function()
    local r = expect(request(server, "GET", "/api/v1/openapi.json"), 200)
    assert.is_truthy(r.headers["content-type"]:match("^application/json"), r.headers["content-type"])
    assert.are.equal("3.1.0", r.json.openapi)
    local version = support.run({ "version" }).stdout
    assert.is_truthy(version:find(r.json.info.version, 1, true), version .. " vs " .. r.json.info.version)
    local etag = assert(r.headers.etag, "no ETag")
    local again = request(server, "GET", "/api/v1/openapi.json", { headers = { ["If-None-Match"] = etag } })
    expect(again, 304)
    assert.are.equal("", again.body)
    assert.are.equal(etag, again.headers.etag)
    -- a tag that is not the document's gets the document
    expect(request(server, "GET", "/api/v1/openapi.json", { headers = { ["If-None-Match"] = '"0"' } }), 200)
    O.run(doc_file, { "--document" })
  end)

  it("refuses a query, and methods other than GET, like every route", function()
    expect_error(request(server, "GET", "/api/v1/openapi.json?x=1"), 400)
    for _, m in ipairs({ "POST", "PUT", "DELETE", "PATCH" }) do
      local r = request(server, m, "/api/v1/openapi.json", { json = json.object({}) })
      expect_error(r, 405)
      assert.are.equal("GET", r.headers.allow)
    end
    local head = request(server, "HEAD", "/api/v1/openapi.json", { curl_args = { "-I" } })
    assert.are.equal(405, head.status, H.show(head))
    assert.are.equal("GET", head.headers.allow)
  end)

  local wrong = {} -- every unexpected status of the scenarios, told at once
  local function call(method, path, token, body, status)
    local r = request(server, method, "/api/v1" .. path, { token = token, json = body })
    if status and r.status ~= status then
      wrong[#wrong + 1] = "expected " .. status .. ": " .. H.show(r)
    end
    return r.json, r
  end

  -- Every operation, with the role that may, on a world with two CAEs: each
  -- answer is recorded, then checked against the document at the end.
  it("answers every documented operation as documented", function()
    local ids, t = fx.ids, tokens
    local hash = call("GET", "/referential", nil, nil, 200).ruleset
    call("GET", "/health", nil, nil, 200)
    call("GET", "/public/labels", nil, nil, 200)
    call("GET", "/referential?ruleset=" .. hash, nil, nil, 200)
    call("GET", "/referential?ruleset=" .. string.rep("0", 64), nil, nil, 404)
    call("POST", "/session", nil, { email = H.USERS.cae_a.email, password = "wrong" }, 401)
    call("GET", "/me", nil, nil, 401)
    call("GET", "/me", t.cae_a, nil, 200)
    -- accounts
    local token = call("POST", "/tokens", t.admin, { name = "Intégration" }, 201)
    local listed = call("GET", "/tokens", t.admin, nil, 200)
    call("DELETE", "/tokens/" .. listed[1].id, t.admin, nil, 204)
    call("DELETE", "/tokens/" .. listed[1].id, t.admin, nil, 404)
    assert.is_string(token.token)
    call("GET", "/users?limit=2", t.admin, nil, 200)
    local member = call("POST", "/users", t.admin, { email = "nouveau@x.test", name = "Nina Nouvelle",
      role = "committee", password = H.PASSWORD }, 201)
    call("POST", "/users", t.admin, { email = "nouveau@x.test", name = "Nina", role = "cae" }, nil)
    call("PATCH", "/users/" .. member.id, t.admin, { name = "Nina Nouvelle-Vague" }, 200)
    call("POST", "/users/" .. member.id .. "/confirm-role", t.committee, nil, 200)
    call("POST", "/users/" .. member.id .. "/confirm-role", t.committee, nil, 409)
    local nina = H.login(server, "nouveau@x.test")
    call("PUT", "/me/password", nina, { current = H.PASSWORD, new = "another horse battery" }, 204)
    call("PUT", "/me/password", nina, { current = "nope", new = "x" }, nil)
    -- a person's roles, the role a session acts in, a CAE's team
    call("POST", "/users/" .. member.id .. "/roles", t.admin, { role = "cae", organisation_id = ids.org_a }, 201)
    call("POST", "/users/" .. member.id .. "/roles", t.admin, { role = "cae", organisation_id = ids.org_a }, 409)
    call("PATCH", "/users/" .. member.id .. "/roles/cae", t.admin, { responsible = true }, 200)
    call("PUT", "/session/role", nina, { role = "cae" }, 200)
    call("PUT", "/session/role", nina, { role = "auditor" }, 400)
    call("GET", "/organisations/" .. ids.org_a .. "/team", nina, nil, 200)
    call("PATCH", "/organisations/" .. ids.org_a .. "/team/" .. member.id, t.admin, { responsible = false }, 200)
    call("PUT", "/session/role", nina, { role = "committee" }, 200)
    call("DELETE", "/organisations/" .. ids.org_a .. "/team/" .. member.id, t.admin, nil, 200)
    call("POST", "/users/" .. member.id .. "/roles", t.admin, { role = "auditor", certified_until = "2030-01-01" },
      201)
    call("DELETE", "/users/" .. member.id .. "/roles/auditor", t.admin, nil, 200)
    call("DELETE", "/users/" .. member.id .. "/roles/auditor", t.admin, nil, 404)
    call("DELETE", "/session", nina, nil, 204)
    -- organisations
    call("GET", "/organisations", t.admin, nil, 200)
    local org = call("POST", "/organisations", t.admin, { name = "Coopérative Gamma", legal_form = "SCOP SARL",
      city = "Brest", region = "Bretagne", member_since = "2020-02-02" }, 201)
    call("GET", "/organisations/" .. org.id, t.admin, nil, 200)
    call("GET", "/organisations/999999", t.admin, nil, 404)
    call("POST", "/organisations", t.cae_a, { name = "X" }, 403)
    -- a self-assessment, answered, moved, and its plan
    local sa = H.new_self_assessment(server, t.cae_a, ids.org_a)
    H.answer_all(server, t.cae_a, sa.id, criteria, function(c)
      return c.id == "JF-01" and "partial" or "met"
    end)
    local _, answered = call("PUT", "/assessments/" .. sa.id .. "/answers/JF-02", t.cae_a,
      { status = "met", comment = "Vu", evidence = { "PV d'AG" } }, 200)
    call("PUT", "/assessments/" .. sa.id .. "/answers/JF-02", t.cae_a, { status = "partial" }, nil)
    local r = request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/JF-02",
      { token = t.cae_a, json = { status = "partial" }, headers = { ["If-Match"] = '"stale"' } })
    expect_error(r, 412)
    assert.is_string(answered.headers.etag)
    call("PUT", "/assessments/" .. sa.id .. "/answers/NOPE-99", t.cae_a, { status = "met" }, 404)
    call("PUT", "/assessments/" .. sa.id .. "/answers/JF-03", t.cae_a, { status = "sort of" }, 400)
    call("GET", "/assessments?organisation_id=" .. ids.org_a .. "&limit=1", t.cae_a, nil, 200)
    call("GET", "/assessments?bogus=1", t.cae_a, nil, 400)
    call("GET", "/assessments/" .. sa.id, t.cae_a, nil, 200)
    call("GET", "/assessments/" .. sa.id, t.cae_b, nil, 403)
    call("GET", "/assessments/" .. sa.id .. "/evaluation", t.cae_a, nil, 200)
    call("GET", "/assessments/" .. sa.id .. "/whatif", t.cae_a, nil, 200)
    call("POST", "/assessments/" .. sa.id .. "/migrate", t.cae_a, { to = hash }, 409)
    call("POST", "/assessments/migrate", t.committee, { to = hash }, 200)
    call("POST", "/assessments/" .. sa.id .. "/path-to-label", t.cae_a, nil, 201)
    call("PUT", "/assessments/" .. sa.id .. "/stakeholders", t.cae_a, H.STAKEHOLDERS, 409)
    call("POST", "/assessments/" .. sa.id .. "/submit", t.cae_a, nil, 200)
    call("GET", "/assessments/" .. sa.id .. "/report.pdf", t.cae_a, nil, 200)
    local items = call("GET", "/organisations/" .. ids.org_a .. "/action-items", t.cae_a, nil, 200)
    local item = call("POST", "/organisations/" .. ids.org_a .. "/action-items", t.cae_a, { criterion = "JF-01",
      action = "Mettre à jour les statuts", owner = "Alice", due = "2027-01-01", status = "todo" }, 201)
    call("PATCH", "/organisations/" .. ids.org_a .. "/action-items/" .. item.id, t.cae_a,
      { status = "doing" }, 200)
    call("PATCH", "/organisations/" .. ids.org_a .. "/action-items/" .. item.id, t.cae_a,
      { due = "1900-01-01" }, 400)
    assert.is_true(#items > 0)
    -- an audit: given to another auditor and back, answered, decided
    local audit = H.new_audit(server, t.committee, ids.org_a, ids.auditor)
    call("PATCH", "/assessments/" .. audit.id, t.committee, { auditor_id = ids.auditor_b }, 200)
    call("PATCH", "/assessments/" .. audit.id, t.committee, { auditor_id = ids.auditor }, 200)
    call("POST", "/organisations/" .. ids.org_a .. "/assessments", t.committee,
      { kind = "audit", auditor_id = ids.expired_auditor }, 409)
    local submitted = H.submitted_audit(server, t.committee, t.auditor, ids.org_a, ids.auditor, criteria)
    call("POST", "/assessments/" .. audit.id .. "/submit", t.auditor, nil, 200)
    call("POST", "/assessments/" .. submitted.id .. "/decision", t.committee, { outcome = "awarded",
      date = "1999-01-01" }, 400)
    local decision = call("POST", "/assessments/" .. submitted.id .. "/decision", t.committee, {
      outcome = "awarded", date = H.today(), recommendations = { "Continuer" },
      good_practices = { { criterion = "AC-02", text = "Un café des entrepreneurs chaque mois." } } }, 201)
    call("POST", "/assessments/" .. submitted.id .. "/decision", t.committee, { outcome = "refused" }, 409)
    local full = call("GET", "/assessments/" .. submitted.id, t.committee, nil, 200)
    call("GET", "/assessments/" .. submitted.id .. "/certificate.pdf", t.committee, nil, 200)
    call("GET", "/assessments/" .. submitted.id .. "/report.pdf", t.auditor, nil, 200)
    call("GET", "/public/certificates/" .. full.decisions[1].record_hash, nil, nil, 200)
    call("GET", "/public/certificates/" .. string.rep("ab", 32), nil, nil, 200)
    assert.is_table(decision)
    call("GET", "/labels", t.cae_b, nil, 200)
    call("GET", "/public/labels", nil, nil, 200)
    -- good practices
    local own = call("GET", "/organisations/" .. ids.org_a .. "/good-practices", t.cae_a, nil, 200)
    call("PATCH", "/good-practices/" .. own[1].id, t.cae_a, { shared = true }, 200)
    call("GET", "/good-practices?criterion=AC-02", t.cae_b, nil, 200)
    -- rule sets
    call("GET", "/rulesets", t.committee, nil, 200)
    call("GET", "/rulesets/" .. hash, t.committee, nil, 200)
    call("GET", "/rulesets/diff?from=" .. hash .. "&to=" .. hash, t.committee, nil, 200)
    call("POST", "/rulesets/whatif", t.committee, { ruleset = hash }, 200)
    call("POST", "/rulesets", t.committee, { ruleset = hash, note = "la même", label = "v1" }, 201)
    call("POST", "/rulesets", t.committee, { files = { ["award.lua"] = "award {" } }, 400)
    -- webhooks and plugins
    local hook = call("POST", "/webhooks", t.admin,
      { url = "https://hooks.example.org/labels", events = { "decision.recorded" } }, 201)
    call("GET", "/webhooks", t.admin, nil, 200)
    call("GET", "/webhooks/" .. hook.id, t.admin, nil, 200)
    call("PATCH", "/webhooks/" .. hook.id, t.admin, { enabled = false }, 200)
    call("GET", "/webhooks/" .. hook.id .. "/deliveries", t.admin, nil, 200)
    call("POST", "/webhooks/" .. hook.id .. "/replay", t.admin, { since = "2000-01-01T00:00:00Z" }, 202)
    call("DELETE", "/webhooks/" .. hook.id, t.admin, nil, 204)
    call("GET", "/mail", t.admin, nil, 200)
    call("GET", "/mail?status=failed", t.admin, nil, 200)
    call("GET", "/mail?status=lost", t.admin, nil, 400)
    -- invitations and forgotten passwords: the link's token read from the outbox
    local function link_token(path)
      local text = H.sql_value(db, "SELECT text FROM mail ORDER BY id DESC LIMIT 1;")
      return assert(text:match("#/" .. path .. "/([%w_%-]+)"), text)
    end
    call("POST", "/invitations", t.admin, { email = "ines@x.test", name = "Inès Invitée", role = "auditor" }, 201)
    call("GET", "/invitations", t.admin, nil, 200)
    call("POST", "/invitations/" .. link_token("invitation") .. "/accept", nil, { password = "Mot de passe choisi" },
      201)
    local invitation = call("POST", "/invitations", t.admin, { email = "otto@x.test", name = "Otto", role = "auditor" },
      201)
    call("DELETE", "/invitations/" .. invitation.id, t.admin, nil, 204)
    call("POST", "/password-reset", nil, { email = "ines@x.test" }, 202)
    call("POST", "/password-reset/" .. link_token("mot%-de%-passe"), nil, { password = "Encore un mot de passe" }, 200)
    -- notifications: each person's own; an unsubscribe link as the outbox has it
    call("GET", "/me/notifications", t.cae_a, nil, 200)
    call("PUT", "/me/notifications", t.cae_a, { actions_overdue = false }, 200)
    call("PUT", "/me/notifications", t.cae_a, { nope = false }, 400)
    local notes = call("GET", "/notifications", t.cae_a, nil, 200)
    call("GET", "/notifications?limit=1", t.cae_a, nil, 200)
    call("GET", "/notifications/unread", t.cae_a, nil, 200)
    call("POST", "/notifications/" .. notes[1].id .. "/read", t.cae_a, nil, 200)
    call("POST", "/notifications/" .. notes[1].id .. "/read", t.cae_b, nil, 404)
    call("POST", "/notifications/read", t.cae_a, nil, 200)
    local link = H.sql_value(server.db, "SELECT unsubscribe FROM mail WHERE unsubscribe IS NOT NULL LIMIT 1;")
    local unsubscribe = link:match("/api/v1(/unsubscribe/.+)$")
    call("GET", unsubscribe, nil, nil, 200)
    call("POST", unsubscribe, nil, nil, 200)
    call("GET", "/unsubscribe/1-00/audit_assigned", nil, nil, 404)
    call("GET", "/plugins", t.admin, nil, 200)
    call("PATCH", "/plugins/chat-notify", t.admin, { enabled = false }, 200)
    -- evidence documents (multipart uploads: the answers are checked, the form is not JSON)
    local pdf = support.write(H.tmpdir() .. "/statuts.pdf", "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    local function upload(path, token, fields, status)
      local args = { "-F", "file=@" .. pdf }
      for _, field in ipairs(fields) do
        args[#args + 1] = "-F"
        args[#args + 1] = field
      end
      local r = request(server, "POST", "/api/v1" .. path, { token = token, curl_args = args })
      if r.status ~= status then
        wrong[#wrong + 1] = "expected " .. status .. ": " .. H.show(r)
      end
      return r.json
    end
    local library = "/organisations/" .. ids.org_a .. "/documents"
    local doc = upload(library, t.cae_a, { "title=Statuts" }, 201)
    upload(library, t.cae_b, { "title=Statuts" }, 403)
    upload("/documents/" .. doc.id .. "/versions", t.cae_a, {}, 201)
    call("GET", library, t.cae_a, nil, 200)
    call("GET", "/documents/" .. doc.id, t.committee, nil, 200)
    call("GET", "/documents/" .. doc.id .. "/content?version=1", t.cae_a, nil, 200)
    call("GET", "/documents/" .. doc.id .. "/content", t.cae_b, nil, 403)
    call("DELETE", "/documents/" .. doc.id, t.cae_a, nil, 204)
    call("GET", "/documents/" .. doc.id, t.cae_a, nil, 404)
    -- reports
    call("GET", "/reports", t.committee, nil, 200)
    call("GET", "/reports/network-overview", t.committee, nil, 200)
    call("GET", "/reports/network-overview?format=csv", t.committee, nil, 200)
    call("GET", "/reports/nothing", t.committee, nil, 404)
    -- errors every route may give
    call("GET", "/assessments", nil, nil, 401)
    request(server, "POST", "/api/v1/organisations", { token = t.admin, raw = "{", content_type = "text/plain" })
    call("POST", "/organisations", t.admin, nil, 400)
    call("DELETE", "/session", H.login(server, H.USERS.cae_b.email), nil, 204)
    assert(#wrong == 0, table.concat(wrong, "\n"))
  end)

  -- What only changed rules give: a what-if that changes outcomes, a diff,
  -- drafts moved (orphans, added criteria), and webhook deliveries.
  it("answers with rule changes, migrations and deliveries as documented", function()
    local ids, t = fx.ids, tokens
    local old = L.active_hash(server)
    -- RS-04 made mandatory turns this audit's outcome
    H.submitted_audit(server, t.committee, t.auditor, ids.org_b, ids.auditor, criteria, function(c)
      return c.id == "RS-04" and "not_met" or "met"
    end)
    local stricter = L.rules_copy("stricter")
    L.set_level(stricter, "referential/05-reseau-cpe.lua", "RS-04", "advised", "mandatory")
    local report = call("POST", "/rulesets/whatif", t.committee, { files = L.files_of(stricter) }, 200)
    assert.is_true(#report.changed > 0, "the what-if changes no outcome")
    -- SO-07 removed, SO-16 added (the shipped specs pass), JF-01 reworded
    local draft = H.new_self_assessment(server, t.cae_b, ids.org_b)
    H.answer_all(server, t.cae_b, draft.id, criteria)
    local audit = H.new_audit(server, t.committee, ids.org_b, ids.auditor)
    local swap = L.rules_copy("swap")
    L.remove_criterion(swap, "referential/06-societal.lua", "SO-07")
    L.append(swap, "referential/06-societal.lua", L.criterion_text(L.SO16))
    L.edit(swap, "referential/01-juridique-financier.lua",
      "La CAE est constituée en société coopérative (SCOP ou SCIC)",
      "La CAE est une société coopérative (SCOP ou SCIC)")
    local new = call("POST", "/rulesets", t.committee, { files = L.files_of(swap), note = "SO-16", label = "v2" },
      201).ruleset
    local diff = call("GET", "/rulesets/diff?from=" .. old .. "&to=" .. new, t.admin, nil, 200)
    assert.are.equal(1, #diff.added)
    assert.are.equal(1, #diff.removed)
    assert.are.equal(1, #diff.reworded)
    local whatif = call("GET", "/assessments/" .. draft.id .. "/whatif", t.cae_b, nil, 200)
    assert.are.same({ "SO-07" }, whatif.orphans)
    assert.are.same({ "SO-16" }, whatif.added)
    call("POST", "/assessments/" .. draft.id .. "/migrate", t.cae_b, { to = new }, 200)
    local moved = call("POST", "/assessments/migrate", t.committee, { to = new, organisation_id = ids.org_b }, 200)
    assert.are.equal(audit.id, moved.migrated[1].assessment_id)
    assert.is_true(#moved.kept > 0)
    call("GET", "/referential?ruleset=" .. old, nil, nil, 200)
    call("GET", "/rulesets", t.admin, nil, 200)
    -- a delivery to a host that does not resolve: an attempt with its error
    local hook = call("POST", "/webhooks", t.admin, { url = "https://hooks.invalid/labels", events = { "*" } },
      201)
    call("POST", "/webhooks/" .. hook.id .. "/replay", t.admin, { since = "2000-01-01T00:00:00Z" }, 202)
    assert.is_true(support.wait_for(function()
      local list = call("GET", "/webhooks/" .. hook.id .. "/deliveries", t.admin, nil, 200)
      return list and #list > 0
    end, 20, 0.5), "no delivery attempt within 20 s")
    call("GET", "/webhooks/" .. hook.id .. "/deliveries?limit=1", t.admin, nil, 200)
    assert(#wrong == 0, table.concat(wrong, "\n"))
  end)

  it("gave only documented answers, each fitting its schema", function()
    O.check(server, { every_operation = true })
  end)
end)

-- Notifications (issue 21, "Notifications"): each one reaches its
-- recipients once, through a real SMTP server (smtp_receiver.py), with its
-- subject and links, and is kept for their list in the page; the e-mail of
-- a kind turned off on "Mon compte" or by the one-click unsubscribe link is
-- not sent; the label's expiry reminders come once each, across restarts
-- and days the server missed; the weekly digest of overdue actions; a
-- disabled webhook told to the administrators.

local support = require "support"
local H = require "http_support"
local M = require "mail_support"
local O = require "openapi_support"
local W = require "webhook_support"
local json = support.json

O.record()

local ORG_A, ORG_B = "Coopérative Alpha", "Coopérative Beta"
local PUBLIC = "https://label.example.org"

-- The messages of list sent to email whose subject starts with prefix.
local function to_with(list, email, prefix)
  local out = {}
  for _, m in ipairs(list) do
    if m.to == email and m.subject:sub(1, #prefix) == prefix then
      out[#out + 1] = m
    end
  end
  return out
end

local function summary(list)
  local lines = {}
  for _, m in ipairs(list) do
    lines[#lines + 1] = m.to .. " | " .. m.subject
  end
  return table.concat(lines, "\n")
end

-- The path of a message's List-Unsubscribe link, on the server.
local function unsubscribe_path(m)
  local url = assert(m.list_unsubscribe, "no List-Unsubscribe"):match("^<(.*)>$")
  assert.are.equal(PUBLIC, url:sub(1, #PUBLIC), url)
  return url:sub(#PUBLIC + 1)
end

local function prefs(server, token)
  local r = H.expect(H.request(server, "GET", "/api/v1/me/notifications", { token = token }), 200, "prefs")
  local out = {}
  for _, p in ipairs(r.json) do
    out[p.kind] = p.email
  end
  return out
end

describe("notifications", function()
  local fx, cert, key, pwfile

  setup(function()
    fx = H.fixture()
    local dir = H.tmpdir()
    cert, key = M.certificate(dir)
    pwfile = support.write(dir .. "/smtp-password", M.SMTP_PASSWORD .. "\n")
  end)

  teardown(H.finish)

  -- A receiver and a server sending to it, on a fresh database.
  local function world(more)
    local box = H.tmpdir() .. "/box"
    local port = H.free_port()
    M.start_receiver(box, port, { cert, key }, "mailer:" .. M.SMTP_PASSWORD)
    local db = H.fresh_db(fx.db)
    return box, db, M.serve(db, port, pwfile, cert, more), port
  end

  -- The messages of box once n have come and nothing more for a second.
  local function settled(box, n)
    M.wait_messages(box, n, 30)
    support.sleep(1)
    return M.messages(box)
  end

  it("an audit's life: assigned, submitted, deferred, awarded, each once to its recipients", function()
    local box, db, server = world()
    -- a disabled member of the CAE gets nothing
    local gone = H.admin(H.user_add_args(db, { email = "gone@x.test", name = "Gaston Parti", role = "cae" },
      fx.ids.org_a), H.PASSWORD .. "\n")
    H.sql(db, "UPDATE users SET disabled = 1 WHERE id = " .. gone .. ";")
    local committee = H.login(server, H.USERS.committee.email)
    local auditor = H.login(server, H.USERS.auditor.email)
    local crit = H.criteria(server)
    local a = H.submitted_audit(server, committee, auditor, fx.ids.org_a, fx.ids.auditor, crit)
    local points = { { criterion = crit[1].id, text = "Joindre le procès-verbal de l'assemblée." },
      "Préciser la date de la prochaine visite." }
    H.expect(H.request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision",
      { token = committee, json = { outcome = "deferred", points = points } }), 201, "deferral")
    H.expect(H.request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit", { token = auditor }), 200,
      "submitted again")
    local awarded = H.expect(H.request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision",
      { token = committee, json = { outcome = "awarded" } }), 201, "award").json

    -- assigned: auditor + cae_a; submitted twice: committee; deferred:
    -- cae_a (decision) + auditor (points); awarded: cae_a
    local list = settled(box, 7)
    assert.are.equal(7, #list, summary(list))
    local U = H.USERS
    local function one(email, subject)
      local got = to_with(list, email, subject)
      assert.are.equal(1, #got, email .. " « " .. subject .. " »:\n" .. summary(list))
      return got[1]
    end
    one(U.auditor.email, "Audit confié : " .. ORG_A)
    one(U.cae_a.email, "Audit confié : " .. ORG_A)
    assert.are.equal(2, #to_with(list, U.committee.email, "Audit remis : " .. ORG_A), summary(list))
    local deferred = one(U.cae_a.email, "Décision ajournée : " .. ORG_A)
    local points_mail = one(U.auditor.email, "Audit ajourné : " .. ORG_A .. " (points à compléter)")
    local award = one(U.cae_a.email, "Label attribué : " .. ORG_A)
    assert.are.equal(0, #to_with(list, "gone@x.test", ""), "a disabled account is mailed")
    assert.are.equal(0, #to_with(list, U.admin.email, ""), "the admin is not the committee")
    -- the links
    local text = points_mail.parts[1].content
    assert.truthy(text:find("- " .. crit[1].id .. " : Joindre le procès-verbal de l'assemblée.", 1, true), text)
    assert.truthy(text:find("- Préciser la date de la prochaine visite.", 1, true), text)
    assert.are.equal(0, #M.mail_log(db, "failed"), "a template failed: " .. json.encode(M.mail_log(db, "failed")))
    assert.truthy(text:find(PUBLIC .. "/#/evaluations/" .. a.id, 1, true), text)
    assert.truthy(deferred.parts[1].content:find("la décision est ajournée", 1, true), deferred.parts[1].content)
    text = award.parts[1].content
    assert.truthy(text:find("jusqu'au", 1, true), text)
    assert.truthy(text:find("Votre certificat : " .. PUBLIC .. "/api/v1/assessments/" .. a.id
      .. "/certificate.pdf", 1, true), text)
    assert.truthy(award.parts[2].content:find('href="' .. PUBLIC .. "/#/evaluations/" .. a.id .. '/resultats"',
      1, true), award.parts[2].content)
    assert.truthy(awarded.valid_until)
    for _, m in ipairs(list) do
      assert.truthy(unsubscribe_path(m):match("^/api/v1/unsubscribe/%d+%-%x+/[a-z_]+$"), m.list_unsubscribe)
      assert.are.equal("List-Unsubscribe=One-Click", m.list_unsubscribe_post)
      assert.truthy(m.parts[1].content:find("Pour ne plus recevoir ces messages : " .. PUBLIC, 1, true))
    end

    -- the same, in the page's list: newest first, unread, then read
    local cae = H.login(server, U.cae_a.email)
    local mine = H.expect(H.request(server, "GET", "/api/v1/notifications", { token = cae }), 200, "list").json
    assert.are.same({ "decision_recorded", "decision_recorded", "audit_assigned" },
      { mine[1].kind, mine[2].kind, mine[3].kind }, json.encode(mine))
    assert.are.equal("Label attribué : " .. ORG_A, mine[1].title)
    assert.are.equal("/#/evaluations/" .. a.id .. "/resultats", mine[1].link)
    assert.are.equal(json.null, mine[1].read_at)
    local n = H.expect(H.request(server, "GET", "/api/v1/notifications/unread", { token = cae }), 200, "n").json
    assert.are.equal(3, n.unread)
    n = H.expect(H.request(server, "POST", "/api/v1/notifications/" .. mine[3].id .. "/read", { token = cae }),
      200, "read one").json
    assert.are.equal(2, n.unread)
    -- another's notification is not found, nothing marked
    H.expect(H.request(server, "POST", "/api/v1/notifications/" .. mine[1].id .. "/read", { token = auditor }),
      404, "another's")
    local again = H.expect(H.request(server, "GET", "/api/v1/notifications?limit=2", { token = cae }), 200, "page")
    assert.are.equal(2, #again.json)
    assert.truthy(again.headers["link"], "a next page")
    assert.are.equal(json.null, again.json[1].read_at)
    n = H.expect(H.request(server, "POST", "/api/v1/notifications/read", { token = cae }), 200, "read all").json
    assert.are.equal(0, n.unread)
    mine = H.expect(H.request(server, "GET", "/api/v1/notifications", { token = cae }), 200, "list").json
    for _, x in ipairs(mine) do
      assert.are.equal("string", type(x.read_at), json.encode(x))
    end
  end)

  it("a kind turned off on Mon compte or by the one-click link is kept in the list, not mailed", function()
    local box, _, server = world()
    local U = H.USERS
    local cae = H.login(server, U.cae_a.email)
    local committee = H.login(server, U.committee.email)
    local auditor = H.login(server, U.auditor.email)
    -- preferences: every kind mailed at first; bad input named
    local p = prefs(server, cae)
    assert.is_true(p.audit_assigned and p.label_expiring and p.actions_overdue)
    H.expect_error(H.request(server, "PUT", "/api/v1/me/notifications",
      { token = cae, json = { nope = false } }), 400, "$.nope", "unknown kind")
    H.expect_error(H.request(server, "PUT", "/api/v1/me/notifications",
      { token = cae, json = { audit_assigned = "no" } }), 400, "$.audit_assigned", "not a boolean")
    local r = H.expect(H.request(server, "PUT", "/api/v1/me/notifications",
      { token = cae, json = { audit_assigned = false } }), 200, "turned off")
    assert.is_false(prefs(server, cae).audit_assigned)
    assert.is_true(prefs(server, cae).decision_recorded, json.encode(r.json))

    local first = H.new_audit(server, committee, fx.ids.org_a, fx.ids.auditor)
    local list = settled(box, 1)
    assert.are.equal(1, #list, summary(list))
    assert.are.equal(U.auditor.email, list[1].to)
    local inapp = H.expect(H.request(server, "GET", "/api/v1/notifications", { token = cae }), 200, "list").json
    assert.are.equal(1, #inapp, "kept for the page though not mailed")
    assert.are.equal("/#/evaluations/" .. first.id, inapp[1].link)

    -- the auditor follows their link: the page asks, changes nothing
    local path = unsubscribe_path(list[1])
    local page = H.expect(H.request(server, "GET", path), 200, "unsubscribe page")
    assert.truthy(page.body:find("Se désabonner", 1, true) and page.body:find("Audit confié", 1, true), page.body)
    assert.truthy(page.headers["content-type"]:find("text/html", 1, true))
    assert.is_true(prefs(server, auditor).audit_assigned, "a GET unsubscribed")
    -- wrong tokens and kinds: 404, nothing changed
    local id, mac, kind = path:match("^/api/v1/unsubscribe/(%d+)%-(%x+)/([a-z_]+)$")
    local flipped = (mac:sub(1, 1) == "0" and "1" or "0") .. mac:sub(2)
    for _, bad in ipairs({ "/api/v1/unsubscribe/" .. id .. "-" .. flipped .. "/" .. kind,
      "/api/v1/unsubscribe/" .. fx.ids.cae_a .. "-" .. mac .. "/" .. kind,
      "/api/v1/unsubscribe/" .. id .. "-" .. mac .. "/nope", "/api/v1/unsubscribe/x/" .. kind }) do
      H.expect_error(H.request(server, "POST", bad, { raw = "List-Unsubscribe=One-Click",
        content_type = "application/x-www-form-urlencoded" }), 404, nil, bad)
    end
    -- a person's browser reads why
    local r = H.expect(H.request(server, "GET", "/api/v1/unsubscribe/" .. id .. "-" .. flipped .. "/" .. kind,
      { headers = { Accept = "text/html,application/xhtml+xml" } }), 404, "a browser")
    assert.truthy(r.body:find("<h1>Lien de désabonnement inconnu</h1>", 1, true), r.body)
    assert.is_true(prefs(server, auditor).audit_assigned, "a wrong link unsubscribed")
    assert.is_false(prefs(server, cae).audit_assigned)
    assert.is_true(prefs(server, cae).label_expiring)
    -- RFC 8058's one-click POST
    local done = H.expect(H.request(server, "POST", path, { raw = "List-Unsubscribe=One-Click",
      content_type = "application/x-www-form-urlencoded" }), 200, "one click")
    assert.truthy(done.body:find("Désabonnement enregistré", 1, true), done.body)
    p = prefs(server, auditor)
    assert.is_false(p.audit_assigned)
    assert.is_true(p.audit_deferred, "only that kind")
    H.expect(H.request(server, "POST", path, { raw = "" }), 200, "once more: still off")

    -- the next one: cae_b mailed, the auditor not (in their list still)
    H.new_audit(server, committee, fx.ids.org_b, fx.ids.auditor)
    list = settled(box, 2)
    assert.are.equal(2, #list, summary(list))
    assert.are.equal(U.cae_b.email, list[2].to)
    inapp = H.expect(H.request(server, "GET", "/api/v1/notifications", { token = auditor }), 200, "list").json
    assert.are.equal(2, #inapp)
    -- turned on again from Mon compte
    H.expect(H.request(server, "PUT", "/api/v1/me/notifications",
      { token = auditor, json = { audit_assigned = true } }), 200, "on again")
    H.new_audit(server, committee, fx.ids.org_b, fx.ids.auditor)
    list = settled(box, 4)
    assert.are.equal(4, #list, summary(list))
    assert.are.equal(1, #to_with(list, U.auditor.email, "Audit confié : " .. ORG_B), summary(list))
  end)

  it("expiry reminders and the overdue digest: once each, across restarts and missed days", function()
    local box, db, server, port = world({ "--tick-seconds", "3600" })
    local U = H.USERS
    local committee = H.login(server, U.committee.email)
    local auditor = H.login(server, U.auditor.email)
    local cae = H.login(server, U.cae_a.email)
    local crit = H.criteria(server)
    -- org_a's label ends in 20 days, org_b's in 60: the server was never
    -- there on the 180th or 90th day before
    local decisions = {}
    for org, days in pairs({ [fx.ids.org_a] = 20, [fx.ids.org_b] = 60 }) do
      local a = H.submitted_audit(server, committee, auditor, org, fx.ids.auditor, crit)
      local date = W.minus_years(W.days_from_today(days), 3)
      H.sql(db, "UPDATE assessments SET submitted_at = '" .. date .. "T08:00:00Z' WHERE id = " .. a.id .. ";")
      decisions[org] = H.expect(H.request(server, "POST", "/api/v1/assessments/" .. a.id .. "/decision",
        { token = committee, json = { outcome = "awarded", date = date } }), 201, "award").json
    end
    H.expect(H.request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/action-items",
      { token = cae, json = { criterion = crit[1].id, action = "Mettre à jour les statuts", owner = "Alice",
        due = W.days_from_today(-2) } }), 201, "overdue item")
    local before = #settled(box, 8) -- 2 audits: assigned x2, submitted, awarded
    server.stop()
    -- the ticks of restarted servers (one at each start)
    local function restart()
      local s = M.serve(db, port, pwfile, cert, { "--tick-seconds", "1" })
      support.sleep(2.5)
      s.stop()
    end
    restart()
    local list = settled(box, before + 3)
    local function reminders(email)
      return to_with(list, email, "Label de ")
    end
    local a, b = reminders(U.cae_a.email), reminders(U.cae_b.email)
    assert.are.equal(1, #a, summary(list))
    assert.are.equal(1, #b, summary(list))
    assert.truthy(a[1].parts[1].content:find("dans 20 jours", 1, true), a[1].parts[1].content)
    assert.truthy(b[1].parts[1].content:find("dans 60 jours", 1, true), b[1].parts[1].content)
    local digest = to_with(list, U.cae_a.email, "Actions en retard : " .. ORG_A .. " (1)")
    assert.are.equal(1, #digest, summary(list))
    assert.truthy(digest[1].parts[1].content:find("Mettre à jour les statuts", 1, true))
    assert.truthy(digest[1].parts[1].content:find(PUBLIC .. "/#/cae/" .. fx.ids.org_a .. "/plan-action", 1, true))
    -- restarted again: nothing more
    restart()
    support.sleep(1)
    assert.are.equal(#list, #M.messages(box), summary(M.messages(box)))
    -- days pass: org_b's label now ends in 25 days, org_a's ended yesterday
    H.sql(db, "UPDATE decisions SET valid_until = '" .. W.days_from_today(25) .. "' WHERE id = "
      .. decisions[fx.ids.org_b].id .. "; UPDATE decisions SET valid_until = '" .. W.days_from_today(-1)
      .. "' WHERE id = " .. decisions[fx.ids.org_a].id .. ";")
    restart()
    restart()
    list = settled(box, #list + 2)
    assert.are.equal(2, #reminders(U.cae_b.email), summary(list))
    assert.truthy(reminders(U.cae_b.email)[2].parts[1].content:find("dans 25 jours", 1, true))
    local expired = to_with(list, U.cae_a.email, "Label de " .. ORG_A .. " échu le ")
    assert.are.equal(1, #expired, summary(list))
    assert.are.equal(2, #reminders(U.cae_a.email), summary(list))
    assert.are.equal(1, #to_with(list, U.cae_a.email, "Actions en retard"), "one digest a week")
  end)

  it("a webhook disabled after failures is told to the administrators", function()
    local box, _, server = world({ "--webhook-allow", "127.0.0.1/32", "--webhook-retry", "0,1,1,1" })
    local secret = W.secret()
    local gone = W.start_receiver({ secret = secret, statuses = { 410 } })
    local admin = H.login(server, H.USERS.admin.email)
    local hook = W.api_webhook(server, admin, gone.hook, secret, { "assessment.created" })
    H.new_self_assessment(server, H.login(server, H.USERS.cae_a.email), fx.ids.org_a)
    local list = settled(box, 1)
    assert.are.equal(1, #list, summary(list))
    local m = list[1]
    assert.are.same({ H.USERS.admin.email, "Webhook désactivé : " .. gone.hook }, { m.to, m.subject })
    local text = m.parts[1].content
    assert.truthy(text:find("n° " .. hook.id, 1, true) and text:find("a répondu 410", 1, true), text)
    assert.truthy(text:find(PUBLIC .. "/#/admin/webhooks/" .. hook.id, 1, true), text)
    local mine = H.expect(H.request(server, "GET", "/api/v1/notifications", { token = admin }), 200, "list").json
    assert.are.equal("webhook_disabled", mine[1].kind, json.encode(mine))
  end)

  it("documents every answer this spec was given", O.check_all)
end)

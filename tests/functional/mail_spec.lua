-- E-mail (issue 21, "E-mail delivery"): the outbox, sent with libcurl's
-- SMTP to a real SMTP server (tests/functional/smtp_receiver.py, Debian's
-- python3-aiosmtpd) with STARTTLS and AUTH; retries while the server is down,
-- a message sent again with the same Message-ID after a crash between
-- sending and marking, a 550 marked failed, a bad template refused with its
-- file:line and the write it came with kept.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local json = support.json
local quote = support.quote

O.record()

local M = require "mail_support"
local SMTP_PASSWORD = M.SMTP_PASSWORD
local free_port = H.free_port
local certificate, start_receiver, messages = M.certificate, M.start_receiver, M.messages
local wait_messages, by_recipient, mail_log = M.wait_messages, M.by_recipient, M.mail_log

describe("e-mail", function()
  local fx, certdir, cert, key, pwfile

  setup(function()
    fx = H.fixture()
    certdir = H.tmpdir()
    cert, key = certificate(certdir)
    pwfile = support.write(certdir .. "/smtp-password", SMTP_PASSWORD .. "\n")
  end)

  teardown(H.finish)

  -- serve on a fresh copy of the fixture, sending to port.
  local function serve(db, port, more)
    return M.serve(db, port, pwfile, cert, more)
  end

  local function assign(server, org)
    local token = H.login(server, H.USERS.committee.email)
    return H.new_audit(server, token, org or fx.ids.org_a, fx.ids.auditor)
  end

  describe("settings", function()
    local function check(args)
      local all = { "config", "check", "--db", fx.dir .. "/x.db" }
      for _, a in ipairs(args) do
        all[#all + 1] = a
      end
      return support.run(all, nil, support.root)
    end

    it("refuses bad values with exit 2, naming the setting", function()
      local cases = {
        { { "--smtp-url", "http://mail.test" }, "smtp-url = http://mail.test: smtp://host:587 or smtps://host:465" },
        { { "--smtp-url", "smtp://mail.test:587" }, "mail-from = : one address" },
        { { "--smtp-url", "smtp://mail.test:587", "--mail-from", "label@x.test", "--smtp-tls", "plain" },
          "smtp-tls = plain: starttls, tls or none" },
        { { "--smtp-url", "smtps://mail.test:465", "--mail-from", "label@x.test", "--smtp-tls", "starttls" },
          "smtps:// URLs are TLS from the start" },
        { { "--smtp-url", "smtp://mail.test:587", "--mail-from", "label@x.test", "--smtp-user", "u" },
          "smtp-user and smtp-password-file go together" },
        { { "--smtp-url", "smtp://mail.test:587", "--mail-from", "label@x.test", "--smtp-user", "u",
          "--smtp-password-file", fx.dir .. "/none" }, "smtp-password-file = " .. fx.dir .. "/none: cannot be read" },
        { { "--mail-from", "label@x.test" }, "mail-from: needs smtp-url" },
        { { "--smtp-url", "smtp://mail.test:587", "--mail-from", "a b@x" }, "mail-from = a b@x" },
        { { "--mail-retry", "1,x" }, "mail-retry = 1,x: expected seconds" },
      }
      for _, c in ipairs(cases) do
        local r = check(c[1])
        assert.are.equal(2, r.code, table.concat(c[1], " ") .. ": " .. r.stderr)
        assert.truthy(r.stderr:find(c[2], 1, true), "expected «" .. c[2] .. "» in: " .. r.stderr)
      end
    end)

    it("config check shows the settings but never the password", function()
      local r = check({ "--smtp-url", "smtp://mail.test:587", "--mail-from", "label@x.test",
        "--smtp-user", "mailer", "--smtp-password-file", pwfile })
      assert.are.equal(0, r.code, r.stderr)
      assert.truthy(r.stdout:find("smtp-url = smtp://mail.test:587", 1, true), r.stdout)
      assert.truthy(r.stdout:find("smtp-password-file = " .. pwfile, 1, true), r.stdout)
      assert.falsy(r.stdout:find(SMTP_PASSWORD, 1, true), r.stdout)
      assert.falsy(r.stderr:find(SMTP_PASSWORD, 1, true), r.stderr)
    end)
  end)

  describe("templates", function()
    it("mail preview renders each shipped template with its sample", function()
      for kind, subject in pairs({ audit_assigned = "Audit confié : Coopérative Élan & Cie",
        audit_submitted = "Audit remis : Coopérative Élan & Cie",
        decision_recorded = "Label attribué : Coopérative Élan & Cie",
        audit_deferred = "Audit ajourné : Coopérative Élan & Cie (points à compléter)",
        label_expiring = "Label de Coopérative Élan & Cie : échéance le 1er mars 2027",
        label_expired = "Label de Coopérative Élan & Cie échu le 1er mars 2027",
        actions_overdue = "Actions en retard : Coopérative Élan & Cie (2)",
        webhook_disabled = "Webhook désactivé : https://chat.example.org/hooks/label",
        invitation = "Invitation sur la plateforme du label",
        password_reset = "Réinitialisation de votre mot de passe" }) do
        local r = support.run({ "mail", "preview", kind }, nil, support.root)
        assert.are.equal(0, r.code, kind .. ": " .. r.stderr)
        assert.truthy(r.stdout:find("Subject: " .. subject, 1, true), r.stdout)
      end
      local r = support.run({ "mail", "preview", "audit_assigned" }, nil, support.root)
      assert.truthy(r.stdout:find("Coopérative Élan &amp; Cie", 1, true), "HTML not escaped: " .. r.stdout)
    end)

    it("refuses a failing template with its file:line, exit 3", function()
      local dir = H.tmpdir()
      support.write(dir .. "/boom.lua", "return { sample = {}, render = function(d)\n  return d.x.y\nend }\n")
      support.write(dir .. "/loop.lua", "return { sample = {}, render = function(d)\n  while true do end\nend }\n")
      local r = support.run({ "mail", "preview", "boom", "--mail-templates", dir })
      assert.are.equal(3, r.code, r.stderr)
      assert.truthy(r.stderr:find("boom.lua:2:", 1, true), r.stderr)
      r = support.run({ "mail", "preview", "loop", "--mail-templates", dir })
      assert.are.equal(3, r.code, r.stderr)
      assert.truthy(r.stderr:find("loop.lua:2: instruction limit exceeded", 1, true), r.stderr)
      r = support.run({ "mail", "preview", "nothing", "--mail-templates", dir })
      assert.are.equal(2, r.code, r.stderr)
      assert.truthy(r.stderr:find("no mail template nothing", 1, true), r.stderr)
    end)
  end)

  it("an audit assigned reaches the auditor and the CAE's members, once each, over STARTTLS with AUTH",
    function()
      local box = H.tmpdir() .. "/box"
      local port = free_port()
      start_receiver(box, port, { cert, key }, "mailer:" .. SMTP_PASSWORD)
      local db = H.fresh_db(fx.db)
      local server = serve(db, port)
      local audit = assign(server)
      local list = wait_messages(box, 2)
      support.sleep(1) -- nothing more comes
      list = messages(box)
      assert.are.equal(2, #list, json.encode(list))
      local to = by_recipient(list)
      local auditor, member = to[H.USERS.auditor.email], to[H.USERS.cae_a.email]
      assert.are.equal(1, auditor and #auditor or 0, json.encode(list))
      assert.are.equal(1, member and #member or 0, json.encode(list))
      for _, m in ipairs(list) do
        assert.is_true(m.tls, "not over TLS")
        assert.is_true(m.authenticated, "no AUTH")
        assert.are.equal("label@x.test", m.mail_from)
        assert.are.same({ m.to }, m.rcpt_tos)
        assert.are.equal("Audit confié : Coopérative Alpha", m.subject)
        assert.truthy(m.raw_subject:find("Subject: =?UTF-8?B?", 1, true), m.raw_subject)
        assert.truthy(m.date and m.date:match("^%a%a%a, %d%d %a%a%a %d%d%d%d %d%d:%d%d:%d%d %+0000$"), m.date)
        assert.truthy(m.message_id:match("^<mail%-%d+%-%x+@label%.example%.org>$"), m.message_id)
        assert.are.equal("1.0", m.mime_version)
        -- the person's own one-click link (notifications_spec follows it)
        assert.truthy(m.list_unsubscribe:match(
          "^<https://label%.example%.org/api/v1/unsubscribe/%d+%-%x+/audit_assigned>$"), m.list_unsubscribe)
        assert.are.equal("List-Unsubscribe=One-Click", m.list_unsubscribe_post)
        assert.are.equal(2, #m.parts)
        assert.are.equal("text/plain", m.parts[1].type)
        assert.are.equal("text/html", m.parts[2].type)
        assert.are.equal("utf-8", m.parts[1].charset)
        local link = "https://label.example.org/#/evaluations/" .. audit.id
        assert.truthy(m.parts[1].content:find(link, 1, true), m.parts[1].content)
        assert.truthy(m.parts[2].content:find('href="' .. link .. '"', 1, true), m.parts[2].content)
        assert.truthy(m.longest_line <= 998, "a line of " .. m.longest_line)
      end
      assert.truthy(auditor[1].parts[1].content:find("vous est confié", 1, true))
      assert.truthy(member[1].parts[1].content:find("est confié à " .. H.USERS.auditor.name, 1, true))
      assert.are_not.equal(auditor[1].message_id, member[1].message_id)
      -- the outbox says sent, by the command line and the API
      support.wait_for(function() return #mail_log(db, "sent") == 2 end, 10, 0.1)
      local admin = H.login(server, H.USERS.admin.email)
      local r = H.expect(H.request(server, "GET", "/api/v1/mail?status=sent", { token = admin }), 200, "mail")
      assert.are.equal(2, #r.json)
      local ids = {}
      for _, m in ipairs(r.json) do
        ids[m.message_id] = m.status
      end
      assert.are.equal("sent", ids[auditor[1].message_id])
      local cae = H.login(server, H.USERS.cae_a.email)
      H.expect(H.request(server, "GET", "/api/v1/mail", { token = cae }), 403, "mail as a CAE")
      H.expect(H.request(server, "GET", "/api/v1/mail?status=lost", { token = admin }), 400, "bad status")
      server.stop()
      local _, log = server.output()
      assert.falsy(log:find(SMTP_PASSWORD, 1, true), "the password is in the log")
    end)

  it("the SMTP server down, then back: every message arrives, once", function()
    local box = H.tmpdir() .. "/box"
    local port = free_port()
    local db = H.fresh_db(fx.db)
    local server = serve(db, port, { "--mail-retry", "1,1,2,2,3,5,10,10" })
    assign(server) -- the auditor and cae_a
    assign(server, fx.ids.org_b) -- the auditor and cae_b
    -- refused connections: tried again, kept pending with the error
    support.wait_for(function()
      local pending = mail_log(db, "pending")
      return #pending == 4 and pending[1].attempts >= 2
    end, 30, 0.2)
    local pending = mail_log(db, "pending")
    assert.are.equal(4, #pending, json.encode(pending))
    assert.truthy(pending[1].error and pending[1].error ~= "", json.encode(pending))
    start_receiver(box, port, { cert, key }, "mailer:" .. SMTP_PASSWORD)
    wait_messages(box, 4)
    support.wait_for(function() return #mail_log(db, "sent") == 4 end, 15, 0.2)
    support.sleep(1.5)
    local list = messages(box)
    assert.are.equal(4, #list, json.encode(mail_log(db)))
    local seen = {}
    for _, m in ipairs(list) do
      assert.is_nil(seen[m.message_id], "sent twice: " .. m.message_id)
      seen[m.message_id] = true
    end
    assert.are.equal(0, #mail_log(db, "pending"))
  end)

  it("serve killed after the server accepted, before marking: sent again with the same Message-ID",
    function()
      local box = H.tmpdir() .. "/box"
      local port = free_port()
      os.execute("mkdir -p " .. quote(box))
      support.write(box .. "/delay", "30") -- the receiver holds its 250 back
      start_receiver(box, port, { cert, key }, "mailer:" .. SMTP_PASSWORD)
      local db = H.fresh_db(fx.db)
      local server = serve(db, port)
      local token = H.login(server, H.USERS.committee.email)
      -- an audit of org_b: one message to the auditor, one to cae_b
      H.new_audit(server, token, fx.ids.org_b, fx.ids.auditor)
      local first = wait_messages(box, 1)[1]
      server.kill9()
      assert.are.equal(0, #mail_log(db, "sent"))
      os.remove(box .. "/delay")
      local again = serve(db, port)
      support.wait_for(function() return #mail_log(db, "sent") == 2 end, 30, 0.2)
      local list = messages(box)
      local copies = 0
      for _, m in ipairs(list) do
        if m.message_id == first.message_id then
          copies = copies + 1
          assert.are.equal(first.to, m.to)
        end
      end
      assert.are.equal(2, copies, "the first message once more, same Message-ID: " .. json.encode(list))
      again.stop()
    end)

  -- A receiver answering every message with reply, a server sending to it
  -- (with the options given), and an audit assigned: its two messages.
  local function assign_to_refusing(reply, options)
    local box = H.tmpdir() .. "/box"
    local port = free_port()
    os.execute("mkdir -p " .. quote(box))
    support.write(box .. "/reply", reply)
    start_receiver(box, port, { cert, key }, "mailer:" .. SMTP_PASSWORD)
    local db = H.fresh_db(fx.db)
    local server = serve(db, port, options)
    assign(server)
    return box, db, server
  end

  it("a 451 is tried again until the server takes the message", function()
    local box, db = assign_to_refusing("451 4.3.0 try again later", { "--mail-retry", "1,1,1,2,2,3,5,10" })
    support.wait_for(function()
      local pending = mail_log(db, "pending")
      return #pending == 2 and pending[1].attempts >= 1 and pending[2].attempts >= 1
    end, 30, 0.2)
    local pending = mail_log(db, "pending")
    assert.are.equal(2, #pending, json.encode(mail_log(db)))
    assert.truthy(pending[1].error:find("451", 1, true), json.encode(pending))
    os.remove(box .. "/reply")
    support.wait_for(function() return #mail_log(db, "sent") == 2 end, 30, 0.2)
    assert.are.equal(2, #mail_log(db, "sent"), json.encode(mail_log(db)))
    assert.are.equal(2, #messages(box))
  end)

  it("a 550 marks the message failed, shown by mail log and GET /api/v1/mail", function()
    local box, db, server = assign_to_refusing("550 5.1.1 mailbox unavailable")
    support.wait_for(function() return #mail_log(db, "failed") == 2 end, 30, 0.2)
    local failed = mail_log(db, "failed")
    assert.are.equal(2, #failed, json.encode(failed))
    assert.are.equal(1, failed[1].attempts, "a permanent failure is not tried again")
    assert.truthy(failed[1].error:find("550", 1, true), failed[1].error)
    local r = support.run({ "mail", "log", "--db", db, "--status", "failed" })
    assert.truthy(r.stdout:find("failed", 1, true) and r.stdout:find("550", 1, true), r.stdout)
    local admin = H.login(server, H.USERS.admin.email)
    local api = H.expect(H.request(server, "GET", "/api/v1/mail", { token = admin }), 200, "mail").json
    assert.are.equal("failed", api[1].status)
    assert.truthy(api[1].error:find("550", 1, true), json.encode(api))
    assert.are.equal(0, #messages(box))
  end)

  it("a template that fails keeps the write that caused it: the message is stored failed, with file:line",
    function()
      local dir = H.tmpdir()
      support.write(dir .. "/audit_assigned.lua",
        "return { sample = {}, render = function(d)\n  while true do end\nend }\n")
      local box = H.tmpdir() .. "/box"
      local port = free_port()
      start_receiver(box, port, { cert, key }, "mailer:" .. SMTP_PASSWORD)
      local db = H.fresh_db(fx.db)
      local server = serve(db, port, { "--mail-templates", dir })
      local audit = assign(server) -- 201: the audit is there
      local failed = mail_log(db, "failed")
      assert.are.equal(2, #failed, json.encode(failed))
      assert.truthy(failed[1].error:find("audit_assigned.lua:2: instruction limit exceeded", 1, true),
        failed[1].error)
      local committee = H.login(server, H.USERS.committee.email)
      H.expect(H.request(server, "GET", "/api/v1/assessments/" .. audit.id, { token = committee }), 200, "audit")
      support.sleep(1.5)
      assert.are.equal(0, #messages(box))
    end)

  it("documents every answer this spec was given", O.check_all)
end)

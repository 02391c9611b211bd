-- Restarts (issue 3): data written before a SIGTERM (or SIGINT) is there
-- after restart, and so is every write acknowledged with a 2xx right
-- before a `kill -9`, one client's or several concurrent clients' (issue 8).

local support = require "support"
local H = require "http_support"
local LG = require "load_support"
local json = support.json
local quote = support.quote

local request, expect, expect_error = H.request, H.expect, H.expect_error

describe("restart", function()
  local fx, ids, criteria

  setup(function()
    fx = H.fixture()
    ids = fx.ids
  end)

  teardown(H.finish)

  -- A server on a fresh copy of the fixture's database; returns it and the
  -- database's path.
  local function fresh_server()
    local db = H.fresh_db(fx.db)
    return H.start_server({ db = db }), db
  end

  -- What a restart must keep, read as the committee.
  local function state_of(server, token, paths)
    local out = {}
    for _, p in ipairs(paths) do
      local r = expect(request(server, "GET", p, { token = token }), 200, p)
      out[p] = r.json
    end
    return out
  end

  local function assert_same_state(before, after)
    for p, v in pairs(before) do
      assert(H.same(v, after[p]), "changed by the restart: " .. p .. "\nbefore: " .. json.encode(v)
        .. "\nafter:  " .. json.encode(after[p]))
    end
  end

  -- Writes a little of everything; returns the paths to compare.
  local function write_some(server)
    local cae = H.login(server, H.USERS.cae_a.email)
    local admin = H.login(server, H.USERS.admin.email)
    criteria = criteria or H.criteria(server)
    local sa = H.new_self_assessment(server, cae, ids.org_a)
    for i = 1, 12 do
      local c = criteria[i]
      expect(request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/" .. c.id, { token = cae,
        json = { status = (i % 3 == 0) and "partial" or "met", comment = "avant arrêt " .. i,
          evidence = { "doc " .. i } } }), 200)
    end
    local org = expect(request(server, "POST", "/api/v1/organisations", { token = admin,
      json = { name = "Coopérative Persistante", legal_form = "SCOP SA", city = "Rennes", region = "Bretagne",
        member_since = "2016-10-10" } }), 201).json
    local item = expect(request(server, "POST", "/api/v1/organisations/" .. ids.org_a .. "/action-items", {
      token = cae,
      json = { criterion = "JF-02", action = "Tenir l'AG", owner = "Alice", due = "2027-05-05", status = "todo" },
    }), 201).json
    expect(request(server, "PATCH", "/api/v1/organisations/" .. ids.org_a .. "/action-items/" .. item.id,
      { token = cae, json = { status = "doing" } }), 200)
    return {
      "/api/v1/assessments/" .. sa.id,
      "/api/v1/assessments/" .. sa.id .. "/evaluation",
      "/api/v1/assessments",
      "/api/v1/organisations",
      "/api/v1/organisations/" .. org.id,
      "/api/v1/organisations/" .. ids.org_a .. "/action-items",
      "/api/v1/labels",
    }, sa, org
  end

  for _, signal in ipairs({ "TERM", "INT" }) do
    it("keeps the data written before a SIG" .. signal .. ", after which it exits 0", function()
      local server, db = fresh_server()
      local paths, sa = write_some(server)
      local committee = H.login(server, H.USERS.committee.email)
      local before = state_of(server, committee, paths)
      assert.are.equal(12, #before["/api/v1/assessments/" .. sa.id].answers)
      local rc, why = server.stop(signal)
      assert.are.equal(0, rc, why)
      local again = H.start_server({ db = db })
      local token = H.login(again, H.USERS.committee.email)
      assert_same_state(before, state_of(again, token, paths))
      assert.are.equal(0, again.stop())
    end)
  end

  it("closes the database cleanly on SIGTERM (no WAL content left behind)", function()
    local server, db = fresh_server()
    write_some(server)
    assert.are.equal(0, server.stop("TERM"))
    local wal = H.size(db .. "-wal")
    assert(wal == nil or wal == 0, "the -wal file still holds " .. tostring(wal) .. " bytes after a clean stop")
    -- and the file opens again (init migrates an existing database)
    local r = support.run({ "init", "--db", db })
    assert.are.equal(0, r.code, r.stderr)
  end)

  -- A PUT sent over a raw connection in two steps: its headers (with
  -- "Expect: 100-continue"), then, once the server's "100 Continue" shows
  -- the request begun, the file `ready` is made and, `pause` seconds later,
  -- the body (none if pause is false). Returns a function that waits for
  -- the connection's end and returns what came back after the 100.
  local function put_in_two_steps(server, path, token, body, pause)
    local dir = H.tmpdir()
    support.write(dir .. "/head", "PUT " .. path .. " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
      .. token .. "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " .. #body
      .. "\r\n\r\n")
    support.write(dir .. "/body", body)
    local f = function(name) return quote(dir .. "/" .. name) end
    local script = "exec 3<>/dev/tcp/127.0.0.1/" .. server.port .. " && cat " .. f("head") .. " >&3"
      .. " && read -r status <&3 && read -r blank <&3 && echo \"$status\" >" .. f("continue")
      .. " && touch " .. f("ready")
      .. (pause and (" && sleep " .. pause .. " && cat " .. f("body") .. " >&3") or "")
      .. "; cat <&3 >" .. f("response") .. "; touch " .. f("done")
    os.execute("timeout 20 bash -c " .. quote(script) .. " >/dev/null 2>&1 &")
    support.wait_for(function() return support.read(dir .. "/ready") end, 10, 0.02)
    assert(support.read(dir .. "/ready"), "no 100 Continue within 10 s: " .. tostring(support.read(dir
      .. "/continue")))
    return function() -- waits for the connection's end
      local until_t = H.now() + 10
      while not support.read(dir .. "/done") and H.now() < until_t do
        H.sleep(0.02)
      end
      return support.read(dir .. "/response") or "(no end of the connection within 10 s)"
    end
  end

  -- A server on a new database, a CAE's token and a draft of its own.
  local function server_with_draft()
    local server, db = fresh_server()
    local cae = H.login(server, H.USERS.cae_a.email)
    return db, server, cae, H.new_self_assessment(server, cae, ids.org_a)
  end

  it("lets a request under way at SIGTERM finish and answers it before stopping", function()
    local db, server, cae, sa = server_with_draft()
    local path = "/api/v1/assessments/" .. sa.id .. "/answers/JF-01"
    local response = put_in_two_steps(server, path, cae,
      json.encode({ status = "met", comment = "écrit pendant l'arrêt", evidence = {} }), 0.5)
    local t0 = H.now()
    assert.are.equal(0, server.stop("TERM"))
    local took = H.now() - t0
    local got = response()
    assert.is_truthy(got:match("^HTTP/1%.1 200"), "the request under way at the stop got: " .. got)
    assert.is_truthy(got:lower():find("connection: close", 1, true), "no Connection: close while stopping: " .. got)
    assert.is_truthy(got:find("écrit pendant l'arrêt", 1, true), got)
    assert.is_true(took < 4, "the stop waited " .. took .. " s for a request that took 0.5 s")

    local again = H.start_server({ db = db })
    local r = expect(request(again, "GET", "/api/v1/assessments/" .. sa.id, { token = cae }), 200)
    local kept
    for _, a in ipairs(r.json.answers) do
      if a.criterion == "JF-01" then
        kept = a.comment
      end
    end
    assert.are.equal("écrit pendant l'arrêt", kept)
    assert.are.equal(0, again.stop())
  end)

  it("stops within seconds when a request under way never ends", function()
    local _, server, cae, sa = server_with_draft()
    local response = put_in_two_steps(server, "/api/v1/assessments/" .. sa.id .. "/answers/JF-01", cae,
      json.encode({ status = "met" }), false)
    local t0 = H.now()
    assert.are.equal(0, server.stop("TERM"))
    local took = H.now() - t0
    assert.is_true(took > 4 and took < 8, "the stop took " .. took .. " s (it waits 5 s for requests under way)")
    assert.are.equal("", response(), "an answer to a request whose body never came")
  end)

  -- A keep-alive connection, proven taken by a first GET of /api/v1/me;
  -- send(head, body) later writes a request on it, its body a fifth of a
  -- second after its head, and returns a function that waits for the
  -- connection's end and returns what came back.
  local function kept_connection(server, token)
    local dir = H.tmpdir()
    support.write(dir .. "/first", "GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " .. token
      .. "\r\n\r\n")
    local f = function(name) return quote(dir .. "/" .. name) end
    local script = "exec 3<>/dev/tcp/127.0.0.1/" .. server.port .. " && cat " .. f("first") .. " >&3"
      .. " && n=0 && while IFS= read -r line <&3; do line=${line%$'\\r'}; [ -z \"$line\" ] && break;"
      .. " case \"$line\" in [Cc]ontent-[Ll]ength:*) n=${line#*: };; esac; done"
      .. " && head -c \"$n\" <&3 >/dev/null && touch " .. f("taken")
      .. " && while [ ! -f " .. f("go") .. " ]; do sleep 0.01; done && cat " .. f("head") .. " >&3"
      .. " && sleep 0.2 && cat " .. f("body") .. " >&3"
      .. "; cat <&3 >" .. f("response") .. "; touch " .. f("done")
    os.execute("timeout 30 bash -c " .. quote(script) .. " >/dev/null 2>&1 &")
    local function wait_file(name, limit)
      local until_t = H.now() + limit
      while not support.read(dir .. "/" .. name) and H.now() < until_t do
        H.sleep(0.02)
      end
      return support.read(dir .. "/" .. name)
    end
    assert(wait_file("taken", 10), "the first GET on the kept connection got no answer")
    return function(head, body)
      support.write(dir .. "/head", head)
      support.write(dir .. "/body", body)
      support.write(dir .. "/go", "")
      return function()
        return wait_file("done", 10) and (support.read(dir .. "/response") or "")
          or "(no end of the connection within 10 s)"
      end
    end
  end

  it("answers 503 to a request begun during a stop, and does not make it once its body comes", function()
    local db, server, cae, sa = server_with_draft()
    local path = "/api/v1/assessments/" .. sa.id .. "/answers/"
    local send = kept_connection(server, cae)
    -- a request under way holds the stop open for a second
    local first = put_in_two_steps(server, path .. "JF-01", cae,
      json.encode({ status = "met", comment = "avant l'arrêt", evidence = {} }), 1)
    os.execute("kill -TERM " .. server.pid)
    support.wait_for(function() return select(2, server.output()):find("stopping", 1, true) end, 10, 0.02)
    H.sleep(0.1)
    local body = json.encode({ status = "met", comment = "pendant l'arrêt", evidence = {} })
    local got = send("PUT " .. path .. "JF-02 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " .. cae
      .. "\r\nContent-Type: application/json\r\nContent-Length: " .. #body .. "\r\n\r\n", body)()
    assert.is_truthy(got:match("^HTTP/1%.1 503"), "a request begun during the stop got: " .. got)
    assert.is_truthy(got:find('"stopping"', 1, true), got)
    assert.is_truthy(got:lower():find("retry-after: 5", 1, true), got)
    assert.is_truthy(first():match("^HTTP/1%.1 200"), "the request under way was not answered")
    assert.are.equal(0, server.wait(10))
    -- the refused PUT is nowhere, the answered one is stored
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM answers WHERE comment = 'pendant l''arrêt';"))
    assert.are.equal("0", H.sql_value(db, "SELECT count(*) FROM journal WHERE after LIKE '%pendant l''arrêt%';"))
    assert.are.equal("1", H.sql_value(db, "SELECT count(*) FROM answers WHERE comment = 'avant l''arrêt';"))
  end)

  -- Two drafts of each of two CAEs: {id, token, who} each, and their ids.
  local function load_targets(server)
    local targets, ids_written = {}, {}
    for _, who in ipairs({ "cae_a", "cae_a", "cae_b", "cae_b" }) do
      local token = H.login(server, H.USERS[who].email)
      local sa = H.new_self_assessment(server, token, who == "cae_a" and ids.org_a or ids.org_b)
      targets[#targets + 1] = { id = sa.id, token = token, who = who }
      ids_written[#ids_written + 1] = sa.id
    end
    return targets, ids_written
  end

  -- 16 clients writing answers to targets, each to criteria of its own, as
  -- fast as they can; returns once 300 writes are acknowledged and `seconds`
  -- have passed (30 s at most), with the run and when it started.
  local function start_load(server, targets, seconds)
    criteria = criteria or H.criteria(server)
    local run = LG.start(server, { targets = targets, criteria = LG.criteria_ids(criteria), clients = 16,
      seconds = 60, writes = 100, timeout = 10 })
    local started = H.now()
    while (run.acks() < 300 or H.now() - started < seconds) and H.now() < started + 30 do
      H.sleep(0.05)
    end
    return run, started
  end

  it("stops on SIGTERM under a write load without waiting out its bound, every stored write answered",
    function()
      local server, db = fresh_server()
      local targets, ids_written = load_targets(server)
      local run = start_load(server, targets, 1)
      local t0 = H.now()
      assert.are.equal(0, server.stop("TERM"))
      local took = H.now() - t0
      local figures, writes = run.finish(30)
      print("SIGTERM under load: " .. LG.summary(figures) .. string.format("; stopped in %.2f s", took))
      -- keep-alive clients are closed with their answers, not waited for
      assert.is_true(took < 3, "the stop took " .. took .. " s under load")
      -- what came while it stopped got a 503, and is not stored (assert_stored)
      assert.are.equal(0, figures.wrong_body, json.encode(figures.error_samples))
      assert.are.equal(figures.refused, figures.statuses["503"] or 0, "refusals other than 503: "
        .. json.encode(figures.statuses))
      LG.assert_stored(db, ids_written, writes)
      -- a write the server took was answered: none is stored unanswered
      for line in H.sql(db, "SELECT assessment_id || ' ' || criterion || ' ' || comment FROM answers"
          .. " WHERE assessment_id IN (" .. table.concat(ids_written, ",") .. ");"):gmatch("[^\n]+") do
        local key, comment = line:match("^(%d+ %S+) (.*)$")
        assert.are.equal(writes[key].last, comment, "answer " .. key .. " stored without an answer to its client")
      end
    end)

  it("keeps sessions across a restart, and logouts too", function()
    local server, db = fresh_server()
    local kept = H.login(server, H.USERS.cae_b.email)
    local ended = H.login(server, H.USERS.cae_b.email)
    expect(request(server, "DELETE", "/api/v1/session", { token = ended }), 204)
    assert.are.equal(0, server.stop())
    local again = H.start_server({ db = db })
    local me = expect(request(again, "GET", "/api/v1/me", { token = kept }), 200)
    assert.are.equal(ids.cae_b, me.json.id)
    expect_error(request(again, "GET", "/api/v1/me", { token = ended }), 401)
    assert.are.equal(0, again.stop())
  end)

  it("keeps every write acknowledged right before a kill -9", function()
    local server, db = fresh_server()
    local committee = H.login(server, H.USERS.committee.email)
    local auditor = H.login(server, H.USERS.auditor.email)
    local cae = H.login(server, H.USERS.cae_a.email)
    local paths, sa, org = write_some(server)
    -- a whole audit and its decision, the last write just before the kill
    local audit = H.submitted_audit(server, committee, auditor, ids.org_a, ids.auditor, criteria)
    local d = expect(request(server, "POST", "/api/v1/assessments/" .. audit.id .. "/decision", {
      token = committee,
      json = { outcome = "awarded", date = H.today(), recommendations = { "Continuer." }, good_practices = {} },
    }), 201)
    local revoked = H.login(server, H.USERS.cae_b.email)
    expect(request(server, "DELETE", "/api/v1/session", { token = revoked }), 204)
    local last = expect(request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/SO-10", { token = cae,
      json = { status = "not_met", comment = "écrit juste avant le kill", evidence = { "dernier" } } }), 200)
    assert.are.equal("not_met", last.json.status)
    paths[#paths + 1] = "/api/v1/assessments/" .. audit.id
    paths[#paths + 1] = "/api/v1/public/labels"
    local before = state_of(server, committee, paths)
    server.kill9()
    assert.is_false(H.alive(server.pid), "the server survived kill -9")

    local again = H.start_server({ db = db })
    local token = H.login(again, H.USERS.committee.email)
    local after = state_of(again, token, paths)
    assert_same_state(before, after)
    local a = after["/api/v1/assessments/" .. sa.id]
    local found
    for _, ans in ipairs(a.answers) do
      if ans.criterion == "SO-10" then
        found = ans
      end
    end
    assert.truthy(found, "the answer acknowledged just before kill -9 is lost")
    assert.are.equal("écrit juste avant le kill", found.comment)
    assert.are.equal("decided", after["/api/v1/assessments/" .. audit.id].status)
    local labelled
    for _, l in ipairs(after["/api/v1/public/labels"]) do
      if l.organisation_id == ids.org_a then
        labelled = l
      end
    end
    assert.truthy(labelled, "the label awarded before kill -9 is lost")
    assert.are.equal(d.json.valid_until, labelled.valid_until)
    local g = expect(request(again, "GET", "/api/v1/organisations/" .. org.id, { token = token }), 200)
    assert.are.equal("Coopérative Persistante", g.json.name)
    expect_error(request(again, "GET", "/api/v1/me", { token = revoked }), 401)
    assert.are.equal(0, again.stop())
  end)

  it("keeps every acknowledged write of a burst cut short by kill -9", function()
    local server, db = fresh_server()
    local cae = H.login(server, H.USERS.cae_a.email)
    criteria = criteria or H.criteria(server)
    local sa = H.new_self_assessment(server, cae, ids.org_a)
    -- a client writing answers as fast as it can, logging each status
    local dir = H.tmpdir()
    local log = dir .. "/log"
    local lines = { "#!/bin/sh" }
    for i, c in ipairs(criteria) do
      local body = json.encode({ status = "met", comment = "rafale " .. i, evidence = {} })
      lines[#lines + 1] = string.format(
        "code=$(curl -s -o /dev/null -w '%%{http_code}' --max-time 5 -X PUT -H 'Content-Type: application/json'"
          .. " -H %s --data-binary %s %s); echo %s $code >>%s",
        quote("Authorization: Bearer " .. cae), quote(body),
        quote(server.url .. "/api/v1/assessments/" .. sa.id .. "/answers/" .. c.id), c.id, quote(log))
    end
    lines[#lines + 1] = "echo done >" .. quote(dir .. "/finished")
    support.write(dir .. "/burst.sh", table.concat(lines, "\n") .. "\n")
    os.execute("sh " .. quote(dir .. "/burst.sh") .. " </dev/null >/dev/null 2>&1 &")
    -- let some writes through, then kill the server in the middle
    support.wait_for(function() return support.count(support.read(log) or "", "\n") >= 20 end, 10, 0.02)
    server.kill9()
    support.wait_for(function() return support.read(dir .. "/finished") end, 30, 0.1)
    assert.truthy(support.read(dir .. "/finished"), "the client did not finish")
    local acknowledged = {}
    local count = 0
    for _, line in ipairs(support.lines(support.read(log) or "")) do
      local id, code = line:match("^(%S+) (%d+)$")
      if code and code:sub(1, 1) == "2" then
        acknowledged[id] = true
        count = count + 1
      end
    end
    assert.is_true(count >= 20, "fewer than 20 writes were acknowledged before the kill: " .. count)
    assert.is_true(count < #criteria, "the kill came after the whole burst; nothing was cut short")

    local again = H.start_server({ db = db })
    local token = H.login(again, H.USERS.cae_a.email)
    local r = expect(request(again, "GET", "/api/v1/assessments/" .. sa.id, { token = token }), 200)
    local stored = {}
    for _, a in ipairs(r.json.answers) do
      stored[a.criterion] = a
    end
    for i, c in ipairs(criteria) do
      if acknowledged[c.id] then
        assert.truthy(stored[c.id], "acknowledged answer " .. c.id .. " lost after kill -9")
        assert.are.equal("rafale " .. i, stored[c.id].comment)
      end
    end
    -- and the database takes writes again
    expect(request(again, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/SO-11", { token = token,
      json = { status = "met", comment = "après redémarrage", evidence = {} } }), 200)
    assert.are.equal(0, again.stop())
  end)
  it("keeps every write acknowledged to concurrent clients when kill -9 cuts them short, none half-written",
    function()
      local server, db = fresh_server()
      local targets, ids_written = load_targets(server)
      local run, started = start_load(server, targets, 1.5)
      server.kill9()
      assert.is_false(H.alive(server.pid), "the server survived kill -9")
      local figures, writes = run.finish(30)
      print("kill -9 under load: " .. LG.summary(figures))
      assert.is_true(figures.ok >= 300, "fewer than 300 writes acknowledged before the kill: " .. figures.ok)
      assert.are.equal(0, figures.refused + figures.wrong_body, "writes refused before the kill: "
        .. json.encode(figures.error_samples))
      -- every client stopped on its first request without an answer
      assert.are.equal(16, figures.unanswered, json.encode(figures))
      assert.is_true(H.now() - started < 45, "the clients did not stop at the kill")

      local again = H.start_server({ db = db })
      local tokens = { cae_a = H.login(again, H.USERS.cae_a.email), cae_b = H.login(again, H.USERS.cae_b.email) }
      local token = tokens.cae_a
      for _, t in ipairs(targets) do
        local r = expect(request(again, "GET", "/api/v1/assessments/" .. t.id, { token = tokens[t.who] }), 200)
        for _, a in ipairs(r.json.answers) do
          local k = writes[t.id .. " " .. a.criterion]
          assert(k and (a.comment == k.last or a.comment == k.pending), "after restart, answer " .. a.criterion
            .. " of assessment " .. t.id .. " holds " .. tostring(a.comment))
        end
      end
      -- and the database takes writes again
      expect(request(again, "PUT", "/api/v1/assessments/" .. targets[1].id .. "/answers/SO-11", { token = token,
        json = { status = "met", comment = "après redémarrage", evidence = {} } }), 200)
      assert.are.equal(0, again.stop())
      writes[targets[1].id .. " SO-11"] = { acked = { "après redémarrage" }, last = "après redémarrage" }
      LG.assert_stored(db, ids_written, writes)
    end)
end)

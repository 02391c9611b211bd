-- Storage faults (issue 8): a full disk and a read-only database, against
-- the real server and a real SQLite file. Writes fail with a 503 whose
-- message names the reason, the reason is on serve's stderr, reads keep
-- working (old sessions included, whose idle-time touch cannot be written),
-- and nothing is corrupted: PRAGMA integrity_check, `labelcoop verify`,
-- every acknowledged answer kept, no trace of a refused one.
--
-- A full disk is a file size limit (RLIMIT_FSIZE) put on the running server
-- with prlimit: SQLite's next write past the end of its WAL file fails
-- (EFBIG) through the real write path. Raising the limit frees the disk.
-- A read-only database is a file serve's user cannot write. Root writes any
-- file, so when the specs run as root serve runs as `nobody` (setpriv, from
-- util-linux) in a folder it may create SQLite's -wal and -shm files in.

local support = require "support"
local H = require "http_support"
local L = require "lifecycle_support"
local quote = support.quote

local request, expect, expect_error = H.request, H.expect, H.expect_error

local function sh(command)
  assert(os.execute(command), "failed: " .. command)
end

local function output_of(command)
  local p = assert(io.popen(command))
  local out = p:read("a")
  p:close()
  return (out:gsub("%s+$", ""))
end

local AS_NOBODY = { "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups" }
local is_root = output_of("id -u") == "0"

-- Answers criteria[from..to] of assessment `id`; every one must get 200.
-- Returns {criterion = comment}.
local function answer(server, token, id, criteria, from, to, tag)
  local list, sent = {}, {}
  for i = from, to do
    local c = criteria[i].id
    sent[c] = tag .. " " .. c
    list[#list + 1] = { method = "PUT", path = "/api/v1/assessments/" .. id .. "/answers/" .. c, token = token,
      json = { status = "partial", comment = sent[c], evidence = { "pièce " .. c } } }
  end
  for _, r in ipairs(H.many(server, list)) do
    expect(r, 200, "answer before the fault")
  end
  return sent
end

-- Sessions last seen 10 minutes ago: the next request of each must write
-- its idle-time touch (sessions younger than a minute are not touched).
local function age_sessions(db)
  L.sql(db, "UPDATE sessions SET last_seen = last_seen - 600;")
end

-- A write the fault must refuse: 503 "unavailable", the reason in the
-- message and on stderr. Returns the message.
local function assert_refused(server, r, reason, what)
  local e = expect_error(r, 503, nil, what)
  assert(e.message:find(reason, 1, true), what .. ": the message does not say '" .. reason .. "': " .. e.message)
  local _, err = server.output()
  assert(err:find("error: " .. e.message, 1, true), what .. ": '" .. e.message .. "' is not on serve's stderr:\n"
    .. err:sub(-2000))
  return e.message
end

-- After the fault, with the server stopped: the file is sound, every
-- acknowledged answer is there as sent, no refused one left a trace.
local function assert_intact(db, id, kept, refused)
  assert.are.equal("ok", L.sql_value(db, "PRAGMA integrity_check;"))
  local verify = support.run({ "verify", "--db", db })
  assert.are.equal(0, verify.code, "labelcoop verify: " .. verify.stdout .. verify.stderr)
  local stored = {}
  for line in L.sql(db, "SELECT criterion || '|' || comment FROM answers WHERE assessment_id = " .. id .. ";")
      :gmatch("[^\n]+") do
    local c, comment = line:match("^([^|]+)|(.*)$")
    stored[c] = comment
  end
  for c, comment in pairs(kept) do
    assert.are.equal(comment, stored[c], "acknowledged answer " .. c)
  end
  assert.are.equal(#support.keys(kept), #support.keys(stored), "answers stored: " .. table.concat(support.keys(stored), " "))
  for _, c in ipairs(refused) do
    assert.is_nil(stored[c], "the refused answer " .. c .. " was stored")
    local n = L.sql_value(db, "SELECT count(*) FROM journal WHERE action = 'answer.put' AND entity_id = " .. id
      .. " AND json_extract(after, '$.criterion') = '" .. c .. "';")
    assert.are.equal("0", n, "the refused answer " .. c .. " is in the journal")
  end
end

describe("storage faults", function()
  local fx, criteria

  setup(function()
    fx = H.fixture()
  end)

  teardown(H.finish)

  it("a full disk: writes get 503 naming the reason, reads keep working, nothing is lost or corrupted", function()
    local db = H.fresh_db(fx.db)
    local server = H.start_server({ db = db, stderr_pipe = true })
    criteria = criteria or H.criteria(server)
    local cae = H.login(server, H.USERS.cae_a.email)
    local committee = H.login(server, H.USERS.committee.email)
    local sa = H.new_self_assessment(server, cae, fx.ids.org_a)
    local kept = answer(server, cae, sa.id, criteria, 1, 10, "avant")
    age_sessions(db)

    -- The disk is full: no file of the server may grow by one byte.
    local soft = output_of("prlimit --pid " .. server.pid .. " --fsize --raw --noheadings --output=SOFT")
    sh("prlimit --pid " .. server.pid .. " --fsize=1024:")
    local refused = {}
    for i = 11, 14 do
      local c = criteria[i].id
      refused[#refused + 1] = c
      local r = request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/" .. c,
        { token = cae, json = { status = "met", comment = "disque plein", evidence = {} } })
      assert_refused(server, r, "File too large", "PUT answer " .. c .. " on a full disk")
    end
    assert_refused(server, request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.cae_b.email, password = H.PASSWORD } }), "File too large", "login on a full disk")
    assert_refused(server, request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/assessments",
      { token = cae, json = { kind = "self_assessment" } }), "File too large", "new assessment on a full disk")

    -- Reads, with sessions whose touch cannot be written.
    local got = expect(request(server, "GET", "/api/v1/assessments/" .. sa.id, { token = cae }), 200,
      "read on a full disk").json
    assert.are.equal(10, #got.answers)
    for _, a in ipairs(got.answers) do
      assert.are.equal(kept[a.criterion], a.comment)
    end
    expect(request(server, "GET", "/api/v1/assessments", { token = committee }), 200, "list on a full disk")
    expect(request(server, "GET", "/api/v1/referential"), 200, "référentiel on a full disk")
    assert.is_true(H.alive(server.pid), "the server died on a full disk")

    -- Space again: writes work without a restart.
    sh("prlimit --pid " .. server.pid .. " --fsize=" .. soft .. ":")
    local c = criteria[15].id
    local r = expect(request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/" .. c,
      { token = cae, json = { status = "met", comment = "après", evidence = {} } }), 200, "write once space is back")
    assert.are.equal("après", r.json.comment)
    kept[c] = "après"
    assert.are.equal(0, server.stop())
    assert_intact(db, sa.id, kept, refused)
  end)

  it("a read-only database: writes get 503 naming the reason, reads keep working, nothing changes", function()
    -- A folder of its own, readable by everyone (mktemp makes it 0700).
    local dir = H.tmpdir()
    sh("chmod 0755 " .. quote(dir))
    local db = H.copy(fx.db, dir .. "/labelcoop.db")
    local server = H.start_server({ db = db })
    criteria = criteria or H.criteria(server)
    local cae = H.login(server, H.USERS.cae_a.email)
    local committee = H.login(server, H.USERS.committee.email)
    local sa = H.new_self_assessment(server, cae, fx.ids.org_a)
    local kept = answer(server, cae, sa.id, criteria, 1, 5, "avant")
    assert.are.equal(0, server.stop())
    age_sessions(db)
    local journal = L.sql_value(db, "SELECT count(*) FROM journal;")

    local opts = { db = db }
    if is_root then
      -- serve runs as nobody, from copies it can read wherever the tree is.
      sh("chown nobody:nogroup " .. quote(dir))
      sh("cp " .. quote(support.bin) .. " " .. quote(dir .. "/labelcoop"))
      for _, folder in ipairs({ "rules", "web", "plugins", "scripts" }) do
        sh("cp -r " .. quote(support.root .. "/" .. folder) .. " " .. quote(dir .. "/" .. folder))
      end
      opts.prefix = AS_NOBODY
      opts.bin = dir .. "/labelcoop"
      opts.rules, opts.web = dir .. "/rules", dir .. "/web"
      opts.args = { "--plugins", dir .. "/plugins", "--scripts", dir .. "/scripts" }
      local probe = table.concat(AS_NOBODY, " ") .. " sh -c " .. quote("test -w " .. quote(db))
      assert.is_falsy(os.execute(probe), "nobody can write the database: the test would prove nothing")
    else
      sh("chmod 0444 " .. quote(db))
    end
    local ro = H.start_server(opts)

    local got = expect(request(ro, "GET", "/api/v1/assessments/" .. sa.id, { token = cae }), 200,
      "read from a read-only database").json
    assert.are.equal(5, #got.answers)
    expect(request(ro, "GET", "/api/v1/assessments", { token = committee }), 200, "list, read-only")
    expect(request(ro, "GET", "/api/v1/referential"), 200, "référentiel, read-only")
    local refused = {}
    for i = 6, 8 do
      local c = criteria[i].id
      refused[#refused + 1] = c
      assert_refused(ro, request(ro, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/" .. c,
        { token = cae, json = { status = "met", comment = "lecture seule", evidence = {} } }),
        "readonly database", "PUT answer " .. c .. " on a read-only database")
    end
    assert_refused(ro, request(ro, "POST", "/api/v1/session",
      { json = { email = H.USERS.cae_b.email, password = H.PASSWORD } }), "readonly database",
      "login on a read-only database")
    expect(request(ro, "GET", "/api/v1/me", { token = cae }), 200, "still answering")
    assert.are.equal(0, ro.stop())

    if is_root then
      sh("chown -R root:root " .. quote(dir))
    end
    sh("chmod 0644 " .. quote(db))
    assert.are.equal(journal, L.sql_value(db, "SELECT count(*) FROM journal;"), "the journal changed")
    assert_intact(db, sa.id, kept, refused)
    -- Writable again: the same file takes writes.
    local again = H.start_server({ db = db })
    expect(request(again, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/" .. refused[1],
      { token = cae, json = { status = "met", comment = "de nouveau", evidence = {} } }), 200, "writable again")
    assert.are.equal(0, again.stop())
  end)
end)

-- The settings file (issue 19): `serve --config FILE` or $LABELCOOP_CONFIG,
-- keys the long options' names, the command line winning; every bad line
-- refused at start with file:line and exit 2; `config check` printing the
-- effective settings; the tunables that were hard-coded (body limit,
-- session lifetimes, login throttling) as settings.

local support = require "support"
local H = require "http_support"

local quote = support.quote

-- A settings file of these lines, in a temporary folder.
local function settings(lines)
  return support.write(H.tmpdir() .. "/labelcoop.conf", table.concat(lines, "\n") .. "\n")
end

-- `labelcoop config check` with an environment; its exit code and output.
local function check(args, env)
  local words = { env or "", quote(support.bin), "config", "check" }
  for _, a in ipairs(args) do
    words[#words + 1] = quote(a)
  end
  local dir = H.tmpdir()
  local code = select(3, os.execute("cd " .. quote(support.root) .. " && " .. table.concat(words, " ")
    .. " >" .. quote(dir .. "/out") .. " 2>" .. quote(dir .. "/err")))
  return code, support.read(dir .. "/out"), support.read(dir .. "/err")
end

-- The settings `config check` printed, as {key = value}.
local function effective(out)
  local t = {}
  for key, value in out:gmatch("\n([a-z-]+) = ([^\n]*)") do
    t[key] = value
  end
  return t
end

-- A session token made `seconds` older in the database.
local function age_sessions(db, seconds)
  H.sql(db, ("UPDATE sessions SET last_seen = last_seen - %d, created_at = created_at - %d;")
    :format(seconds, seconds))
end

describe("the settings file", function()
  local fx
  setup(function()
    fx = H.fixture()
  end)
  teardown(H.finish)

  it("sets what serve does, and the command line wins over it", function()
    local file = settings({
      "# the settings of a test server",
      "listen = 127.0.0.1:1", -- overridden by start_server's --listen 127.0.0.1:0
      "max-body = 2048",
      "",
      "login-failures-per-client = 3",
      "session-idle = 600",
    })
    local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--config", file } })
    -- The body limit: 2 KiB.
    H.expect_error(H.request(server, "POST", "/api/v1/session", { raw = string.rep("x", 4096) }), 413)
    H.expect_error(H.request(server, "POST", "/api/v1/session",
      { json = { email = "nobody@example.org", password = string.rep("p", 1500) } }), 401)
    -- Three failures from this address, then 429 even for a right password.
    for i = 2, 3 do
      H.expect_error(H.request(server, "POST", "/api/v1/session",
        { json = { email = "nobody" .. i .. "@example.org", password = "wrong" } }), 401)
    end
    H.expect_error(H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.admin.email, password = H.PASSWORD } }), 429)
  end)

  it("ends sessions unused for session-idle seconds", function()
    local db = H.fresh_db(fx.db)
    local idle = H.start_server({ db = db, args = { "--config", settings({ "session-idle = 600" }) } })
    local token = H.login(idle, H.USERS.cae_a.email)
    age_sessions(db, 300)
    H.expect(H.request(idle, "GET", "/api/v1/me", { token = token }), 200, "300 s idle of 600")
    age_sessions(db, 700)
    H.expect_error(H.request(idle, "GET", "/api/v1/me", { token = token }), 401)
    idle.stop()
    -- The default (1800 s) keeps a session idle for 700 s.
    local db2 = H.fresh_db(fx.db)
    local default = H.start_server({ db = db2 })
    token = H.login(default, H.USERS.cae_a.email)
    age_sessions(db2, 700)
    H.expect(H.request(default, "GET", "/api/v1/me", { token = token }), 200, "700 s idle of 1800")
  end)

  it("is read from $LABELCOOP_CONFIG when no --config is given", function()
    local file = settings({ "threads = 7", "max-memory = 32" })
    local code, out, err = check({}, "LABELCOOP_CONFIG=" .. quote(file))
    assert.are.equal(0, code, err)
    local s = effective(out)
    assert.are.equal("7", s.threads)
    assert.are.equal("32", s["max-memory"])
    assert.truthy(out:find(file, 1, true), out)
    -- --config names another file; the command line still wins over both.
    local other = settings({ "threads = 5" })
    code, out = check({ "--config", other, "--threads", "3" }, "LABELCOOP_CONFIG=" .. quote(file))
    assert.are.equal(0, code)
    assert.are.equal("3", effective(out).threads)
    assert.are.equal("64", effective(out)["max-memory"], "the environment's file is not read")
  end)

  it("is refused at start with file:line and exit 2, the server not started", function()
    local many = {} -- far more settings than there are options
    for i = 1, 300 do
      many[i] = "key-" .. i .. " = " .. i
    end
    local bad = {
      { { "threads = 8", "bogus = 1" }, ":2: unknown setting 'bogus'" },
      { { "threads = 99" }, ":1: --threads: a whole number, from 1 to 64" },
      { { "", "# a comment", "threads 9" }, ":3: expected 'key = value'" },
      { { "threads = 2", "threads = 3" }, ":2: threads is already set on line 1" },
      { { "note = x" }, ":1: unknown setting 'note'" },
      { { "config = /etc/other.conf" }, ":1: unknown setting 'config'" },
      { { "Listen = 127.0.0.1:8080" }, ":1: 'Listen' is not a setting's name" },
      { { "db = a\1b" }, ":1: a control character" },
      { { "max-body = 1k" }, ":1: --max-body: bytes, from 1024 to 1073741824" },
      { many, ":257: over 256 settings" },
    }
    for _, case in ipairs(bad) do
      local file = settings(case[1])
      local r = support.run({ "serve", "--config", file, "--listen", "127.0.0.1:0", "--db",
        H.tmpdir() .. "/never.db" }, nil, nil, 20)
      assert.are.equal(2, r.code, table.concat(case[1], " / ") .. ": " .. r.stderr)
      assert.truthy(r.stderr:find(file .. case[2], 1, true), "expected " .. case[2] .. ": " .. r.stderr)
      assert.are.equal("", r.stdout, "nothing listens")
    end
    -- Files that are no settings file at all.
    local dir = H.tmpdir()
    support.write(dir .. "/latin1.conf", "city = Saint-\233tienne\n")
    support.write(dir .. "/huge.conf", string.rep("# padding\n", 7000))
    for path, message in pairs({
      [dir .. "/missing.conf"] = "cannot read it",
      [dir] = "not a file",
      ["/dev/zero"] = "not a file",
      [dir .. "/latin1.conf"] = "not UTF-8 text",
      [dir .. "/huge.conf"] = "over 64 KiB",
    }) do
      local r = support.run({ "serve", "--config", path, "--listen", "127.0.0.1:0" }, nil, nil, 20)
      assert.are.equal(2, r.code, path .. ": " .. r.stderr)
      assert.truthy(r.stderr:find(path .. ": " .. message, 1, true), r.stderr)
    end
  end)

  it("gives the administrator's commands the server's database", function()
    local db = H.fresh_db(fx.db)
    local file = settings({ "db = " .. db, "listen = 127.0.0.1:8080", "threads = 2" })
    local r = support.run({ "verify", "--config", file })
    assert.are.equal(0, r.code, r.stderr)
    assert.truthy(r.stdout:find("verified", 1, true), r.stdout)
    -- A command passes over the settings it has no option for (listen,
    -- threads) but still refuses a file with an unknown one.
    r = support.run({ "verify", "--config", settings({ "db = " .. db, "thread = 2" }) })
    assert.are.equal(2, r.code)
    assert.truthy(r.stderr:find(":2: unknown setting 'thread'", 1, true), r.stderr)
  end)
end)

describe("config check", function()
  teardown(H.finish)

  it("prints the effective settings as a settings file that reads back the same", function()
    local file = settings({ "threads = 6", "session-lifetime = 7200", "webhook-allow = 10.0.0.0/8" })
    local code, out, err = check({ "--config", file, "--max-body", "4096" })
    assert.are.equal(0, code, err)
    local s = effective(out)
    assert.are.equal("6", s.threads)
    assert.are.equal("7200", s["session-lifetime"])
    assert.are.equal("4096", s["max-body"])
    assert.are.equal("10.0.0.0/8", s["webhook-allow"])
    assert.are.equal("1800", s["session-idle"], "a default")
    assert.are.equal("127.0.0.1:8080", s.listen, "a default")
    -- Its output is itself a settings file giving the same settings.
    local again = support.write(H.tmpdir() .. "/again.conf", out)
    local code2, out2, err2 = check({ "--config", again })
    assert.are.equal(0, code2, err2)
    assert.are.same(s, effective(out2))
  end)

  it("takes keys with '_' for '-' and values in double quotes, as issue 21 writes them", function()
    local code, out, err = check({ "--config", settings({ "smtp_url = smtp://127.0.0.1:2525",
      'smtp_tls = "none"', 'mail_from = "labels@reseau.test"' }) })
    assert.are.equal(0, code, err)
    local s = effective(out)
    assert.are.same({ "smtp://127.0.0.1:2525", "none", "labels@reseau.test" },
      { s["smtp-url"], s["smtp-tls"], s["mail-from"] })
    -- both spellings name one setting: given twice, refused at the second
    code, _, err = check({ "--config", settings({ "smtp-url = smtp://a.test:25", "smtp_url = smtp://b.test:25" }) })
    assert.are.equal(2, code)
    assert.truthy(err:find(":2: smtp-url is already set on line 1", 1, true), err)
  end)

  it("says each folder that is not there and each retry list that does not parse", function()
    local file = settings({ "rules = /nonexistent/rules", "webhook-retry = 1,x" })
    local code, out, err = check({ "--config", file })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("rules = /nonexistent/rules: not a folder", 1, true), err)
    assert.truthy(err:find("webhook-retry = 1,x: expected seconds", 1, true), err)
  end)
end)

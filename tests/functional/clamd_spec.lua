-- Virus scanning of evidence documents (issue 20): with --clamd, each upload
-- goes to ClamAV's clamd (INSTREAM over its socket) before it is kept; an
-- infected file gets 422 naming the signature, clamd unreachable 503, and
-- neither leaves a file or a row; without it, uploads are taken unscanned
-- and /health says so. A real clamd (Debian's clamav-daemon) runs here on
-- a socket of its own with one test signature, no freshclam database.

local H = require "http_support"
local D = require "documents_support"
local support = require "support"
local quote = support.quote

local MARKER = "LABELCOOP-EICAR-LIKE-TEST-MARKER"
local SIGNATURE = "Labelcoop.Test.Marker"

-- Whether there is a Unix socket at path.
local function socket_at(path)
  return os.execute("test -S " .. quote(path)) == true
end

-- Starts clamd with a database of one signature (the marker's bytes, in
-- ClamAV's .ndb format) on a socket in a folder of its own; returns a
-- process object H.stop_all stops, with its socket's spec.
local function start_clamd()
  local clamd = assert(io.popen("command -v clamd || ls /usr/sbin/clamd 2>/dev/null")):read("l")
  assert(clamd and clamd ~= "", "clamd is missing: apt-get install clamav-daemon (make deps)")
  local dir = H.tmpdir()
  os.execute("mkdir " .. quote(dir .. "/db"))
  support.write(dir .. "/db/test.ndb", SIGNATURE .. ":0:*:" .. MARKER:gsub(".", function(c)
    return string.format("%02x", c:byte())
  end) .. "\n")
  local sock = dir .. "/clamd.sock"
  support.write(dir .. "/clamd.conf", table.concat({ "LocalSocket " .. sock, "DatabaseDirectory " .. dir .. "/db",
    "Foreground yes", "LogFile " .. dir .. "/clamd.log", "PidFile " .. dir .. "/clamd.pid", "" }, "\n"))
  H.spawn(dir, quote(clamd) .. " -c " .. quote(dir .. "/clamd.conf"))
  local deadline = support.now() + 60
  while not socket_at(sock) and not support.read(dir .. "/rc") and support.now() < deadline do
    support.sleep(0.1)
  end
  assert(socket_at(sock), "clamd did not open its socket: " .. (support.read(dir .. "/err") or "")
    .. (support.read(dir .. "/clamd.log") or ""))
  local p = { dir = dir, spec = "unix:" .. sock }
  function p.stop()
    p.stopped = true
    local pid = tonumber((support.read(dir .. "/pid") or ""):match("%d+"))
    if pid and not support.read(dir .. "/rc") then
      os.execute("kill -TERM " .. pid)
      local until_t = support.now() + 10
      while not support.read(dir .. "/rc") and support.now() < until_t do
        support.sleep(0.1)
      end
    end
  end
  return H.keep(p)
end

describe("virus scanning", function()
  local fx, files
  setup(function()
    fx = H.fixture()
    files = H.tmpdir()
  end)
  teardown(H.finish)

  local function file(name, text)
    return support.write(files .. "/" .. name, text)
  end

  local function count(db, what)
    return tonumber(H.sql_value(db, "SELECT count(*) FROM " .. what .. ";"))
  end

  -- The files of a documents folder, hidden ones too.
  local function stored(db)
    local p = assert(io.popen("ls -A " .. quote(db .. ".documents") .. " 2>/dev/null"))
    local out = p:read("a")
    p:close()
    return out
  end

  it("refuses an infected file with 422 naming the signature, and any file while clamd is gone with 503", function()
    local clamd = start_clamd()
    local db = H.fresh_db(fx.db)
    local server = H.start_server({ db = db, args = { "--clamd", clamd.spec } })
    local health = H.expect(H.request(server, "GET", "/api/v1/health"), 200)
    assert.are.equal("clamd", health.json.scanning)
    local token = H.login(server, H.USERS.cae_a.email)
    local function upload(path)
      return D.upload(server, path, { org = fx.ids.org_a, token = token, title = "Statuts" })
    end
    local clean = H.expect(upload(file("statuts.txt", "Statuts de la coopérative.\n")), 201).json
    local before, documents = stored(db), count(db, "documents")
    local infected = file("pv.txt", "Procès-verbal\n" .. MARKER .. "\n")
    local e = H.expect_error(upload(infected), 422, "$.file")
    assert.truthy(e.message:find(SIGNATURE, 1, true), e.message)
    assert.are.equal(before, stored(db), "nothing kept of the infected file")
    assert.are.equal(documents, count(db, "documents"))
    -- The command line scans too: exit 2 naming the signature.
    local r = support.run({ "document", "upload", "--db", db, "--org", tostring(fx.ids.org_a), "--title", "PV",
      "--clamd", clamd.spec, infected })
    assert.are.equal(2, r.code, r.stderr)
    assert.truthy(r.stderr:find(SIGNATURE, 1, true), r.stderr)
    clamd.stop()
    e = H.expect_error(upload(file("bilan.csv", "a;b\n1;2\n")), 503)
    assert.truthy(e.message:find("virus scanner", 1, true), e.message)
    assert.are.equal(before, stored(db), "nothing kept while clamd is gone")
    assert.are.equal(documents, count(db, "documents"))
    assert.truthy(H.exists(db .. ".documents/" .. clean.sha256))
  end)

  it("takes uploads unscanned without --clamd, and /health says so", function()
    local db = H.fresh_db(fx.db)
    local server = H.start_server({ db = db })
    assert.are.equal("off", H.expect(H.request(server, "GET", "/api/v1/health"), 200).json.scanning)
    local token = H.login(server, H.USERS.cae_a.email)
    H.expect(D.upload(server, file("marker.txt", MARKER .. "\n"), { org = fx.ids.org_a, token = token }), 201)
  end)

  it("refuses a clamd that is no unix: socket, at start", function()
    local r = support.run({ "serve", "--db", H.tmpdir() .. "/x.db", "--listen", "127.0.0.1:0",
      "--clamd", "tcp:127.0.0.1:3310" }, nil, nil, 20)
    assert.are.equal(2, r.code, r.stderr)
    assert.truthy(r.stderr:find("clamd = tcp:127.0.0.1:3310: expected unix:/path/of/clamd.socket", 1, true),
      r.stderr)
  end)
end)

-- Helpers for the HTTP specs: start the real `labelcoop serve` on a free
-- port against a database built with the real admin commands, and talk to
-- it with the curl command line, as an API client would.
--
-- Uses support.lua (binary path, quoting, JSON) and the curl program.

local support = require "support"
local json = support.json
local quote = support.quote

local H = {}

local assert = support.assert

H.PASSWORD = "correct horse battery"
H.rules = support.root .. "/rules"
H.web = support.root .. "/web"

-- Our own temporary directories: support.cleanup() (called by other specs'
-- after_each) must not remove a fixture a whole spec file relies on.
local forget
H.tmpdir, H.cleanup, forget = support.tmpdirs("labelcoop-http")

local sleep, now = support.sleep, support.now
H.sleep = sleep
H.now = now

function H.copy(src, dest)
  assert(os.execute("cp " .. quote(src) .. " " .. quote(dest)), "cp failed: " .. src)
  return dest
end

function H.exists(path)
  return support.with_file(path, function() return true end) or false
end

function H.size(path)
  return support.with_file(path, function(f) return f:seek("end") end)
end

local function alive(pid)
  return os.execute("kill -0 " .. tostring(pid) .. " 2>/dev/null") == true
end
H.alive = alive

-- Runs a labelcoop command, failing the test when it does not exit 0.
-- Returns the last word of its stdout (the new id for `add` commands).
function H.admin(args, stdin_string)
  local r = support.run(args, stdin_string)
  assert(r.code == 0, "labelcoop " .. table.concat(args, " ") .. " exited "
    .. tostring(r.code) .. "\nstdout: " .. r.stdout .. "\nstderr: " .. r.stderr)
  local last
  for word in r.stdout:gmatch("%S+") do
    last = word
  end
  return last, r
end

local function id_of(word, what)
  local n = tonumber(word)
  assert(n and n == math.floor(n), what .. ": the last word on stdout is not an id: " .. tostring(word))
  return math.tointeger(n)
end

-- The users of the fixture, by short name.
H.USERS = {
  admin = { email = "admin@x.test", name = "Ada Admin", role = "admin" },
  committee = { email = "committee@x.test", name = "Camille Comité", role = "committee" },
  auditor = { email = "auditor@x.test", name = "Aude Auditrice", role = "auditor", certified = "2030-12-31" },
  auditor_b = { email = "auditor-b@x.test", name = "Bruno Auditeur", role = "auditor", org = "b",
    certified = "2030-12-31" },
  expired_auditor = { email = "expired-auditor@x.test", name = "Edgar Expiré", role = "auditor",
    certified = "2020-01-01" },
  cae_a = { email = "cae-a@x.test", name = "Alice Alpha", role = "cae", org = "a" },
  cae_b = { email = "cae-b@x.test", name = "Benoît Beta", role = "cae", org = "b" },
}
H.USER_ORDER = { "admin", "committee", "auditor", "auditor_b", "expired_auditor", "cae_a", "cae_b" }

-- Builds the fixture database once: two organisations and seven users, all
-- with H.PASSWORD. Returns {db, dir, ids = {org_a, org_b, <user name>...}}.
-- Copy `db` (H.fresh_db) for tests that need a pristine database.
function H.fixture()
  local dir = H.tmpdir()
  local db = dir .. "/fixture.db"
  H.admin({ "init", "--db", db })
  local ids = {}
  ids.org_a = id_of(H.admin({ "org", "add", "--db", db, "--name", "Coopérative Alpha", "--city", "Lyon",
    "--legal-form", "SCOP SA", "--region", "Auvergne-Rhône-Alpes", "--member-since", "2015-06-01" }), "org add")
  ids.org_b = id_of(H.admin({ "org", "add", "--db", db, "--name", "Coopérative Beta", "--city", "Nantes",
    "--legal-form", "SCIC SAS", "--region", "Pays de la Loire", "--member-since", "2019-01-15" }), "org add")
  assert(ids.org_a ~= ids.org_b, "two organisations got the same id")
  for _, key in ipairs(H.USER_ORDER) do
    local u = H.USERS[key]
    local args = H.user_add_args(db, u, u.org and ids["org_" .. u.org])
    ids[key] = id_of(H.admin(args, H.PASSWORD .. "\n"), "user add " .. u.email)
  end
  return { db = db, dir = dir, ids = ids }
end

-- The arguments of `labelcoop user add` on db for a fixture user u (email,
-- name, role, certified: a date or nil), a member of the organisation
-- org_id (nil: none), the password read from stdin.
function H.user_add_args(db, u, org_id)
  local args = { "user", "add", "--db", db, "--email", u.email, "--name", u.name, "--role", u.role }
  if org_id then
    args[#args + 1] = "--org"
    args[#args + 1] = tostring(org_id)
  end
  if u.certified then
    args[#args + 1] = "--certified-until"
    args[#args + 1] = u.certified
  end
  args[#args + 1] = "--password-stdin"
  return args
end

-- Runs SQL through the sqlite3 shell on db (waiting up to 5 s for a lock a
-- running server holds); returns stdout, and fails the test on an error.
function H.sql(db, statements)
  local dir = H.tmpdir()
  support.write(dir .. "/in.sql", ".timeout 5000\n" .. statements)
  local ok = os.execute("sqlite3 -batch " .. quote(db) .. " <" .. quote(dir .. "/in.sql") .. " >"
    .. quote(dir .. "/out") .. " 2>" .. quote(dir .. "/err"))
  local out, err = support.read(dir .. "/out") or "", support.read(dir .. "/err") or ""
  os.execute("rm -rf " .. quote(dir))
  assert(ok and err == "", "sqlite3 failed on: " .. statements .. "\n" .. err)
  return out
end

-- The one value a query gives, as text.
function H.sql_value(db, query)
  return (H.sql(db, query):gsub("%s+$", ""))
end

-- The rows a query gives, as a list of {column = value} tables.
function H.sql_rows(db, query)
  local out = H.sql(db, ".mode json\n" .. query)
  return out:match("%S") and json.decode(out) or {}
end

-- A copy of a database file in a new temporary directory.
function H.fresh_db(src)
  local dir = H.tmpdir()
  return H.copy(src, dir .. "/labelcoop.db")
end

-- Starts `cmdline` (a shell command, words already quoted) in the background
-- through a wrapper in dir that records its pid (dir/pid) and exit status
-- (dir/rc); stdout goes to dir/out, stderr to dir/err. The program gets
-- default SIGINT/SIGQUIT/SIGTERM (a background job of a non-interactive shell
-- would otherwise start with some ignored). With opts.stderr_pipe, stderr
-- goes through a pipe to a cat of its own: the log is then written by a
-- process that a file size limit put on the program leaves alone.
-- The program dies with the spec: a watchdog beside it kills it with SIGKILL
-- once the process that spawned it (busted) is gone or a zombie, so a spec
-- killed with -9 (a ctest timeout) leaves no server behind.
local owner = (support.read("/proc/self/stat") or ""):match("^(%d+)")

function H.spawn(dir, cmdline, opts)
  opts = opts or {}
  local lines = { "#!/bin/sh" }
  local err = quote(dir .. "/err")
  if opts.stderr_pipe then
    local fifo = quote(dir .. "/err.fifo")
    lines[#lines + 1] = "mkfifo " .. fifo
    lines[#lines + 1] = "cat <" .. fifo .. " >" .. err .. " &"
    err = fifo
  end
  for _, line in ipairs({
    "env --default-signal=INT,QUIT,TERM " .. cmdline .. " >" .. quote(dir .. "/out") .. " 2>" .. err
      .. " </dev/null &",
    "pid=$!",
    "(while kill -0 $pid 2>/dev/null; do",
    "  [ -e /proc/" .. owner .. " ] || { kill -KILL $pid; exit; }",
    "  read -r s </proc/" .. owner .. "/stat && s=${s##*) } && [ \"${s%% *}\" = Z ] \\",
    "    && { kill -KILL $pid; exit; }",
    "  sleep 0.5",
    "done) </dev/null >/dev/null 2>&1 &",
    "echo $pid >" .. quote(dir .. "/pid.tmp"),
    "mv " .. quote(dir .. "/pid.tmp") .. " " .. quote(dir .. "/pid"),
    "wait $pid",
    "echo $? >" .. quote(dir .. "/rc.tmp"),
    "mv " .. quote(dir .. "/rc.tmp") .. " " .. quote(dir .. "/rc"),
    "",
  }) do
    lines[#lines + 1] = line
  end
  local wrapper = support.write(dir .. "/run.sh", table.concat(lines, "\n"))
  os.execute("sh " .. quote(wrapper) .. " </dev/null >/dev/null 2>&1 &")
end

-- How long a program is given to announce it listens. A bound on failure,
-- never a timing check: a sanitized server beside a CPU-bound spec on a
-- 2-core CI machine once took over 10 s.
local START_SECONDS = 30

-- The pid H.spawn's wrapper wrote in dir, or nil.
local function spawned_pid(dir)
  local s = support.read(dir .. "/pid")
  return s and tonumber(s:match("%d+"))
end

-- Waits (timeout seconds, default START_SECONDS) for the program H.spawn started in dir
-- to print "listening on http://127.0.0.1:PORT" (or, anywhere true, on any
-- address: an IPv6 one, unix:PATH); `what` names it in errors.
-- Returns a process object: dir, pid, where (the address announced), port,
-- url, origin (on 127.0.0.1), output() -> out, err, exit_code(),
-- wait(limit) -> exit code or nil, stop(signal) -> exit code, kill9().
function H.listening(dir, what, timeout, anywhere)
  local deadline = now() + (timeout or START_SECONDS)
  local pid, where
  while now() < deadline do
    pid = pid or spawned_pid(dir)
    where = (support.read(dir .. "/out") or ""):match("listening on (%S+)\n")
    -- The program can say it listens before its wrapper has written the
    -- pid: without the pid, stop() would leave it running, holding its port.
    if (where and pid) or support.read(dir .. "/rc") then
      break
    end
    sleep(0.05)
  end
  pid = pid or spawned_pid(dir) -- written before the wrapper waits, so before rc
  local port = where and where:match("^http://127%.0%.0%.1:(%d+)$")
  local p = { dir = dir, pid = pid, where = where }
  function p.output()
    return support.read(dir .. "/out") or "", support.read(dir .. "/err") or ""
  end
  function p.exit_code()
    local s = support.read(dir .. "/rc")
    return s and tonumber(s:match("%d+"))
  end
  function p.wait(limit)
    local until_t = now() + (limit or 10)
    repeat
      local rc = p.exit_code()
      if rc then
        return rc
      end
      sleep(0.05)
    until now() > until_t
    return p.exit_code()
  end
  -- Sends `signal` (default TERM) and waits up to 10 s for the exit; kills
  -- with SIGKILL if it did not stop. Returns the exit status.
  function p.stop(signal)
    if p.stopped then
      return p.exit_code()
    end
    p.stopped = true
    if pid and not p.exit_code() then
      os.execute("kill -" .. (signal or "TERM") .. " " .. pid .. " 2>/dev/null")
      local rc = p.wait(10)
      if not rc then
        os.execute("kill -KILL " .. pid .. " 2>/dev/null")
        p.wait(5)
        return nil, what .. " did not stop within 10 s of SIG" .. (signal or "TERM")
      end
      return rc
    end
    return p.exit_code()
  end
  function p.kill9()
    p.stopped = true
    -- only while our wrapper has not seen it exit (the pid is ours)
    if pid and not p.exit_code() then
      os.execute("kill -KILL " .. pid .. " 2>/dev/null")
      p.wait(5)
    end
    return p.exit_code()
  end
  if not port and not (anywhere and where) then
    local o, e = p.output()
    p.kill9()
    error(what .. " did not announce 'listening on " .. (anywhere and "ADDRESS" or "http://127.0.0.1:PORT")
      .. "' within " .. tostring(timeout or START_SECONDS) .. " s (exit " .. tostring(p.exit_code()) .. ")\nstdout: " .. o
      .. "\nstderr: " .. e, 3)
  end
  if port then
    p.port = tonumber(port)
    p.url = "http://127.0.0.1:" .. port
    p.origin = p.url
  end
  return p
end

-- A loopback port free now (the kernel's choice; another process may take
-- it before it is used: for servers started soon after, in one spec).
function H.free_port()
  local p = assert(io.popen("python3 -c \"import socket; s = socket.socket(); "
    .. "s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])\""))
  local port = tonumber(p:read("a"))
  p:close()
  return assert(port, "no free port")
end

local servers = {}

-- Starts `labelcoop serve` on 127.0.0.1:0 with the database `opts.db`
-- (required: a path, used in place). Waits (START_SECONDS at most) for the line
-- "listening on http://127.0.0.1:PORT". Other opts: rules, web (folders),
-- args (more arguments for serve), bin (another copy of the binary), prefix
-- (a command it runs under, e.g. setpriv), stderr_pipe (see H.spawn).
-- Returns a process object (see H.listening) with db.
function H.start_server(opts)
  opts = opts or {}
  assert(opts.db, "start_server needs opts.db")
  local dir = H.tmpdir()
  local command = {}
  for _, word in ipairs(opts.prefix or {}) do
    command[#command + 1] = word
  end
  for _, word in ipairs({ opts.bin or support.bin, "serve", "--listen", "127.0.0.1:0", "--db",
    opts.db, "--rules", opts.rules or H.rules, "--web", opts.web or H.web }) do
    command[#command + 1] = word
  end
  for _, word in ipairs(opts.args or {}) do
    command[#command + 1] = word
  end
  for i, word in ipairs(command) do
    command[i] = quote(word)
  end
  H.spawn(dir, table.concat(command, " "), opts)
  local server = H.listening(dir, "labelcoop serve", opts.timeout)
  server.db = opts.db
  return H.keep(server)
end

-- Adds a process object (see H.listening) to those H.stop_all stops;
-- returns it.
function H.keep(p)
  servers[#servers + 1] = p
  return p
end

-- Stops every server (and other process H.keep was given) still running,
-- the newest first (for teardown).
function H.stop_all()
  for i = #servers, 1, -1 do
    local s = servers[i]
    if not s.stopped then
      s.stop()
    end
    servers[i] = nil
  end
end

local function parse_headers(text)
  -- The last response block (curl writes the 100 Continue one too).
  local blocks = {}
  local current
  for line in (text or ""):gmatch("([^\n]*)\n") do
    line = line:gsub("\r$", "")
    if line:match("^HTTP/") then
      current = { status_line = line, list = {} }
      blocks[#blocks + 1] = current
    elseif current and line ~= "" then
      local name, value = line:match("^([^:]+):%s*(.-)%s*$")
      if name then
        current.list[#current.list + 1] = { name:lower(), value }
      end
    end
  end
  local last = blocks[#blocks] or { list = {} }
  local headers, all = {}, {}
  for _, nv in ipairs(last.list) do
    headers[nv[1]] = headers[nv[1]] and (headers[nv[1]] .. ", " .. nv[2]) or nv[2]
    all[nv[1]] = all[nv[1]] or {}
    table.insert(all[nv[1]], nv[2])
  end
  return headers, all
end

-- Sets r.json to the JSON r.body holds, if it holds JSON; returns r.
local function decode_body(r)
  if r.body ~= "" then
    local ok, value = pcall(json.decode, r.body)
    if ok then
      r.json = value
    end
  end
  return r
end

-- The responses of H.request and H.many, as the server gave them, appended
-- to a file when a spec asks (H.record_to, through openapi_support.lua),
-- which checks each against the API's OpenAPI description. One JSON object a line:
-- {method, path, status, content_type, body (JSON text; none for other
-- types), headers, request (the JSON body sent, as text, if any)}. The
-- file is the spec's own: nothing is shared between specs running at once.
local record_path

function H.record_to(path)
  record_path = path
end

local RECORDED_HEADERS = { "allow", "etag", "link", "location", "retry-after", "content-type",
  "content-disposition" }

local function record(r)
  if not record_path then
    return
  end
  local headers = {}
  for _, name in ipairs(RECORDED_HEADERS) do
    headers[name] = r.headers and r.headers[name]
  end
  local ct = headers["content-type"]
  local is_json = (ct or ""):match("^application/json") or (not r.headers and r.json ~= nil)
  local line = json.encode({ method = r.method, path = r.path, status = r.status,
    content_type = ct, headers = headers, body = is_json and r.body or nil,
    request = r.sent ~= nil and json.encode(r.sent) or nil })
  local f = assert(io.open(record_path, "a"))
  f:write(line, "\n")
  f:close()
end

-- One HTTP request with curl. opts:
--   json = a table (sent as JSON), raw = a string (sent as is),
--   token = bearer token, cookie = session token (sent as the
--   labelcoop_session cookie), headers = {name = value}, content_type =
--   overrides "application/json" for json/raw bodies (false: none sent),
--   max_time = seconds before curl gives up (10), curl_args = more words for
--   curl (a TLS peer's --cacert, a client address's --interface).
-- Returns {status, headers (lower-case names), all_headers, body, json}.
function H.request(server, method, path, opts)
  opts = opts or {}
  local dir = H.tmpdir()
  local args = { "curl", "-s", "-g", "--path-as-is", "--max-time", tostring(opts.max_time or 10),
    "-o", quote(dir .. "/body"), "-D",
    quote(dir .. "/headers"), "-w", quote("%{http_code}"), "-X", quote(method) }
  local body = opts.raw
  if opts.json ~= nil then
    body = json.encode(opts.json)
  end
  local headers = {}
  if body ~= nil then
    support.write(dir .. "/request", body)
    args[#args + 1] = "--data-binary"
    args[#args + 1] = quote("@" .. dir .. "/request")
    local ct = opts.content_type
    if ct == nil then
      ct = "application/json"
    end
    if ct == false then
      headers[#headers + 1] = "Content-Type:"
    else
      headers[#headers + 1] = "Content-Type: " .. ct
    end
  end
  if opts.token then
    headers[#headers + 1] = "Authorization: Bearer " .. opts.token
  end
  if opts.cookie then
    headers[#headers + 1] = "Cookie: labelcoop_session=" .. opts.cookie
  end
  for name, value in pairs(opts.headers or {}) do
    headers[#headers + 1] = name .. ": " .. value
  end
  for _, h in ipairs(headers) do
    args[#args + 1] = "-H"
    args[#args + 1] = quote(h)
  end
  for _, word in ipairs(opts.curl_args or {}) do
    args[#args + 1] = quote(word)
  end
  args[#args + 1] = quote(server.url .. path)
  local p = assert(io.popen(table.concat(args, " ") .. " 2>" .. quote(dir .. "/curlerr")))
  local code = p:read("a")
  p:close()
  local r = {
    status = tonumber(code) or 0,
    body = support.read(dir .. "/body") or "",
    method = method,
    path = path,
    server = server,
    sent = opts.json,
  }
  r.headers, r.all_headers = parse_headers(support.read(dir .. "/headers"))
  decode_body(r)
  forget(dir)
  record(r)
  return r
end

-- Starts a GET of path on server in the background; returns a function that is nil
-- until it is done, then {code, seconds, body path}.
function H.background_get(server, path, token)
  local dir = H.tmpdir()
  local q = support.quote
  os.execute("(curl -s --max-time 300 -o " .. q(dir .. "/body") .. " -w '%{http_code} %{time_total}'"
    .. " -H " .. q("Authorization: Bearer " .. token) .. " " .. q(server.url .. path)
    .. " > " .. q(dir .. "/status.tmp") .. "; mv " .. q(dir .. "/status.tmp") .. " " .. q(dir .. "/status") .. ") &")
  return function()
    local status = support.read(dir .. "/status")
    if not status then
      return nil
    end
    local code, seconds = status:match("^(%d+) ([%d.]+)")
    return { code = code, seconds = tonumber(seconds), body = dir .. "/body" }
  end
end

-- Sends the requests of `list` ({method, path, token (nil: none), json,
-- headers}) at once: one curl process, one connection each, all opened together. Returns
-- their statuses in the order of `list`.
function H.race(server, list)
  local dir = H.tmpdir()
  local args = { "curl", "-s", "-g", "-Z", "--parallel-immediate", "--parallel-max", tostring(#list) }
  for i, item in ipairs(list) do
    if i > 1 then
      args[#args + 1] = "--next"
    end
    support.write(dir .. "/req" .. i, json.encode(item.json))
    for name, value in pairs(item.headers or {}) do
      args[#args + 1] = "-H " .. quote(name .. ": " .. value)
    end
    args[#args + 1] = "--max-time 30 -o /dev/null -X " .. item.method .. " -w " .. quote(i .. " %{http_code}\n")
      .. (item.token and " -H " .. quote("Authorization: Bearer " .. item.token) or "")
      .. " -H 'Content-Type: application/json' --data-binary " .. quote("@" .. dir .. "/req" .. i)
      .. " " .. quote(server.url .. item.path)
  end
  local p = assert(io.popen(table.concat(args, " ") .. " 2>/dev/null"))
  local out = p:read("a")
  p:close()
  local codes = {}
  for i, code in out:gmatch("(%d+) (%d+)\n") do
    codes[tonumber(i)] = tonumber(code)
  end
  for i = 1, #list do
    codes[i] = codes[i] or 0
  end
  return codes
end

-- Several GETs in one curl process; `list` holds {token, path}.
function H.get_many(server, list)
  return H.many(server, list)
end

-- The command line of one curl process sending the requests of `list`
-- ({method, path, token, json}) in order, on one connection, each printing
-- its HTTP code on a line; bodies are written to body_of(i) ("/dev/null" to
-- drop them), request bodies to files in dir. `flags` go before the first.
function H.curl_batch(server, list, dir, body_of, flags)
  local args = { "curl", "-s", "-g" }
  for _, flag in ipairs(flags or {}) do
    args[#args + 1] = flag
  end
  for i, item in ipairs(list) do
    if i > 1 then
      args[#args + 1] = "--next"
    end
    args[#args + 1] = "--max-time 10 -X " .. quote(item.method or "GET") .. " -o " .. quote(body_of(i))
      .. " -w " .. quote("%{http_code}\n")
    if item.token then
      args[#args + 1] = "-H " .. quote("Authorization: Bearer " .. item.token)
    end
    if item.json ~= nil then
      support.write(dir .. "/req" .. i, json.encode(item.json))
      args[#args + 1] = "-H 'Content-Type: application/json' --data-binary " .. quote("@" .. dir .. "/req" .. i)
    end
    args[#args + 1] = quote(server.url .. item.path)
  end
  return table.concat(args, " ")
end

-- Several requests in one curl process, in order (one connection, much
-- faster than a process each). `list` holds {method, path, token, json};
-- returns responses {status, body, json, method, path} in order.
function H.many(server, list)
  local dir = H.tmpdir()
  support.write(dir .. "/cmd", H.curl_batch(server, list, dir, function(i)
    return dir .. "/body" .. i
  end, { "--path-as-is" }))
  local p = assert(io.popen("sh " .. quote(dir .. "/cmd") .. " 2>/dev/null"))
  local codes = p:read("a")
  p:close()
  local out = {}
  local i = 0
  for code in codes:gmatch("(%d+)\n") do
    i = i + 1
    out[i] = decode_body({ status = tonumber(code), body = support.read(dir .. "/body" .. i) or "",
      method = list[i].method or "GET", path = list[i].path, server = server })
  end
  for j = i + 1, #list do
    out[j] = { status = 0, body = "", method = list[j].method or "GET", path = list[j].path, server = server }
  end
  forget(dir)
  for j, r in ipairs(out) do
    r.sent = list[j].json
    record(r) -- no headers here: the body is checked when it is JSON
  end
  return out
end

-- A short description of a response, for assertion messages.
function H.show(r)
  local body = r.body or ""
  if #body > 600 then
    body = body:sub(1, 600) .. "..."
  end
  local s = string.format("%s %s -> %s %s", tostring(r.method), tostring(r.path), tostring(r.status), body)
  if r.status == 0 and r.server then
    -- no HTTP answer at all: say whether the server is still there
    local _, err = r.server.output()
    s = s .. string.format("(no answer; server %s, exit code %s; its stderr ends with: %s)",
      (r.server.pid and alive(r.server.pid)) and "running" or "gone", tostring(r.server.exit_code()),
      err:sub(-400))
  end
  return s
end

-- Asserts the status of a response, with the response in the message.
function H.expect(r, status, what)
  assert(r.status == status, (what and (what .. ": ") or "") .. "expected " .. status .. ", got "
    .. H.show(r))
  return r
end

-- Asserts an error response: status, the code that goes with it, a
-- message, and (when `path` is given) the JSON path; path = json.null
-- asserts null.
H.CODES = {
  [400] = "bad_request", [401] = "unauthorized", [403] = "forbidden", [404] = "not_found",
  [405] = "method_not_allowed", [409] = "conflict", [412] = "precondition_failed", [413] = "payload_too_large",
  [410] = "gone", [415] = "unsupported_media_type", [422] = "unprocessable", [429] = "too_many_requests",
  [503] = "unavailable",
}
function H.expect_error(r, status, path, what)
  H.expect(r, status, what)
  local prefix = (what and (what .. ": ") or "")
  assert(type(r.json) == "table" and type(r.json.error) == "table",
    prefix .. "error body is not {\"error\": {...}}: " .. H.show(r))
  local e = r.json.error
  assert(e.code == H.CODES[status], prefix .. "error code " .. tostring(e.code) .. ", expected "
    .. tostring(H.CODES[status]) .. ": " .. H.show(r))
  assert(type(e.message) == "string" and e.message ~= "", prefix .. "error without a message: " .. H.show(r))
  assert(e.path == json.null or type(e.path) == "string", prefix .. "error.path is neither a string nor null: "
    .. H.show(r))
  if path ~= nil then
    assert(e.path == path, prefix .. "error path " .. tostring(e.path) .. ", expected " .. tostring(path)
      .. ": " .. H.show(r))
  end
  return e
end

-- Logs in; returns the token and the whole response. Fails the test
-- unless the answer is 201 with a token.
function H.login(server, email, password)
  local r = H.request(server, "POST", "/api/v1/session", { json = { email = email, password = password or H.PASSWORD } })
  assert(r.status == 201 and r.json and type(r.json.token) == "string" and r.json.token ~= "",
    "login " .. email .. " failed: " .. H.show(r))
  return r.json.token, r
end

-- Logs in every fixture user; returns {name = token}.
function H.login_all(server)
  local tokens = {}
  for _, key in ipairs(H.USER_ORDER) do
    tokens[key] = H.login(server, H.USERS[key].email)
  end
  return tokens
end

-- The référentiel's criteria as the server gives them (public endpoint).
function H.criteria(server)
  local r = H.expect(H.request(server, "GET", "/api/v1/referential"), 200, "referential")
  assert(r.json and type(r.json.criteria) == "table", "referential without criteria: " .. H.show(r))
  return r.json.criteria
end

-- A spec's world: the fixture, a fresh copy of its database, a server on it
-- and every demo user logged in. Returns fixture, db, server, tokens, criteria.
function H.world()
  local fx = H.fixture()
  local db = H.fresh_db(fx.db)
  local server = H.start_server({ db = db })
  return fx, db, server, H.login_all(server), H.criteria(server)
end

-- A spec's teardown: stops every server still running and removes every
-- temporary folder.
function H.finish()
  H.stop_all()
  H.cleanup()
  support.cleanup()
end

-- Creates a self-assessment of org `org_id` as the CAE member `token`.
function H.new_self_assessment(server, token, org_id)
  local r = H.request(server, "POST", "/api/v1/organisations/" .. org_id .. "/assessments",
    { token = token, json = { kind = "self_assessment" } })
  H.expect(r, 201, "create self-assessment")
  return r.json
end

-- Creates an audit of org `org_id` assigned to `auditor_id`, as `token`.
function H.new_audit(server, token, org_id, auditor_id)
  local r = H.request(server, "POST", "/api/v1/organisations/" .. org_id .. "/assessments",
    { token = token, json = { kind = "audit", auditor_id = auditor_id } })
  H.expect(r, 201, "create audit")
  return r.json
end

-- Answers every criterion of `criteria` on assessment `id` as `token`;
-- `status_of(criterion)` gives the status (default "met").
function H.answer_all(server, token, id, criteria, status_of)
  local list = {}
  for i, c in ipairs(criteria) do
    list[i] = { method = "PUT", path = "/api/v1/assessments/" .. id .. "/answers/" .. c.id, token = token,
      json = { status = status_of and status_of(c) or "met", comment = "Constat " .. c.id,
        evidence = { "Pièce " .. c.id } } }
  end
  for i, r in ipairs(H.many(server, list)) do
    H.expect(r, 200, "answer " .. criteria[i].id)
    assert(r.json and r.json.criterion == criteria[i].id and r.json.status == list[i].json.status,
      "answer " .. criteria[i].id .. " not saved as sent: " .. H.show(r))
  end
end

H.STAKEHOLDERS = {
  { name = "Inès Entrepreneure", role = "entrepreneur-salarié" },
  { name = "Paul Permanent", role = "salarié permanent" },
  { name = "Sophie Sociétaire", role = "associé" },
}

-- A submitted audit of org `org_id`, all criteria met, with stakeholders:
-- created by `creator_token`, answered and submitted by `auditor_token`.
function H.submitted_audit(server, creator_token, auditor_token, org_id, auditor_id, criteria, status_of)
  local a = H.new_audit(server, creator_token, org_id, auditor_id)
  H.answer_all(server, auditor_token, a.id, criteria, status_of)
  H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/stakeholders",
    { token = auditor_token, json = H.STAKEHOLDERS }), 200, "stakeholders")
  local r = H.expect(H.request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit",
    { token = auditor_token }), 200, "submit audit")
  return r.json
end

-- Today (local time, as the server sees it) and a date n years later.
function H.today()
  return os.date("!%Y-%m-%d")
end

function H.plus_years(date, n)
  local y, m, d = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  y = tonumber(y) + n
  local leap = (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
  if m == "02" and d == "29" and not leap then
    -- the validity the rules compute (same arithmetic as `evaluate`)
    local r = support.evaluate(support.input(support.answers_for({}), { date = date }))
    return r.json and r.json.valid_until
  end
  return string.format("%04d-%s-%s", y, m, d)
end

-- Deep equality of decoded JSON values.
function H.same(a, b)
  if type(a) ~= type(b) then
    return false
  end
  if type(a) ~= "table" then
    return a == b
  end
  for k, v in pairs(a) do
    if not H.same(v, b[k]) then
      return false
    end
  end
  for k in pairs(b) do
    if a[k] == nil then
      return false
    end
  end
  return true
end

return H

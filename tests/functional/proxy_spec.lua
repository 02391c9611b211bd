-- Behind a reverse proxy with TLS (issue 19): the nginx configuration the
-- project ships (dist/proxy/nginx.conf), run for real with a self-signed
-- certificate in front of `serve --public-url https://... --trusted-proxy`.
-- Clients come from distinct loopback addresses (127.0.0.2, 127.0.0.3), so
-- nginx sees them as a proxy sees the Internet.

local support = require "support"
local H = require "http_support"

local quote = support.quote

-- A port nobody listens on now (the kernel's pick, let go at once).
local free_port = H.free_port

-- The shipped snippet with the test's ports and certificate: every place
-- replaced must be found, so that a change to the snippet fails here first.
local function nginx_conf(dir, https_port, http_port, upstream_port)
  local conf = support.read(support.root .. "/dist/proxy/nginx.conf")
  local function swap(from, to)
    local i = conf:find(from, 1, true)
    assert(i, "dist/proxy/nginx.conf no longer has: " .. from)
    conf = conf:sub(1, i - 1) .. to .. conf:sub(i + #from)
  end
  swap("server 127.0.0.1:8080;", "server 127.0.0.1:" .. upstream_port .. ";")
  swap("listen 80;", "listen 127.0.0.1:" .. http_port .. ";")
  swap("listen 443 ssl http2;", "listen 127.0.0.1:" .. https_port .. " ssl http2;")
  swap("/etc/letsencrypt/live/label.example.org/fullchain.pem", dir .. "/cert.pem")
  swap("/etc/letsencrypt/live/label.example.org/privkey.pem", dir .. "/key.pem")
  conf = conf:gsub("label%.example%.org", "localhost")
  local frame = dofile(support.root .. "/tests/tools/nginx_frame.lua")
  return frame(dir, { "master_process off;", "events { worker_connections 64; }" }, { conf })
end

describe("behind nginx with TLS", function()
  local dir, server, proxy, origin, fx

  -- A request through nginx, over https, from the loopback address `from`.
  local function via(from, method, path, opts)
    opts = opts or {}
    opts.curl_args = { "--cacert", dir .. "/cert.pem", "--interface", from,
      "--resolve", "localhost:" .. proxy.port .. ":127.0.0.1" }
    return H.request(proxy, method, path, opts)
  end

  local function login(from, password)
    return via(from, "POST", "/api/v1/session",
      { json = { email = H.USERS.committee.email, password = password or H.PASSWORD } })
  end

  setup(function()
    dir = H.tmpdir()
    assert(os.execute("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      .. " -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost"
      .. " -keyout " .. quote(dir .. "/key.pem") .. " -out " .. quote(dir .. "/cert.pem")
      .. " >/dev/null 2>&1"), "openssl could not make a certificate")
    local https_port, http_port = free_port(), free_port()
    origin = "https://localhost:" .. https_port
    fx = H.fixture()
    server = H.start_server({ db = H.fresh_db(fx.db),
      args = { "--public-url", origin, "--trusted-proxy", "127.0.0.1" } })
    support.write(dir .. "/nginx.conf", nginx_conf(dir, https_port, http_port, server.port))
    H.spawn(dir, "nginx -c " .. quote(dir .. "/nginx.conf"))
    proxy = { url = origin, port = https_port }
    local deadline = support.now() + 10
    repeat
      support.sleep(0.1)
      local r = via("127.0.0.2", "GET", "/api/v1/referential")
    until r.status == 200 or support.now() > deadline
    assert.are.equal(200, via("127.0.0.2", "GET", "/api/v1/referential").status,
      "nginx does not answer: " .. (support.read(dir .. "/error.log") or ""))
  end)
  teardown(function()
    local pid = tonumber(support.read(dir .. "/pid") or "")
    if pid then
      os.execute("kill " .. pid .. " 2>/dev/null")
    end
    H.finish()
  end)

  it("logs in over https with a Secure cookie", function()
    local r = H.expect(login("127.0.0.2"), 201, "login through the proxy")
    local cookie = r.headers["set-cookie"]
    assert.truthy(cookie:find("; Secure", 1, true), cookie)
    assert.truthy(cookie:find("HttpOnly", 1, true), cookie)
    -- Straight to the server, without the proxy, the public URL still says https.
    local direct = H.request(server, "POST", "/api/v1/session",
      { json = { email = H.USERS.cae_a.email, password = H.PASSWORD } })
    assert.truthy(direct.headers["set-cookie"]:find("; Secure", 1, true))
  end)

  it("accepts a cookie's change from the public origin only", function()
    local token = H.expect(login("127.0.0.2"), 201).json.token
    for _, foreign in ipairs({ "https://evil.example", "http://localhost:" .. proxy.port,
      "https://localhost:1" }) do
      H.expect_error(via("127.0.0.2", "DELETE", "/api/v1/session",
        { cookie = token, headers = { Origin = foreign } }), 403)
    end
    H.expect(via("127.0.0.2", "GET", "/api/v1/me", { cookie = token }), 200, "the session stays")
    H.expect(via("127.0.0.2", "DELETE", "/api/v1/session",
      { cookie = token, headers = { Origin = origin } }), 204, "logout from the public origin")
    H.expect_error(via("127.0.0.2", "GET", "/api/v1/me", { cookie = token }), 401)
  end)

  it("counts failed logins per client behind the proxy, not per proxy", function()
    -- Client A fails 20 times (the default limit), then is refused.
    for i = 1, 20 do
      H.expect_error(via("127.0.0.3", "POST", "/api/v1/session",
        { json = { email = "nobody" .. i .. "@example.org", password = "wrong" } }), 401)
    end
    H.expect_error(login("127.0.0.3"), 429)
    -- A forged X-Forwarded-For does not make A someone else: nginx appends
    -- the address it sees, which the server takes.
    H.expect_error(via("127.0.0.3", "POST", "/api/v1/session", { headers = { ["X-Forwarded-For"] = "127.0.0.9" },
      json = { email = H.USERS.committee.email, password = H.PASSWORD } }), 429)
    -- Client B, behind the same proxy, still logs in.
    H.expect(login("127.0.0.4"), 201, "another client behind the same proxy")
  end)

  it("ignores forwarding headers from an address that is no trusted proxy", function()
    -- Straight from 127.0.0.5, claiming to be the locked-out 127.0.0.3 and
    -- https: believed neither.
    local r = H.request(server, "POST", "/api/v1/session", {
      curl_args = { "--interface", "127.0.0.5" },
      headers = { ["X-Forwarded-For"] = "127.0.0.3", ["X-Forwarded-Proto"] = "http" },
      json = { email = H.USERS.cae_b.email, password = H.PASSWORD } })
    H.expect(r, 201, "not taken for 127.0.0.3")
  end)
end)

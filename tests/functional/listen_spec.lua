-- Where the server listens (issue 19): an IPv4 or IPv6 address and port, or
-- a Unix socket for a reverse proxy on the same machine (whose forwarding
-- headers are then believed: only this machine reaches the socket).

local support = require "support"
local H = require "http_support"

local quote = support.quote

-- `serve --listen listen` on a copy of the fixture, once it says where it
-- listens (its where: an address, or unix:PATH): a process object of
-- H.listening.
local function serve(fx, listen, extra)
  local dir = H.tmpdir()
  local words = { support.bin, "serve", "--db", H.fresh_db(fx.db), "--rules", support.rules,
    "--web", support.root .. "/web", "--listen", listen }
  for _, w in ipairs(extra or {}) do
    words[#words + 1] = w
  end
  for i, w in ipairs(words) do
    words[i] = quote(w)
  end
  H.spawn(dir, table.concat(words, " "))
  return H.listening(dir, "labelcoop serve", 20, true)
end

-- curl's status and body for a request over a Unix socket.
local function over_socket(path, method, url)
  local p = assert(io.popen("curl -s -o - -w '\\n%{http_code}' --unix-socket " .. quote(path)
    .. " -X " .. method .. " " .. quote("http://labelcoop" .. url)))
  local out = p:read("a")
  p:close()
  local text, code = out:match("^(.*)\n(%d+)$")
  return tonumber(code), text
end

describe("serve --listen", function()
  local fx
  setup(function()
    fx = H.fixture()
  end)
  teardown(H.finish)

  it("listens on an IPv6 address", function()
    local s = serve(fx, "[::1]:0")
    local port = s.where:match("^http://%[::1%]:(%d+)$")
    assert.truthy(port, s.where)
    local r = H.request({ url = "http://[::1]:" .. port }, "GET", "/api/v1/health")
    H.expect(r, 200, "health over IPv6")
    s.stop()
  end)

  it("listens on a Unix socket, believing its peers' forwarding headers, and removes it at stop", function()
    local path = H.tmpdir() .. "/http.sock"
    local s = serve(fx, "unix:" .. path)
    assert.are.equal("unix:" .. path, s.where)
    assert.are.equal(200, (over_socket(path, "GET", "/api/v1/health")))
    -- Read-write for the owner and its group (a proxy in the group), no one else.
    local p = io.popen("stat -c %a " .. quote(path))
    assert.are.equal("660", p:read("l"))
    p:close()
    -- 20 failures of the client the proxy names; another client still logs in.
    local function login(client, email, password)
      local body = '{"email":"' .. email .. '","password":"' .. password .. '"}'
      local p = assert(io.popen("curl -s -o /dev/null -w '%{http_code}' --unix-socket " .. quote(path)
        .. " -H 'X-Forwarded-For: " .. client .. "' -H 'Content-Type: application/json'"
        .. " --data-binary " .. quote(body) .. " http://labelcoop/api/v1/session"))
      local code = tonumber(p:read("a"))
      p:close()
      return code
    end
    for i = 1, 20 do
      assert.are.equal(401, login("198.51.100.1", "nobody" .. i .. "@example.org", "wrong"))
    end
    assert.are.equal(429, login("198.51.100.1", H.USERS.admin.email, H.PASSWORD))
    assert.are.equal(201, login("198.51.100.2", H.USERS.admin.email, H.PASSWORD))
    s.stop()
    assert.is_false(H.exists(path), "the socket's file stays after the stop")
  end)

  it("replaces a socket a killed server left, and refuses any other file", function()
    local path = H.tmpdir() .. "/http.sock"
    local s = serve(fx, "unix:" .. path)
    s.stop("KILL")
    assert.are.equal(0, select(3, os.execute("test -S " .. quote(path))), "a stale socket is left")
    s = serve(fx, "unix:" .. path)
    assert.are.equal(200, (over_socket(path, "GET", "/api/v1/health")))
    s.stop()
    local file = support.write(H.tmpdir() .. "/notes.txt", "keep me\n")
    local r = support.run({ "serve", "--db", H.tmpdir() .. "/x.db", "--rules", support.rules,
      "--listen", "unix:" .. file }, nil, nil, 20)
    assert.are.equal(2, r.code, r.stderr)
    assert.truthy(r.stderr:find("is there and is no socket", 1, true), r.stderr)
    assert.are.equal("keep me\n", support.read(file))
  end)

  it("refuses what is not an address, before anything starts", function()
    for listen, message in pairs({
      ["::1:8080"] = "is not an IPv4 address (an IPv6 one goes in brackets)",
      ["[127.0.0.1]:8080"] = "is not an IPv6 address",
      ["localhost:8080"] = "is not an IPv4 address",
      ["127.0.0.1"] = "expected ADDRESS:PORT, [IPv6]:PORT or unix:PATH",
      ["127.0.0.1:65536"] = "the port is a number from 0 to 65535",
      ["unix:"] = "a socket's path has 1 to",
    }) do
      local db = H.tmpdir() .. "/x.db"
      local r = support.run({ "serve", "--db", db, "--listen", listen }, nil, nil, 20)
      assert.are.equal(2, r.code, listen .. ": " .. r.stderr)
      assert.truthy(r.stderr:find("--listen " .. listen .. ": ", 1, true), r.stderr)
      assert.truthy(r.stderr:find(message, 1, true), r.stderr)
      assert.is_false(H.exists(db), listen .. ": a database was made")
    end
  end)
end)

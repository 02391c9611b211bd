-- The specs clean up after themselves even when they die: a spec killed
-- with -9 (a ctest timeout, a crash of busted) leaves no `labelcoop serve`
-- running behind it.

local support = require "support"
local H = require "http_support"

local quote = support.quote

describe("a spec that dies", function()
  teardown(H.finish)

  it("takes its servers with it", function()
    local dir = H.tmpdir()
    -- A spec of its own, in a Lua process the test can kill: it starts a
    -- server the usual way, says its pid, and idles.
    support.write(dir .. "/child.lua", table.concat({
      "local H = require 'http_support'",
      "local db = " .. string.format("%q", dir .. "/labelcoop.db"),
      "H.admin({ 'init', '--db', db })",
      "local server = H.start_server({ db = db })",
      "local f = io.open(" .. string.format("%q", dir .. "/server.pid") .. ", 'w')",
      "f:write(server.pid, '\\n') f:close()",
      "while true do os.execute('sleep 0.2') end",
      "",
    }, "\n"))
    os.execute("lua5.4 " .. quote(dir .. "/child.lua") .. " </dev/null >" .. quote(dir .. "/child.log")
      .. " 2>&1 & echo $! >" .. quote(dir .. "/child.pid"))
    local child = tonumber(support.read(dir .. "/child.pid"):match("%d+"))
    local server
    local deadline = H.now() + 30
    while not server and H.now() < deadline do
      server = tonumber((support.read(dir .. "/server.pid") or ""):match("%d+"))
      H.sleep(0.1)
    end
    assert(server, "the child spec started no server: " .. (support.read(dir .. "/child.log") or ""))
    local function alive(pid)
      return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true
    end
    assert.is_true(alive(server))
    os.execute("kill -KILL " .. child)
    deadline = H.now() + 10
    while alive(server) and H.now() < deadline do
      H.sleep(0.1)
    end
    local left = alive(server)
    if left then
      os.execute("kill -KILL " .. server)
    end
    assert.is_false(left, "labelcoop serve outlived the spec that started it")
  end)
end)

-- The login throttle under a crowd (issue 17, section 3): 540 failed logins
-- from 27 addresses must not make it forget a locked account, and a full
-- table refuses rather than forgets. Its own spec: each failure costs the
-- server a password hash, which makes this one long.

local H = require "http_support"
local A = require "accounts_support"
local concurrently, curl, statuses, login_from = A.concurrently, A.curl, A.statuses, A.login_from

local fixture

setup(function()
  fixture = H.fixture()
end)

teardown(H.finish)

describe("the login throttle", function()

  it("keeps a locked account locked when 540 failures from 27 addresses fill its table", function()
    local server = H.start_server({ db = H.fresh_db(fixture.db) })
    local target = H.USERS.cae_b.email
    for i = 1, 5 do
      assert.are.equal(401, login_from(server, "127.0.0.2", target, "devine " .. i), "failure " .. i)
    end
    assert.are.equal(429, login_from(server, "127.0.0.2", target, H.PASSWORD), "locked")

    -- 27 addresses, 20 failures each, each on an email of its own
    local commands = {}
    for a = 1, 27 do
      local from = "127.0.0." .. (a + 2)
      local words = {}
      for i = 1, 20 do
        words[#words + 1] = curl(server, "POST", "/api/v1/session", { from = from,
          json = { email = "x" .. a .. "-" .. i .. "@nowhere.test", password = "guess" } })
      end
      commands[a] = table.concat(words, "; ")
    end
    -- three addresses at a time: each failure costs the server a hash (tens
    -- of ms), and the machine is shared
    local outs = {}
    for first = 1, #commands, 3 do
      for i, out in ipairs(concurrently({ table.unpack(commands, first, math.min(first + 2, #commands)) })) do
        outs[first + i - 1] = out
      end
    end
    local refused, failed = 0, 0
    for _, out in ipairs(outs) do
      local list = statuses(out)
      assert.are.equal(20, #list)
      for _, status in ipairs(list) do
        assert.truthy(status == 401 or status == 429, "status " .. status)
        failed = failed + (status == 401 and 1 or 0)
        refused = refused + (status == 429 and 1 or 0)
      end
    end
    assert.are.equal(540, failed + refused)

    -- the locked account is still locked, right password or not
    local r = H.request(server, "POST", "/api/v1/session", { json = { email = target, password = H.PASSWORD } })
    H.expect_error(r, 429, nil, "locked account, from 127.0.0.1")
    assert.are.equal(429, login_from(server, "127.0.0.2", target, H.PASSWORD), "locked account, again")
    assert.are.equal(429, login_from(server, "127.0.0.2", target, "devine 6"), "no guessing")
    assert.truthy(refused > 0, "the table filled: some new addresses were refused")
    -- a full table refuses what it cannot count: a new address, a new email
    local full = concurrently({ curl(server, "POST", "/api/v1/session", { from = "127.0.0.40",
      json = { email = H.USERS.admin.email, password = H.PASSWORD } }) })[1]
    assert.are.same({ 429 }, statuses(full), "a new address while the table is full")
    server.stop()
  end)
end)

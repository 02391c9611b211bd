-- Slow and half-open clients (issue 8), slowloris-style on loopback and
-- bounded: 80 sockets that send a request's headers a byte at a time, 20
-- that send a body that way, 50 that connect and send nothing. Meanwhile
-- other clients are served promptly, new connections and kept-alive ones;
-- a connection silent for --connection-timeout seconds is closed, whether
-- it never spoke or stopped halfway; one that keeps trickling a body is
-- closed --request-timeout seconds after its headers, and one that keeps
-- trickling headers that long after it opened or was last answered.
--
-- The sockets are bash's /dev/tcp (no Lua socket module, no python needed).

local support = require "support"
local H = require "http_support"
local LG = require "load_support"
local json = support.json
local quote = support.quote

local TIMEOUT = 3 -- serve --connection-timeout
local HEADERS, BODIES, SILENT = 80, 20, 50

-- The slow clients, in bash. Opens the sockets, reports how many the server
-- closed ("opened"), trickles a byte on each slow one every half second
-- until the spec touches "stop" (and TIMEOUT + 3 s at least), reports
-- ("during"), stays silent TIMEOUT + 4 s, reports ("after"). A report is
-- "SLOW_CLOSED SILENT_CLOSED": a socket the server closed reads as ready.
local SCRIPT = [=[
#!/bin/bash
trap '' PIPE
port=$1 headers=$2 bodies=$3 silent=$4 timeout=$5 dir=$6
slow=() quiet=()
open() { exec {fd}<>"/dev/tcp/127.0.0.1/$port" || { echo "cannot connect" >"$dir/failed"; exit 1; }; }
for ((i = 0; i < headers; i++)); do
  open; printf 'GET /api/v1/referential HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' >&"$fd"; slow+=("$fd")
done
for ((i = 0; i < bodies; i++)); do
  open
  printf 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{' >&"$fd"
  slow+=("$fd")
done
for ((i = 0; i < silent; i++)); do
  open; quiet+=("$fd")
done
closed() { local n=0 fd; for fd in "$@"; do read -r -t 0 -u "$fd" && n=$((n + 1)); done; echo -n "$n"; }
report() { echo "$(closed "${slow[@]}") $(closed "${quiet[@]}")" >"$dir/$1.tmp"; mv "$dir/$1.tmp" "$dir/$1"; }
start=$SECONDS
report opened
until [ -e "$dir/stop" ] && [ $((SECONDS - start)) -ge $((timeout + 3)) ] || [ $((SECONDS - start)) -gt 60 ]; do
  for fd in "${slow[@]}"; do printf 'x' >&"$fd" 2>/dev/null; done
  sleep 0.5
done
report during
sleep $((timeout + 4))
report after
]=]

-- A request trickled a byte every 0.25 s, never silent: its body ("body"),
-- its headers ("headers"), or the headers of a second request on a
-- kept-alive connection once the first is answered ("again"). Writes, once
-- the server closed the socket, the milliseconds it took to "closed".
local TRICKLE = [=[
#!/bin/bash
trap '' PIPE
port=$1 dir=$2 what=$3
exec {fd}<>"/dev/tcp/127.0.0.1/$port" || { echo "cannot connect" >"$dir/failed"; exit 1; }
case $what in
body) printf 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{' >&"$fd" ;;
headers) printf 'GET /api/v1/referential HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' >&"$fd" ;;
again)
  printf 'GET /api/v1/no-such-thing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&"$fd" # a short answer
  read -r -t 5 -u "$fd" status || { echo "no answer" >"$dir/failed"; exit 1; }
  while read -r -t 0.3 -u "$fd" _; do :; done # the rest of it
  printf 'GET /api/v1/referential HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' >&"$fd" ;;
esac
start=$(date +%s%N)
for ((i = 0; i < 120; i++)); do
  read -r -t 0 -u "$fd" && break
  printf 'x' >&"$fd" 2>/dev/null || break
  sleep 0.25
done
echo $((($(date +%s%N) - start) / 1000000)) >"$dir/closed.tmp"
mv "$dir/closed.tmp" "$dir/closed"
]=]

-- The text of dir/name once the clients wrote it (limit seconds at most).
local function wait_report(dir, name, limit)
  support.wait_for(function()
    local text = support.read(dir .. "/" .. name)
    if not text then
      assert(not support.read(dir .. "/failed"), "the slow clients could not connect")
    end
    return text
  end, limit or 30)
  return assert(support.read(dir .. "/" .. name), "no '" .. name .. "' report from the slow clients")
end

local function read_report(dir, name, limit)
  local slow, silent = wait_report(dir, name, limit):match("^(%d+) (%d+)")
  return { slow = tonumber(slow), silent = tonumber(silent) }
end

describe("slow and half-open clients", function()
  teardown(H.finish)

  it("do not keep the others from being served, and are dropped after --connection-timeout", function()
    local fx = H.fixture()
    -- The slow sockets all come from 127.0.0.1, like the clients served
    -- meanwhile: the per-address cap (edges_spec tests it) is lifted here.
    local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--connection-timeout", tostring(TIMEOUT),
      "--max-connections-per-client", "1000" } })
    local cae = H.login(server, H.USERS.cae_a.email)
    local sa = H.new_self_assessment(server, cae, fx.ids.org_a)
    local criteria = H.criteria(server)

    local dir = H.tmpdir()
    support.write(dir .. "/slow.sh", SCRIPT)
    os.execute("bash " .. quote(dir .. "/slow.sh") .. " " .. server.port .. " " .. HEADERS .. " " .. BODIES .. " "
      .. SILENT .. " " .. TIMEOUT .. " " .. quote(dir) .. " </dev/null >/dev/null 2>&1 &")
    local opened = read_report(dir, "opened")
    assert.are.same({ slow = 0, silent = 0 }, opened, "the server closed connections right away")

    -- Meanwhile: new connections, one request each...
    for i = 1, 10 do
      local t0 = H.now()
      local r = i % 2 == 0 and H.request(server, "GET", "/api/v1/referential")
        or H.request(server, "GET", "/api/v1/assessments/" .. sa.id, { token = cae })
      H.expect(r, 200, "a request among the slow clients")
      assert.is_true(H.now() - t0 < 2, "a request took " .. (H.now() - t0) .. " s among the slow clients")
    end
    -- ... and 20 clients on kept-alive connections for 3 s.
    local figures = LG.start(server, { targets = { { id = sa.id, token = cae } },
      criteria = LG.criteria_ids(criteria), clients = 20, seconds = 3, writes = 20, timeout = 10 }).finish(30)
    print("\namong " .. HEADERS + BODIES + SILENT .. " slow clients: " .. LG.summary(figures))
    assert.are.equal(figures.requests, figures.ok, json.encode(figures))
    assert.is_true(figures.latency_ms.max < 2000, "a request took " .. figures.latency_ms.max .. " ms")
    assert.is_nil(support.read(dir .. "/during"), "the slow clients were gone before the others were served")
    support.write(dir .. "/stop", "")

    local during = read_report(dir, "during")
    print("after " .. TIMEOUT .. " s + 3 s: " .. during.silent .. "/" .. SILENT .. " silent sockets closed, "
      .. during.slow .. "/" .. HEADERS + BODIES .. " slow ones (each sending a byte every 0.5 s)")
    assert.are.equal(SILENT, during.silent, "silent connections left open past the timeout")
    local after = read_report(dir, "after")
    assert.are.equal(HEADERS + BODIES, after.slow, "slow connections left open " .. TIMEOUT + 4
      .. " s after they went silent")
    H.expect(H.request(server, "GET", "/api/v1/referential"), 200, "after the slow clients")
    assert.are.equal(0, server.stop())
  end)

  it("close a connection whose body is not whole --request-timeout seconds after its headers", function()
    local fx = H.fixture()
    local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--request-timeout", "2" } })
    local dir = H.tmpdir()
    support.write(dir .. "/trickle.sh", TRICKLE)
    os.execute("bash " .. quote(dir .. "/trickle.sh") .. " " .. server.port .. " " .. quote(dir)
      .. " body </dev/null >/dev/null 2>&1 &")
    -- Meanwhile a body sent at once is served.
    H.login(server, H.USERS.cae_a.email)
    local ms = tonumber(wait_report(dir, "closed", 40):match("%d+"))
    print("\na body trickled a byte every 0.25 s: closed after " .. ms .. " ms (--request-timeout 2)")
    assert.is_true(ms >= 1900 and ms < 6000, "closed after " .. ms .. " ms")
    local _, err = server.output()
    assert.truthy(err:find("POST /api/v1/session 408", 1, true), "no 408 in the log:\n" .. err)
    H.login(server, H.USERS.cae_a.email)
    assert.are.equal(0, server.stop())
  end)

  it("close a connection whose headers are not whole --request-timeout seconds after it opened or was answered",
    function()
      local fx = H.fixture()
      local server = H.start_server({ db = H.fresh_db(fx.db), args = { "--request-timeout", "2" } })
      for _, what in ipairs({ "headers", "again" }) do
        local dir = H.tmpdir()
        support.write(dir .. "/trickle.sh", TRICKLE)
        os.execute("bash " .. quote(dir .. "/trickle.sh") .. " " .. server.port .. " " .. quote(dir) .. " " .. what
          .. " </dev/null >/dev/null 2>&1 &")
        H.expect(H.request(server, "GET", "/api/v1/referential"), 200, "a request among the trickled " .. what)
        local ms = tonumber(wait_report(dir, "closed", 40):match("%d+"))
        print("\n" .. what .. " trickled a byte every 0.25 s: closed after " .. ms .. " ms (--request-timeout 2)")
        -- "again": the clock starts at the first answer, about 0.3 s before the trickle
        assert.is_true(ms >= (what == "again" and 1500 or 1900) and ms < 6000, what .. ": closed after " .. ms .. " ms")
      end
      local _, err = server.output()
      local _, cuts = err:gsub("%(headers not whole%) 408", "")
      assert.are.equal(2, cuts, "408s for headers in the log:\n" .. err)
      H.login(server, H.USERS.cae_a.email)
      assert.are.equal(0, server.stop())
    end)
end)

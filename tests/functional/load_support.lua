-- Helpers for the specs that put the server under load (issue 8): the load
-- generator (tests/tools/loadgen.c) run in the background, its figures and
-- its log of writes read back, and what the database must then hold checked
-- with the sqlite3 shell. Built on support.lua, http_support.lua and
-- lifecycle_support.lua.

local support = require "support"
local H = require "http_support"
local L = require "lifecycle_support"
local json = support.json
local quote = support.quote

local assert = support.assert

local LG = {}

LG.bin = support.program("LABELCOOP_LOADGEN", "build/tests/loadgen")

-- Ids of a list of criteria (from GET /referential).
LG.criteria_ids = support.ids

-- Starts the load generator against `server`. opts: targets (list of {id,
-- token}), criteria (list of ids), clients, seconds, writes (percent),
-- timeout (per request, seconds). Returns a run: run.acks() counts the
-- writes acknowledged so far; run.finish(limit) waits for the end and
-- returns the figures (decoded JSON) and the writes (LG.writes).
function LG.start(server, opts)
  local dir = H.tmpdir()
  local args = { LG.bin, "--url", server.url, "--criteria", table.concat(opts.criteria, ","),
    "--clients", opts.clients or 8, "--seconds", opts.seconds or 10, "--writes", opts.writes or 50,
    "--timeout", opts.timeout or 30, "--log", dir .. "/log" }
  for _, t in ipairs(opts.targets) do
    args[#args + 1] = "--target"
    args[#args + 1] = t.id .. ":" .. t.token
  end
  for i, a in ipairs(args) do
    args[i] = quote(a)
  end
  -- Its figures on stdout (dir/out), its pid and exit code in dir/pid and
  -- dir/rc; it dies with the spec, as a server does.
  H.spawn(dir, table.concat(args, " "))
  local run = { dir = dir }

  function run.acks()
    local n = 0
    for _ in (support.read(dir .. "/log") or ""):gmatch("ack [^\n]*\n") do
      n = n + 1
    end
    return n
  end

  function run.finish(limit)
    support.wait_for(function() return support.read(dir .. "/rc") end, limit or 60, 0.1)
    local rc = support.read(dir .. "/rc")
    if not rc then
      local pid = tonumber(support.read(dir .. "/pid") or "")
      if pid then
        os.execute("kill -KILL " .. pid .. " 2>/dev/null")
      end
      error("the load generator did not end within " .. (limit or 60) .. " s", 2)
    end
    assert(tonumber(rc) == 0, "loadgen exited " .. rc .. ": " .. (support.read(dir .. "/err") or ""))
    local figures = json.decode(support.read(dir .. "/out"))
    return figures, LG.writes(support.read(dir .. "/log") or "")
  end

  return run
end

-- The writes of a loadgen log, by key "ID CRITERION": {acked = every
-- acknowledged comment in order, last = the last acknowledged one, pending
-- = the comment of a write left unanswered after it (stored or not)}.
-- Also returns the number of acknowledged writes.
function LG.writes(log)
  local keys, acked = {}, 0
  for line in log:gmatch("[^\n]+") do
    local what, id, criterion, comment = line:match("^(%a+) (%d+) (%S+) (%S+)")
    assert(what, "unexpected loadgen log line: " .. line)
    local key = id .. " " .. criterion
    local k = keys[key] or { id = tonumber(id), criterion = criterion, acked = {} }
    keys[key] = k
    if what == "ack" then
      k.acked[#k.acked + 1] = comment
      k.last, k.pending = comment, nil
      acked = acked + 1
    elseif what == "unanswered" then
      k.pending = comment
    end -- "refused": counted in the figures; the value must not be stored
  end
  return keys, acked
end

-- With the server stopped: the file is sound (integrity_check, `labelcoop
-- verify` and its chained journal), every acknowledged write is in the
-- journal, each key holds its last acknowledged value (or the write left
-- unanswered after it), and no answer is half-written: every answer is the
-- latest journal entry of its key, and every journalled key has its answer.
-- `ids` lists the assessments written to.
function LG.assert_stored(db, ids, writes)
  assert.are.equal("ok", L.sql_value(db, "PRAGMA integrity_check;"))
  local verify = support.run({ "verify", "--db", db }, nil, nil, 120)
  assert.are.equal(0, verify.code, "labelcoop verify: " .. verify.stdout .. verify.stderr)
  local in_ids = "(" .. table.concat(ids, ",") .. ")"
  local journalled = {}
  for comment in L.sql(db, "SELECT json_extract(after, '$.comment') FROM journal WHERE action = 'answer.put'"
      .. " AND entity_id IN " .. in_ids .. ";"):gmatch("[^\n]+") do
    journalled[comment] = true
  end
  local stored = {}
  for line in L.sql(db, "SELECT assessment_id || ' ' || criterion || ' ' || comment FROM answers"
      .. " WHERE assessment_id IN " .. in_ids .. ";"):gmatch("[^\n]+") do
    local key, comment = line:match("^(%d+ %S+) (.*)$")
    stored[key] = comment
  end
  local lost = {}
  for key, k in pairs(writes) do
    for _, comment in ipairs(k.acked) do
      if not journalled[comment] then
        lost[#lost + 1] = key .. " " .. comment
      end
    end
    local s = stored[key]
    if k.last then
      assert(s == k.last or (k.pending and s == k.pending), "answer " .. key .. " holds " .. tostring(s)
        .. ", not its last acknowledged value " .. k.last
        .. (k.pending and (" (nor the unanswered " .. k.pending .. ")") or ""))
    else
      assert(s == nil or s == k.pending, "answer " .. key .. " holds " .. tostring(s) .. ", never sent")
    end
  end
  table.sort(lost)
  assert(#lost == 0, #lost .. " acknowledged writes are not in the journal: "
    .. table.concat(lost, ", ", 1, math.min(#lost, 10)))
  for key in pairs(stored) do
    assert(writes[key], "answer " .. key .. " was never written")
  end
  local mismatched = L.sql_value(db, [[
SELECT count(*) FROM answers a WHERE a.assessment_id IN ]] .. in_ids .. [[ AND
  (a.comment, a.status) IS NOT (SELECT json_extract(j.after, '$.comment'), json_extract(j.after, '$.status')
    FROM journal j WHERE j.action = 'answer.put' AND j.entity_id = a.assessment_id
    AND json_extract(j.after, '$.criterion') = a.criterion ORDER BY j.id DESC LIMIT 1);]])
  assert.are.equal("0", mismatched, "answers that are not their latest journal entry")
  local orphans = L.sql_value(db, [[
SELECT count(*) FROM (SELECT DISTINCT entity_id AS id, json_extract(after, '$.criterion') AS c FROM journal
  WHERE action = 'answer.put' AND entity_id IN ]] .. in_ids .. [[) j
  WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.assessment_id = j.id AND a.criterion = j.c);]])
  assert.are.equal("0", orphans, "journalled answers missing from the answers table")
end

-- The `n` slowest requests in the server's log ("METHOD PATH STATUS 1.2ms"),
-- slowest first, and the lines that are not request lines (errors).
function LG.server_log(server, n)
  local _, err = server.output()
  local requests, others = {}, {}
  for line in err:gmatch("[^\n]+") do
    local ms = line:match("^%u+ %S+ %d+ ([%d.]+)ms$")
    if ms then
      requests[#requests + 1] = { ms = tonumber(ms), line = line }
    else
      others[#others + 1] = line
    end
  end
  table.sort(requests, function(a, b) return a.ms > b.ms end)
  local slowest = {}
  for i = 1, math.min(n or 5, #requests) do
    slowest[i] = requests[i].line
  end
  return slowest, others
end

-- Figures of a run, one line, for the spec's output.
function LG.summary(f)
  local l = f.latency_ms or {}
  return string.format("%d clients, %.1f s: %d requests (%d reads, %d writes), %.0f req/s, %d errors;"
    .. " latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f", f.clients, f.seconds, f.requests, f.reads, f.writes,
    f.requests_per_second, f.refused + f.unanswered + f.wrong_body, l.p50 or 0, l.p90 or 0, l.p99 or 0,
    l.max or 0)
end

return LG

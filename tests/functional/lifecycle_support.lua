-- Helpers for lifecycle_spec.lua (issue 4): edited copies of the rules
-- folder, answers sent in bulk through one curl process, a background
-- stream of requests, the sqlite3 shell, and the binary run with a time
-- limit. Built on support.lua and http_support.lua (neither is changed).

local support = require "support"
local H = require "http_support"
local json = support.json
local quote = support.quote

local L = {}

-- The fixture's CAE organisations and users come from http_support; this
-- file adds what the rules lifecycle needs.

-- A criterion the shipped rules do not have (for L.criterion_text).
L.SO16 = {
  id = "SO-16", field = "SO", theme = "Dialogue avec les parties prenantes externes", level = "advised",
  statement = "La CAE publie chaque année un bilan de ses échanges avec ses partenaires du territoire.",
  guidance = "Satisfait totalement : le bilan est publié. Partiellement : il est rédigé mais non publié.",
  evidence = "Bilan annuel des partenariats",
}

-- Text helpers ----------------------------------------------------------

local count_plain = support.count

-- Replaces the single occurrence of `old` (plain text) in `text`.
local function replace_once(text, old, new, what)
  local n = count_plain(text, old)
  assert(n == 1, (what or "replace") .. ": expected exactly one occurrence of " .. old .. ", found " .. n)
  local s, e = text:find(old, 1, true)
  return text:sub(1, s - 1) .. new .. text:sub(e + 1)
end
L.replace_once = replace_once

-- Rules folders ---------------------------------------------------------

-- JF-01 of the shipped référentiel, and a rewording the shipped specs pass.
L.JF = "referential/01-juridique-financier.lua"
L.JF01_OLD = "La CAE est constituée en société coopérative (SCOP ou SCIC)"
L.JF01_NEW = "La CAE est une société coopérative (SCOP ou SCIC)"

-- A copy of the shipped rules in a fresh directory of our own (kept for the
-- whole file: support.cleanup() does not touch it).
function L.rules_copy(name)
  local dir = H.tmpdir() .. "/" .. (name or "rules")
  assert(os.execute("cp -r " .. quote(support.rules) .. " " .. quote(dir)), "cp -r failed")
  return dir
end

-- The hash of a rules folder (failing the test unless `rules check` passes).
function L.hash_of(dir)
  local r = support.check(dir)
  assert(r.code == 0 and r.hash, "rules check " .. dir .. " failed: " .. r.stdout .. r.stderr)
  return r.hash
end

function L.edit(dir, rel, old, new)
  local path = dir .. "/" .. rel
  local text = assert(support.read(path), "cannot read " .. path)
  support.write(path, replace_once(text, old, new, rel))
end

function L.append(dir, rel, text)
  local path = dir .. "/" .. rel
  local f = assert(io.open(path, "ab"))
  f:write(text)
  f:close()
end

-- The line number (1-based) of the last line of a file.
function L.line_count(path)
  local text = assert(support.read(path))
  local n = count_plain(text, "\n")
  if text:sub(-1) ~= "\n" then
    n = n + 1
  end
  return n
end

-- Removes the `criterion { id = "ID", ... }` block (up to its closing
-- "}\n" at the start of a line).
function L.remove_criterion(dir, rel, id)
  local path = dir .. "/" .. rel
  local text = assert(support.read(path))
  local open = "criterion {\n  id = \"" .. id .. "\","
  assert(count_plain(text, open) == 1, "criterion " .. id .. " not found once in " .. rel)
  local s = text:find(open, 1, true)
  local e = text:find("\n}\n", s, true)
  assert(e, "end of criterion " .. id .. " not found")
  support.write(path, text:sub(1, s - 1) .. text:sub(e + 3))
end

-- The path of dir/rel, its text and where criterion `id` starts in it
-- (failing the test when it is not there).
local function criterion_in(dir, rel, id)
  local path = dir .. "/" .. rel
  local text = assert(support.read(path))
  local s = text:find("id = \"" .. id .. "\",", 1, true)
  assert(s, "criterion " .. id .. " not found in " .. rel)
  return path, text, s
end

-- Changes the level of criterion `id` (declared as `level = "old",` right
-- after its id, field and theme lines).
function L.set_level(dir, rel, id, from, to)
  local path, text, s = criterion_in(dir, rel, id)
  local ls, le = text:find("level = \"" .. from .. "\",", s, true)
  assert(ls and ls - s < 300, "level of " .. id .. " not found")
  support.write(path, text:sub(1, ls - 1) .. "level = \"" .. to .. "\"," .. text:sub(le + 1))
end

-- Adds `key = value,` (value: Lua text) to criterion `id`, which must not
-- declare `key` yet.
function L.add_key(dir, rel, id, key, value)
  local path, text, s = criterion_in(dir, rel, id)
  local e = text:find("\n}\n", s, true)
  local block = text:sub(s, e)
  assert(not block:find(key .. " =", 1, true), id .. " already declares " .. key)
  support.write(path, text:sub(1, e) .. "  " .. key .. " = " .. value .. ",\n" .. text:sub(e + 1))
end

function L.set_weight(dir, rel, id, w)
  L.add_key(dir, rel, id, "weight", tostring(w))
end

-- A new criterion's Lua text.
function L.criterion_text(c)
  return string.format([[

criterion {
  id = %q,
  field = %q,
  theme = %q,
  level = %q,
  statement = %q,
  guidance = %q,
  evidence = { %q },
}
]], c.id, c.field, c.theme, c.level, c.statement, c.guidance, c.evidence)
end

-- Every rule file of a folder (what the rule set's identity covers), as
-- the {path = text} map of POST /rulesets.
function L.files_of(dir)
  local p = assert(io.popen("cd " .. quote(dir) .. " && find . -name '*.lua' ! -path './spec/*' "
    .. "! -name '*_spec.lua' | sed 's|^\\./||' | LC_ALL=C sort"))
  local files = json.object({})
  for rel in p:lines() do
    files[rel] = assert(support.read(dir .. "/" .. rel))
  end
  p:close()
  return files
end

-- The binary and the shell ---------------------------------------------

-- support.run, failing the test unless the exit code is `code` (default 0).
function L.run(args, code, stdin_string, cwd, limit)
  local r = support.run(args, stdin_string, cwd, limit)
  code = code or 0
  assert(r.code == code, "labelcoop " .. table.concat(args, " ") .. ": expected exit " .. code .. ", got "
    .. tostring(r.code) .. "\nstdout: " .. r.stdout .. "\nstderr: " .. r.stderr)
  return r
end

-- The sqlite3 shell (see http_support).
L.sql, L.sql_value = H.sql, H.sql_value

-- The rule-set history as JSON.
function L.history(db)
  local r = L.run({ "rules", "history", "--db", db, "--format", "json" })
  return json.decode(r.stdout)
end

-- HTTP ------------------------------------------------------------------

-- Sends many PUT /assessments/{id}/answers/{criterion} through one curl
-- process. `answers` maps criterion ids to a status. Returns the list of
-- {criterion, status} that did not answer 200 (empty when all did).
function L.put_answers(server, token, id, answers)
  local dir = H.tmpdir()
  local ids = support.keys(answers)
  local args = { "curl", "-s", "-g" }
  for i, cid in ipairs(ids) do
    if i > 1 then
      args[#args + 1] = "--next"
    end
    local body = json.encode({ status = answers[cid], comment = "Constat " .. cid, evidence = { "Pièce " .. cid } })
    args[#args + 1] = "--max-time 10 -o /dev/null -w " .. quote("%{http_code}\n") .. " -X PUT"
      .. " -H " .. quote("Content-Type: application/json")
      .. " -H " .. quote("Authorization: Bearer " .. token)
      .. " --data-binary " .. quote(body)
      .. " " .. quote(server.url .. "/api/v1/assessments/" .. id .. "/answers/" .. cid)
  end
  local p = assert(io.popen(table.concat(args, " ") .. " 2>/dev/null"))
  local codes = p:read("a")
  p:close()
  os.execute("rm -rf " .. quote(dir))
  local bad, i = {}, 0
  for code in codes:gmatch("(%d+)\n") do
    i = i + 1
    if code ~= "200" then
      bad[#bad + 1] = ids[i] .. "=" .. code
    end
  end
  for j = i + 1, #ids do
    bad[#bad + 1] = ids[j] .. "=no answer"
  end
  return bad
end

-- Answers assessment `id` (failing the test on any non-200).
function L.answer(server, token, id, answers)
  local bad = L.put_answers(server, token, id, answers)
  assert(#bad == 0, "answers of assessment " .. id .. " refused: " .. table.concat(bad, ", "))
end

-- A complete answer set for `criteria` (a list from GET /referential):
-- every one "met" except `except` (id -> status, false to leave out).
function L.answers(criteria, except)
  local out = {}
  for _, c in ipairs(criteria) do
    out[c.id] = "met"
  end
  for k, v in pairs(except or {}) do
    out[k] = v or nil
  end
  return out
end

-- An audit of org_id by auditor_id, answered (L.answers(criteria, except)),
-- with stakeholders, submitted. Returns the submitted assessment JSON.
function L.submitted_audit(server, t, org_id, auditor_id, criteria, except)
  local a = H.new_audit(server, t.committee, org_id, auditor_id)
  L.answer(server, t.auditor, a.id, L.answers(criteria, except))
  H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/stakeholders",
    { token = t.auditor, json = H.STAKEHOLDERS }), 200, "stakeholders")
  local r = H.expect(H.request(server, "POST", "/api/v1/assessments/" .. a.id .. "/submit",
    { token = t.auditor }), 200, "submit audit " .. a.id)
  return r.json
end

function L.get(server, token, path)
  return H.request(server, "GET", "/api/v1" .. path, { token = token })
end

-- The active rule set's hash as the public référentiel gives it.
function L.active_hash(server)
  local r = H.expect(H.request(server, "GET", "/api/v1/referential"), 200, "referential")
  return r.json.ruleset
end

-- A background stream of GETs: a shell loop running one curl after the
-- other for `seconds`, each writing "<http_code> <path>" to a file.
-- `items` is a list of {path, token}. Returns a handle with :finish() ->
-- list of {code, path} (waits for the loop's end).
function L.stream(server, items, seconds)
  local dir = H.tmpdir()
  local lines = { "#!/bin/sh", "end=$(( $(date +%s%N) + " .. math.floor(seconds * 1e9) .. " ))",
    "while [ $(date +%s%N) -lt $end ]; do" }
  for _, item in ipairs(items) do
    local auth = item.token and (" -H " .. quote("Authorization: Bearer " .. item.token)) or ""
    lines[#lines + 1] = "  c=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}'" .. auth .. " "
      .. quote(server.url .. "/api/v1" .. item.path) .. ")"
    lines[#lines + 1] = "  echo \"$c " .. item.path .. "\" >>" .. quote(dir .. "/codes")
  end
  lines[#lines + 1] = "done"
  lines[#lines + 1] = "touch " .. quote(dir .. "/done")
  support.write(dir .. "/loop.sh", table.concat(lines, "\n") .. "\n")
  os.execute("sh " .. quote(dir .. "/loop.sh") .. " </dev/null >/dev/null 2>&1 &")
  local handle = { dir = dir }
  function handle.finish()
    support.wait_for(function() return H.exists(dir .. "/done") end, seconds + 20, 0.1)
    assert(H.exists(dir .. "/done"), "the request stream did not end")
    local out = {}
    for line in (support.read(dir .. "/codes") or ""):gmatch("[^\n]+") do
      local code, path = line:match("^(%d+) (.*)$")
      out[#out + 1] = { code = tonumber(code), path = path }
    end
    return out
  end
  return handle
end

-- Waits until `pred()` is true (polling every 50 ms, `limit` seconds, 20 by
-- default: a bound on failure only, so that a rule set's reload on a loaded
-- 2-core machine is awaited); returns true, or what pred last returned.
function L.wait_for(pred, limit)
  return support.wait_for(pred, limit or 20) and true
end

-- Sends a signal to the server process.
function L.signal(server, sig)
  assert(os.execute("kill -" .. sig .. " " .. server.pid), "kill -" .. sig .. " failed")
end

-- The lines of a text that start with `prefix` (plain), the program's
-- "labelcoop: " prefix allowed.
function L.lines_starting(text, prefix)
  return support.filter(support.lines(text), function(line)
    return line:sub(1, #prefix) == prefix or line:sub(1, #prefix + 11) == "labelcoop: " .. prefix
  end)
end

function L.find_by(list, key, value)
  for _, item in ipairs(list or {}) do
    if item[key] == value then
      return item
    end
  end
  return nil
end

-- The number of the first line of a file that contains `needle` (plain).
function L.line_of(path, needle)
  local n = 0
  for line in (assert(support.read(path), "cannot read " .. path) .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if line:find(needle, 1, true) then
      return n
    end
  end
  error(needle .. " not found in " .. path)
end

-- Copies every file of folder `src` over folder `dest` (same layout).
function L.copy_over(src, dest)
  assert(os.execute("cp -r " .. quote(src) .. "/. " .. quote(dest) .. "/"), "cp failed")
end

-- SHA-256 (hex) of a string, with sha256sum.
function L.sha256(text)
  local dir = H.tmpdir()
  support.write(dir .. "/in", text)
  local p = assert(io.popen("sha256sum " .. quote(dir .. "/in")))
  local out = p:read("l")
  p:close()
  os.execute("rm -rf " .. quote(dir))
  return out:match("^(%x+)")
end

-- The names in a directory (sorted), without . and ..
function L.ls(dir)
  local p = assert(io.popen("ls -A " .. quote(dir)))
  local out = {}
  for name in p:lines() do
    out[#out + 1] = name
  end
  p:close()
  table.sort(out)
  return out
end

-- POST of a JSON body with curl, keeping curl's own error: returns the
-- HTTP status (0 when there was none) and a description for messages.
function L.post_status(server, token, path, body)
  local dir = H.tmpdir()
  support.write(dir .. "/body", json.encode(body))
  local cmd = "curl -sS --max-time 20 -o " .. quote(dir .. "/out") .. " -w '%{http_code}' -X POST"
    .. " -H 'Content-Type: application/json' -H " .. quote("Authorization: Bearer " .. token)
    .. " --data-binary " .. quote("@" .. dir .. "/body") .. " " .. quote(server.url .. "/api/v1" .. path)
    .. " 2>" .. quote(dir .. "/err")
  local p = assert(io.popen(cmd))
  local code = tonumber(p:read("a")) or 0
  p:close()
  local desc = "POST " .. path .. " -> " .. code .. " " .. (support.read(dir .. "/out") or "")
    .. " curl: " .. (support.read(dir .. "/err") or "")
  os.execute("rm -rf " .. quote(dir))
  return code, desc
end

-- Worlds: a database and a server per story ------------------------------

-- The fixture database (built once per spec file).
local fixture
function L.fixture()
  if not fixture then
    fixture = H.fixture()
  end
  return fixture
end

-- A fresh database (copy of the fixture) and a server on it, with the
-- given rules folder; logs in `who` (list of user names). Returns
-- {db, server, t = tokens, ids}.
function L.world(rules_dir, who, before_start)
  local fx = L.fixture()
  local db = H.fresh_db(fx.db)
  if before_start then
    before_start(db)
  end
  local server = H.start_server({ db = db, rules = rules_dir })
  local t = {}
  for _, name in ipairs(who or { "committee", "auditor", "cae_a" }) do
    t[name] = H.login(server, H.USERS[name].email)
  end
  return { db = db, server = server, t = t, ids = fx.ids }
end

-- A describe's teardown: stops the server of its world (got when it runs).
function L.stop_world(get)
  return function()
    local w = get()
    if w then
      w.server.stop()
    end
  end
end

-- The assessment `id` as `token` reads it (failing the test unless 200).
function L.assessment(w, token, id)
  return H.expect(L.get(w.server, token, "/assessments/" .. id), 200, "assessment " .. id).json
end

-- A committee decision on audit `id`, dated today unless told (on or after the
-- audit's submission, never after today); a deferral names a point for the
-- auditor. Fails the test unless 201.
function L.decide(w, id, outcome, date)
  local points = outcome == "deferred" and { "Compléter les preuves." } or nil
  return H.expect(H.request(w.server, "POST", "/api/v1/assessments/" .. id .. "/decision",
    { token = w.t.committee, json = { outcome = outcome, date = date or H.today(), points = points } }),
    201, "decision " .. outcome .. " on " .. id).json
end

return L

-- Helpers for reports_spec.lua (issue 6): a small generated network of CAEs
-- built through the real API, the binary's `report` and `document` commands,
-- an RFC 4180 reader, dates, and PDF text through poppler's tools.
-- Built on support.lua and http_support.lua (neither is changed).

local support = require "support"
local H = require "http_support"
local json = support.json
local quote = support.quote

local R = {}

-- Dates ------------------------------------------------------------------

local function parse(iso)
  local y, m, d = iso:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  assert(y, "not a date: " .. tostring(iso))
  return tonumber(y), tonumber(m), tonumber(d)
end

-- Days since the epoch of a YYYY-MM-DD date (UTC).
function R.days(iso)
  local y, m, d = parse(iso)
  -- days from civil (Howard Hinnant's algorithm): no time zone involved
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

function R.from_days(n)
  n = n + 719468
  local era = (n >= 0 and n or n - 146096) // 146097
  local doe = n - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then
    y = y + 1
  end
  return string.format("%04d-%02d-%02d", y, m, d)
end

function R.add_days(iso, n)
  return R.from_days(R.days(iso) + n)
end

-- The decision date whose label (date + 3 years) ends `n` days from today.
function R.decided_for_expiry_in(today, n)
  local y, m, d = parse(R.add_days(today, n))
  if m == 2 and d == 29 then
    d = 28
  end
  return string.format("%04d-%02d-%02d", y - 3, m, d)
end

local MONTHS = { "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
  "octobre", "novembre", "décembre" }

-- A date as a French reader writes it: "8 mars 2027" ("1er mars 2027" on
-- the first of the month).
function R.french_date(iso)
  local y, m, d = parse(iso)
  return string.format("%s %s %d", d == 1 and "1er" or tostring(d), MONTHS[m], y)
end

-- Text -------------------------------------------------------------------

R.count = support.count

function R.has(text, needle)
  return text:find(needle, 1, true) ~= nil
end

-- A strict RFC 4180 reader for the program's CSV: every field quoted, `sep`
-- between fields, CRLF after every record. Returns a list of records (lists
-- of fields), a blank record being {} (the separator between tables), or
-- nil and the reason the text is not what it should be.
function R.csv_parse(text, sep)
  local records, i, n = {}, 1, #text
  while i <= n do
    if text:sub(i, i + 1) == "\r\n" then
      records[#records + 1] = {}
      i = i + 2
    else
      local record = {}
      while true do
        if text:sub(i, i) ~= '"' then
          return nil, string.format("byte %d: a field that does not start with a quote: %q", i,
            text:sub(i, i + 40))
        end
        i = i + 1
        local buf = {}
        while true do
          local q = text:find('"', i, true)
          if not q then
            return nil, string.format("byte %d: an unterminated quoted field", i)
          end
          buf[#buf + 1] = text:sub(i, q - 1)
          if text:sub(q + 1, q + 1) == '"' then
            buf[#buf + 1] = '"'
            i = q + 2
          else
            i = q + 1
            break
          end
        end
        record[#record + 1] = table.concat(buf)
        local c = text:sub(i, i)
        if c == sep then
          i = i + 1
        elseif text:sub(i, i + 1) == "\r\n" then
          i = i + 2
          break
        else
          return nil, string.format("byte %d: after a field, expected %q or CRLF, got %q", i, sep,
            text:sub(i, i + 20))
        end
      end
      records[#records + 1] = record
    end
  end
  return records
end

-- The tables of a parsed CSV: runs of non-blank records.
function R.csv_tables(records)
  local tables, current = {}, nil
  for _, rec in ipairs(records) do
    if #rec == 0 then
      current = nil
    else
      if not current then
        current = {}
        tables[#tables + 1] = current
      end
      current[#current + 1] = rec
    end
  end
  return tables
end

-- Report documents (JSON) ------------------------------------------------

-- The blocks of a report of one type.
function R.blocks(doc, type_)
  local out = {}
  for _, b in ipairs(doc.blocks or {}) do
    if b.type == type_ then
      out[#out + 1] = b
    end
  end
  return out
end

-- The table that follows the heading whose text starts with `heading`, or
-- the table whose title is `heading`.
function R.table_after(doc, heading)
  local seen = false
  for _, b in ipairs(doc.blocks or {}) do
    if b.type == "table" and (seen or b.title == heading) then
      return b
    end
    if b.type == "heading" and type(b.text) == "string" and b.text:sub(1, #heading) == heading then
      seen = true
    end
  end
  return nil
end

function R.paragraphs(doc)
  local out = {}
  for _, b in ipairs(R.blocks(doc, "paragraph")) do
    out[#out + 1] = b.text
  end
  return out
end

-- A table's rows as maps column name -> value.
function R.rows(t)
  local out = {}
  for i, row in ipairs(t.rows or {}) do
    local m = {}
    for j, col in ipairs(t.columns) do
      m[col] = row[j]
    end
    out[i] = m
  end
  return out
end

-- The binary ---------------------------------------------------------------

-- `labelcoop report NAME ...` on a database; extra = list of more args.
function R.report(db, name, params, extra, limit)
  local args = { "report", name, "--db", db, "--rules", support.rules }
  local keys = support.keys(params or {})
  for _, k in ipairs(keys) do
    args[#args + 1] = "--param"
    args[#args + 1] = k .. "=" .. tostring(params[k])
  end
  for _, a in ipairs(extra or {}) do
    args[#args + 1] = a
  end
  local r = support.run(args, nil, nil, limit)
  r.args = args
  return r
end

-- The report as JSON, decoded; fails unless it exits 0.
function R.report_json(db, name, params)
  local r = R.report(db, name, params, { "--format", "json" })
  assert(r.code == 0, "report " .. name .. " exited " .. tostring(r.code) .. ": " .. r.stderr)
  return json.decode(r.stdout), r
end

function R.show(r)
  return string.format("exit %s\nstdout: %s\nstderr: %s", tostring(r.code), r.stdout:sub(1, 2000),
    r.stderr:sub(1, 2000))
end

-- The text poppler reads in a PDF (layout kept), and pdfinfo's fields.
function R.pdftotext(path)
  local p = assert(io.popen("pdftotext -layout " .. quote(path) .. " - 2>&1"))
  local text = p:read("a")
  p:close()
  return text
end

function R.pdfinfo(path)
  local p = assert(io.popen("pdfinfo " .. quote(path) .. " 2>&1"))
  local text = p:read("a")
  p:close()
  local info = { raw = text }
  for line in text:gmatch("[^\n]+") do
    local k, v = line:match("^([^:]+):%s*(.-)%s*$")
    if k then
      info[k] = v
    end
  end
  return info
end

-- Runs the binary in the background (for a slow refusal that the other
-- tests need not wait for). Returns a job: job.wait(limit) -> {code, stdout,
-- stderr, elapsed} or nil while it still runs after `limit` seconds.
function R.spawn(args, limit)
  local dir = H.tmpdir()
  local parts = { "timeout", tostring(limit), quote(support.bin) }
  for _, a in ipairs(args) do
    parts[#parts + 1] = quote(a)
  end
  local script = string.format(
    "s=$(date +%%s%%N); %s </dev/null >%s 2>%s; rc=$?; e=$(date +%%s%%N); echo \"$rc $((e - s))\" >%s.tmp; mv %s.tmp %s",
    table.concat(parts, " "), quote(dir .. "/stdout"), quote(dir .. "/stderr"), quote(dir .. "/rc"),
    quote(dir .. "/rc"), quote(dir .. "/rc"))
  support.write(dir .. "/job.sh", script)
  os.execute("sh " .. quote(dir .. "/job.sh") .. " </dev/null >/dev/null 2>&1 &")
  local job = {}
  function job.wait(seconds)
    local rc, ns
    support.wait_for(function()
      rc, ns = (support.read(dir .. "/rc") or ""):match("^(%d+) (%d+)")
      return rc
    end, seconds, 0.2)
    if rc then
      return { code = tonumber(rc), elapsed = tonumber(ns) / 1e9, stdout = support.read(dir .. "/stdout") or "",
        stderr = support.read(dir .. "/stderr") or "" }
    end
    return nil
  end
  return job
end

-- The generated network ---------------------------------------------------

R.NAME_C = 'Coopérative "Gamma"; Sud, Est'
-- The auditor's comment on the failing recommended criterion of Gamma's
-- awaiting audit: a separator of each kind, a quote and a newline.
R.TRICKY = 'Registre "RGPD" absent; à créer,\nsous 3 mois'
R.COMMENT_MANDATORY = "Aucune assemblée générale tenue en 2026 : à convoquer"
R.COMMENT_PARTIAL = "Plan de formation rédigé mais non diffusé"
R.COMMENT_A = "Procédure d'accueil écrite et appliquée, vue sur place"

-- Answers every criterion of `criteria` on assessment `id` as `token` in
-- one curl process. `plan[criterion_id]` = status or {status, comment};
-- criteria not in the plan get "met" without a comment.
local function answer(server, token, id, criteria, plan)
  local list = {}
  for i, c in ipairs(criteria) do
    local p = plan[c.id] or "met"
    local status, comment = p, nil
    if type(p) == "table" then
      status, comment = p[1], p[2]
    end
    local body = { status = status, evidence = { "Pièce " .. c.id } }
    if comment then
      body.comment = comment
    end
    list[i] = { method = "PUT", path = "/api/v1/assessments/" .. id .. "/answers/" .. c.id, token = token,
      json = body }
  end
  for i, r in ipairs(H.many(server, list)) do
    H.expect(r, 200, "answer " .. criteria[i].id .. " of assessment " .. id)
  end
end
R.answer = answer

local function post(server, token, path, body, status, what)
  return H.expect(H.request(server, "POST", path, { token = token, json = body }), status or 201, what).json
end

local function get(server, token, path, what)
  return H.expect(H.request(server, "GET", path, { token = token }), 200, what).json
end
R.get = get

-- Builds the network on a copy of the http fixture and starts a server on
-- it. Returns a context:
--   server, tokens, ids, criteria, today, db
--   orgs = {a, b, c, d, e} (ids), names = {a=..., ...}
--   x (recommended criterion failing in 2 of the 3 latest audits),
--   y (mandatory criterion not met in Gamma's awaiting audit), z (partial)
--   audits = {a, b, c_old, c_new}, selfs = {a1, a2, e}
--   plans = {[assessment id] = plan}, decisions = {a=..., b=..., c_old=...}
function R.build()
  local ctx = {}
  local fx = H.fixture()
  local db = fx.db
  local ids = fx.ids
  ctx.ids, ctx.db = ids, db
  local today = H.today()
  ctx.today = today
  -- Two more CAEs through the command line: Gamma (a name holding a quote
  -- and both separators), Delta (never engaged) and Epsilon (a draft
  -- self-assessment only).
  local function org(name, city)
    local id = H.admin({ "org", "add", "--db", db, "--name", name, "--city", city })
    return math.tointeger(tonumber(id))
  end
  ctx.orgs = { a = ids.org_a, b = ids.org_b, c = org(R.NAME_C, "Marseille"), d = org("Coopérative Delta", "Lille"),
    e = org("Coopérative Epsilon", "Rennes") }
  ctx.names = { a = "Coopérative Alpha", b = "Coopérative Beta", c = R.NAME_C, d = "Coopérative Delta",
    e = "Coopérative Epsilon" }
  local cae_c = H.admin({ "user", "add", "--db", db, "--email", "cae-c@x.test", "--name", "Gaëlle Gamma",
    "--role", "cae", "--org", tostring(ctx.orgs.c), "--password-stdin" }, H.PASSWORD .. "\n")
  local cae_e = H.admin({ "user", "add", "--db", db, "--email", "cae-e@x.test", "--name", "Éric Epsilon",
    "--role", "cae", "--org", tostring(ctx.orgs.e), "--password-stdin" }, H.PASSWORD .. "\n")
  assert(tonumber(cae_c) and tonumber(cae_e), "user add did not print ids")

  local server = H.start_server({ db = db })
  ctx.server = server
  local tokens = H.login_all(server)
  tokens.cae_c = H.login(server, "cae-c@x.test")
  tokens.cae_e = H.login(server, "cae-e@x.test")
  ctx.tokens = tokens
  local criteria = H.criteria(server)
  ctx.criteria = criteria

  local mandatory, recommended = {}, {}
  for _, c in ipairs(criteria) do
    if c.level == "mandatory" then
      mandatory[#mandatory + 1] = c
    elseif c.level == "recommended" then
      recommended[#recommended + 1] = c
    end
  end
  ctx.x = recommended[3].id
  ctx.z = recommended[5].id
  ctx.y = mandatory[4].id
  ctx.m1 = mandatory[7].id -- partial in Alpha's first self-assessment
  ctx.m2 = mandatory[9].id -- not met in Alpha's last self-assessment
  ctx.plans = {}

  local function audit(org_id, plan, decision)
    local a = H.new_audit(server, tokens.committee, org_id, ids.auditor)
    answer(server, tokens.auditor, a.id, criteria, plan)
    H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/stakeholders",
      { token = tokens.auditor, json = H.STAKEHOLDERS }), 200, "stakeholders")
    post(server, tokens.auditor, "/api/v1/assessments/" .. a.id .. "/submit", nil, 200, "submit audit " .. a.id)
    ctx.plans[a.id] = plan
    if decision then
      -- submitted the day it is decided: a decision is never dated before its audit's submission
      H.sql(db, "UPDATE assessments SET submitted_at = '" .. decision.date .. "T08:00:00Z' WHERE id = "
        .. a.id .. ";")
      post(server, tokens.committee, "/api/v1/assessments/" .. a.id .. "/decision", decision, 201,
        "decision on audit " .. a.id)
    end
    return a.id
  end

  local function self_assessment(org_id, token, plan, submit)
    local a = H.new_self_assessment(server, token, org_id)
    if plan then
      answer(server, token, a.id, criteria, plan)
      ctx.plans[a.id] = plan
    end
    if submit then
      post(server, token, "/api/v1/assessments/" .. a.id .. "/submit", nil, 200, "submit self-assessment " .. a.id)
    end
    return a.id
  end

  ctx.audits, ctx.selfs, ctx.decided_on = {}, {}, {}
  -- Alpha: a first self-assessment (one mandatory criterion partial, the
  -- first ten recommended ones not met), an awarded audit whose label ends
  -- in 100 days, then a self-assessment with one mandatory criterion not met.
  local plan_a1 = { [ctx.m1] = "partial" }
  for i = 1, 10 do
    plan_a1[recommended[i].id] = "not_met"
  end
  ctx.selfs.a1 = self_assessment(ctx.orgs.a, tokens.cae_a, plan_a1, true)
  ctx.decided_on.a = R.decided_for_expiry_in(today, 100)
  ctx.audits.a = audit(ctx.orgs.a, { [mandatory[1].id] = { "met", R.COMMENT_A } },
    { outcome = "awarded", date = ctx.decided_on.a, recommendations = { "Diffuser le livret d'accueil" } })
  ctx.selfs.a2 = self_assessment(ctx.orgs.a, tokens.cae_a, { [ctx.m2] = "not_met" }, true)
  -- Beta: an awarded audit (X not met: recommended, still eligible) whose
  -- label ends in 250 days: within 12 months, not within 6.
  ctx.decided_on.b = R.decided_for_expiry_in(today, 250)
  ctx.audits.b = audit(ctx.orgs.b, { [ctx.x] = { "not_met", "Pas de registre de traitement" } },
    { outcome = "awarded", date = ctx.decided_on.b })
  -- Gamma: an old awarded audit (its label ended 30 days ago), then an audit
  -- submitted and awaiting the committee, not eligible (Y not met).
  ctx.decided_on.c_old = R.decided_for_expiry_in(today, -30)
  ctx.audits.c_old = audit(ctx.orgs.c, { [ctx.z] = { "partial", "À consolider" } },
    { outcome = "awarded", date = ctx.decided_on.c_old })
  ctx.audits.c_new = audit(ctx.orgs.c, {
    [ctx.x] = { "not_met", R.TRICKY },
    [ctx.y] = { "not_met", R.COMMENT_MANDATORY },
    [ctx.z] = { "partial", R.COMMENT_PARTIAL },
  })
  -- Epsilon: a self-assessment in draft, nothing answered.
  ctx.selfs.e = self_assessment(ctx.orgs.e, tokens.cae_e, nil, false)
  -- Alpha's action plan: one open item, one done.
  local item = { criterion = ctx.m2, action = "Tenir le registre des associés", owner = "Alice",
    due = R.add_days(today, 60), status = "doing" }
  ctx.open_item = item
  post(server, tokens.cae_a, "/api/v1/organisations/" .. ctx.orgs.a .. "/action-items", item, 201, "action item")
  post(server, tokens.cae_a, "/api/v1/organisations/" .. ctx.orgs.a .. "/action-items",
    { criterion = ctx.m1, action = "Action déjà terminée", owner = "Alice", due = today, status = "done" }, 201,
    "action item")
  return ctx
end

return R

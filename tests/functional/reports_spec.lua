-- Reports and documents (issue 6): the shipped report scripts on a network
-- generated through the API, their formats, who may run them over HTTP, the
-- sandbox a report script runs in, and the audit report and label
-- certificate as PDF, checked through what poppler reads in them.

local support = require "support"
local H = require "http_support"
local O = require "openapi_support"
local D = require "documents_support"
local R = require "reports_support"

O.record() -- every answer checked against the API's description at the end
local json = support.json

-- The infinite loop must be refused within this many seconds (it is run in
-- the background while the other tests go on); the job is killed at LIMIT.
local BOUND = 60
local LIMIT = 75

local SHIPPED = { "audit-comparison", "cae-scorecard", "committee-agenda", "criteria-heatmap", "documents",
  "network-overview" }
local READ_ONLY_API = { "action_items", "assessment", "assessments", "decisions", "documents", "labels",
  "latest_answers",
  "organisations", "referential", "rulesets", "today" }

local ctx, hostile_job, scripts_dir

local function report(name, params, extra, limit)
  local args = { "--scripts", support.root .. "/scripts" }
  for _, a in ipairs(extra or {}) do
    args[#args + 1] = a
  end
  return R.report(ctx.db, name, params, args, limit)
end

local function report_json(name, params)
  local r = report(name, params, { "--format", "json" })
  assert.are.equal(0, r.code, "report " .. name .. ": " .. R.show(r))
  assert.are.equal("", r.stderr, "report " .. name .. " wrote on stderr")
  return json.decode(r.stdout)
end

local function evaluation(id)
  return R.get(ctx.server, ctx.tokens.committee, "/api/v1/assessments/" .. id .. "/evaluation", "evaluation " .. id)
end

local function row_of(t, first)
  for _, row in ipairs(t.rows) do
    if row[1] == first then
      return row
    end
  end
  return nil
end

local function names_of(list)
  local out = support.ids(list, "name")
  table.sort(out)
  return out
end

local function csv_of(text, sep)
  local records, why = R.csv_parse(text, sep)
  assert.is_not_nil(records, "not RFC 4180 CSV with every field quoted (" .. tostring(why) .. "):\n" .. text:sub(1, 800))
  return R.csv_tables(records)
end

-- The comment (third column) of the committee agenda's row for the
-- assessment ctx.x, in the agenda as CSV text separated by `sep`.
local function agenda_comment(text, sep)
  local found
  for _, row in ipairs(csv_of(text, sep)[1]) do
    if row[1] == ctx.x then
      found = row[3]
    end
  end
  return found
end

local function changed_between(id_a, id_b)
  local pa, pb = ctx.plans[id_a], ctx.plans[id_b]
  local n = 0
  for _, c in ipairs(ctx.criteria) do
    local x, y = pa[c.id] or "met", pb[c.id] or "met"
    x = type(x) == "table" and x[1] or x
    y = type(y) == "table" and y[1] or y
    if x ~= y then
      n = n + 1
    end
  end
  return n
end

describe("reports and documents (issue 6)", function()
  setup(function()
    -- A copy of the shipped scripts plus hostile ones, the infinite loop
    -- started first, in the background, on a database of its own.
    local dir = H.tmpdir()
    scripts_dir = dir .. "/scripts"
    assert(os.execute("cp -r " .. support.quote(support.root .. "/scripts") .. " " .. support.quote(scripts_dir)))
    support.write(scripts_dir .. "/hostile.lua", table.concat({
      "report {", -- 1
      '  title = "Boucle sans fin", audience = "committee", params = {},', -- 2
      "  run = function(params, out)", -- 3
      "    local n = 0", -- 4
      "    while true do", -- 5
      "      n = n + 1", -- 6
      "    end", -- 7
      "  end,", -- 8
      "}", -- 9
      "",
    }, "\n"))
    support.write(scripts_dir .. "/broken.lua", table.concat({
      "report {", -- 1
      '  title = "Erreur", audience = "committee", params = {},', -- 2
      "  run = function(params, out)", -- 3
      '    out.paragraph("avant")', -- 4
      "    local t = nil", -- 5
      "    return t.champ", -- 6
      "  end,", -- 7
      "}", -- 8
      "",
    }, "\n"))
    support.write(scripts_dir .. "/probe.lua", [[
report {
  title = "Sonde", audience = "committee", params = {},
  run = function(params, out)
    local keys = {}
    for k, v in pairs(data) do keys[#keys + 1] = k .. "=" .. type(v) end
    table.sort(keys)
    out.paragraph("io " .. type(io))
    out.paragraph("os.execute " .. type(os and os.execute))
    out.paragraph("os.remove " .. type(os and os.remove))
    out.paragraph("require " .. type(require))
    out.paragraph("package " .. type(package))
    out.paragraph("loadfile " .. type(loadfile))
    out.paragraph("dofile " .. type(dofile))
    out.paragraph("debug " .. type(debug))
    out.paragraph("data " .. table.concat(keys, ","))
  end,
}
]])
    local own_db = H.tmpdir() .. "/hostile.db"
    H.admin({ "init", "--db", own_db })
    hostile_job = R.spawn({ "report", "hostile", "--db", own_db, "--rules", support.rules, "--scripts", scripts_dir },
      LIMIT)
    ctx = R.build()
  end)

  teardown(function()
    if hostile_job then
      hostile_job.wait(LIMIT + 5)
    end
    H.stop_all()
    H.cleanup()
    support.cleanup()
  end)

  describe("report list", function()
    it("lists the six shipped reports with their French titles, audiences and parameters", function()
      local r = report("list", nil, { "--format", "json" })
      -- `report list` is not a report: R.report passes it as the name
      assert.are.equal(0, r.code, R.show(r))
      local list = json.decode(r.stdout)
      assert.are.same(SHIPPED, names_of(list))
      local by = {}
      for _, x in ipairs(list) do
        by[x.name] = x
      end
      assert.are.equal("Vue d'ensemble du réseau", by["network-overview"].title)
      assert.are.equal("Ordre du jour du Comité de labellisation", by["committee-agenda"].title)
      assert.are.equal("cae", by["cae-scorecard"].audience)
      assert.are.equal("cae", by["audit-comparison"].audience)
      assert.are.equal("committee", by["network-overview"].audience)
      assert.are.equal("committee", by["criteria-heatmap"].audience)
      assert.are.equal("committee", by["committee-agenda"].audience)
      assert.are.equal("committee", by["documents"].audience)
      assert.are.equal("org", by["cae-scorecard"].params[1].name)
      assert.are.equal("integer", by["cae-scorecard"].params[1].type)
      local ab = names_of(by["audit-comparison"].params)
      assert.are.same({ "a", "b" }, ab)
      assert.are.equal("date", by["committee-agenda"].params[1].type)
    end)
  end)

  describe("network-overview", function()
    local doc
    setup(function()
      doc = report_json("network-overview")
    end)

    it("counts the CAEs by label status", function()
      assert.are.equal("network-overview", doc.name)
      assert.are.equal("Vue d'ensemble du réseau", doc.title)
      local t = R.table_after(doc, "Les CAE par statut de label")
      assert.is_not_nil(t, "no table under the status heading")
      assert.are.same({ "Statut", "CAE" }, t.columns)
      assert.are.same({ { "Labellisée", 2 }, { "Engagée dans la démarche", 1 }, { "Label expiré", 1 },
        { "Sans label", 1 } }, t.rows)
      local chart = R.blocks(doc, "chart")[1]
      assert.are.equal("bar", chart.kind)
      assert.are.same({ 2, 1, 1, 1 }, chart.series[1].values)
      assert.are.same({ "Labellisée", "Engagée dans la démarche", "Label expiré", "Sans label" }, chart.labels)
      assert.is_truthy(R.has(table.concat(R.paragraphs(doc), "\n"),
        "5 CAE dans le réseau, 2 labellisées au " .. ctx.today .. "."), table.concat(R.paragraphs(doc), "\n"))
    end)

    it("lists the label ending in 100 days under 6 and 12 months, the one in 250 days under 12 only", function()
      local until_a = R.add_days(ctx.today, 100)
      local until_b = R.add_days(ctx.today, 250)
      -- the decision dates were chosen so: date + 3 years
      assert.are.equal(until_a, R.get(ctx.server, ctx.tokens.committee, "/api/v1/assessments/" .. ctx.audits.a)
        .decisions[1].valid_until)
      local six = R.table_after(doc, "Labels arrivant à échéance dans les 6 mois")
      local twelve = R.table_after(doc, "Labels arrivant à échéance dans les 12 mois")
      assert.is_not_nil(six)
      assert.is_not_nil(twelve)
      assert.are.same({ "CAE", "Ville", "Valable jusqu'au", "Jours restants" }, six.columns)
      assert.are.same({ { "Coopérative Alpha", "Lyon", until_a, 100 } }, six.rows)
      assert.are.same({ { "Coopérative Alpha", "Lyon", until_a, 100 }, { "Coopérative Beta", "Nantes", until_b, 250 } },
        twelve.rows)
    end)

    it("lists the audit awaiting a decision with its computed outcome", function()
      local t = R.table_after(doc, "Audits en attente de décision")
      assert.is_not_nil(t)
      assert.are.same({ { R.NAME_C, ctx.audits.c_new, ctx.today, "Non éligible" } }, t.rows)
      assert.are.equal("not_eligible", evaluation(ctx.audits.c_new).outcome)
    end)

    it("reads the same in text", function()
      local r = report("network-overview")
      assert.are.equal(0, r.code, R.show(r))
      assert.is_truthy(R.has(r.stdout, "Vue d'ensemble du réseau"))
      assert.is_truthy(r.stdout:find("Labellisée%s+2"), r.stdout)
      assert.is_truthy(r.stdout:find("Coopérative Beta%s+Nantes%s+" .. R.add_days(ctx.today, 250):gsub("%-", "%%-") .. "%s+250%s"), r.stdout)
      assert.is_truthy(R.has(r.stdout, R.NAME_C), r.stdout)
    end)
  end)

  describe("criteria-heatmap", function()
    local doc
    setup(function()
      doc = report_json("criteria-heatmap")
    end)

    it("gives 66.7 % for the criterion failed in 2 of the 3 latest audits, 33.3 % for those failed in 1", function()
      assert.are.same({ "3 derniers audits analysés." }, R.paragraphs(doc))
      local t = R.table_after(doc, "Critères, du moins satisfait au plus satisfait")
      assert.is_not_nil(t)
      assert.are.same({ "Critère", "Champ", "Niveau", "Audits", "Non satisfaits", "Part (%)" }, t.columns)
      assert.are.equal(#ctx.criteria, #t.rows)
      assert.are.same({ ctx.x, "JF", "recommended", 3, 2, 66.7 }, t.rows[1])
      assert.are.same({ 3, 1, 33.3 }, { row_of(t, ctx.y)[4], row_of(t, ctx.y)[5], row_of(t, ctx.y)[6] })
      assert.are.same({ 3, 1, 33.3 }, { row_of(t, ctx.z)[4], row_of(t, ctx.z)[5], row_of(t, ctx.z)[6] })
      for i = 4, #t.rows do
        assert.are.same({ 3, 0, 0 }, { t.rows[i][4], t.rows[i][5], t.rows[i][6] }, "row " .. t.rows[i][1])
      end
    end)

    it("draws one heatmap row per field with the criterion's share in its cell", function()
      local chart = R.blocks(doc, "chart")[1]
      assert.are.equal("heatmap", chart.kind)
      local fields = support.listing().fields
      assert.are.equal(#fields, #chart.rows)
      assert.are.equal(fields[1].name, chart.rows[1])
      -- the position of X within the JF field
      local k = 0
      for _, c in ipairs(ctx.criteria) do
        if c.field == "JF" then
          k = k + 1
          local v = chart.values[1][k]
          if c.id == ctx.x then
            assert.is_true(math.abs(v - 2 / 3) < 1e-9, "X's cell " .. tostring(v))
          elseif c.id == ctx.y or c.id == ctx.z then
            assert.is_true(math.abs(v - 1 / 3) < 1e-9, c.id .. "'s cell " .. tostring(v))
          else
            assert.are.equal(0, v, c.id)
          end
        end
      end
      assert.are.equal(k, #chart.values[1])
    end)
  end)

  describe("cae-scorecard", function()
    local doc
    setup(function()
      doc = report_json("cae-scorecard", { org = ctx.orgs.a })
    end)

    it("gives the CAE's field scores over time, evaluation by evaluation", function()
      assert.are.equal("Coopérative Alpha", R.blocks(doc, "heading")[1].text)
      assert.are.equal(ctx.orgs.a, doc.params.org)
      local t = R.table_after(doc, "Scores par champ au fil du temps")
      assert.is_not_nil(t)
      assert.are.same({ "Évaluation", "Type", "Date", "Résultat", "JF", "CG", "RH", "AC", "RS", "SO" }, t.columns)
      local expected = {}
      for _, step in ipairs({ { ctx.selfs.a1, "Auto-évaluation", "Non éligible" }, { ctx.audits.a, "Audit", "Éligible" },
        { ctx.selfs.a2, "Auto-évaluation", "Non éligible" } }) do
        local ev = evaluation(step[1])
        local row = { step[1], step[2], ev.date, step[3] }
        for _, f in ipairs(ev.fields) do
          row[#row + 1] = f.score
        end
        expected[#expected + 1] = row
      end
      assert.are.same(expected, t.rows)
      -- the scores moved: JF below 100 in the first and last, 100 in the audit
      assert.is_true(t.rows[1][5] < 100 and t.rows[2][5] == 100 and t.rows[3][5] < 100, json.encode(t.rows))
      local radar = R.blocks(doc, "chart")[1]
      assert.are.equal("radar", radar.kind)
      assert.are.same({ t.rows[3][5], t.rows[3][6], t.rows[3][7], t.rows[3][8], t.rows[3][9], t.rows[3][10] },
        radar.series[1].values)
      assert.is_truthy(R.has(table.concat(R.paragraphs(doc), "\n"),
        "Points faibles : Juridique et financier (" .. t.rows[3][5] .. ")"), table.concat(R.paragraphs(doc), "\n"))
    end)

    it("lists the open action items and the path to the label", function()
      local actions = R.table_after(doc, "Actions ouvertes")
      assert.is_not_nil(actions)
      local item = ctx.open_item
      assert.are.same({ { item.criterion, item.action, item.owner, item.due, "doing" } }, actions.rows)
      local path = R.table_after(doc, "Chemin vers le label")
      assert.is_not_nil(path)
      assert.are.same({ "Critère", "Aujourd'hui", "À atteindre" }, path.columns)
      assert.are.same({ { ctx.m2, "Non satisfait", "Satisfait" } }, path.rows)
    end)

    it("refuses a missing, malformed or unknown parameter, naming it (exit 2)", function()
      local missing = report("cae-scorecard")
      assert.are.equal(2, missing.code, R.show(missing))
      assert.is_truthy(R.has(missing.stderr, "parameter org is required"), missing.stderr)
      assert.are.equal("", missing.stdout)
      local bad = report("cae-scorecard", { org = "abc" })
      assert.are.equal(2, bad.code, R.show(bad))
      assert.is_truthy(R.has(bad.stderr, "parameter org"), bad.stderr)
      assert.are.equal("", bad.stdout)
      local unknown = report("cae-scorecard", { org = ctx.orgs.a, colour = "red" })
      assert.are.equal(2, unknown.code, R.show(unknown))
      assert.is_truthy(R.has(unknown.stderr, "colour"), unknown.stderr)
    end)
  end)

  describe("committee-agenda", function()
    local doc
    setup(function()
      doc = report_json("committee-agenda")
    end)

    it("shows the awaiting audit with its computed outcome, the reasons and the auditor's comments", function()
      local heading = R.NAME_C .. " — audit n° " .. ctx.audits.c_new
      local found = false
      for _, h in ipairs(R.blocks(doc, "heading")) do
        found = found or h.text == heading
      end
      assert.is_true(found, "no heading " .. heading .. " in " .. json.encode(R.blocks(doc, "heading")))
      local paragraphs = R.paragraphs(doc)
      assert.are.equal("Séance du " .. ctx.today .. ".", paragraphs[1])
      assert.are.equal("Résultat calculé : Non éligible.", paragraphs[2])
      local reasons = evaluation(ctx.audits.c_new).reasons
      assert.is_true(#reasons >= 1)
      for i, reason in ipairs(reasons) do
        assert.are.equal(reason, paragraphs[2 + i])
      end
      assert.is_truthy(R.has(reasons[1], ctx.y), reasons[1])
      local notes = R.table_after(doc, "Recommandations de l'auditeur")
      assert.is_not_nil(notes)
      assert.are.same({ "Critère", "Constat", "Recommandation" }, notes.columns)
      local rows = notes.rows
      table.sort(rows, function(p, q) return p[1] < q[1] end)
      local expected = { { ctx.x, "Non satisfait", R.TRICKY }, { ctx.y, "Non satisfait", R.COMMENT_MANDATORY },
        { ctx.z, "Partiel", R.COMMENT_PARTIAL } }
      table.sort(expected, function(p, q) return p[1] < q[1] end)
      assert.are.same(expected, rows)
      local summary = R.table_after(doc, "Récapitulatif")
      assert.are.same({ { R.NAME_C, ctx.audits.c_new, ctx.today, "Non éligible", "" } }, summary.rows)
    end)

    it("takes the meeting's date, and refuses a date that is not YYYY-MM-DD (exit 2, naming it)", function()
      local d = report_json("committee-agenda", { date = "2027-01-15" })
      assert.are.equal("Séance du 2027-01-15.", R.paragraphs(d)[1])
      local bad = report("committee-agenda", { date = "15/01/2027" })
      assert.are.equal(2, bad.code, R.show(bad))
      assert.is_truthy(R.has(bad.stderr, "parameter date"), bad.stderr)
    end)
  end)

  describe("audit-comparison", function()
    it("counts the criteria that changed between two audits of one CAE and marks them", function()
      local doc = report_json("audit-comparison", { a = ctx.audits.c_old, b = ctx.audits.c_new })
      assert.are.equal(R.NAME_C, R.blocks(doc, "heading")[1].text)
      assert.are.equal(2, changed_between(ctx.audits.c_old, ctx.audits.c_new))
      assert.are.equal(string.format("2 critères ont changé entre l'évaluation n° %d et la n° %d.", ctx.audits.c_old,
        ctx.audits.c_new), R.paragraphs(doc)[1])
      local t = R.blocks(doc, "table")[1]
      assert.are.equal(#ctx.criteria, #t.rows)
      local marked = {}
      for _, row in ipairs(t.rows) do
        if row[5] ~= "" then
          marked[#marked + 1] = row[1]
        end
      end
      table.sort(marked)
      local expected = { ctx.x, ctx.y }
      table.sort(expected)
      assert.are.same(expected, marked)
      assert.are.same({ ctx.x, "recommended", "Satisfait", "Non satisfait", "≠" }, row_of(t, ctx.x))
      assert.are.same({ ctx.z, "recommended", "Partiel", "Partiel", "" }, row_of(t, ctx.z))
      local chart = R.blocks(doc, "chart")[1]
      assert.are.equal(2, #chart.series)
    end)

    it("counts the changes between two self-assessments", function()
      local n = changed_between(ctx.selfs.a1, ctx.selfs.a2)
      assert.are.equal(12, n)
      local doc = report_json("audit-comparison", { a = ctx.selfs.a1, b = ctx.selfs.a2 })
      assert.are.equal(string.format("%d critères ont changé entre l'évaluation n° %d et la n° %d.", n, ctx.selfs.a1,
        ctx.selfs.a2), R.paragraphs(doc)[1])
    end)

    it("refuses two assessments of different CAEs (exit 2, naming the parameter)", function()
      local r = report("audit-comparison", { a = ctx.audits.a, b = ctx.audits.c_new }, { "--format", "json" })
      assert.are.equal(2, r.code, R.show(r))
      assert.are.equal("", r.stdout)
      assert.is_truthy(R.has(r.stderr, "parameter b"), r.stderr)
      assert.is_truthy(R.has(r.stderr, "different CAEs"), r.stderr)
    end)

    it("refuses an id that names nothing (exit 2, and 404 / 400 over HTTP), naming it", function()
      local r = report("audit-comparison", { a = 98, b = 99 })
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(R.has(r.stderr, "98"), r.stderr)
      r = report("cae-scorecard", { org = 99 })
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(R.has(r.stderr, "no organisation 99"), r.stderr)
      H.expect_error(H.request(ctx.server, "GET", "/api/v1/reports/audit-comparison?a=98&b=99",
        { token = ctx.tokens.committee }), 404)
      H.expect_error(H.request(ctx.server, "GET", "/api/v1/reports/cae-scorecard?org=99",
        { token = ctx.tokens.committee }), 400)
    end)
  end)

  describe("documents", function()
    local uploaded, linked, secret = {}, nil, "Contenu confidentiel du contrat, jamais dans un rapport.\n"
    setup(function()
      local dir = H.tmpdir()
      local function upload(org, token, name, bytes, opts)
        opts = opts or {}
        opts.org, opts.token, opts.title = org, token, opts.title or name
        local r = D.upload(ctx.server, support.write(dir .. "/" .. name, bytes), opts)
        uploaded[#uploaded + 1] = H.expect(r, 201, name).json
        return uploaded[#uploaded]
      end
      local statuts = upload(ctx.orgs.a, ctx.tokens.cae_a, "statuts.txt", "Statuts, article 3.\n")
      upload(ctx.orgs.a, ctx.tokens.cae_a, "statuts-2.txt", "Statuts révisés, article 3.\n",
        { document = statuts.id, fields = {} })
      -- The same bytes twice: stored once, counted once in the size.
      upload(ctx.orgs.a, ctx.tokens.cae_a, "contrat.txt", secret, { title = "Contrat d'entrepreneur-salarié" })
      upload(ctx.orgs.a, ctx.tokens.cae_a, "contrat-copie.txt", secret, { title = "Contrat (copie)" })
      upload(ctx.orgs.c, ctx.tokens.cae_c, "bilan.csv", "a;b\n1;2\n")
      -- The statutes (their latest version) given as proof of JF-01.
      linked = H.new_self_assessment(ctx.server, ctx.tokens.cae_a, ctx.orgs.a)
      H.expect(H.request(ctx.server, "PUT", "/api/v1/assessments/" .. linked.id .. "/answers/JF-01",
        { token = ctx.tokens.cae_a, json = { status = "met", evidence = { { document = statuts.id } } } }), 200)
    end)

    it("lists per CAE its documents, versions and the bytes they hold, then each version with its SHA-256", function()
      local doc = report_json("documents")
      assert.are.equal("Documents de preuve des CAE", doc.title)
      local t = R.table_after(doc, "Documents par CAE")
      assert.are.same({ "CAE", "Documents", "Versions", "Octets", "Taille" }, t.columns)
      local secret_size = #secret
      local a_bytes = #"Statuts, article 3.\n" + #"Statuts révisés, article 3.\n" + secret_size
      assert.are.same({ ctx.names.a, 3, 4, a_bytes, a_bytes .. " o" }, row_of(t, ctx.names.a))
      assert.are.same({ ctx.names.c, 1, 1, 8, "8 o" }, row_of(t, ctx.names.c))
      assert.are.same({ ctx.names.b, 0, 0, 0, "0 o" }, row_of(t, ctx.names.b))
      local list = R.table_after(doc, ctx.names.a)
      assert.are.same({ "Document", "Titre", "Version", "Type", "Octets", "Déposé le", "SHA-256", "Preuve de" },
        list.columns)
      assert.are.equal(4, #list.rows)
      local v2 = list.rows[2]
      assert.are.same({ uploaded[1].id, "statuts.txt", 2, "Texte", uploaded[2].size, ctx.today, uploaded[2].sha256,
        linked.id .. " : JF-01" }, v2)
      assert.are.equal("", list.rows[1][8], "the first version, which no answer names")
      assert.is_nil(R.table_after(doc, ctx.names.b), "a CAE without documents gets no list")
      -- Metadata only: the bytes of no document reach a report.
      local r = report("documents", nil, { "--format", "json" })
      assert.falsy(r.stdout:find("confidentiel", 1, true), r.stdout)
      -- On one CAE.
      local one = report_json("documents", { org = ctx.orgs.c })
      assert.are.same({ { ctx.names.c, 1, 1, 8, "8 o" } }, R.table_after(one, "Documents par CAE").rows)
      assert.are.equal(uploaded[5].sha256, R.table_after(one, ctx.names.c).rows[1][7])
    end)

    it("is the committee's and the admins', not a CAE's", function()
      H.expect(H.request(ctx.server, "GET", "/api/v1/reports/documents?format=csv", { token = ctx.tokens.admin }),
        200)
      H.expect_error(H.request(ctx.server, "GET", "/api/v1/reports/documents", { token = ctx.tokens.cae_a }), 403)
    end)
  end)

  describe("formats", function()
    it("xlsx: a workbook with one sheet per table, numbers kept as numbers", function()
      local out = H.tmpdir() .. "/agenda.xlsx"
      local r = report("cae-scorecard", { org = ctx.orgs.a }, { "--format", "xlsx", "--out", out })
      assert.are.equal(0, r.code, R.show(r))
      local f = assert(io.open(out, "rb"))
      local bytes = f:read("a")
      f:close()
      assert.are.equal("PK\3\4", bytes:sub(1, 4)) -- an Office Open XML (zip) package
      local listing = io.popen("unzip -l '" .. out .. "' 2>/dev/null || python3 -m zipfile -l '"
        .. out .. "'"):read("a")
      assert.is_truthy(listing:find("xl/worksheets/sheet2.xml", 1, true), listing)
    end)

    it("csv: ';' by default, every field quoted, CRLF, a blank line between tables, RFC 4180 escaping", function()
      local r = report("committee-agenda", nil, { "--format", "csv" })
      assert.are.equal(0, r.code, R.show(r))
      local raw = r.stdout
      assert.are.equal("\r\n", raw:sub(-2))
      -- the comment with a quote, both separators and a newline, escaped
      assert.is_truthy(R.has(raw, '"Registre ""RGPD"" absent; à créer,\nsous 3 mois"'), raw)
      local tables = csv_of(raw, ";")
      assert.are.equal(2, #tables)
      -- exactly one blank line between the two tables, none elsewhere
      local records = R.csv_parse(raw, ";")
      local blanks = {}
      for i, rec in ipairs(records) do
        if #rec == 0 then
          blanks[#blanks + 1] = i
        end
      end
      assert.are.same({ #tables[1] + 1 }, blanks)
      assert.are.equal(#tables[1] + 1 + #tables[2], #records)
      assert.are.same({ "Critère", "Constat", "Recommandation" }, tables[1][1])
      local comments = {}
      for i = 2, #tables[1] do
        comments[tables[1][i][1]] = tables[1][i][3]
      end
      assert.are.equal(R.TRICKY, comments[ctx.x])
      assert.are.equal(R.COMMENT_MANDATORY, comments[ctx.y])
      assert.are.same({ "CAE", "Audit", "Soumis le", "Résultat calculé", "Validité si attribué" }, tables[2][1])
      assert.are.same({ R.NAME_C, tostring(ctx.audits.c_new), ctx.today, "Non éligible", "" }, tables[2][2])
      -- no line ends without its CR outside quoted fields: the only bare LF is the comment's
      local bare = 0
      for i = 1, #raw do
        if raw:sub(i, i) == "\n" and raw:sub(i - 1, i - 1) ~= "\r" then
          bare = bare + 1
        end
      end
      assert.are.equal(1, bare)
    end)

    it("csv with ',' as separator quotes the name holding both separators and a quote", function()
      local r = report("network-overview", nil, { "--format", "csv", "--separator", "," })
      assert.are.equal(0, r.code, R.show(r))
      assert.is_truthy(R.has(r.stdout, '"Coopérative ""Gamma""; Sud, Est","' .. ctx.audits.c_new .. '"'), r.stdout)
      assert.is_falsy(R.has(r.stdout, '";"'), "a ';' between fields with separator ','")
      local tables = csv_of(r.stdout, ",")
      assert.are.equal(4, #tables)
      assert.are.same({ { "Statut", "CAE" }, { "Labellisée", "2" }, { "Engagée dans la démarche", "1" },
        { "Label expiré", "1" }, { "Sans label", "1" } }, tables[1])
      assert.are.same({ "Coopérative Beta", "Nantes", R.add_days(ctx.today, 250), "250" }, tables[3][3])
      assert.are.same({ R.NAME_C, tostring(ctx.audits.c_new), ctx.today, "Non éligible" }, tables[4][2])
      -- and the agenda's comment with ',' as separator
      local a = report("committee-agenda", nil, { "--format", "csv", "--separator", "," })
      assert.are.equal(0, a.code, R.show(a))
      assert.are.equal(R.TRICKY, agenda_comment(a.stdout, ","))
    end)

    it("html: one self-contained page with an SVG chart", function()
      for _, case in ipairs({ { "criteria-heatmap", {} }, { "network-overview", {} },
        { "cae-scorecard", { org = ctx.orgs.a } } }) do
        local r = report(case[1], case[2], { "--format", "html" })
        assert.are.equal(0, r.code, R.show(r))
        local html = r.stdout
        local lower = html:lower()
        assert.are.equal("<!doctype html>", lower:sub(1, 15), case[1])
        assert.are.equal(1, R.count(lower, "<html"), case[1])
        assert.are.equal(1, R.count(lower, "</html>"), case[1])
        assert.is_true(R.count(lower, "<svg") >= 1, case[1] .. ": no <svg>")
        assert.are.equal(R.count(lower, "<svg"), R.count(lower, "</svg>"), case[1])
        assert.is_falsy(lower:find("<script", 1, true), case[1])
        assert.is_falsy(lower:find("<link", 1, true), case[1])
        assert.is_falsy(lower:find("src=", 1, true), case[1])
        assert.is_falsy(lower:find("https?://"), case[1] .. ": an outside resource")
      end
      local heat = report("criteria-heatmap", nil, { "--format", "html" }).stdout
      assert.is_truthy(R.has(heat, "<title>Carte des critères non satisfaits</title>"))
      assert.is_truthy(R.has(heat, "66.7") or R.has(heat, "66,7"), "the share 66.7 is not in the page")
      local overview = report("network-overview", nil, { "--format", "html" }).stdout
      assert.is_truthy(R.has(overview, "Coopérative &quot;Gamma&quot;; Sud, Est") or R.has(overview, R.NAME_C),
        "Gamma's name is not in the page")
    end)

    it("json parses into the documented document model", function()
      for _, case in ipairs({ { "network-overview", {} }, { "criteria-heatmap", {} }, { "committee-agenda", {} },
        { "cae-scorecard", { org = ctx.orgs.a } }, { "audit-comparison", { a = ctx.selfs.a1, b = ctx.selfs.a2 } } }) do
        local doc = report_json(case[1], case[2])
        assert.are.equal(case[1], doc.name)
        assert.are.equal("string", type(doc.title))
        assert.are.equal("string", type(doc.description))
        assert.are.equal("string", type(doc.audience))
        assert.are.equal("table", type(doc.params))
        assert.is_true(#doc.blocks > 0, case[1])
        for _, b in ipairs(doc.blocks) do
          if b.type == "table" then
            for _, row in ipairs(b.rows) do
              assert.are.equal(#b.columns, #row, case[1] .. ": a row's width")
            end
          elseif b.type == "chart" then
            assert.truthy(({ bar = true, radar = true, heatmap = true })[b.kind], case[1] .. ": chart kind " .. tostring(b.kind))
          else
            assert.truthy(b.type == "heading" or b.type == "paragraph", case[1] .. ": block type " .. tostring(b.type))
            assert.are.equal("string", type(b.text))
          end
        end
      end
    end)

    it("--out FILE writes the report there and nothing on stdout", function()
      local path = H.tmpdir() .. "/agenda.csv"
      local r = report("committee-agenda", nil, { "--format", "csv", "--out", path })
      assert.are.equal(0, r.code, R.show(r))
      assert.are.equal("", r.stdout)
      local direct = report("committee-agenda", nil, { "--format", "csv" }).stdout
      assert.are.equal(direct, support.read(path))
    end)
  end)

  describe("errors and the sandbox", function()
    it("refuses an unknown report with exit 2, naming it", function()
      local r = report("no-such-report")
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(R.has(r.stderr, "no-such-report"), r.stderr)
      assert.are.equal("", r.stdout)
    end)

    it("stops a running report at Ctrl-C with exit 1, saying so, long before its instruction limit", function()
      -- The endless loop with a limit it would take minutes to reach: only
      -- the interrupt can end it within the few seconds allowed here.
      local out = H.tmpdir()
      local cmd = "s=$(date +%s%N); timeout --preserve-status -s INT -k 4 1 " .. support.quote(support.bin)
        .. " report hostile --db " .. support.quote(ctx.db) .. " --rules " .. support.quote(support.rules)
        .. " --scripts " .. support.quote(scripts_dir) .. " --max-instructions 100000000000"
        .. " >" .. support.quote(out .. "/stdout") .. " 2>" .. support.quote(out .. "/stderr")
        .. "; echo \"$? $(( $(date +%s%N) - s ))\" >" .. support.quote(out .. "/rc")
      os.execute("timeout 20 sh -c " .. support.quote(cmd))
      local rc, ns = (support.read(out .. "/rc") or ""):match("^(%d+) (%d+)")
      local stderr = support.read(out .. "/stderr") or ""
      assert.are.equal("1", rc, "exit status, stderr: " .. stderr)
      assert.is_truthy(R.has(stderr, "report interrupted"), stderr)
      assert.are.equal("", support.read(out .. "/stdout"))
      assert.is_true(tonumber(ns) / 1e9 < 5, "took " .. tonumber(ns) / 1e9 .. " s")
    end)

    it("reports a failing script with exit 3 and file:line", function()
      local r = R.report(ctx.db, "broken", nil, { "--scripts", scripts_dir })
      assert.are.equal(3, r.code, R.show(r))
      assert.is_truthy(R.has(r.stderr, "broken.lua:6:"), r.stderr)
      assert.are.equal("", r.stdout)
    end)

    it("gives scripts no io, no os.execute, no module loading, and a data API without writes", function()
      local doc
      do
        local r = R.report(ctx.db, "probe", nil, { "--scripts", scripts_dir, "--format", "json" })
        assert.are.equal(0, r.code, R.show(r))
        doc = json.decode(r.stdout)
      end
      local p = R.paragraphs(doc)
      assert.are.same({ "io nil", "os.execute nil", "os.remove nil", "require nil", "package nil", "loadfile nil",
        "dofile nil", "debug nil" }, { p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8] })
      local expected = {}
      for i, k in ipairs(READ_ONLY_API) do
        expected[i] = k .. "=function"
      end
      assert.are.equal("data " .. table.concat(expected, ","), p[9])
    end)

    it("stops an infinite loop with exit 3, file:line, in bounded time", function()
      local r = hostile_job.wait(LIMIT + 5)
      assert.is_not_nil(r, "the hostile report is still running after " .. (LIMIT + 5) .. " s")
      assert.are_not.equal(124, r.code, "killed by timeout after " .. LIMIT .. " s")
      assert.are.equal(3, r.code, R.show(r))
      assert.is_truthy(R.has(r.stderr, "hostile.lua:6:") or R.has(r.stderr, "hostile.lua:5:"), r.stderr)
      assert.is_truthy(r.stderr:find("instruction"), r.stderr)
      assert.is_true(r.elapsed < BOUND, "took " .. r.elapsed .. " s")
    end)
  end)

  describe("over HTTP", function()
    local function get(token, path)
      return H.request(ctx.server, "GET", path, { token = token })
    end

    it("lists every report to the committee and admins, the CAE ones to a CAE, none to an auditor", function()
      for _, who in ipairs({ "committee", "admin" }) do
        local r = H.expect(get(ctx.tokens[who], "/api/v1/reports"), 200, who)
        assert.are.same(SHIPPED, names_of(r.json), who)
      end
      local cae = H.expect(get(ctx.tokens.cae_a, "/api/v1/reports"), 200, "cae")
      assert.are.same({ "audit-comparison", "cae-scorecard" }, names_of(cae.json))
      H.expect_error(get(ctx.tokens.auditor, "/api/v1/reports"), 403)
      H.expect_error(get(ctx.tokens.auditor, "/api/v1/reports/network-overview"), 403)
      H.expect_error(get(nil, "/api/v1/reports"), 401)
    end)

    it("serves a report as CSV, with the separator asked", function()
      local r = H.expect(get(ctx.tokens.committee, "/api/v1/reports/network-overview?format=csv"), 200)
      assert.are.equal("text/csv", (r.headers["content-type"] or ""):match("^[^;]+"))
      local tables = csv_of(r.body, ";")
      assert.are.same({ "Labellisée", "2" }, tables[1][2])
      local c = H.expect(get(ctx.tokens.committee, "/api/v1/reports/committee-agenda?format=csv&separator=,"), 200)
      assert.are.equal(R.TRICKY, agenda_comment(c.body, ","))
      local j = H.expect(get(ctx.tokens.committee, "/api/v1/reports/committee-agenda?date=2027-01-15"), 200)
      assert.is_not_nil(j.json, "the default format is not JSON: " .. H.show(j))
      assert.are.equal("Séance du 2027-01-15.", R.paragraphs(j.json)[1])
      local html = H.expect(get(ctx.tokens.admin, "/api/v1/reports/criteria-heatmap?format=html"), 200)
      assert.are.equal("text/html", (html.headers["content-type"] or ""):match("^[^;]+"))
      assert.is_truthy(R.has(html.body, "<svg"))
    end)

    it("runs a CAE's report on its own CAE only, whatever org it asks", function()
      local r = H.expect(get(ctx.tokens.cae_a, "/api/v1/reports/cae-scorecard?org=" .. ctx.orgs.b), 200)
      assert.are.equal("Coopérative Alpha", R.blocks(r.json, "heading")[1].text)
      assert.are.equal(ctx.orgs.a, r.json.params.org)
      local ids = {}
      for _, row in ipairs(R.table_after(r.json, "Scores par champ au fil du temps").rows) do
        ids[#ids + 1] = row[1]
      end
      assert.are.same({ ctx.selfs.a1, ctx.audits.a, ctx.selfs.a2 }, ids)
      local csv = H.expect(get(ctx.tokens.cae_a, "/api/v1/reports/cae-scorecard?format=csv&org=" .. ctx.orgs.b), 200)
      assert.is_falsy(R.has(csv.body, "\"" .. ctx.audits.b .. "\";\"Audit\""), "Beta's audit in Alpha's scorecard")
      assert.is_truthy(R.has(csv.body, "\"" .. ctx.audits.a .. "\";\"Audit\""), csv.body)
      local mine = H.expect(get(ctx.tokens.cae_a, "/api/v1/reports/audit-comparison?a=" .. ctx.selfs.a1 .. "&b="
        .. ctx.selfs.a2), 200)
      assert.is_truthy(R.has(R.paragraphs(mine.json)[1], "12 critères ont changé"), R.paragraphs(mine.json)[1])
      -- another report, or another CAE's assessments: forbidden
      H.expect_error(get(ctx.tokens.cae_a, "/api/v1/reports/network-overview"), 403)
      H.expect_error(get(ctx.tokens.cae_a, "/api/v1/reports/committee-agenda?format=csv"), 403)
      H.expect_error(get(ctx.tokens.cae_a, "/api/v1/reports/audit-comparison?a=" .. ctx.audits.c_old .. "&b="
        .. ctx.audits.c_new), 403)
      -- the committee asks any CAE
      local beta = H.expect(get(ctx.tokens.committee, "/api/v1/reports/cae-scorecard?org=" .. ctx.orgs.b), 200)
      assert.are.equal("Coopérative Beta", R.blocks(beta.json, "heading")[1].text)
    end)

    it("answers 404 for an unknown report and 400 naming a bad parameter", function()
      H.expect_error(get(ctx.tokens.committee, "/api/v1/reports/no-such-report"), 404)
      local bad = H.expect_error(get(ctx.tokens.committee, "/api/v1/reports/cae-scorecard?org=abc"), 400)
      assert.is_truthy(R.has(bad.message, "org"), bad.message)
      local missing = H.expect_error(get(ctx.tokens.committee, "/api/v1/reports/cae-scorecard"), 400)
      assert.is_truthy(R.has(missing.message, "org"), missing.message)
      local date = H.expect_error(get(ctx.tokens.committee, "/api/v1/reports/committee-agenda?date=demain"), 400)
      assert.is_truthy(R.has(date.message, "date"), date.message)
      local diff = H.expect_error(get(ctx.tokens.committee, "/api/v1/reports/audit-comparison?a=" .. ctx.audits.a
        .. "&b=" .. ctx.audits.c_new), 400)
      assert.is_truthy(R.has(diff.message, "different CAEs"), diff.message)
    end)
  end)

  describe("documents", function()
    local function pdf_file(bytes)
      local path = H.tmpdir() .. "/doc.pdf"
      support.write(path, bytes)
      return path
    end

    local function one_line(text)
      return (text:gsub("%s+", " "))
    end

    it("writes the audit report: the CAE, its title, the auditor's comments, the rule set hash", function()
      local path = H.tmpdir() .. "/audit.pdf"
      local r = support.run({ "document", "audit-report", tostring(ctx.audits.c_new), "--db", ctx.db, "--out", path })
      assert.are.equal(0, r.code, R.show(r))
      local info = R.pdfinfo(path)
      assert.is_true((tonumber(info.Pages) or 0) >= 1, info.raw)
      local text = R.pdftotext(path)
      local flat = one_line(text)
      local ruleset = evaluation(ctx.audits.c_new).ruleset
      assert.are.equal(support.check().hash, ruleset)
      assert.is_truthy(R.has(text, "Rapport d'audit"), text:sub(1, 500))
      assert.is_truthy(R.has(text, R.NAME_C), text:sub(1, 500))
      assert.is_truthy(R.has(text, ruleset), "the rule set hash is not in the PDF")
      assert.is_truthy(R.has(flat, R.COMMENT_MANDATORY), "the auditor's comment is not in the PDF")
      assert.is_truthy(R.has(flat, R.COMMENT_PARTIAL), "the auditor's comment is not in the PDF")
      assert.is_truthy(R.has(text, "Aude Auditrice"), "the auditor is not named")
      assert.is_truthy(R.has(text, "Non éligible"), "the outcome is not in the PDF")
      for _, s in ipairs(H.STAKEHOLDERS) do
        assert.is_truthy(R.has(text, s.name), s.name .. " is not in the PDF")
      end
      -- the same document over HTTP
      local http = H.expect(H.request(ctx.server, "GET", "/api/v1/assessments/" .. ctx.audits.c_new .. "/report.pdf",
        { token = ctx.tokens.committee }), 200)
      assert.are.equal("application/pdf", http.headers["content-type"])
      assert.are.equal("%PDF-", http.body:sub(1, 5))
      local http_text = R.pdftotext(pdf_file(http.body))
      assert.is_truthy(R.has(http_text, ruleset))
      assert.is_truthy(R.has(one_line(http_text), R.COMMENT_MANDATORY))
    end)

    it("writes the certificate of an awarded audit with its validity and verification code", function()
      local assessment = R.get(ctx.server, ctx.tokens.committee, "/api/v1/assessments/" .. ctx.audits.a)
      local decision = assessment.decisions[1]
      assert.are.equal("awarded", decision.outcome)
      local code = decision.record_hash
      assert.is_truthy(type(code) == "string" and code:match("^%x+$") and #code == 64, tostring(code))
      local path = H.tmpdir() .. "/certificate.pdf"
      local r = support.run({ "document", "certificate", tostring(ctx.audits.a), "--db", ctx.db, "--out", path })
      assert.are.equal(0, r.code, R.show(r))
      local text = R.pdftotext(path)
      local flat = one_line(text)
      assert.is_truthy(R.has(text, "Coopérative Alpha"), text)
      assert.is_truthy(R.has(flat, "valable jusqu'au " .. R.french_date(decision.valid_until)), text)
      assert.is_truthy(R.has(text, code), "the record hash is not in the certificate:\n" .. text)
      -- over HTTP
      local http = H.expect(H.request(ctx.server, "GET", "/api/v1/assessments/" .. ctx.audits.a .. "/certificate.pdf",
        { token = ctx.tokens.committee }), 200)
      assert.are.equal("application/pdf", http.headers["content-type"])
      local http_text = R.pdftotext(pdf_file(http.body))
      assert.is_truthy(R.has(http_text, code))
      assert.is_truthy(R.has(one_line(http_text), "valable jusqu'au"))
      -- the code is one `labelcoop verify` accepts
      local v = support.run({ "verify", "--db", ctx.db })
      assert.are.equal(0, v.code, R.show(v))
    end)

    it("refuses a certificate for an audit without an awarded decision", function()
      local path = H.tmpdir() .. "/none.pdf"
      local r = support.run({ "document", "certificate", tostring(ctx.audits.c_new), "--db", ctx.db, "--out", path })
      assert.are.equal(2, r.code, R.show(r))
      assert.is_truthy(R.has(r.stderr, "no awarded decision"), r.stderr)
      assert.is_false(H.exists(path), "a certificate file was written")
      H.expect_error(H.request(ctx.server, "GET", "/api/v1/assessments/" .. ctx.audits.c_new .. "/certificate.pdf",
        { token = ctx.tokens.committee }), 409)
    end)

    it("checks a verification code publicly", function()
      local function check(code)
        return H.expect(H.request(ctx.server, "GET", "/api/v1/public/certificates/" .. code), 200, code).json
      end
      local a = R.get(ctx.server, ctx.tokens.committee, "/api/v1/assessments/" .. ctx.audits.a).decisions[1]
      local ok = check(a.record_hash)
      assert.is_true(ok.known)
      assert.is_true(ok.valid)
      assert.are.equal("Coopérative Alpha", ok.organisation)
      assert.are.equal(a.valid_until, ok.valid_until)
      local old = R.get(ctx.server, ctx.tokens.committee, "/api/v1/assessments/" .. ctx.audits.c_old).decisions[1]
      local expired = check(old.record_hash)
      assert.is_true(expired.known)
      assert.is_false(expired.valid, "a label that ended 30 days ago is still valid")
      local made_up = check(string.rep("0123456789abcdef", 4))
      assert.is_false(made_up.known)
      assert.is_false(made_up.valid)
    end)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

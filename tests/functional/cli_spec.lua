-- The command line: exit codes, error messages naming the JSON path,
-- `rules check`, `rules list`, and rules edited without rebuilding (issue 2).

local support = require "support"
local json = support.json

local function complete_input()
  return support.input(support.answers_for({}))
end

-- The criterion a copy of the rules gains (in an existing field, SO).
local EXTRA = [[
-- Critère ajouté par le comité, sans recompiler.
criterion {
  id = "SO-90",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "recommended",
  statement = "La CAE participe à au moins une instance territoriale de développement économique.",
  guidance = "Satisfait totalement : participation attestée sur l'année écoulée.",
  evidence = { "Comptes rendus de réunions" },
  weight = 1,
}
]]

local function assert_bad_input(r, ...)
  assert.are.equal(2, r.code, "expected exit 2, got " .. tostring(r.code) .. "; stderr: " .. r.stderr)
  assert.are.equal("", r.stdout, "nothing on stdout for bad input")
  for _, needle in ipairs({ ... }) do
    assert.truthy(r.stderr:find(needle, 1, true), "stderr lacks '" .. needle .. "': " .. r.stderr)
  end
end

-- counts from a `rules check` output: field id -> {total, mandatory, recommended, advised}
local function check_counts(stdout)
  local counts = {}
  for _, line in ipairs(support.lines(stdout)) do
    local id, t, m, r, a = line:match("^(%S+)%s.-%s(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s*$")
    if id then
      counts[id] = { tonumber(t), tonumber(m), tonumber(r), tonumber(a) }
    end
  end
  return counts
end

describe("labelcoop command line", function()
  after_each(function()
    support.cleanup()
  end)

  describe("exit 0", function()
    it("for every outcome: eligible, not_eligible, incomplete", function()
      local eligible = support.evaluate(complete_input())
      local refused = support.evaluate(support.input(support.answers_for({ mandatory = "not_met" })))
      local incomplete = support.evaluate(support.input(json.object({})))
      assert.are.equal(0, eligible.code, eligible.stderr)
      assert.are.equal(0, refused.code, refused.stderr)
      assert.are.equal(0, incomplete.code, incomplete.stderr)
      assert.are.equal("eligible", eligible.json.outcome)
      assert.are.equal("not_eligible", refused.json.outcome)
      assert.are.equal("incomplete", incomplete.json.outcome)
    end)

    it("reads the answers from stdin with --answers -", function()
      local input = json.encode(complete_input())
      local from_stdin = support.run({ "evaluate", "--answers", "-", "--rules", support.rules }, input)
      local from_file = support.evaluate(input)
      assert.are.equal(0, from_stdin.code, from_stdin.stderr)
      assert.are.equal("eligible", json.decode(from_stdin.stdout).outcome)
      assert.are.equal(from_file.stdout, from_stdin.stdout)
    end)

    it("uses ./rules by default", function()
      local dir = support.tmpdir()
      local path = support.write(dir .. "/answers.json", json.encode(complete_input()))
      local r = support.run({ "evaluate", "--answers", path }, nil, support.root)
      assert.are.equal(0, r.code, r.stderr)
      assert.are.equal("eligible", json.decode(r.stdout).outcome)
      local elsewhere = support.run({ "evaluate", "--answers", path }, nil, dir)
      assert.are.equal(3, elsewhere.code, elsewhere.stderr)
    end)
  end)

  describe("exit 2 for bad input", function()
    it("an unreadable answers file, named in the message", function()
      local dir = support.tmpdir()
      local r = support.run({ "evaluate", "--answers", dir .. "/nope.json", "--rules", support.rules })
      assert_bad_input(r, dir .. "/nope.json")
    end)

    it("a directory given as the answers file", function()
      local dir = support.tmpdir()
      local r = support.run({ "evaluate", "--answers", dir, "--rules", support.rules })
      assert_bad_input(r, dir)
    end)

    it("malformed JSON, with line and column", function()
      local r = support.evaluate('{"kind": "audit",\n "date": x}')
      assert_bad_input(r, "line 2", "column 10")
    end)

    it("truncated JSON", function()
      local text = json.encode(complete_input())
      local r = support.evaluate(text:sub(1, #text // 2))
      assert_bad_input(r, "JSON")
      local empty = support.evaluate("")
      assert_bad_input(empty)
    end)

    it("malformed JSON on stdin", function()
      local r = support.run({ "evaluate", "--answers", "-", "--rules", support.rules }, '{"kind": "audit", "answers": {')
      assert_bad_input(r, "JSON", "line 1")
    end)

    it("a top level that is not an object", function()
      assert_bad_input(support.evaluate("[1, 2, 3]"), "$")
      assert_bad_input(support.evaluate('"met"'), "$")
      assert_bad_input(support.evaluate("null"), "$")
    end)

    it("an unknown criterion, named by its JSON path", function()
      local answers = support.answers_for({}, { ["XX-99"] = "met" })
      assert_bad_input(support.evaluate(support.input(answers)), "$.answers.XX-99")
    end)

    it("an unknown status, named by its JSON path", function()
      local id = support.criteria()[3].id
      local answers = support.answers_for({}, { [id] = "maybe" })
      assert_bad_input(support.evaluate(support.input(answers)), "$.answers." .. id)
      local as_object = support.answers_for({}, { [id] = { status = "sort of" } })
      assert_bad_input(support.evaluate(support.input(as_object)), "$.answers." .. id)
      local no_status = support.answers_for({}, { [id] = { comment = "rien" } })
      assert_bad_input(support.evaluate(support.input(no_status)), "$.answers." .. id)
      local number = support.answers_for({}, { [id] = 1 })
      assert_bad_input(support.evaluate(support.input(number)), "$.answers." .. id)
    end)

    it("not_applicable where the criterion does not allow it", function()
      local c = support.criteria_where(function(c) return not c.na_allowed end)[1]
      local answers = support.answers_for({}, { [c.id] = "not_applicable" })
      assert_bad_input(support.evaluate(support.input(answers)), "$.answers." .. c.id)
    end)

    it("a date that does not exist or is badly written", function()
      for _, date in ipairs({ "2026-02-30", "2025-02-29", "2026-13-01", "2026-3-2", "02/03/2026", "" }) do
        local r = support.evaluate(support.input(support.answers_for({}), { date = date }))
        assert_bad_input(r, "$.date")
      end
    end)

    it("internal_stakeholders of the wrong type", function()
      for _, v in ipairs({ "two", -1, 1.5, true }) do
        local r = support.evaluate(support.input(support.answers_for({}), { internal_stakeholders = v }))
        assert_bad_input(r, "$.internal_stakeholders")
      end
    end)

    it("an unknown kind", function()
      local r = support.evaluate(support.input(support.answers_for({}), { kind = "inspection" }))
      assert_bad_input(r, "$.kind")
    end)

    it("an unknown top-level key", function()
      local input = complete_input()
      input.auditor = "Camille"
      assert_bad_input(support.evaluate(input), "$.auditor")
    end)

    it("answers that are not an object", function()
      local input = complete_input()
      input.answers = { "met", "met" }
      assert_bad_input(support.evaluate(input), "$.answers")
    end)

    it("a missing --answers", function()
      local r = support.run({ "evaluate", "--rules", support.rules })
      assert_bad_input(r, "--answers")
    end)

    it("an unknown option or command", function()
      local dir = support.tmpdir()
      local path = support.write(dir .. "/a.json", json.encode(complete_input()))
      assert_bad_input(support.run({ "evaluate", "--answers", path, "--rules", support.rules, "--frobnicate" }),
        "--frobnicate")
      assert_bad_input(support.run({ "evaluate", "--answers", path, "--rules", support.rules, "--format", "xml" }),
        "--format")
      assert_bad_input(support.run({ "rules", "check", "--rules", support.rules, "--nope" }), "--nope")
      -- Another command's option, its value taken: the option is named, not the value.
      assert_bad_input(support.run({ "evaluate", "--answers", path, "--org", "7" }),
        "--org is not an option of this command")
      local unknown = support.run({ "frobnicate" })
      assert.are.equal(2, unknown.code)
      assert.truthy(unknown.stderr:find("frobnicate", 1, true), unknown.stderr)
    end)
  end)

  describe("--help", function()
    -- Every command, sub-command and noun, as typed, with the name its usage gives.
    local COMMANDS = {
      { "rules" }, { "rules", "check" }, { "rules", "list" }, { "rules", "test" },
      { "rules", "activate" }, { "rules", "rollback" }, { "rules", "history" },
      { "rules", "show" }, { "rules", "diff" }, { "evaluate" }, { "serve" }, { "init" },
      { "demo" }, { "org" }, { "org", "add" }, { "user" }, { "user", "add" }, { "db" },
      { "db", "backup" }, { "whatif" }, { "assessments" }, { "assessments", "migrate" },
      { "verify" }, { "export-decision" }, { "webhook" }, { "webhook", "add" },
      { "webhook", "log" }, { "tick" }, { "plugins" }, { "plugins", "list" }, { "report" },
      { "report", "list" }, { "report", "NAME", typed = "weekly-summary" },
      { "document" }, { "document", "audit-report" }, { "document", "certificate" },
      { "config" }, { "config", "check" }, { "version" },
    }

    it("every command and sub-command answers --help and -h with its usage, exit 0", function()
      for _, c in ipairs(COMMANDS) do
        local name = table.concat(c, " ")
        for _, flag in ipairs({ "--help", "-h" }) do
          local argv = { c[1] }
          if c[2] then
            argv[2] = c.typed or c[2]
          end
          argv[#argv + 1] = flag
          local r = support.run(argv)
          assert.are.equal(0, r.code, name .. " " .. flag .. ": " .. r.stderr)
          assert.truthy(r.stdout:find("usage: labelcoop " .. name, 1, true),
            name .. " " .. flag .. ": " .. r.stdout)
          assert.are.equal("", r.stderr)
        end
      end
    end)

    it("labelcoop --help lists every command with its one-line help", function()
      local r = support.run({ "--help" })
      assert.are.equal(0, r.code, r.stderr)
      for _, c in ipairs(COMMANDS) do
        if c[2] or c[1] ~= "rules" then
          local name = table.concat(c, " ")
          assert.truthy(r.stdout:find("\n  " .. name:gsub("%-", "%%-"), 1), name .. " missing:\n" .. r.stdout)
        end
      end
      assert.truthy(r.stdout:find("evaluate answers under the rules", 1, true), r.stdout)
    end)
  end)

  describe("exit 3 for rules that do not load", function()
    it("a rules folder that does not exist", function()
      local dir = support.tmpdir()
      local r = support.run({ "rules", "check", "--rules", dir .. "/none" })
      assert.are.equal(3, r.code, r.stderr)
      local e = support.evaluate(complete_input(), nil, dir .. "/none")
      assert.are.equal(3, e.code, e.stderr)
      assert.are.equal("", e.stdout)
    end)

    it("a syntax error in a rule file, with file:line", function()
      local rules = support.copy_rules()
      support.write(rules .. "/referential/99-broken.lua", "-- broken\n\ncriterion {\n  id = \"SO-91\",,\n}\n")
      local r = support.check(rules)
      assert.are.equal(3, r.code, r.stderr)
      assert.is_not_nil(support.line_starting(r.stderr, "referential/99-broken.lua:4:"), r.stderr)
      local e = support.evaluate(complete_input(), nil, rules)
      assert.are.equal(3, e.code, e.stderr)
      assert.is_not_nil(support.line_starting(e.stderr, "referential/99-broken.lua:4:"), e.stderr)
      local l = support.run({ "rules", "list", "--rules", rules, "--format", "json" })
      assert.are.equal(3, l.code, l.stderr)
    end)

    it("a missing award.lua", function()
      local rules = support.copy_rules()
      os.remove(rules .. "/award.lua")
      local r = support.check(rules)
      assert.are.equal(3, r.code, r.stderr)
      assert.truthy(r.stderr:find("award.lua", 1, true), r.stderr)
    end)
  end)

  describe("rules check", function()
    it("prints counts per field and level and the rule set's hash", function()
      local r = support.check()
      assert.are.equal(0, r.code, r.stderr)
      assert.is_string(r.hash)
      assert.are.equal(64, #r.hash)
      assert.truthy(r.hash:match("^[0-9a-f]+$"), r.hash)
      local counts = check_counts(r.stdout)
      assert.are.same({ 117, 67, 39, 11 }, counts.all)
      -- per-field counts agree with rules list
      local expected = {}
      for _, c in ipairs(support.criteria()) do
        local e = expected[c.field] or { 0, 0, 0, 0 }
        expected[c.field] = e
        e[1] = e[1] + 1
        local col = ({ mandatory = 2, recommended = 3, advised = 4 })[c.level]
        e[col] = e[col] + 1
      end
      for _, f in ipairs(support.listing().fields) do
        assert.are.same(expected[f.id], counts[f.id], "counts of field " .. f.id)
      end
      assert.are.same({ 22, 16, 5, 1 }, counts.JF)
    end)
  end)

  describe("rules list --format json", function()
    it("gives ruleset, fields and criteria in declaration order", function()
      local r = support.run({ "rules", "list", "--rules", support.rules, "--format", "json" })
      assert.are.equal(0, r.code, r.stderr)
      local list = json.decode(r.stdout)
      for _, k in ipairs({ "ruleset", "fields", "criteria" }) do
        assert.is_not_nil(list[k], "rules list lacks " .. k)
      end
      assert.are.equal(support.check().hash, list.ruleset)

      local field_ids = {}
      for i, f in ipairs(list.fields) do
        field_ids[i] = f.id
        for _, k in ipairs({ "id", "name", "themes" }) do
          assert.is_not_nil(f[k], "field " .. tostring(f.id) .. " lacks " .. k)
        end
        assert.is_string(f.name)
        assert.is_true(#f.themes >= 1, "field " .. f.id .. " has no theme")
      end
      assert.are.same({ "JF", "CG", "RH", "AC", "RS", "SO" }, field_ids)
      assert.are.same({ "Droit coopératif", "Droit des sociétés", "Équilibre financier" }, list.fields[1].themes)

      assert.are.equal(117, #list.criteria)
      assert.are.equal("JF-01", list.criteria[1].id)
      local seen, field_rank, last_rank = {}, {}, 0
      for i, f in ipairs(list.fields) do
        field_rank[f.id] = i
      end
      for i, c in ipairs(list.criteria) do
        for _, k in ipairs({ "id", "field", "theme", "level", "statement", "guidance", "weight", "na_allowed" }) do
          assert.is_not_nil(c[k], "criterion " .. tostring(c.id) .. " lacks " .. k)
        end
        assert.is_nil(seen[c.id], "duplicate id " .. c.id)
        seen[c.id] = true
        assert.is_number(c.weight)
        assert.is_boolean(c.na_allowed)
        assert.truthy(({ mandatory = true, recommended = true, advised = true })[c.level], c.level)
        assert.is_true(#c.statement > 0)
        -- files load in name order: fields' criteria come in field order
        assert.is_true(field_rank[c.field] >= last_rank, "criterion " .. i .. " out of order")
        last_rank = field_rank[c.field]
      end
      assert.are.equal("JF-02", list.criteria[2].id)
      assert.are.equal("SO", list.criteria[117].field)
    end)
  end)

  describe("a copy of the rules tree edited without rebuilding", function()
    it("picks up a new criterion: 118 criteria, a new hash, old answers incomplete", function()
      local before = support.check()
      local rules = support.copy_rules()
      local same = support.check(rules)
      assert.are.equal(before.hash, same.hash, "a plain copy must keep the hash")

      support.write(rules .. "/referential/07-extra.lua", EXTRA)
      local after = support.check(rules)
      assert.are.equal(0, after.code, after.stderr)
      assert.are.same({ 118, 67, 40, 11 }, check_counts(after.stdout).all)
      assert.are.same({ 16, 4, 9, 3 }, check_counts(after.stdout).SO)
      assert.is_string(after.hash)
      assert.are_not.equal(before.hash, after.hash)

      local out = support.evaluate(complete_input(), nil, rules)
      assert.are.equal(0, out.code, out.stderr)
      assert.are.equal("incomplete", out.json.outcome)
      assert.are.same({ "SO-90" }, out.json.missing)
      assert.are.equal(after.hash, out.json.ruleset)

      local l = support.run({ "rules", "list", "--rules", rules, "--format", "json" })
      local list = json.decode(l.stdout)
      assert.are.equal("SO-90", list.criteria[#list.criteria].id)

      -- and answering it makes the evaluation complete again
      local answers = support.answers_for({}, { ["SO-90"] = "met" })
      local full = support.evaluate(support.input(answers), nil, rules)
      assert.are.equal(0, full.code, full.stderr)
      assert.are.equal("eligible", full.json.outcome)
      assert.are.equal(40, full.json.recommended.total)
    end)

    it("the hash ignores spec files but not rule files", function()
      local base = support.check().hash
      local rules = support.copy_rules()
      os.execute("mkdir -p " .. support.quote(rules .. "/spec"))
      local spec = rules .. "/spec/zz_extra_spec.lua"
      support.write(spec, 'describe("x", function() it("y", function() end) end)\n')
      assert.are.equal(base, support.check(rules).hash, "adding a spec changed the hash")
      support.write(spec, 'describe("x", function() it("z", function() assert(true) end) end)\n')
      assert.are.equal(base, support.check(rules).hash, "editing a spec changed the hash")

      -- a comment in a rule file is a change of the rules
      local weights = support.read(rules .. "/weights.lua")
      support.write(rules .. "/weights.lua", weights .. "\n-- revu par le comité\n")
      local edited = support.check(rules)
      assert.are.equal(0, edited.code, edited.stderr)
      assert.are_not.equal(base, edited.hash)
    end)

    it("changing the award threshold in award.lua changes the outcome", function()
      local rules = support.copy_rules()
      local award = support.read(rules .. "/award.lua")
      local changed, n = award:gsub("recommended_threshold%s*=%s*0%.5", "recommended_threshold = 0.9")
      assert.are.equal(1, n, "award.lua does not name recommended_threshold = 0.5")
      support.write(rules .. "/award.lua", changed)
      local input = support.input(support.answers_for({
        recommended = function(_, rank) return rank <= 30 and "met" or "not_met" end,
      }))
      local shipped = support.evaluate(input)
      local edited = support.evaluate(input, nil, rules)
      assert.are.equal("eligible", shipped.json.outcome)
      assert.are.equal("not_eligible", edited.json.outcome)
      assert.are.equal(0.9, edited.json.recommended.threshold)
    end)
  end)

  describe("validation", function()
    it("reports every problem at once, each with file:line, exit 3", function()
      local rules = support.copy_rules()
      support.write(rules .. "/referential/07-bad.lua", table.concat({
        "-- deux critères invalides",           -- 1
        "criterion {",                          -- 2
        '  id = "JF-01",',                      -- 3  duplicate id
        '  field = "JF",',
        '  theme = "Droit coopératif",',
        '  level = "optional",',                -- unknown level
        '  statement = "",',                    -- empty statement
        '  guidance = "g",',
        "}",
        "",                                     -- 10
        "criterion {",                          -- 11
        '  id = "SO-95",',
        '  field = "ZZ",',                      -- unknown field
        '  theme = "Contribution au développement territorial",',
        '  level = "advised",',
        '  statement = "Texte.",',
        '  guidance = "g",',
        "  weight = -1,",                       -- negative weight
        '  colour = "rouge",',                  -- unknown key
        "}",
        "",
      }, "\n"))
      local r = support.check(rules)
      assert.are.equal(3, r.code, r.stderr)
      local lines = support.lines(r.stderr)
      local function has(line_no, pattern)
        local prefix = "referential/07-bad.lua:" .. line_no .. ":"
        local found = false
        for _, line in ipairs(lines) do
          if line:sub(1, #prefix) == prefix and line:find(pattern) then
            found = true
          end
        end
        assert.is_true(found, "no line starting with " .. prefix .. " and matching '" .. pattern .. "' in:\n" .. r.stderr)
      end
      has(2, "JF%-01.*duplicate")
      has(2, "optional")
      has(2, "statement")
      has(11, "ZZ")
      has(11, "weight")
      has(11, "colour")
      -- every problem line starts with file:line
      local problems = 0
      for _, line in ipairs(lines) do
        if line:match("^referential/07%-bad%.lua:%d+: ") then
          problems = problems + 1
        end
      end
      assert.is_true(problems >= 6, r.stderr)
    end)

    it("a duplicate criterion is still checked for its other problems", function()
      local rules = support.copy_rules()
      support.write(rules .. "/referential/07-bad.lua", table.concat({
        "criterion {",
        '  id = "JF-01",',
        '  field = "ZZ",',
        '  theme = "Droit coopératif",',
        '  level = "mandatory",',
        '  statement = "Texte.",',
        '  guidance = "g",',
        "}",
        "",
      }, "\n"))
      local r = support.check(rules)
      assert.are.equal(3, r.code, r.stderr)
      assert.is_not_nil(support.line_starting(r.stderr, "referential/07-bad.lua:1:"), r.stderr)
      assert.truthy(r.stderr:find("duplicate", 1, true), r.stderr)
      assert.truthy(r.stderr:find("unknown field 'ZZ'", 1, true) or r.stderr:find("ZZ", 1, true),
        "the unknown field is not reported:\n" .. r.stderr)
    end)

    it("reports a field with no criterion", function()
      local rules = support.copy_rules()
      support.write(rules .. "/referential/07-empty.lua",
        '-- champ vide\nfield { id = "EM", name = "Champ vide", themes = { "Rien" } }\n')
      local r = support.check(rules)
      assert.are.equal(3, r.code, r.stderr)
      local line = support.line_starting(r.stderr, "referential/07-empty.lua:2:")
      assert.is_not_nil(line, r.stderr)
      assert.truthy(line:find("EM", 1, true), line)
    end)

    it("problems in several files are all reported", function()
      local rules = support.copy_rules()
      support.write(rules .. "/referential/07-a.lua",
        'criterion { id = "SO-96", field = "SO", theme = "Contribution au développement territorial",\n'
        .. '  level = "sometimes", statement = "S.", guidance = "g" }\n')
      support.write(rules .. "/referential/08-b.lua",
        '\n\ncriterion { id = "SO-97", field = "SO", theme = "Contribution au développement territorial",\n'
        .. '  level = "advised", statement = "S.", guidance = "g", weight = -3 }\n')
      local r = support.check(rules)
      assert.are.equal(3, r.code, r.stderr)
      assert.is_not_nil(support.line_starting(r.stderr, "referential/07-a.lua:1:"), r.stderr)
      assert.is_not_nil(support.line_starting(r.stderr, "referential/08-b.lua:3:"), r.stderr)
    end)
  end)
end)

describe("ids and output paths on the command line", function()
  local dir, db, file, hash

  setup(function()
    dir = support.tmpdir()
    db = dir .. "/demo.db"
    local r = support.run({ "demo", "--db", db })
    assert.are.equal(0, r.code, r.stderr)
    hash = support.run({ "rules", "history", "--db", db }).stdout:match(string.rep("%x", 64))
    assert.is_truthy(hash, "no rule set hash in `rules history`")
    file = support.write(dir .. "/a-file", "x")
  end)

  teardown(function()
    support.cleanup()
  end)

  it("an unknown id is bad input (exit 2), named", function()
    assert_bad_input(support.run({ "webhook", "log", "--id", "99", "--db", db }), "--id 99", "no such webhook")
    assert_bad_input(support.run({ "assessments", "migrate", "--to", hash, "--org", "99", "--db", db }),
      "no organisation 99")
    assert_bad_input(support.run({ "export-decision", "99", "--db", db }), "no decision 99")
    assert_bad_input(support.run({ "document", "audit-report", "99", "--out", dir .. "/x.pdf", "--db", db }),
      "assessment 99")
    assert_bad_input(support.run({ "rules", "show", string.rep("0", 64), "--db", db }), string.rep("0", 64))
  end)

  it("a --db that names no database is bad input (exit 2), and none is made", function()
    local typo = dir .. "/labelcop.db"
    for _, args in ipairs({ { "verify" }, { "rules", "history" }, { "tick" }, { "webhook", "log" },
      { "org", "add", "--name", "X" }, { "db", "backup", dir .. "/copy.db" } }) do
      args[#args + 1] = "--db"
      args[#args + 1] = typo
      assert_bad_input(support.run(args), "--db " .. typo .. ": no database there")
      assert.is_nil(support.read(typo), table.concat(args, " ") .. " made a database")
    end
    -- init and demo make one.
    assert.are.equal(0, support.run({ "init", "--db", typo }).code)
    assert.truthy(support.read(typo))
  end)

  it("an output path that cannot be written is bad input (exit 2), named", function()
    local out = file .. "/x"
    assert_bad_input(support.run({ "report", "network-overview", "--db", db, "--scripts",
      support.root .. "/scripts", "--out", out }), out)
    assert_bad_input(support.run({ "document", "audit-report", "1", "--out", out .. ".pdf", "--db", db }),
      out .. ".pdf")
    assert_bad_input(support.run({ "db", "backup", out, "--db", db }), out)
  end)
end)

-- `labelcoop evaluate` against the shipped référentiel: outcomes, the award
-- rule's edges, field scores and the JSON shape (issue 2).

local support = require "support"
local json = support.json

local function reasons_text(out)
  return table.concat(out.reasons, "\n")
end

local function evaluate_ok(input, extra)
  local r = support.evaluate(input, extra)
  assert.are.equal(0, r.code, "evaluate failed: " .. r.stderr)
  return r.json, r
end

-- Round to one decimal place would be within 0.05 of the exact value.
local function assert_score(expected, actual, what)
  assert.is_number(actual, what)
  assert.is_true(math.abs(expected - actual) <= 0.0501,
    string.format("%s: expected %.4f (to one decimal), got %s", what, expected, tostring(actual)))
end

describe("evaluate", function()
  after_each(function()
    support.cleanup()
  end)

  describe("the shipped référentiel", function()
    it("has 117 criteria: 67 mandatory, 39 recommended, 11 advised", function()
      local count = {}
      for _, c in ipairs(support.criteria()) do
        count[c.level] = (count[c.level] or 0) + 1
      end
      assert.are.equal(117, #support.criteria())
      assert.are.same({ mandatory = 67, recommended = 39, advised = 11 }, count)
    end)
  end)

  describe("an audit with every criterion met and internal stakeholders", function()
    it("gives an object with exactly the keys of the contract (plus score and path_to_label)", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { date = "2026-03-02" }))
      assert.are.same({
        "advised", "date", "eligible", "fields", "kind", "mandatory", "missing",
        "outcome", "path_to_label", "reasons", "recommended", "ruleset", "score", "valid_until",
      }, support.keys(out))
    end)

    it("is eligible for 3 years", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { date = "2026-03-02" }))
      assert.are.equal("eligible", out.outcome)
      assert.are.equal(true, out.eligible)
      assert.are.equal("audit", out.kind)
      assert.are.equal("2026-03-02", out.date)
      assert.are.equal("2029-03-02", out.valid_until)
      assert.are.same({}, out.missing)
      assert.are.same({ total = 67, met = 67, failed = {} }, out.mandatory)
      assert.are.same({ "met", "total" }, support.keys(out.advised))
      assert.are.same({ total = 11, met = 11 }, out.advised)
      assert.are.same({ "met", "partial", "ratio", "threshold", "total" }, support.keys(out.recommended))
      assert.are.equal(39, out.recommended.total)
      assert.are.equal(39, out.recommended.met)
      assert.are.equal(0, out.recommended.partial)
      assert.are.equal(1, out.recommended.ratio)
      assert.are.equal(0.5, out.recommended.threshold)
      assert.is_true(#out.reasons >= 1)
      for _, reason in ipairs(out.reasons) do
        assert.is_string(reason)
      end
    end)

    it("lists the 6 fields in declaration order, each {id, name, score} at 100", function()
      local out = evaluate_ok(support.input(support.answers_for({})))
      assert.are.equal(6, #out.fields)
      local ids = {}
      for i, f in ipairs(out.fields) do
        ids[i] = f.id
        assert.are.same({ "id", "name", "score" }, support.keys(f))
        assert.are.equal(100, f.score)
        assert.are.equal(support.listing().fields[i].name, f.name)
      end
      assert.are.same({ "JF", "CG", "RH", "AC", "RS", "SO" }, ids)
    end)

    it("is valid until 28 February when audited on a 29 February", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { date = "2028-02-29" }))
      assert.are.equal("eligible", out.outcome)
      assert.are.equal("2031-02-28", out.valid_until)
    end)

    it("adds exactly 3 years to an ordinary date", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { date = "2025-12-31" }))
      assert.are.equal("2028-12-31", out.valid_until)
    end)
  end)

  describe("mandatory criteria", function()
    it("a single partial mandatory makes the audit not eligible and is named", function()
      local target = support.criteria_where(function(c) return c.level == "mandatory" end)[5].id
      local out = evaluate_ok(support.input(support.answers_for({}, { [target] = "partial" })))
      assert.are.equal("not_eligible", out.outcome)
      assert.are.equal(false, out.eligible)
      assert.are.equal(json.null, out.valid_until)
      assert.are.same({ total = 67, met = 66, failed = { target } }, out.mandatory)
      local found
      for _, reason in ipairs(out.reasons) do
        if reason:find(target, 1, true) and reason:find("obligatoire", 1, true) then
          found = reason
        end
      end
      assert.is_not_nil(found, "no French reason names " .. target .. ":\n" .. reasons_text(out))
    end)

    it("lists every failed mandatory criterion in declaration order", function()
      local mandatory = support.criteria_where(function(c) return c.level == "mandatory" end)
      local a, b, c = mandatory[60].id, mandatory[2].id, mandatory[30].id
      local out = evaluate_ok(support.input(support.answers_for({}, {
        [a] = "not_met", [b] = "partial", [c] = { status = "not_met" },
      })))
      assert.are.equal("not_eligible", out.outcome)
      assert.are.same({ b, c, a }, out.mandatory.failed)
      assert.are.equal(64, out.mandatory.met)
    end)

    it("a not_applicable mandatory criterion leaves the denominator (total 66)", function()
      local na = support.criteria_where(function(c) return c.level == "mandatory" and c.na_allowed end)
      assert.is_true(#na >= 1, "no mandatory criterion allows not_applicable")
      local out = evaluate_ok(support.input(support.answers_for({}, { [na[1].id] = "not_applicable" })))
      assert.are.equal("eligible", out.outcome)
      assert.are.same({ total = 66, met = 66, failed = {} }, out.mandatory)
    end)

    it("every not_applicable mandatory criterion leaves the denominator", function()
      local na = support.criteria_where(function(c) return c.level == "mandatory" and c.na_allowed end)
      local overrides = {}
      for _, c in ipairs(na) do
        overrides[c.id] = "not_applicable"
      end
      local out = evaluate_ok(support.input(support.answers_for({}, overrides)))
      assert.are.equal("eligible", out.outcome)
      assert.are.equal(67 - #na, out.mandatory.total)
      assert.are.equal(67 - #na, out.mandatory.met)
    end)
  end)

  describe("recommended criteria", function()
    -- the first n recommended met or partial (alternating), the rest not_met
    local function recommended_done(n)
      return support.answers_for({
        recommended = function(_, rank)
          if rank > n then
            return "not_met"
          end
          return rank % 2 == 1 and "met" or "partial"
        end,
      })
    end

    it("19 of 39 met or partial is below the threshold: not eligible", function()
      local out = evaluate_ok(support.input(recommended_done(19)))
      assert.are.equal("not_eligible", out.outcome)
      assert.are.equal(false, out.eligible)
      assert.are.equal(json.null, out.valid_until)
      assert.are.equal(39, out.recommended.total)
      assert.are.equal(10, out.recommended.met)
      assert.are.equal(9, out.recommended.partial)
      assert.are.equal(0.5, out.recommended.threshold)
      assert.is_true(math.abs(out.recommended.ratio - 19 / 39) < 0.0001, tostring(out.recommended.ratio))
      -- only the recommended ratio fails: mandatory are all met
      assert.are.same({ total = 67, met = 67, failed = {} }, out.mandatory)
      local found
      for _, reason in ipairs(out.reasons) do
        if reason:find("recommand", 1, true) and reason:find("19", 1, true) and reason:find("39", 1, true) then
          found = reason
        end
      end
      assert.is_not_nil(found, "no reason gives the recommended ratio 19 / 39:\n" .. reasons_text(out))
    end)

    it("20 of 39 met or partial reaches the threshold: eligible", function()
      local out = evaluate_ok(support.input(recommended_done(20)))
      assert.are.equal("eligible", out.outcome)
      assert.are.equal(true, out.eligible)
      assert.are.equal("2029-03-02", out.valid_until)
      assert.are.equal(10, out.recommended.met)
      assert.are.equal(10, out.recommended.partial)
      assert.is_true(math.abs(out.recommended.ratio - 20 / 39) < 0.0001, tostring(out.recommended.ratio))
    end)

    it("all partial counts as done: eligible", function()
      local out = evaluate_ok(support.input(support.answers_for({ recommended = "partial" })))
      assert.are.equal("eligible", out.outcome)
      assert.are.equal(0, out.recommended.met)
      assert.are.equal(39, out.recommended.partial)
    end)

    it("not_applicable recommended answers leave the denominator where allowed", function()
      local na = support.criteria_where(function(c) return c.level == "recommended" and c.na_allowed end)
      if #na == 0 then
        -- No recommended criterion allows N/A in the shipped référentiel:
        -- then answering not_applicable to one is bad input.
        local id = support.criteria_where(function(c) return c.level == "recommended" end)[1].id
        local r = support.evaluate(support.input(support.answers_for({}, { [id] = "not_applicable" })))
        assert.are.equal(2, r.code)
        assert.truthy(r.stderr:find("$.answers." .. id, 1, true), r.stderr)
        return
      end
      local overrides = {}
      for _, c in ipairs(na) do
        overrides[c.id] = "not_applicable"
      end
      local out = evaluate_ok(support.input(support.answers_for({}, overrides)))
      assert.are.equal(39 - #na, out.recommended.total)
    end)
  end)

  describe("advised criteria", function()
    it("all not_met never prevent the label", function()
      local out = evaluate_ok(support.input(support.answers_for({ advised = "not_met" })))
      assert.are.equal("eligible", out.outcome)
      assert.are.same({ total = 11, met = 0 }, out.advised)
      assert.are.same({}, out.mandatory.failed)
    end)

    it("all met never make up for too few recommended", function()
      local out = evaluate_ok(support.input(support.answers_for({
        advised = "met",
        recommended = function(_, rank) return rank <= 19 and "met" or "not_met" end,
      })))
      assert.are.equal("not_eligible", out.outcome)
      assert.are.same({ total = 11, met = 11 }, out.advised)
    end)
  end)

  describe("internal stakeholders", function()
    local function stakeholder_reason(out)
      for _, reason in ipairs(out.reasons) do
        local lower = reason:lower()
        if lower:find("parties? prenantes?") then
          return reason
        end
      end
    end

    it("an audit with 0 internal stakeholders is not eligible, and says why", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { internal_stakeholders = 0 }))
      assert.are.equal("not_eligible", out.outcome)
      assert.are.equal(false, out.eligible)
      assert.are.equal(json.null, out.valid_until)
      assert.is_not_nil(stakeholder_reason(out), "no reason about parties prenantes:\n" .. reasons_text(out))
    end)

    it("an audit without internal_stakeholders is not eligible, and says why", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { internal_stakeholders = false }))
      assert.are.equal("not_eligible", out.outcome)
      assert.is_not_nil(stakeholder_reason(out), "no reason about parties prenantes:\n" .. reasons_text(out))
    end)

    it("an audit with 1 internal stakeholder is enough", function()
      local out = evaluate_ok(support.input(support.answers_for({}), { internal_stakeholders = 1 }))
      assert.are.equal("eligible", out.outcome)
      assert.is_nil(stakeholder_reason(out))
    end)
  end)

  describe("a self-assessment", function()
    it("can be eligible but never has a validity date (JSON null)", function()
      local out, r = evaluate_ok(support.input(support.answers_for({}),
        { kind = "self_assessment", internal_stakeholders = false }))
      assert.are.equal("self_assessment", out.kind)
      assert.are.equal("eligible", out.outcome)
      assert.are.equal(true, out.eligible)
      assert.are.equal(json.null, out.valid_until)
      assert.truthy(r.stdout:find('"valid_until"%s*:%s*null'), r.stdout)
    end)
  end)

  describe("missing answers", function()
    it("make the outcome incomplete and are listed in declaration order", function()
      local all = support.criteria()
      local a, b = all[100].id, all[7].id
      local out = evaluate_ok(support.input(support.answers_for({}, { [a] = false, [b] = false })))
      assert.are.equal("incomplete", out.outcome)
      assert.are.equal(false, out.eligible)
      assert.are.equal(json.null, out.valid_until)
      assert.are.same({ b, a }, out.missing)
    end)

    it("an empty answers object lists all 117 criteria as missing", function()
      local out = evaluate_ok(support.input(json.object({})))
      assert.are.equal("incomplete", out.outcome)
      assert.are.same(support.ids(support.criteria()), out.missing)
    end)

    it("incomplete wins over a failed mandatory", function()
      local all = support.criteria()
      local out = evaluate_ok(support.input(support.answers_for({ mandatory = "not_met" }, { [all[117].id] = false })))
      assert.are.equal("incomplete", out.outcome)
      assert.are.same({ all[117].id }, out.missing)
    end)
  end)

  describe("answers as objects", function()
    it("{status, comment, evidence} objects are read like plain statuses", function()
      local objects = support.answers_for({
        mandatory = function(c) return { status = "met", comment = "Vu : " .. c.id, evidence = { c.id .. ".pdf" } } end,
        recommended = function() return { status = "partial", comment = "En cours." } end,
        advised = function() return { status = "not_met" } end,
      })
      local plain = support.answers_for({ recommended = "partial", advised = "not_met" })
      local a = evaluate_ok(support.input(objects))
      local b = evaluate_ok(support.input(plain))
      assert.are.equal("eligible", a.outcome)
      assert.are.same(b, a)
      assert.are.equal(39, a.recommended.partial)
    end)

    it("an object's status counts: partial mandatory fails", function()
      local id = support.criteria()[1].id
      local out = evaluate_ok(support.input(support.answers_for({}, {
        [id] = { status = "partial", comment = "Statuts à revoir.", evidence = { "statuts.pdf" } },
      })))
      assert.are.equal("not_eligible", out.outcome)
      assert.are.same({ id }, out.mandatory.failed)
    end)
  end)

  describe("field scores", function()
    local function field(out, id)
      for _, f in ipairs(out.fields) do
        if f.id == id then
          return f
        end
      end
    end

    it("weigh met 1, partial 0.5, not_met 0 by criterion weight, leaving N/A out", function()
      local jf = support.criteria_where(function(c) return c.field == "JF" end)
      local heavy, light, na
      for _, c in ipairs(jf) do
        if c.weight == 2 and not c.na_allowed and not heavy then heavy = c end
      end
      for _, c in ipairs(jf) do
        if c.weight == 1 and not c.na_allowed and not light then light = c end
        if c.na_allowed and not na then na = c end
      end
      assert.is_not_nil(heavy, "JF has no criterion of weight 2")
      assert.is_not_nil(light, "JF has no criterion of weight 1")
      assert.is_not_nil(na, "JF has no criterion allowing not_applicable")
      -- hand computation: every JF criterion met except
      --   heavy (weight 2) partial  -> earns 2 * 0.5 = 1 of 2
      --   light (weight 1) not_met  -> earns 0 of 1
      --   na               N/A      -> out of the field
      local possible = 0
      for _, c in ipairs(jf) do
        possible = possible + c.weight
      end
      possible = possible - na.weight
      local earned = possible - 1 - 1
      local expected = 100 * earned / possible
      local out = evaluate_ok(support.input(support.answers_for({}, {
        [heavy.id] = "partial", [light.id] = "not_met", [na.id] = "not_applicable",
      })))
      assert_score(expected, field(out, "JF").score, "JF score")
      -- an unweighted count would give a different number
      local unweighted = 100 * (#jf - 1 - 0.5 - 1) / (#jf - 1)
      assert.is_true(math.abs(unweighted - field(out, "JF").score) > 0.1)
      -- the other fields are untouched
      assert.are.equal(100, field(out, "CG").score)
    end)

    it("JF on the shipped weights: one weight-2 not_met and one weight-1 partial give 23.5 / 26", function()
      -- Shipped JF: 22 criteria, 4 of weight 2 -> total weight 26.
      local jf = support.criteria_where(function(c) return c.field == "JF" end)
      local total = 0
      for _, c in ipairs(jf) do
        total = total + c.weight
      end
      assert.are.equal(26, total)
      local heavy
      for _, c in ipairs(jf) do
        if c.weight == 2 and not heavy then heavy = c end
      end
      -- heavy not_met loses 2, light partial loses 0.5: 23.5 / 26 = 90.38...
      local light
      for _, c in ipairs(jf) do
        if c.weight == 1 and not light then light = c end
      end
      local out = evaluate_ok(support.input(support.answers_for({}, {
        [heavy.id] = "not_met", [light.id] = "partial",
      })))
      assert_score(90.3846, field(out, "JF").score, "JF score")
    end)

    it("are 50 when everything is partial and 0 when nothing is met", function()
      local half = evaluate_ok(support.input(support.answers_for({}, nil, "partial")))
      local none = evaluate_ok(support.input(support.answers_for({}, nil, "not_met")))
      for i = 1, 6 do
        assert.are.equal(50, half.fields[i].score)
        assert.are.equal(0, none.fields[i].score)
      end
    end)

    it("count advised criteria in the field score", function()
      -- SO has only weight-1 criteria in the shipped référentiel
      local so = support.criteria_where(function(c) return c.field == "SO" end)
      local weight, advised_weight = 0, 0
      for _, c in ipairs(so) do
        weight = weight + c.weight
        if c.level == "advised" then advised_weight = advised_weight + c.weight end
      end
      assert.is_true(advised_weight > 0)
      local out = evaluate_ok(support.input(support.answers_for({ advised = "not_met" })))
      assert_score(100 * (weight - advised_weight) / weight, field(out, "SO").score, "SO score")
      assert.are.equal("eligible", out.outcome)
    end)
  end)

  describe("the text format", function()
    it("starts with the outcome in French", function()
      local eligible = support.evaluate(support.input(support.answers_for({})), { "--format", "text" })
      assert.are.equal(0, eligible.code, eligible.stderr)
      local first = support.lines(eligible.stdout)[1]
      assert.truthy(first:find("ÉLIGIBLE", 1, true), first)
      assert.falsy(first:find("NON", 1, true), first)
      assert.truthy(first:find("2026-03-02", 1, true), first)
      assert.truthy(first:find("2029-03-02", 1, true), "validity missing: " .. first)

      local refused = support.evaluate(support.input(support.answers_for({}), { internal_stakeholders = 0 }),
        { "--format", "text" })
      assert.are.equal(0, refused.code, refused.stderr)
      first = support.lines(refused.stdout)[1]
      assert.truthy(first:find("NON ÉLIGIBLE", 1, true), first)

      local incomplete = support.evaluate(support.input(json.object({})), { "--format", "text" })
      assert.are.equal(0, incomplete.code, incomplete.stderr)
      first = support.lines(incomplete.stdout)[1]
      assert.truthy(first:find("INCOMPLÈTE", 1, true), first)
    end)

    it("is not JSON and shows each field and the rule set", function()
      local r = support.evaluate(support.input(support.answers_for({})), { "--format", "text" })
      assert.are.equal(0, r.code, r.stderr)
      assert.are_not.equal("{", r.stdout:sub(1, 1))
      for _, f in ipairs(support.listing().fields) do
        assert.truthy(r.stdout:find(f.name, 1, true), "field " .. f.name .. " missing")
      end
      assert.truthy(r.stdout:find(support.listing().ruleset, 1, true), "rule set hash missing")
    end)
  end)

  describe("the rule set's identity", function()
    it("is the 64-hex hash that rules check prints", function()
      local out = evaluate_ok(support.input(support.answers_for({})))
      local check = support.check()
      assert.are.equal(0, check.code, check.stderr)
      assert.are.equal(64, #out.ruleset)
      assert.truthy(out.ruleset:match("^[0-9a-f]+$"), out.ruleset)
      assert.are.equal(check.hash, out.ruleset)
      assert.are.equal(support.listing().ruleset, out.ruleset)
    end)
  end)

  describe("reproducibility", function()
    it("the same input twice gives byte-identical output", function()
      local input = support.input(support.answers_for({
        recommended = function(_, rank) return ({ "met", "partial", "not_met" })[rank % 3 + 1] end,
      }))
      local a = support.evaluate(input)
      local b = support.evaluate(input)
      assert.are.equal(0, a.code, a.stderr)
      assert.are.equal(a.stdout, b.stdout)
      assert.are.equal(a.stderr, b.stderr)
      local ta = support.evaluate(input, { "--format", "text" })
      local tb = support.evaluate(input, { "--format", "text" })
      assert.are.equal(ta.stdout, tb.stdout)
    end)
  end)
end)

-- La règle d'attribution, à ses limites. Ces exemples servent aussi de modèle
-- au Comité : après avoir modifié award.lua, `labelcoop rules test` les rejoue.

local labelcoop = require "labelcoop"
local rules = labelcoop.rules
local answers = rules.answers
local referential = rules:referential()

-- The ids of the criteria of one level, in declaration order.
local function ids(level, pred)
  local out = {}
  for _, c in ipairs(referential.criteria) do
    if c.level == level and (not pred or pred(c)) then out[#out + 1] = c.id end
  end
  return out
end

local function audit(a, stakeholders)
  return rules:evaluate {
    kind = "audit", date = "2026-06-15", internal_stakeholders = stakeholders or 3, answers = a,
  }
end

-- Every recommended criterion answered `status`, the first n of them `first`.
local function recommended(n, first, status)
  local change = {}
  for i, id in ipairs(ids("recommended")) do
    change[id] = i <= n and first or status
  end
  return answers.all("met"):with(change)
end

describe("la règle d'attribution", function()
  it("attribue le label pour 3 ans quand tout est satisfait", function()
    local r = audit(answers.all("met"))
    assert.are.equal("eligible", r.outcome)
    assert.is_true(r.eligible)
    assert.are.equal("2029-06-15", r.valid_until)
    assert.are.same({}, r.missing)
    assert.are.same({ total = 67, met = 67, failed = {} }, r.mandatory)
  end)

  it("refuse dès qu'un seul critère obligatoire n'est que partiel", function()
    local r = audit(answers.with { ["JF-02"] = "partial" })
    assert.are.equal("not_eligible", r.outcome)
    assert.is_false(r.eligible)
    assert.is_nil(r.valid_until)
    assert.are.same({ "JF-02" }, r.mandatory.failed)
    assert.matches("JF%-02", r.reasons[1])
  end)

  it("exige la moitié des recommandés : 19 sur 39 ne suffisent pas, 20 oui", function()
    local r = audit(recommended(19, "met", "not_met"))
    assert.are.equal("not_eligible", r.outcome)
    assert.are.equal(19, r.recommended.met)
    assert.is_true(r.recommended.ratio < 0.5)
    r = audit(recommended(20, "partial", "not_met"))
    assert.are.equal("eligible", r.outcome)
    assert.are.equal(20, r.recommended.partial)
    assert.are.equal(0.5128, r.recommended.ratio)
  end)

  it("retire du calcul les critères non applicables", function()
    local na = ids("mandatory", function(c) return c.na_allowed end)
    assert.is_true(#na > 0)
    local r = audit(answers.with { [na[1]] = "not_applicable" })
    assert.are.equal("eligible", r.outcome)
    assert.are.equal(66, r.mandatory.total)
    assert.are.equal(66, r.mandatory.met)
  end)

  it("ne tient jamais compte des critères conseillés", function()
    local change = {}
    for _, id in ipairs(ids("advised")) do change[id] = "not_met" end
    local r = audit(answers.all("met"):with(change))
    assert.are.equal("eligible", r.outcome)
    assert.are.same({ total = 11, met = 0 }, r.advised)
  end)

  it("refuse un audit sans partie prenante interne", function()
    local r = audit(answers.all("met"), 0)
    assert.are.equal("not_eligible", r.outcome)
    assert.matches("partie prenante interne", r.reasons[#r.reasons])
  end)

  it("déclare incomplète une évaluation où il manque une réponse", function()
    local r = audit(answers.with { ["SO-15"] = false })
    assert.are.equal("incomplete", r.outcome)
    assert.are.same({ "SO-15" }, r.missing)
  end)

  it("note une auto-évaluation sans jamais donner de date de validité", function()
    local r = rules:evaluate { kind = "self_assessment", date = "2026-06-15",
                               answers = answers.all("met") }
    assert.are.equal("eligible", r.outcome)
    assert.is_nil(r.valid_until)
    assert.matches("ne donne pas le label", r.reasons[#r.reasons])
  end)

  it("calcule le score de chaque champ, partiel comptant pour moitié", function()
    local r = audit(answers.all("partial"))
    for _, f in ipairs(r.fields) do
      assert.are.equal(50, f.score)
    end
    assert.are.equal(50, r.score)
  end)

  it("passe du 29 février au 28 février quand l'année d'échéance n'est pas bissextile", function()
    local r = rules:evaluate { kind = "audit", date = "2028-02-29", internal_stakeholders = 1,
                               answers = answers.all("met") }
    assert.are.equal("2031-02-28", r.valid_until)
  end)

  it("trace le chemin vers le label : chaque obligatoire manquant, puis le moins de recommandés", function()
    local change = { ["JF-02"] = "partial" }
    for i, id in ipairs(ids("recommended")) do
      change[id] = i <= 17 and "met" or "not_met" -- 17 sur 39 : il en manque 3
    end
    local r = audit(answers.all("met"):with(change))
    assert.are.equal("not_eligible", r.outcome)
    local path = r.path_to_label
    assert.are.same({ criterion = "JF-02", from = "partial", to = "met" }, path[1])
    assert.are.equal(1 + 3, #path)
    for i = 2, #path do
      assert.are.equal("not_met", path[i].from)
      assert.are.equal("partial", path[i].to)
    end
    -- Following the path makes the audit eligible.
    for _, step in ipairs(path) do change[step.criterion] = step.to end
    assert.are.equal("eligible", audit(answers.all("met"):with(change)).outcome)
    assert.are.same({}, audit(answers.all("met")).path_to_label)
  end)
end)

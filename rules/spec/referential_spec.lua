-- Le référentiel tel que le moteur le charge : nombres de critères, identifiants,
-- champs. Lancé par `labelcoop rules test`, dans le même bac à sable qu'en production.

local labelcoop = require "labelcoop"
local rules = labelcoop.rules
local referential = rules:referential()

local function count(pred)
  local n = 0
  for _, c in ipairs(referential.criteria) do
    if pred(c) then n = n + 1 end
  end
  return n
end

describe("le référentiel", function()
  it("compte 117 critères : 67 obligatoires, 39 recommandés, 11 conseillés", function()
    assert.are.equal(117, #referential.criteria)
    assert.are.equal(67, count(function(c) return c.level == "mandatory" end))
    assert.are.equal(39, count(function(c) return c.level == "recommended" end))
    assert.are.equal(11, count(function(c) return c.level == "advised" end))
  end)

  it("répartit ses critères en 6 champs, chacun avec ses critères", function()
    local ids = {}
    for _, f in ipairs(referential.fields) do ids[#ids + 1] = f.id end
    assert.are.same({ "JF", "CG", "RH", "AC", "RS", "SO" }, ids)
    for _, f in ipairs(referential.fields) do
      assert.is_true(count(function(c) return c.field == f.id end) > 0, f.id)
      assert.is_true(#f.themes >= 2, f.id)
    end
  end)

  it("donne à chaque critère un identifiant unique de la forme CHAMP-NN", function()
    local seen = {}
    for _, c in ipairs(referential.criteria) do
      assert.is_nil(seen[c.id], c.id)
      seen[c.id] = true
      assert.matches("^" .. c.field .. "%-%d%d$", c.id)
    end
  end)

  it("rattache chaque critère à un thème de son champ", function()
    local themes = {}
    for _, f in ipairs(referential.fields) do
      themes[f.id] = {}
      for _, t in ipairs(f.themes) do themes[f.id][t] = true end
    end
    for _, c in ipairs(referential.criteria) do
      assert.is_true(themes[c.field][c.theme] == true, c.id .. " : " .. c.theme)
    end
  end)

  it("a un énoncé, un guide et des preuves attendues pour chaque critère", function()
    for _, c in ipairs(referential.criteria) do
      assert.is_true(#c.statement > 20, c.id)
      assert.is_true(#c.guidance > 20, c.id)
      assert.is_true(#c.evidence >= 1, c.id)
    end
  end)

  it("est identifié par une empreinte SHA-256", function()
    assert.matches("^%x+$", rules.ruleset)
    assert.are.equal(64, #rules.ruleset)
    assert.are.equal(rules.ruleset, referential.ruleset)
  end)
end)

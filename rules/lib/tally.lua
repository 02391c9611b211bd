-- Décompte des réponses d'une évaluation : combien de critères de chaque
-- niveau sont satisfaits, lesquels manquent, et le score de chaque champ.
-- Ce fichier compte ; il ne décide rien. La décision est dans award.lua.

local tally = {}

local function round(x, digits)
  local m = 10 ^ digits
  return math.floor(x * m + 0.5) / m
end
tally.round = round

local function new_level()
  return { total = 0, met = 0, partial = 0, not_met = 0, not_applicable = 0, failed = {} }
end

-- Compte chaque critère une fois, par niveau ; le score d'un champ porte sur
-- ses critères répondus et applicables (un champ sans réponse vaut 0).
function tally.count(ctx)
  local answers, criteria, value = ctx.answers, ctx.criteria, ctx.weights.answers
  local levels = {
    mandatory = new_level(),
    recommended = new_level(),
    advised = new_level(),
  }
  local missing = {}
  local earned, possible = {}, {}
  for f = 1, #ctx.fields do
    earned[f], possible[f] = 0, 0
  end

  for i = 1, #criteria do
    local c, answer = criteria[i], answers[i]
    local level = levels[c.level]
    if answer == nil then
      level.total = level.total + 1
      missing[#missing + 1] = c.id
    elseif answer == "not_applicable" then
      level.not_applicable = level.not_applicable + 1
    else
      level.total = level.total + 1
      level[answer] = level[answer] + 1
      if answer ~= "met" then
        level.failed[#level.failed + 1] = c.id
      end
      local f = c.field_index
      earned[f] = earned[f] + c.weight * value[answer]
      possible[f] = possible[f] + c.weight
    end
  end

  local fields, sum, weight_sum = {}, 0, 0
  for f, field in ipairs(ctx.fields) do
    local score = possible[f] > 0 and round(100 * earned[f] / possible[f], 1) or 0
    fields[f] = { id = field.id, name = field.name, score = score }
    if possible[f] > 0 then
      sum = sum + score * field.weight
      weight_sum = weight_sum + field.weight
    end
  end

  return {
    mandatory = levels.mandatory,
    recommended = levels.recommended,
    advised = levels.advised,
    missing = missing,
    fields = fields,
    score = weight_sum > 0 and round(sum / weight_sum, 1) or 0,
  }
end

-- Les réponses sous forme compacte, telles que la plateforme les tient dans
-- ctx.by_level : pour chaque niveau, une chaîne d'une lettre par critère, dans
-- l'ordre du référentiel : « M » satisfait, « P » partiellement, « N » non
-- satisfait, « X » non applicable, « ? » sans réponse. La bibliothèque string
-- les parcourt à la vitesse de la machine : une décision sur tout le
-- référentiel prend quelques microsecondes.

-- Si les réponses s contiennent la lettre.
function tally.has(s, letter)
  return s:find(letter, 1, true) ~= nil
end

-- Combien de fois la lettre apparaît dans les réponses s.
function tally.letters(s, letter)
  local n, at = 0, s:find(letter, 1, true)
  while at do
    n = n + 1
    at = s:find(letter, at + 1, true)
  end
  return n
end

local function is_leap(year)
  return (year % 4 == 0 and year % 100 ~= 0) or year % 400 == 0
end

-- « 2026-02-28 » plus n années ; un 29 février devient 28 février au besoin.
function tally.add_years(date, n)
  local y, m, d = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  y, m, d = tonumber(y) + n, tonumber(m), tonumber(d)
  if m == 2 and d == 29 and not is_leap(y) then
    d = 28
  end
  return string.format("%04d-%02d-%02d", y, m, d)
end

-- 0,538 -> « 53,8 % » et 0,5 -> « 50 % », comme on l'écrit en français.
function tally.percent(ratio)
  local p = round(100 * ratio, 1)
  local text = p == math.floor(p) and string.format("%d", math.floor(p)) or string.format("%.1f", p)
  return (text:gsub("%.", ",")) .. " %"
end

-- "JF-01, JF-02 et JF-03"
function tally.list(ids)
  if #ids <= 1 then
    return ids[1] or ""
  end
  return table.concat(ids, ", ", 1, #ids - 1) .. " et " .. ids[#ids]
end

return tally

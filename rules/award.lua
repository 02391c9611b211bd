-- La règle d'attribution du LABEL CPE.
--
-- Ce fichier dit quand une évaluation permet d'attribuer le label. Le Comité
-- de Labellisation le modifie sans recompiler le logiciel : chaque version des
-- règles est identifiée par son empreinte (hash), enregistrée avec chaque
-- résultat, pour que toute décision puisse être rejouée et vérifiée.
--
-- La règle de départ est celle du référentiel public du label :
--   * 100 % des critères OBLIGATOIRES applicables sont totalement satisfaits
--     (« partiellement » ne suffit pas) ;
--   * au moins la moitié des critères RECOMMANDÉS applicables sont satisfaits,
--     totalement ou partiellement ;
--   * les critères CONSEILLÉS n'entrent pas en compte ;
--   * « non applicable » retire le critère du calcul ;
--   * un audit exige la participation des parties prenantes internes ;
--   * le label est attribué pour 3 ans.
-- Une auto-évaluation est notée par les mêmes règles mais ne donne jamais le
-- label : elle dit si un audit, avec les mêmes réponses, pourrait le donner.

local parameters = {
  recommended_threshold = 0.5,   -- part minimale de recommandés satisfaits (totalement ou partiellement)
  validity_years = 3,            -- durée de validité du label, en années
  stakeholders_required = true,  -- un audit sans parties prenantes internes ne donne pas le label
}

local tally = include("lib/tally.lua")

-- Le nombre de critères recommandés à satisfaire (totalement ou
-- partiellement) sur `total` applicables : le seuil, arrondi au critère
-- supérieur. Écrit une fois, pour l'explication comme pour le chemin vers le
-- label. (Le 1e-9 évite qu'une fraction exacte, 0,5 × 18 = 9, soit arrondie
-- à 10 par une erreur d'arrondi du calcul en virgule flottante.)
local function recommended_needed(total)
  return math.ceil(parameters.recommended_threshold * total - 1e-9)
end

local function plural(n, one, many)
  return n == 1 and one or many
end

-- Les phrases, en français, qui expliquent le résultat à la CAE.
local function explain(ctx, t, ratio, checks)
  local reasons = {}
  local function say(text) reasons[#reasons + 1] = text end
  local m, r = t.mandatory, t.recommended

  if #t.missing > 0 then
    say(string.format("Évaluation incomplète : %d %s sans réponse.", #t.missing,
      plural(#t.missing, "critère", "critères")))
  end
  if #m.failed > 0 then
    say(string.format("%d %s pas totalement %s : %s. Tous les critères obligatoires "
      .. "doivent être totalement satisfaits ; « partiellement » ne suffit pas.",
      #m.failed, plural(#m.failed, "critère obligatoire n'est", "critères obligatoires ne sont"),
      plural(#m.failed, "satisfait", "satisfaits"), tally.list(m.failed)))
  elseif #t.missing == 0 then
    say(string.format("Tous les critères obligatoires applicables sont totalement satisfaits "
      .. "(%d sur %d).", m.met, m.total))
  end
  local done = r.met + r.partial
  local sentence = string.format("Critères recommandés satisfaits totalement ou partiellement : "
    .. "%d sur %d (%s), pour un seuil de %s.", done, r.total, tally.percent(ratio),
    tally.percent(parameters.recommended_threshold))
  if not checks.recommended then
    local needed = recommended_needed(r.total)
    sentence = sentence .. string.format(" Il en faut au moins %d.", needed)
  end
  say(sentence)
  if not checks.stakeholders then
    say("Aucune partie prenante interne n'a participé à l'audit : "
      .. "leur participation est une obligation du label.")
  end
  if ctx.kind == "self_assessment" then
    say("Une auto-évaluation prépare l'audit ; elle ne donne pas le label.")
  end
  return reasons
end

-- Le chemin vers le label : le plus petit ensemble d'améliorations qui rendrait
-- l'évaluation éligible. D'abord chaque critère obligatoire pas totalement
-- satisfait ; puis le moins possible de critères recommandés pour atteindre le
-- seuil (les plus pondérés d'abord, puis dans l'ordre du référentiel), chacun
-- porté à « partiellement », ce qui suffit pour un recommandé.
local function path_to_label(ctx, t, ratio)
  local path = {}
  local function step(c, to)
    path[#path + 1] = { criterion = c.id, from = ctx.answers[c.index] or "missing", to = to }
  end
  local candidates = {}
  for _, c in ipairs(ctx.criteria) do
    local answer = ctx.answers[c.index]
    if c.level == "mandatory" and answer ~= "met" and answer ~= "not_applicable" then
      step(c, "met")
    elseif c.level == "recommended" and (answer == nil or answer == "not_met") then
      candidates[#candidates + 1] = c
    end
  end
  local r = t.recommended
  local needed = recommended_needed(r.total) - r.met - r.partial
  if needed > 0 then
    table.sort(candidates, function(a, b)
      if a.weight ~= b.weight then return a.weight > b.weight end
      return a.index < b.index
    end)
    for i = 1, math.min(needed, #candidates) do
      step(candidates[i], "partial")
    end
  end
  return path
end

-- Les trois conditions du label, à partir des décomptes (les critères non
-- applicables en sont déjà retirés) :
--   1. tous les critères obligatoires applicables sont totalement satisfaits ;
--   2. la part des recommandés satisfaits (totalement ou partiellement)
--      atteint le seuil ;
--   3. pour un audit, au moins une partie prenante interne a participé.
local function check(ctx, mandatory_all_met, recommended_done, recommended_total)
  local ratio = recommended_total > 0 and recommended_done / recommended_total or 1
  return {
    mandatory = mandatory_all_met,
    recommended = ratio >= parameters.recommended_threshold,
    stakeholders = ctx.kind ~= "audit" or not parameters.stakeholders_required
      or ctx.internal_stakeholders >= 1,
  }, ratio
end

-- La décision seule : « eligible », « not_eligible » ou « incomplete ».
-- Elle compte les mêmes choses que tally.count, mais sur une forme compacte
-- des réponses (ctx.by_level, une lettre par critère : voir lib/tally.lua),
-- ce qui la rend assez rapide pour simuler tout le réseau. evaluate()
-- ci-dessous l'appelle aussi : les deux ne peuvent pas diverger.
--   incomplete   un critère, quel que soit son niveau, est sans réponse ;
--   obligatoires aucun « partiellement » (P) ni « non satisfait » (N) ;
--   recommandés  les applicables (tous sauf X) moins les non satisfaits (N).
local function decide(ctx)
  local has, letters = tally.has, tally.letters
  local m, r, a = ctx.by_level.mandatory, ctx.by_level.recommended, ctx.by_level.advised
  if has(m, "?") or has(r, "?") or has(a, "?") then
    return "incomplete"
  end
  local recommended_total = #r - letters(r, "X")
  local checks = check(ctx, not has(m, "P") and not has(m, "N"),
    recommended_total - letters(r, "N"), recommended_total)
  if checks.mandatory and checks.recommended and checks.stakeholders then
    return "eligible"
  end
  return "not_eligible"
end

-- L'évaluation complète : la décision, les décomptes par niveau, les scores
-- par champ, l'explication et le chemin vers le label.
local function evaluate(ctx)
  local t = tally.count(ctx)
  local m, r = t.mandatory, t.recommended
  local checks, ratio = check(ctx, m.met == m.total, r.met + r.partial, r.total)
  local outcome = decide(ctx)

  local valid_until = nil
  if outcome == "eligible" and ctx.kind == "audit" then
    valid_until = tally.add_years(ctx.date, parameters.validity_years)
  end

  return {
    outcome = outcome,
    eligible = outcome == "eligible",
    valid_until = valid_until,
    score = t.score,
    missing = t.missing,
    mandatory = { total = m.total, met = m.met, failed = m.failed },
    recommended = {
      total = r.total, met = r.met, partial = r.partial,
      ratio = tally.round(ratio, 4), threshold = parameters.recommended_threshold,
    },
    advised = { total = t.advised.total, met = t.advised.met },
    fields = t.fields,
    reasons = explain(ctx, t, ratio, checks),
    path_to_label = outcome == "eligible" and {} or path_to_label(ctx, t, ratio),
  }
end

award {
  parameters = parameters,
  decide = decide,
  evaluate = evaluate,
}

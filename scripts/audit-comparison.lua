-- Comparaison de deux évaluations d'une même CAE, critère par critère.

local common = include("lib/common.lua")

report {
  title = "Comparaison de deux évaluations",
  description = "Deux évaluations d'une même CAE côte à côte, critère par critère.",
  audience = "cae",
  params = {
    { name = "a", type = "integer", required = true, label = "Première évaluation" },
    { name = "b", type = "integer", required = true, label = "Seconde évaluation" },
  },
  run = function(params, out)
    local a, b = data.assessment(params.a), data.assessment(params.b)
    if a.organisation_id ~= b.organisation_id then
      error("parameter b: assessments " .. a.id .. " and " .. b.id
        .. " belong to two different CAEs")
    end
    out.heading(a.organisation)
    local function by_criterion(x)
      local m = {}
      for _, answer in ipairs(x.answers) do m[answer.criterion] = answer.status end
      return m
    end
    local sa, sb = by_criterion(a), by_criterion(b)
    local rows, changed = {}, 0
    for _, c in ipairs(data.referential().criteria) do
      local x, y = sa[c.id], sb[c.id]
      local diff = x ~= y and "≠" or ""
      if diff ~= "" then changed = changed + 1 end
      rows[#rows + 1] = { c.id, c.level, common.answer_names[x] or "Sans réponse",
        common.answer_names[y] or "Sans réponse", diff }
    end
    out.paragraph(string.format("%d critères ont changé entre l'évaluation n° %d et la n° %d.",
      changed, a.id, b.id))
    if a.evaluation and b.evaluation then
      local labels, va, vb = {}, {}, {}
      for i, f in ipairs(a.evaluation.fields) do
        labels[i], va[i] = f.name, f.score
        vb[i] = (b.evaluation.fields[i] or {}).score or 0
      end
      out.chart { kind = "bar", title = "Scores par champ", labels = labels,
        series = { { name = "n° " .. a.id, values = va }, { name = "n° " .. b.id, values = vb } } }
    end
    out.table { columns = { "Critère", "Niveau", "n° " .. a.id, "n° " .. b.id, "Changé" },
      rows = rows }
  end,
}

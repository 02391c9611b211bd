-- Tableau de bord d'une CAE : ses scores par champ au fil des évaluations,
-- ses points forts et faibles, ses actions ouvertes et son chemin vers le label.

local common = include("lib/common.lua")

report {
  title = "Tableau de bord de la CAE",
  description = "Scores par champ au fil du temps, points forts et points faibles, actions "
    .. "ouvertes et chemin vers le label.",
  audience = "cae",
  params = {
    { name = "org", type = "integer", required = true, label = "Numéro de la CAE" },
  },
  run = function(params, out)
    local org
    for _, o in ipairs(data.organisations()) do
      if o.id == params.org then org = o end
    end
    if not org then error("parameter org: no organisation " .. params.org) end
    out.heading(org.name)

    local history = {}
    for _, a in ipairs(data.assessments { organisation = params.org }) do
      local full = data.assessment(a.id)
      if full.evaluation then history[#history + 1] = full end
    end
    if #history == 0 then
      out.paragraph("Aucune évaluation soumise pour le moment.")
      return
    end

    local fields, labels = {}, {}
    for i, f in ipairs(history[#history].evaluation.fields) do
      fields[i], labels[i] = f, f.name
    end
    local latest = history[#history]
    local scores = {}
    for i, f in ipairs(latest.evaluation.fields) do scores[i] = f.score end
    out.chart { kind = "radar", title = "Scores par champ — dernière évaluation", labels = labels,
      series = { { name = "n° " .. latest.id, values = scores } } }

    local columns, rows = { "Évaluation", "Type", "Date", "Résultat" }, {}
    for _, f in ipairs(fields) do columns[#columns + 1] = f.id end
    local series = {}
    for _, a in ipairs(history) do
      local row = { a.id, a.kind == "audit" and "Audit" or "Auto-évaluation", a.evaluation.date,
        common.outcome_names[a.evaluation.outcome] or a.evaluation.outcome }
      local values = {}
      for i, f in ipairs(a.evaluation.fields) do
        row[#row + 1] = f.score
        values[i] = f.score
      end
      rows[#rows + 1] = row
      series[#series + 1] = { name = "n° " .. a.id, values = values }
    end
    out.table { title = "Scores par champ au fil du temps", columns = columns, rows = rows }
    out.chart { kind = "bar", title = "Évolution des scores par champ", labels = labels,
      series = series }

    local sorted = {}
    for _, f in ipairs(latest.evaluation.fields) do sorted[#sorted + 1] = f end
    table.sort(sorted, function(a, b) return a.score > b.score end)
    out.heading("Points forts et points faibles")
    out.paragraph(string.format("Points forts : %s (%s) et %s (%s).", sorted[1].name,
      sorted[1].score, sorted[2].name, sorted[2].score))
    out.paragraph(string.format("Points faibles : %s (%s) et %s (%s).", sorted[#sorted].name,
      sorted[#sorted].score, sorted[#sorted - 1].name, sorted[#sorted - 1].score))

    out.heading("Actions ouvertes")
    local open = {}
    for _, item in ipairs(data.action_items(params.org)) do
      if item.status ~= "done" then
        open[#open + 1] = { item.criterion or "", item.action, item.owner or "", item.due or "",
          item.status }
      end
    end
    out.table { columns = { "Critère", "Action", "Responsable", "Échéance", "Statut" },
      rows = open }

    out.heading("Chemin vers le label")
    local path = {}
    for _, step in ipairs(latest.evaluation.path_to_label or {}) do
      path[#path + 1] = { step.criterion, common.answer_names[step.from] or "Sans réponse",
        common.answer_names[step.to] }
    end
    if #path == 0 then
      out.paragraph("La dernière évaluation remplit les conditions du label.")
    else
      out.table { columns = { "Critère", "Aujourd'hui", "À atteindre" }, rows = path }
    end
  end,
}

-- Ordre du jour du Comité : les audits soumis qui attendent une décision, avec
-- le résultat calculé par les règles, ses motifs et les constats de l'auditeur.

local common = include("lib/common.lua")

report {
  title = "Ordre du jour du Comité de labellisation",
  description = "Les audits soumis en attente de décision, avec le résultat calculé, les motifs "
    .. "et les recommandations rédigées par l'auditeur sur les critères non satisfaits.",
  audience = "committee",
  params = {
    { name = "date", type = "date", label = "Date de la séance (aujourd'hui par défaut)" },
  },
  run = function(params, out)
    local date = params.date or data.today()
    out.paragraph("Séance du " .. date .. ".")
    local waiting = data.assessments { kind = "audit", status = "submitted" }
    if #waiting == 0 then
      out.paragraph("Aucun audit n'attend de décision.")
    end
    local summary = {}
    for i, a in ipairs(waiting) do
      local full = data.assessment(a.id)
      local ev = full.evaluation or {}
      summary[#summary + 1] = { a.organisation, a.id, (a.submitted_at or ""):sub(1, 10),
        common.outcome_names[ev.outcome] or "?", ev.valid_until or "" }
      out.heading(string.format("%s — audit n° %d", a.organisation, a.id), 3)
      out.paragraph("Résultat calculé : " .. (common.outcome_names[ev.outcome] or "?") .. ".")
      for _, reason in ipairs(ev.reasons or {}) do out.paragraph(reason) end
      local notes = {}
      for _, answer in ipairs(full.answers) do
        if answer.status ~= "met" and answer.status ~= "not_applicable" and answer.comment ~= "" then
          notes[#notes + 1] = { answer.criterion, common.answer_names[answer.status], answer.comment }
        end
      end
      if #notes > 0 then
        out.table { title = "Recommandations de l'auditeur", columns = { "Critère", "Constat",
          "Recommandation" }, rows = notes }
      end
      progress(i, #waiting)
    end
    out.table { title = "Récapitulatif", columns = { "CAE", "Audit", "Soumis le",
      "Résultat calculé", "Validité si attribué" }, rows = summary }
  end,
}

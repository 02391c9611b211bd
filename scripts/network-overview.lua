-- Vue d'ensemble du réseau : où en est chaque CAE dans la démarche de label.

local common = include("lib/common.lua")

local order = { "labelled", "engaged", "expired", "none" }

report {
  title = "Vue d'ensemble du réseau",
  description = "Les CAE par statut de label, les labels qui arrivent à échéance dans les 6 et "
    .. "12 prochains mois, et les audits en attente de décision du Comité.",
  audience = "committee",
  params = {
    { name = "date", type = "date", label = "Date de référence (aujourd'hui par défaut)" },
  },
  run = function(params, out)
    local today = params.date or data.today()
    local labels = data.labels()

    local counts = { labelled = 0, engaged = 0, expired = 0, none = 0 }
    for _, l in ipairs(labels) do counts[l.status] = counts[l.status] + 1 end
    out.heading("Les CAE par statut de label")
    local rows, names, values = {}, {}, {}
    for _, s in ipairs(order) do
      rows[#rows + 1] = { common.status_names[s], counts[s] }
      names[#names + 1] = common.status_names[s]
      values[#values + 1] = counts[s]
    end
    out.table { columns = { "Statut", "CAE" }, rows = rows }
    out.chart { kind = "bar", title = "CAE par statut", labels = names,
      series = { { name = "CAE", values = values } } }

    local now = common.days(today)
    for _, months in ipairs({ 6, 12 }) do
      local limit = common.days(common.add_months(today, months))
      local expiring = {}
      for _, l in ipairs(labels) do
        local d = common.days(l.valid_until)
        if l.status == "labelled" and d and d >= now and d <= limit then
          expiring[#expiring + 1] = { l.organisation, l.city or "", l.valid_until, d - now }
        end
      end
      table.sort(expiring, function(a, b) return a[4] < b[4] end)
      out.heading(string.format("Labels arrivant à échéance dans les %d mois", months))
      out.table { columns = { "CAE", "Ville", "Valable jusqu'au", "Jours restants" },
        rows = expiring }
    end

    out.heading("Audits en attente de décision")
    local waiting = {}
    for _, a in ipairs(data.assessments { kind = "audit", status = "submitted" }) do
      local ev = data.assessment(a.id).evaluation or {}
      waiting[#waiting + 1] = { a.organisation, a.id, (a.submitted_at or ""):sub(1, 10),
        common.outcome_names[ev.outcome] or "?" }
    end
    out.table { columns = { "CAE", "Audit", "Soumis le", "Résultat calculé" }, rows = waiting }
    out.paragraph(string.format("%d CAE dans le réseau, %d labellisées au %s.", #labels,
      counts.labelled, today))
  end,
}

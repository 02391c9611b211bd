-- Carte des critères : pour chaque critère, la part des derniers audits qui ne
-- le satisfont pas totalement. Ce que le réseau devrait travailler en formation.

report {
  title = "Carte des critères non satisfaits",
  description = "Pour chaque critère, la part des derniers audits de chaque CAE qui ne le "
    .. "satisfont pas totalement (les « non applicable » sont retirés du calcul).",
  audience = "committee",
  params = {},
  run = function(params, out)
    local ref = data.referential()
    local audits = data.latest_answers { kind = "audit" }
    local failing, answered = {}, {}
    for _, c in ipairs(ref.criteria) do failing[c.id], answered[c.id] = 0, 0 end
    local n = 0
    for _, audit in pairs(audits) do
      n = n + 1
      for id, status in pairs(audit.answers) do
        if answered[id] and status ~= "not_applicable" then
          answered[id] = answered[id] + 1
          if status ~= "met" then failing[id] = failing[id] + 1 end
        end
      end
    end

    local share = {}
    for _, c in ipairs(ref.criteria) do
      share[c.id] = answered[c.id] > 0 and failing[c.id] / answered[c.id] or 0
    end

    -- One heatmap row per field, one column per criterion of the field.
    local rows, columns, values, width = {}, {}, {}, 0
    for f, field in ipairs(ref.fields) do
      rows[f], values[f] = field.name, {}
      local k = 0
      for _, c in ipairs(ref.criteria) do
        if c.field == field.id then
          k = k + 1
          values[f][k] = share[c.id]
        end
      end
      if k > width then width = k end
      progress(f, #ref.fields)
    end
    for k = 1, width do columns[k] = string.format("%02d", k) end
    out.paragraph(string.format("%d derniers audits analysés.", n))
    out.chart { kind = "heatmap", title = "Part des audits ne satisfaisant pas le critère",
      rows = rows, columns = columns, values = values }

    local table_rows = {}
    for _, c in ipairs(ref.criteria) do
      table_rows[#table_rows + 1] = { c.id, c.field, c.level, answered[c.id], failing[c.id],
        math.floor(1000 * share[c.id] + 0.5) / 10 }
    end
    table.sort(table_rows, function(a, b)
      if a[6] ~= b[6] then return a[6] > b[6] end
      return a[1] < b[1]
    end)
    out.table { title = "Critères, du moins satisfait au plus satisfait",
      columns = { "Critère", "Champ", "Niveau", "Audits", "Non satisfaits", "Part (%)" },
      rows = table_rows }
  end,
}

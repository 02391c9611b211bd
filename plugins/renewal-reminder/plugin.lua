-- renewal-reminder : six mois avant l'échéance d'un label, ajoute au plan
-- d'action de la CAE ce qu'il faut pour le renouveler.

local function months_before(iso, months)
  local y, m, d = iso:match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  y, m, d = tonumber(y), tonumber(m) - months, tonumber(d)
  while m < 1 do m, y = m + 12, y - 1 end
  if d > 28 then d = 28 end
  return string.format("%04d-%02d-%02d", y, m, d)
end

plugin {
  name = "renewal-reminder",
  version = "1.0.0",
  description = "Actions de renouvellement 6 mois avant l'échéance du label",
  priority = 100,
  settings = {
    lead_days = { type = "number", default = 180, description = "Échéance annoncée à l'avance" },
  },
  hooks = {
    on_event = function(event, settings)
      local d = event.data or {}
      if event.type ~= "label.expiring" or d.lead_days ~= settings.lead_days then return end
      local until_ = d.valid_until
      add_action_item(d.organisation_id, {
        action = "Mettre à jour l'auto-évaluation sur le référentiel en vigueur",
        owner = "Direction de la CAE",
        due = months_before(until_, 4),
      })
      add_action_item(d.organisation_id, {
        action = "Demander l'audit de renouvellement du LABEL CPE au réseau",
        owner = "Direction de la CAE",
        due = months_before(until_, 3),
      })
      add_action_item(d.organisation_id, {
        action = "Mobiliser les parties prenantes internes pour l'audit de renouvellement",
        owner = "Direction de la CAE",
        due = months_before(until_, 2),
      })
    end,
  },
}

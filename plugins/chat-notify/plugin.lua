-- chat-notify : annonce les décisions et les labels qui arrivent à échéance
-- dans un salon de discussion (webhooks entrants Mattermost ou Slack, qui
-- attendent {"text": "..."}). Un point d'accès webhook créé avec
-- "plugin": "chat-notify" reçoit ce texte au lieu de l'événement brut.

local outcomes = {
  awarded = "attribué",
  refused = "refusé",
  deferred = "ajourné",
}

local function french_date(iso)
  local y, m, d = (iso or ""):match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  if not y then return iso or "" end
  return d .. "/" .. m .. "/" .. y
end

-- The sentence for one event, or nil to send the standard payload.
local function sentence(event)
  local d = event.data or {}
  local who = d.organisation or "une CAE"
  if event.type == "decision.recorded" then
    local text = string.format("Le Comité de labellisation a %s le label à %s",
      d.outcome == "deferred" and "ajourné sa décision sur" or outcomes[d.outcome] or d.outcome, who)
    if d.valid_until then
      text = text .. string.format(" (valable jusqu'au %s)", french_date(d.valid_until))
    end
    return text .. "."
  elseif event.type == "label.expiring" then
    return string.format("Le LABEL CPE de %s arrive à échéance le %s (dans %d jours).",
      who, french_date(d.valid_until), d.days_left or 0)
  elseif event.type == "label.expired" then
    return string.format("Le LABEL CPE de %s a expiré le %s.", who, french_date(d.valid_until))
  end
  return nil
end

plugin {
  name = "chat-notify",
  version = "1.0.0",
  description = "Messages Mattermost/Slack pour les décisions et les échéances de label",
  priority = 50,
  settings = {
    prefix = { type = "string", default = "", description = "Texte ajouté devant chaque message" },
  },
  hooks = {
    webhook_payload = function(endpoint, event, settings)
      local text = sentence(event)
      if not text then return nil end
      if settings.prefix ~= "" then text = settings.prefix .. " " .. text end
      return { text = text }
    end,
  },
}

-- Label bientôt échu : dit aux membres de la CAE que leur label arrive à
-- échéance (à 180, 90 puis 30 jours). Données : assessment_id,
-- organisation {id, name}, valid_until, days_left, lead_days, recipient
-- {name, email, role}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  valid_until = "2027-03-01",
  days_left = 90,
  lead_days = 90,
  recipient = { name = "Camille Membre", email = "camille@example.org", role = "cae" },
  link = "https://label.example.org/#/cae/7",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/5-0123456789abcdef/label_expiring",
}

local function render(data)
  local days = math.tointeger(data.days_left) or data.days_left
  return notice.message({
    subject = "Label de " .. data.organisation.name .. " : échéance le " .. notice.date(data.valid_until),
    paragraphs = {
      "Bonjour " .. data.recipient.name .. ",",
      "Le label de votre CAE « " .. data.organisation.name .. " » arrive à échéance le "
        .. notice.date(data.valid_until) .. ", dans " .. days .. " jours.",
      "Pour le renouveler, préparez dès maintenant votre auto-évaluation et un nouvel audit.",
    },
    link = data.link,
    link_label = "Ouvrir le tableau de bord",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

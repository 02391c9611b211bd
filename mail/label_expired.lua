-- Label échu : dit aux membres de la CAE que leur label a expiré.
-- Données : assessment_id, organisation {id, name}, valid_until, recipient
-- {name, email, role}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  valid_until = "2027-03-01",
  recipient = { name = "Camille Membre", email = "camille@example.org", role = "cae" },
  link = "https://label.example.org/#/cae/7",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/5-0123456789abcdef/label_expired",
}

local function render(data)
  return notice.message({
    subject = "Label de " .. data.organisation.name .. " échu le " .. notice.date(data.valid_until),
    paragraphs = {
      "Bonjour " .. data.recipient.name .. ",",
      "Le label de votre CAE « " .. data.organisation.name .. " » a pris fin le "
        .. notice.date(data.valid_until) .. " : il n'apparaît plus au registre public.",
      "Un nouvel audit permet de l'obtenir à nouveau.",
    },
    link = data.link,
    link_label = "Ouvrir le tableau de bord",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

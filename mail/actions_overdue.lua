-- Actions en retard : le résumé de la semaine, aux membres de la CAE, des
-- actions de leur plan dont l'échéance est passée. Données : organisation
-- {id, name}, week (le lundi), items [{id, criterion, action, due}],
-- recipient {name, email, role}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  week = "2027-03-01",
  items = {
    { id = 3, criterion = "JF-03", action = "Mettre à jour les statuts", due = "2027-02-15" },
    { id = 4, criterion = "GO-01", action = "Réunir le conseil", due = "2027-02-20" },
  },
  recipient = { name = "Camille Membre", email = "camille@example.org", role = "cae" },
  link = "https://label.example.org/#/cae/7/plan-action",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/5-0123456789abcdef/actions_overdue",
}

local function render(data)
  local items = {}
  for i, a in ipairs(data.items) do
    items[i] = (a.criterion and a.criterion .. " : " or "") .. a.action
      .. " (échéance le " .. notice.date(a.due) .. ")"
  end
  local n = #items
  return notice.message({
    subject = "Actions en retard : " .. data.organisation.name .. " (" .. n .. ")",
    paragraphs = {
      "Bonjour " .. data.recipient.name .. ",",
      n == 1 and "Une action du plan de votre CAE a dépassé son échéance :"
        or n .. " actions du plan de votre CAE ont dépassé leur échéance :",
    },
    items = items,
    link = data.link,
    link_label = "Ouvrir le plan d'action",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

-- Audit ajourné : dit à l'auditeur que le comité lui rend l'audit, avec les
-- points à compléter. Données : assessment_id, organisation {id, name},
-- points (chacun un texte, ou {criterion, text}), recipient {name, email,
-- role}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  points = {
    { criterion = "JF-03", text = "Joindre le procès-verbal de l'assemblée." },
    "Préciser la date de la prochaine visite.",
  },
  recipient = { name = "Amélie Poulain", email = "amelie@example.org", role = "auditor" },
  link = "https://label.example.org/#/evaluations/42",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/7-0123456789abcdef/audit_deferred",
}

local function render(data)
  local items = {}
  for i, p in ipairs(data.points or {}) do
    -- a point is a text, or {criterion, text}
    items[i] = type(p) == "table" and ((p.criterion and p.criterion .. " : " or "") .. p.text)
      or tostring(p)
  end
  return notice.message({
    subject = "Audit ajourné : " .. data.organisation.name .. " (points à compléter)",
    paragraphs = {
      "Bonjour " .. data.recipient.name .. ",",
      "Le comité ajourne sa décision sur l'audit de la CAE « " .. data.organisation.name
        .. " » et vous le rend pour compléter ces points :",
    },
    items = items,
    link = data.link,
    link_label = "Reprendre l'audit",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

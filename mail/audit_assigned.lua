-- Audit confié : dit à l'auditeur et aux membres de la CAE qu'un audit est
-- ouvert, avec le lien vers l'évaluation. Données : assessment_id,
-- organisation {id, name}, auditor {name, email}, recipient {name, email,
-- role : "auditor" ou "cae"}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  auditor = { name = "Amélie Poulain", email = "amelie@example.org" },
  recipient = { name = "Amélie Poulain", email = "amelie@example.org", role = "auditor" },
  link = "https://label.example.org/#/evaluations/42",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/7-0123456789abcdef/audit_assigned",
}

local function render(data)
  local org = data.organisation.name
  local says = data.recipient.role == "auditor"
    and "L'audit de la CAE « " .. org .. " » vous est confié."
    or "L'audit de votre CAE « " .. org .. " » est confié à " .. data.auditor.name .. "."
  return notice.message({
    subject = "Audit confié : " .. org,
    paragraphs = { "Bonjour " .. data.recipient.name .. ",", says },
    link = data.link,
    link_label = "Ouvrir l'audit",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

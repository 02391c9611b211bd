-- Audit remis : dit au comité qu'un auditeur a remis son audit, qui attend
-- sa décision. Données : assessment_id, organisation {id, name}, recipient
-- {name, email, role}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  recipient = { name = "Claire Comité", email = "claire@example.org", role = "committee" },
  link = "https://label.example.org/#/comite/audits/42",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/3-0123456789abcdef/audit_submitted",
}

local function render(data)
  local org = data.organisation.name
  return notice.message({
    subject = "Audit remis : " .. org,
    paragraphs = {
      "Bonjour " .. data.recipient.name .. ",",
      "L'audit de la CAE « " .. org .. " » est remis : il attend la décision du comité.",
    },
    link = data.link,
    link_label = "Ouvrir l'audit",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

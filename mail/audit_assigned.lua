-- Audit confié : dit à l'auditeur et aux membres de la CAE qu'un audit est
-- ouvert, avec le lien vers l'évaluation. Données : assessment_id,
-- organisation {id, name}, auditor {name, email}, recipient {name, email,
-- role : "auditor" ou "cae"}, link, unsubscribe.

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  auditor = { name = "Amélie Poulain", email = "amelie@example.org" },
  recipient = { name = "Amélie Poulain", email = "amelie@example.org", role = "auditor" },
  link = "https://label.example.org/#/evaluations/42",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/audit_assigned",
}

-- Le corps du message, une phrase par destinataire.
local function lines(data)
  local org, auditor = data.organisation.name, data.auditor.name
  if data.recipient.role == "auditor" then
    return {
      "Bonjour " .. data.recipient.name .. ",",
      "L'audit de la CAE « " .. org .. " » vous est confié.",
      "Vous le trouverez ici : " .. data.link,
    }
  end
  return {
    "Bonjour " .. data.recipient.name .. ",",
    "L'audit de votre CAE « " .. org .. " » est confié à " .. auditor .. ".",
    "Vous pouvez le suivre ici : " .. data.link,
  }
end

local function render(data)
  local l = lines(data)
  local footer = "Pour ne plus recevoir ces messages : " .. data.unsubscribe
  local text = table.concat(l, "\n\n") .. "\n\n-- \n" .. footer .. "\n"
  local html = {}
  for i, line in ipairs(l) do html[i] = "<p>" .. html_escape(line) .. "</p>" end
  html[#html + 1] = '<p><a href="' .. html_escape(data.link) .. '">Ouvrir l\'audit</a></p>'
  html[#html + 1] = '<hr><p><small><a href="' .. html_escape(data.unsubscribe)
    .. '">Ne plus recevoir ces messages</a></small></p>'
  return {
    subject = "Audit confié : " .. data.organisation.name,
    text = text,
    html = "<!DOCTYPE html><html lang=\"fr\"><body>" .. table.concat(html, "\n") .. "</body></html>",
  }
end

return { sample = sample, render = render }

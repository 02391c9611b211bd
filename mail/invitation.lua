-- Invitation : quelqu'un invite une personne à rejoindre la plateforme avec
-- un rôle ; le lien, valable 7 jours et une seule fois, mène au choix du mot
-- de passe. Données : recipient {name, email}, inviter {name}, role,
-- organisation {name} (ou nil), link, days.

local roles = {
  cae = "membre de CAE",
  auditor = "auditeur ou auditrice",
  committee = "membre du comité de labellisation",
  admin = "administrateur ou administratrice",
}

local sample = {
  recipient = { name = "Amélie Poulain", email = "amelie@example.org" },
  inviter = { name = "Jean Dupont" },
  role = "cae",
  organisation = { name = "Coopérative Élan & Cie" },
  link = "https://label.example.org/#/invitation/EXEMPLE",
  days = 7,
}

local function render(data)
  local role = roles[data.role] or data.role
  local where = data.organisation and (" de « " .. data.organisation.name .. " »") or ""
  local l = {
    "Bonjour " .. data.recipient.name .. ",",
    data.inviter.name .. " vous invite sur la plateforme du label, comme " .. role .. where .. ".",
    "Pour accepter et choisir votre mot de passe, ouvrez ce lien dans les "
      .. data.days .. " jours : " .. data.link,
  }
  local html = {}
  for i, line in ipairs(l) do html[i] = "<p>" .. html_escape(line) .. "</p>" end
  return {
    subject = "Invitation sur la plateforme du label",
    text = table.concat(l, "\n\n") .. "\n",
    html = "<!DOCTYPE html><html lang=\"fr\"><body>" .. table.concat(html, "\n") .. "</body></html>",
  }
end

return { sample = sample, render = render }

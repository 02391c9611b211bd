-- Mot de passe oublié : le lien, valable une heure et une seule fois, qui
-- mène au choix d'un nouveau mot de passe. Données : recipient {name,
-- email}, link, hours. Un message sur le compte lui-même : sans désabonnement.

local sample = {
  recipient = { name = "Amélie Poulain", email = "amelie@example.org" },
  link = "https://label.example.org/#/mot-de-passe/EXEMPLE",
  hours = 1,
}

local function render(data)
  local l = {
    "Bonjour " .. data.recipient.name .. ",",
    "Quelqu'un (vous, sans doute) a demandé à changer le mot de passe de votre compte.",
    "Pour en choisir un nouveau, ouvrez ce lien dans l'heure : " .. data.link,
    "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.",
  }
  local html = {}
  for i, line in ipairs(l) do html[i] = "<p>" .. html_escape(line) .. "</p>" end
  return {
    subject = "Réinitialisation de votre mot de passe",
    text = table.concat(l, "\n\n") .. "\n",
    html = "<!DOCTYPE html><html lang=\"fr\"><body>" .. table.concat(html, "\n") .. "</body></html>",
  }
end

return { sample = sample, render = render }

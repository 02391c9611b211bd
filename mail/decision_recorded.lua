-- Décision du comité : dit aux membres de la CAE ce que le comité a décidé
-- sur son audit et, quand le label est attribué, où est le certificat.
-- Données : assessment_id, organisation {id, name}, outcome ("awarded",
-- "refused" ou "deferred"), date, valid_until (attribué), certificate (le
-- lien du certificat, attribué), recipient {name, email, role}, link,
-- unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  assessment_id = 42,
  organisation = { id = 7, name = "Coopérative Élan & Cie" },
  outcome = "awarded",
  date = "2027-03-01",
  valid_until = "2030-03-01",
  certificate = "https://label.example.org/api/v1/assessments/42/certificate.pdf",
  recipient = { name = "Camille Membre", email = "camille@example.org", role = "cae" },
  link = "https://label.example.org/#/evaluations/42/resultats",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/5-0123456789abcdef/decision_recorded",
}

local SUBJECTS = { awarded = "Label attribué", refused = "Label refusé", deferred = "Décision ajournée" }

local function says(data)
  local on = "Le comité a rendu sa décision le " .. notice.date(data.date)
    .. " sur l'audit de votre CAE « " .. data.organisation.name .. " » : "
  if data.outcome == "awarded" then
    return {
      on .. "le label est attribué, jusqu'au " .. notice.date(data.valid_until) .. ".",
      "Votre certificat : " .. data.certificate,
    }
  elseif data.outcome == "refused" then
    return { on .. "le label n'est pas attribué." }
  end
  return { on .. "la décision est ajournée ; l'auditeur complète quelques points de l'audit." }
end

local function render(data)
  local paragraphs = { "Bonjour " .. data.recipient.name .. "," }
  for _, p in ipairs(says(data)) do paragraphs[#paragraphs + 1] = p end
  return notice.message({
    subject = (SUBJECTS[data.outcome] or "Décision du comité") .. " : " .. data.organisation.name,
    paragraphs = paragraphs,
    link = data.link,
    link_label = "Voir les résultats",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

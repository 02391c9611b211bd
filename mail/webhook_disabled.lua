-- Webhook désactivé : dit aux administrateurs qu'un webhook ne reçoit plus
-- rien après des échecs. Données : webhook {id, url}, reason, recipient
-- {name, email, role}, link, unsubscribe.

local notice = include("lib/notice.lua")

local sample = {
  webhook = { id = 3, url = "https://chat.example.org/hooks/label" },
  reason = "every attempt failed for 5 days",
  recipient = { name = "Alex Admin", email = "alex@example.org", role = "admin" },
  link = "https://label.example.org/#/admin/webhooks/3",
  unsubscribe = "https://label.example.org/api/v1/unsubscribe/1-0123456789abcdef/webhook_disabled",
}

local REASONS = {
  ["every attempt failed for 5 days"] = "chaque envoi a échoué pendant 5 jours",
  ["the receiver answered 410 Gone"] = "le destinataire a répondu 410 (Gone)",
}

local function render(data)
  return notice.message({
    subject = "Webhook désactivé : " .. data.webhook.url,
    paragraphs = {
      "Bonjour " .. data.recipient.name .. ",",
      "Le webhook n° " .. math.tointeger(data.webhook.id) .. " (" .. data.webhook.url
        .. ") est désactivé : " .. (REASONS[data.reason] or tostring(data.reason)) .. ".",
      "Les événements ne lui sont plus envoyés. Réactivez-le une fois le récepteur réparé.",
    },
    link = data.link,
    link_label = "Voir ses livraisons",
    unsubscribe = data.unsubscribe,
  })
end

return { sample = sample, render = render }

-- Ce que les notifications partagent : leur mise en page (texte et HTML,
-- avec le lien de désabonnement en pied) et les dates écrites en français.

local M = {}

local MONTHS = { "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
  "septembre", "octobre", "novembre", "décembre" }

-- "2027-03-01" écrit « 1er mars 2027 ».
function M.date(iso)
  local y, m, d = tostring(iso or ""):match("^(%d+)-(%d+)-(%d+)$")
  if not y then return tostring(iso or "") end
  d = tonumber(d)
  return (d == 1 and "1er" or tostring(d)) .. " " .. MONTHS[tonumber(m)] .. " " .. y
end

-- Le message : t.subject, t.paragraphs (des phrases), t.items (une liste,
-- facultative, après les phrases), t.link et t.link_label (le bouton),
-- t.unsubscribe (le lien de désabonnement, facultatif).
function M.message(t)
  local text, html = {}, {}
  for _, p in ipairs(t.paragraphs) do
    text[#text + 1] = p
    html[#html + 1] = "<p>" .. html_escape(p) .. "</p>"
  end
  if t.items and #t.items > 0 then
    local lines, li = {}, {}
    for i, item in ipairs(t.items) do
      lines[i] = "- " .. item
      li[i] = "<li>" .. html_escape(item) .. "</li>"
    end
    text[#text + 1] = table.concat(lines, "\n")
    html[#html + 1] = "<ul>" .. table.concat(li) .. "</ul>"
  end
  if t.link then
    text[#text + 1] = t.link_label .. " : " .. t.link
    html[#html + 1] = '<p><a href="' .. html_escape(t.link) .. '">' .. html_escape(t.link_label)
      .. "</a></p>"
  end
  local body = table.concat(text, "\n\n") .. "\n"
  if t.unsubscribe then
    body = body .. "\n-- \nPour ne plus recevoir ces messages : " .. t.unsubscribe .. "\n"
    html[#html + 1] = '<hr><p><small><a href="' .. html_escape(t.unsubscribe)
      .. '">Ne plus recevoir ces messages</a></small></p>'
  end
  return {
    subject = t.subject,
    text = body,
    html = '<!DOCTYPE html><html lang="fr"><body>' .. table.concat(html, "\n") .. "</body></html>",
  }
end

return M

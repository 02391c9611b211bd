-- Outils partagés par les rapports : dates, pourcentages, libellés.

local common = {}

-- Days since an arbitrary origin of a "YYYY-MM-DD" date (noon avoids DST edges).
function common.days(iso)
  local y, m, d = (iso or ""):match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  if not y then return nil end
  return math.floor(os.time { year = tonumber(y), month = tonumber(m), day = tonumber(d),
    hour = 12 } / 86400)
end

-- "YYYY-MM-DD" plus n months (the day kept within the month).
function common.add_months(iso, n)
  local y, m, d = iso:match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  y, m, d = tonumber(y), tonumber(m) + n, tonumber(d)
  while m > 12 do m, y = m - 12, y + 1 end
  while m < 1 do m, y = m + 12, y - 1 end
  if d > 28 then d = 28 end
  return string.format("%04d-%02d-%02d", y, m, d)
end

function common.percent(x)
  return (string.format("%.1f %%", 100 * x):gsub("%.", ","))
end

common.status_names = {
  none = "Sans label",
  engaged = "Engagée dans la démarche",
  labelled = "Labellisée",
  expired = "Label expiré",
}

common.outcome_names = {
  eligible = "Éligible",
  not_eligible = "Non éligible",
  incomplete = "Incomplète",
}

common.answer_names = {
  met = "Satisfait",
  partial = "Partiel",
  not_met = "Non satisfait",
  not_applicable = "Non applicable",
}

return common

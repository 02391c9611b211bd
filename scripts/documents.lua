-- Documents de preuve : pour chaque CAE, ses documents, leurs versions, leur
-- taille et leur empreinte SHA-256 (jamais leur contenu).

local types = {
  ["application/pdf"] = "PDF",
  ["image/png"] = "PNG",
  ["image/jpeg"] = "JPEG",
  ["text/plain"] = "Texte",
  ["text/csv"] = "CSV",
}

-- Le nom court d'un type MIME : PDF, OpenDocument, Office…
local function type_name(mime)
  if types[mime] then return types[mime] end
  if mime:find("^application/vnd%.oasis%.opendocument%.") then return "OpenDocument" end
  if mime:find("^application/vnd%.openxmlformats%-officedocument%.") then return "Office" end
  return mime
end

-- Une taille en octets, Kio ou Mio, à la française.
local function size_text(bytes)
  if bytes < 1024 then return string.format("%d o", bytes) end
  local kib = bytes / 1024
  local text = kib < 1024 and string.format("%.1f Kio", kib) or string.format("%.1f Mio", kib / 1024)
  return (text:gsub("%.", ","))
end

-- Les octets qu'occupent les documents : chaque fichier une fois, comme sur le disque.
local function stored_bytes(docs)
  local seen, total = {}, 0
  for _, d in ipairs(docs) do
    for _, v in ipairs(d.versions) do
      if not seen[v.sha256] then
        seen[v.sha256] = true
        total = total + v.size
      end
    end
  end
  return total
end

-- Les critères qui citent cette version (la dernière : aussi les liens sans
-- version), « évaluation n° : critère » ; vide quand aucune réponse ne la cite.
local function linked_by(links, version, latest)
  local where = {}
  for _, l in ipairs(links or {}) do
    if l.version == version or (l.version == nil and version == latest) then
      where[#where + 1] = string.format("%d : %s", l.assessment_id, l.criterion)
    end
  end
  return table.concat(where, ", ")
end

report {
  title = "Documents de preuve des CAE",
  description = "Pour chaque CAE, le nombre de documents et de versions, la place qu'ils "
    .. "occupent, et la liste des documents avec leur type, leur taille et leur empreinte SHA-256.",
  audience = "committee",
  params = {
    { name = "org", type = "integer", label = "Numéro de la CAE (toutes par défaut)" },
  },
  run = function(params, out)
    local by_org = {}
    for _, d in ipairs(data.documents { organisation = params.org }) do
      by_org[d.organisation_id] = by_org[d.organisation_id] or {}
      table.insert(by_org[d.organisation_id], d)
    end
    local orgs = data.organisations()

    out.heading("Documents par CAE")
    local rows, all_docs, all_versions, all_bytes = {}, 0, 0, 0
    for _, o in ipairs(orgs) do
      local docs = by_org[o.id] or {}
      if not params.org or o.id == params.org then
        local versions = 0
        for _, d in ipairs(docs) do versions = versions + #d.versions end
        local bytes = stored_bytes(docs)
        rows[#rows + 1] = { o.name, #docs, versions, bytes, size_text(bytes) }
        all_docs, all_versions, all_bytes = all_docs + #docs, all_versions + versions, all_bytes + bytes
      end
    end
    out.table { columns = { "CAE", "Documents", "Versions", "Octets", "Taille" }, rows = rows }
    out.paragraph(string.format("%d documents, %d versions, %s en tout.", all_docs, all_versions,
      size_text(all_bytes)))

    for _, o in ipairs(orgs) do
      local docs = by_org[o.id]
      if docs then
        out.heading(o.name)
        local list = {}
        for _, d in ipairs(docs) do
          for _, v in ipairs(d.versions) do
            list[#list + 1] = { d.id, d.title, v.version, type_name(v.type), v.size,
              (v.created_at or ""):sub(1, 10), v.sha256, linked_by(d.links, v.version, #d.versions) }
          end
        end
        out.table { columns = { "Document", "Titre", "Version", "Type", "Octets", "Déposé le",
          "SHA-256", "Preuve de" }, rows = list }
      end
    end
  end,
}

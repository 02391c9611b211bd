-- Helpers for the evidence documents' specs (issue 20): a multipart upload
-- into a CAE's library, or of a new version, through curl. Built on
-- http_support.lua.

local H = require "http_support"

local D = {}

-- A multipart upload of path (as opts.filename, when given) with the form's
-- fields (default: title = opts.title or "Statuts") as opts.token: into
-- organisation opts.org's library, or a new version of opts.document.
function D.upload(server, path, opts)
  local args = { "-F", "file=@" .. path .. (opts.filename and (";filename=" .. opts.filename) or "") }
  for name, value in pairs(opts.fields or { title = opts.title or "Statuts" }) do
    args[#args + 1] = "-F"
    args[#args + 1] = name .. "=" .. value
  end
  for _, word in ipairs(opts.curl_args or {}) do
    args[#args + 1] = word
  end
  local target = opts.document and ("/api/v1/documents/" .. opts.document .. "/versions")
    or ("/api/v1/organisations/" .. opts.org .. "/documents")
  return H.request(server, "POST", target, { token = opts.token,
    curl_args = args, max_time = 60, headers = opts.headers })
end

return D

-- Checks a spec's own HTTP answers against the API's OpenAPI description
-- (GET /api/v1/openapi.json). A spec calls O.record() once, where it
-- starts (H.request and H.many then write each response to a file of the
-- spec's own), and O.check_all in a test at its end (see there): openapi_check.py (Debian's
-- python3 and python3-jsonschema) runs once over all of them: each status
-- documented, each JSON body fitting its schema, each JSON body the server
-- took fitting the documented request. Specs running at once share nothing.
--
-- Uses support.lua and http_support.lua.

local support = require "support"
local H = require "http_support"

local O = {}

O.CHECK = support.root .. "/tests/functional/openapi_check.py"

-- Our own folders: a spec's H.cleanup() or support.cleanup() between its
-- tests must leave the records alone.
local tmpdir, cleanup = support.tmpdirs("labelcoop-openapi")
local records

-- Starts recording; returns the file.
function O.record()
  records = tmpdir() .. "/responses.jsonl"
  H.record_to(records)
  return records
end

-- Runs openapi_check.py on the document in doc_file with the words of
-- `args` (see the script); fails the test with what it printed. Returns
-- its output.
function O.run(doc_file, args)
  local words = { "/usr/bin/python3", O.CHECK, doc_file }
  for _, a in ipairs(args) do
    words[#words + 1] = a
  end
  for i, w in ipairs(words) do
    words[i] = support.quote(w)
  end
  local out = tmpdir() .. "/check.out"
  local ok = os.execute(table.concat(words, " ") .. " >" .. support.quote(out) .. " 2>&1")
  local text = support.read(out) or ""
  assert(ok == true, "openapi_check.py " .. table.concat(args, " ") .. ":\n" .. text)
  return text
end

-- The document `server` serves, in a file; returns its path. Without a
-- server, one started for it on a new database (the spec's may be gone).
function O.document(server)
  local dir = tmpdir()
  local own = not server
  if own then
    H.admin({ "init", "--db", dir .. "/labelcoop.db" })
    server = H.keep(H.start_server({ db = dir .. "/labelcoop.db" }))
  end
  local r = H.request(server, "GET", "/api/v1/openapi.json")
  if own then
    server.stop()
  end
  assert(r.status == 200, "GET /api/v1/openapi.json: " .. H.show(r))
  return support.write(dir .. "/openapi.json", r.body)
end

-- Stops recording and checks what was recorded against the document
-- `server` serves (nil: see O.document). With opts.every_operation, each
-- operation of the document must also have answered (neither 404 nor 405)
-- at least once.
function O.check(server, opts)
  H.record_to(nil)
  local args = { records }
  if not (opts and opts.every_operation) then
    args[2] = "--partial"
  end
  local ok, out = pcall(O.run, O.document(server), args)
  cleanup()
  assert(ok, out)
  return out
end

-- The test that ends a spec that recorded (busted's describe and it are
-- the spec's own, so it is written there):
--   describe("the API's OpenAPI description", function()
--     it("documents every answer this spec was given", O.check_all)
--   end)
function O.check_all()
  O.check()
end

return O

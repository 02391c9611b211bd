-- Evidence entries that name documents (issue 20): an answer links a
-- document of its CAE's library (a given version, or the latest), checked
-- inside the answer's write; the assessment lists each link with the
-- document's title, version, size and type; a submission pins each link
-- to its exact version and freezes its SHA-256 into the evaluation and the
-- decision record, so that `verify` finds a stored file deleted or edited;
-- a document a submission froze is never deleted.

local support = require "support"
local H = require "http_support"
local D = require "documents_support"
local L = require "lifecycle_support"
local R = require "reports_support"
local json = support.json
local quote = support.quote

local request, expect, expect_error = H.request, H.expect, H.expect_error

describe("documents linked to criteria", function()
  local fx, ids, db, server, t, criteria, files

  local function documents_dir()
    return db .. ".documents"
  end

  local function put_file(name, bytes)
    return support.write(files .. "/" .. name, bytes)
  end

  -- A document uploaded into org's library (default the first CAE's) by token.
  local function uploaded(name, title, opts)
    opts = opts or {}
    return expect(D.upload(server, files .. "/" .. name, { title = title, document = opts.document,
      fields = opts.document and {} or nil, org = opts.org or ids.org_a, token = opts.token or t.cae_a }),
      201, "upload " .. name).json
  end

  local function answer(id, criterion, evidence, token)
    return request(server, "PUT", "/api/v1/assessments/" .. id .. "/answers/" .. criterion,
      { token = token or t.cae_a, json = { status = "met", evidence = evidence } })
  end

  local function assessment(id, token)
    return expect(request(server, "GET", "/api/v1/assessments/" .. id, { token = token or t.cae_a }), 200).json
  end

  local function answer_of(doc, criterion)
    for _, a in ipairs(doc.answers) do
      if a.criterion == criterion then
        return a
      end
    end
  end

  local function events(type_name)
    return tonumber(H.sql_value(db, "SELECT count(*) FROM events WHERE type = '" .. type_name .. "';"))
  end

  setup(function()
    fx, db, server, t, criteria = H.world()
    ids = fx.ids
    files = H.tmpdir()
    put_file("statuts.pdf", "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    put_file("statuts2.pdf", "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% v2\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    put_file("pv.txt", "Procès-verbal de l'assemblée générale du 12 juin\n")
    put_file("autre.txt", "Le document d'une autre CAE\n")
  end)
  teardown(H.finish)

  it("links a given version or the latest, read back with title, version, size and type", function()
    local d = uploaded("statuts.pdf", "Statuts")
    local v2 = uploaded("statuts2.pdf", nil, { document = d.id })
    assert.are.equal(2, v2.version)
    local a = H.new_self_assessment(server, t.cae_a, ids.org_a)
    local before = events("document.linked")
    local r = expect(answer(a.id, "JF-01", { "Statuts 2024, article 3",
      { document = d.id, pages = "3-5" }, { document = d.id, version = 1 } }), 200)
    -- stored as sent, normalised: version null is the latest, pages null none
    assert.are.equal("Statuts 2024, article 3", r.json.evidence[1])
    assert.are.same({ document = d.id, version = json.null, pages = "3-5" }, r.json.evidence[2])
    assert.are.same({ document = d.id, version = 1, pages = json.null }, r.json.evidence[3])
    local got = answer_of(assessment(a.id), "JF-01")
    local latest, first = got.evidence[2], got.evidence[3]
    assert.are.equal("Statuts", latest.title)
    assert.are.equal(json.null, latest.version)
    assert.are.equal(2, latest.resolved_version)
    assert.are.equal(v2.sha256, latest.sha256)
    assert.are.equal(v2.size, latest.size)
    assert.are.equal("application/pdf", latest.type)
    assert.are.equal(v2.created_at, latest.created_at)
    assert.is_true(latest.available)
    assert.are.equal(1, first.resolved_version)
    assert.are.equal(d.sha256, first.sha256)
    -- the answer's tag is the stored answer's: what the reading adds is not part of it
    expect(request(server, "PUT", "/api/v1/assessments/" .. a.id .. "/answers/JF-01", { token = t.cae_a,
      headers = { ["If-Match"] = got.etag }, json = { status = "met", evidence = { "Statuts 2024, article 3",
        { document = d.id, pages = "3-5" }, { document = d.id, version = 1 } } } }), 200)
    -- one document.linked per new link, with the digest, never the bytes;
    -- the same links sent again tell nothing new
    assert.are.equal(before + 2, events("document.linked"))
    local data = json.decode(H.sql_value(db, "SELECT data FROM events WHERE type = 'document.linked'"
      .. " ORDER BY id DESC LIMIT 1;"))
    assert.are.equal("JF-01", data.criterion)
    assert.are.equal(d.id, data.document_id)
    assert.are.equal(1, data.version)
    assert.are.equal(d.sha256, data.sha256)
    assert.are.equal(a.id, data.assessment_id)
    assert.are.equal(ids.org_a, data.organisation_id)
  end)

  it("refuses a link to another CAE's document, a deleted one, a missing version, bad keys, at its path", function()
    local mine = uploaded("pv.txt", "PV AG")
    local theirs = uploaded("autre.txt", "Autre", { org = ids.org_b, token = t.cae_b })
    local gone = uploaded("pv.txt", "PV supprimé")
    expect(request(server, "DELETE", "/api/v1/documents/" .. gone.id, { token = t.cae_a }), 204)
    local a = H.new_self_assessment(server, t.cae_a, ids.org_a)
    local events_before = events("document.linked")
    local cases = {
      { { { document = theirs.id } }, "$.evidence[0].document" },
      { { "texte", { document = gone.id } }, "$.evidence[1].document" },
      { { { document = 999999 } }, "$.evidence[0].document" },
      { { { document = mine.id, version = 2 } }, "$.evidence[0].version" },
      { { { document = mine.id, version = 0 } }, "$.evidence[0].version" },
      { { { document = "x" } }, "$.evidence[0].document" },
      { { { pages = "3" } }, "$.evidence[0].document" },
      { { { document = mine.id, colour = "red" } }, "$.evidence[0].colour" },
      { { { document = mine.id, pages = string.rep("9", 41) } }, "$.evidence[0].pages" },
      { { { document = mine.id, pages = "3\n4" } }, "$.evidence[0].pages" },
      { { { document = mine.id, pages = 3 } }, "$.evidence[0].pages" },
      { { 7 }, "$.evidence[0]" },
    }
    for i, case in ipairs(cases) do
      expect_error(answer(a.id, "JF-01", case[1]), 400, case[2], "case " .. i)
    end
    assert.is_nil(answer_of(assessment(a.id), "JF-01"))
    assert.are.equal(events_before, events("document.linked"))
    -- through the checks that read nothing first (the fast path) and the usual way alike
    expect(answer(a.id, "JF-01", { { document = mine.id, version = 1, pages = string.rep("9", 40) } }), 200)
  end)

  -- The documents folder's file of sha256 (its bytes, to put back).
  local function stored_path(sha256)
    return documents_dir() .. "/" .. sha256
  end

  local function verify(args)
    return support.run(args or { "verify", "--db", db })
  end

  describe("through submission and decision", function()
    local doc, v2, audit, decision, record_file

    it("pins each link to its exact version at submission, frozen with its SHA-256", function()
      doc = uploaded("statuts.pdf", "Statuts de la CAE")
      v2 = uploaded("statuts2.pdf", nil, { document = doc.id })
      local notes = uploaded("pv.txt", "PV AG 2025")
      audit = H.new_audit(server, t.committee, ids.org_a, ids.auditor)
      L.answer(server, t.auditor, audit.id, L.answers(criteria))
      expect(answer(audit.id, "JF-01", { "Statuts, article 3", { document = doc.id, pages = "3-5" },
        { document = doc.id, version = 1 } }, t.auditor), 200)
      expect(answer(audit.id, "JF-02", { { document = notes.id } }, t.auditor), 200)
      expect(request(server, "PUT", "/api/v1/assessments/" .. audit.id .. "/stakeholders",
        { token = t.auditor, json = H.STAKEHOLDERS }), 200)
      expect(request(server, "POST", "/api/v1/assessments/" .. audit.id .. "/submit", { token = t.auditor }), 200)
      -- a version added after the submission changes nothing it froze
      uploaded("pv.txt", nil, { document = doc.id })
      local ev = expect(request(server, "GET", "/api/v1/assessments/" .. audit.id .. "/evaluation",
        { token = t.committee }), 200).json
      assert.are.same({
        { document = doc.id, version = 2, sha256 = v2.sha256, title = "Statuts de la CAE", size = v2.size,
          type = "application/pdf", pages = "3-5" },
        { document = doc.id, version = 1, sha256 = doc.sha256, title = "Statuts de la CAE", size = doc.size,
          type = "application/pdf", pages = json.null },
      }, ev.documents["JF-01"])
      assert.are.equal(notes.sha256, ev.documents["JF-02"][1].sha256)
      assert.is_nil(ev.documents["JF-03"])
      -- the answer itself now names the version it was submitted with
      local jf01 = answer_of(assessment(audit.id, t.committee), "JF-01")
      assert.are.equal(2, jf01.evidence[2].version)
      assert.are.equal(2, jf01.evidence[2].resolved_version)
    end)

    it("refuses to delete a document a submission froze, 409 naming the assessment", function()
      local e = expect_error(request(server, "DELETE", "/api/v1/documents/" .. doc.id, { token = t.cae_a }), 409)
      assert.truthy(e.message:find("assessment " .. audit.id, 1, true), e.message)
      expect(request(server, "GET", "/api/v1/documents/" .. doc.id, { token = t.cae_a }), 200)
    end)

    it("records the documents' SHA-256 in the decision record, and `verify` checks their files", function()
      local d = expect(request(server, "POST", "/api/v1/assessments/" .. audit.id .. "/decision",
        { token = t.committee, json = { outcome = "awarded" } }), 201).json
      decision = d.id
      local record = json.decode(H.sql_value(db, "SELECT record FROM decisions WHERE id = " .. decision .. ";"))
      assert.are.equal(v2.sha256, record.documents["JF-01"][1].sha256)
      assert.is_nil(record.evaluation.documents) -- the rules' own evaluation, replayed as it is
      local r = verify()
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
      assert.truthy(r.stdout:find("3 documents checked", 1, true), r.stdout)
      -- still refused once decided
      expect_error(request(server, "DELETE", "/api/v1/documents/" .. doc.id, { token = t.cae_a }), 409)
    end)

    it("lists in the audit report, per criterion, each document seen: title, version, SHA-256", function()
      local r = expect(request(server, "GET", "/api/v1/assessments/" .. audit.id .. "/report.pdf",
        { token = t.committee }), 200)
      local path = support.write(H.tmpdir() .. "/report.pdf", r.body)
      local text = R.pdftotext(path):gsub("%s+", " ")
      assert.truthy(text:find("Statuts de la CAE, version 2, p. 3-5, SHA-256 " .. v2.sha256, 1, true), text)
      assert.truthy(text:find("Statuts de la CAE, version 1, SHA-256 " .. doc.sha256, 1, true), text)
    end)

    it("`verify` fails with the decision's id when a stored file is edited, then deleted", function()
      local path = stored_path(v2.sha256)
      local bytes = support.read(path)
      assert(os.execute("chmod u+w " .. quote(path)))
      support.write(path, bytes .. "tampered")
      local r = verify()
      assert.are.equal(1, r.code, r.stdout .. r.stderr)
      assert.truthy(r.stdout:find("decision " .. decision .. ":", 1, true), r.stdout)
      assert.truthy(r.stdout:find("was changed", 1, true), r.stdout)
      assert.truthy(r.stdout:find(v2.sha256, 1, true), r.stdout)
      os.remove(path)
      r = verify()
      assert.are.equal(1, r.code, r.stdout .. r.stderr)
      assert.truthy(r.stdout:find("decision " .. decision .. ": criterion JF-01: document " .. doc.id
        .. " version 2 (Statuts de la CAE, sha256 " .. v2.sha256 .. ") is missing", 1, true), r.stdout)
      support.write(path, bytes)
      r = verify()
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
    end)

    it("exports the decision with its documents, named by SHA-256, which `verify --record` checks", function()
      local dir = H.tmpdir()
      record_file = dir .. "/decision.json"
      local r = support.run({ "export-decision", tostring(decision), "--db", db, "--out", record_file,
        "--with-documents" })
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
      local copied = record_file .. ".documents/" .. v2.sha256
      assert.are.equal(support.read(stored_path(v2.sha256)), support.read(copied))
      -- an outside auditor checks them with sha256sum alone
      local sum = io.popen("sha256sum " .. quote(copied)):read("a"):match("^(%x+)")
      assert.are.equal(v2.sha256, sum)
      r = verify({ "verify", "--record", record_file })
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
      assert.truthy(r.stdout:find("3 documents checked", 1, true), r.stdout)
      support.write(copied, "not the statutes")
      r = verify({ "verify", "--record", record_file })
      assert.are.equal(1, r.code, r.stdout .. r.stderr)
      assert.truthy(r.stdout:find("decision " .. decision .. ": criterion JF-01", 1, true), r.stdout)
      -- --with-documents writes a folder beside a file: it needs one
      r = support.run({ "export-decision", tostring(decision), "--db", db, "--with-documents" })
      assert.are.equal(2, r.code, r.stdout .. r.stderr)
      assert.truthy(r.stderr:find("--out", 1, true), r.stderr)
    end)
  end)

  it("drops a draft's link to a document deleted; the draft's other evidence stays", function()
    local d = uploaded("pv.txt", "Brouillon")
    local a = H.new_self_assessment(server, t.cae_a, ids.org_a)
    expect(answer(a.id, "JF-03", { "Texte", { document = d.id }, "Fin" }), 200)
    expect(request(server, "DELETE", "/api/v1/documents/" .. d.id, { token = t.cae_a }), 204)
    assert.are.same({ "Texte", "Fin" }, answer_of(assessment(a.id), "JF-03").evidence)
  end)

  it("a delete racing a link: one wins, and no answer links a deleted document, 10 rounds of 10", function()
    for round = 1, 10 do
      local d = uploaded("pv.txt", "Course " .. round)
      local a = H.new_self_assessment(server, t.cae_a, ids.org_a)
      local codes = H.race(server, {
        { method = "PUT", path = "/api/v1/assessments/" .. a.id .. "/answers/JF-01", token = t.cae_a,
          json = { status = "met", evidence = { { document = d.id } } } },
        { method = "DELETE", path = "/api/v1/documents/" .. d.id, token = t.cae_a, json = {} },
      })
      assert.are.equal(204, codes[2], "round " .. round)
      assert.truthy(codes[1] == 200 or codes[1] == 400, "round " .. round .. ": " .. codes[1])
      local got = answer_of(assessment(a.id), "JF-01")
      for _, x in ipairs(got and got.evidence or {}) do
        assert.are_not.equal("table", type(x), "round " .. round .. " links a deleted document")
      end
    end
  end)
end)

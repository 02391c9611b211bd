-- Evidence documents (issue 20): a CAE uploads its proofs once into its
-- library, streamed to the documents folder (never held whole in memory),
-- stored once by SHA-256, typed from their content against an allowlist;
-- new versions keep the old; an interrupted upload leaves nothing; the
-- bytes are served as attachments, sandboxed; the CAE's members, the
-- committee and administrators read them, and an auditor those an audit
-- of theirs links; nobody else.

local H = require "http_support"
local O = require "openapi_support"
local D = require "documents_support"
local support = require "support"
local quote = support.quote

local MAX_DOCUMENT = 16 * 1024 * 1024

O.record() -- every answer checked against the API's description at the end

describe("evidence documents", function()
  local fx, db, server, tokens, files

  local function documents_dir()
    return db .. ".documents"
  end

  -- The names in the documents folder, hidden ones (temporary files) too.
  local function stored(dir)
    local p = assert(io.popen("ls -A " .. quote(dir or documents_dir()) .. " 2>/dev/null"))
    local names = {}
    for name in p:read("a"):gmatch("[^\n]+") do
      names[#names + 1] = name
    end
    p:close()
    return names
  end

  local function rows(table_name)
    return tonumber(H.sql_value(db, "SELECT count(*) FROM " .. table_name .. ";"))
  end

  -- Writes a file of the fixture folder; returns its path.
  local function file(name, bytes)
    return support.write(files .. "/" .. name, bytes)
  end

  -- A multipart upload of path (documents_support's), as the first CAE by default.
  local function upload(path, opts)
    opts = opts or {}
    opts.org = opts.org or fx.ids.org_a
    opts.token = opts.token or tokens.cae_a
    return D.upload(opts.server or server, path, opts)
  end

  local function get(path, token)
    return H.request(server, "GET", path, { token = token or tokens.cae_a })
  end

  setup(function()
    fx = H.fixture()
    db = H.fresh_db(fx.db)
    server = H.start_server({ db = db, args = { "--max-document", tostring(MAX_DOCUMENT) } })
    tokens = H.login_all(server)
    files = H.tmpdir()
    -- Small real files of each allowed kind: OpenDocument and Office Open
    -- XML are zip files whose first member says what they are.
    local ok = os.execute("cd " .. quote(files) .. " && mkdir -p _rels word"
      .. " && printf 'application/vnd.oasis.opendocument.text' > mimetype"
      .. " && printf '<?xml version=\"1.0\"?><office:document-content"
      .. " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"/>' > content.xml"
      .. " && zip -X -0 -q pv.odt mimetype && zip -X -q pv.odt content.xml"
      .. " && printf '<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
      .. "package/2006/content-types\"/>' > '[Content_Types].xml'"
      .. " && printf '<?xml version=\"1.0\"?><Relationships/>' > _rels/.rels"
      .. " && printf '<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
      .. "wordprocessingml/2006/main\"/>' > word/document.xml"
      .. " && zip -X -q contrat.docx '[Content_Types].xml' _rels/.rels word/document.xml")
    assert(ok, "zip failed")
    file("statuts.pdf", "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    file("logo.png", "\137PNG\r\n\26\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\8\2\0\0\0")
    file("photo.jpg", "\255\216\255\224\0\16JFIF\0\1\1\0\0\1\0\1\0\0\255\217")
    file("bilan.csv", "a,b,c\n1,2,3\n4,5,6\n")
    file("note.txt", "Procès-verbal de l'assemblée générale du 12 juin\n")
    file("page.html", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n")
  end)
  teardown(H.finish)

  it("takes each allowed type, typed from the content, stored by its SHA-256", function()
    local cases = {
      { "statuts.pdf", "application/pdf" },
      { "logo.png", "image/png" },
      { "photo.jpg", "image/jpeg" },
      { "pv.odt", "application/vnd.oasis.opendocument.text" },
      { "contrat.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
      { "bilan.csv", "text/csv" },
      { "note.txt", "text/plain" },
    }
    for _, case in ipairs(cases) do
      local r = H.expect(upload(files .. "/" .. case[1], { title = "Preuve " .. case[1] }), 201, case[1])
      local d = r.json
      assert.are.equal(case[2], d.type, case[1])
      assert.are.equal(1, d.version)
      assert.are.equal("Preuve " .. case[1], d.title)
      assert.are.equal(case[1], d.filename)
      assert.are.equal(#support.read(files .. "/" .. case[1]), d.size)
      assert.truthy(d.created_at:match("^%d%d%d%d%-%d%d%-%d%dT"), d.created_at)
      assert.are.equal("/api/v1/documents/" .. d.id, r.headers.location)
      local sum = io.popen("sha256sum " .. quote(files .. "/" .. case[1])):read("a"):match("^(%x+)")
      assert.are.equal(sum, d.sha256)
      assert.truthy(H.exists(documents_dir() .. "/" .. d.sha256), case[1])
      -- The bytes served are the bytes sent.
      local c = H.expect(get("/api/v1/documents/" .. d.id .. "/content"), 200, case[1])
      assert.are.equal(support.read(files .. "/" .. case[1]), c.body)
    end
    local list = H.expect(get("/api/v1/organisations/" .. fx.ids.org_a .. "/documents"), 200).json
    assert.are.equal(#cases, #list)
  end)

  it("refuses another type with 415 naming it, whatever the file is called", function()
    local before_rows, before_files = rows("documents"), #stored()
    local r = upload("/bin/true", { filename = "statuts.pdf" })
    local e = H.expect_error(r, 415)
    assert.truthy(e.message:find("application/x-", 1, true), e.message)
    e = H.expect_error(upload(files .. "/page.html", { filename = "page.txt" }), 415)
    assert.truthy(e.message:find("text/html", 1, true), e.message)
    assert.are.equal(before_rows, rows("documents"))
    assert.are.same(before_files, #stored())
  end)

  it("never inflates a zip bomb named .docx: its bytes count, not what they would expand to", function()
    local function peak_kib()
      return tonumber((support.read("/proc/" .. server.pid .. "/status") or ""):match("VmHWM:%s*(%d+)"))
    end
    -- 256 MiB of zeros in a few hundred KiB: once as an Office document's
    -- members, once as a bare zip renamed .docx.
    assert(os.execute("cd " .. quote(files) .. " && head -c 268435456 /dev/zero > zeros.bin"
      .. " && zip -X -q bomb.docx '[Content_Types].xml' _rels/.rels word/document.xml zeros.bin"
      .. " && zip -X -q bare.docx zeros.bin && rm zeros.bin"), "zip failed")
    local before = peak_kib()
    local bomb = H.expect(upload(files .. "/bomb.docx", { title = "Contrat" }), 201).json
    assert.are.equal(#support.read(files .. "/bomb.docx"), bomb.size)
    assert.truthy(bomb.size < 1024 * 1024, "the bomb's own bytes: " .. bomb.size)
    local e = H.expect_error(upload(files .. "/bare.docx"), 415)
    assert.truthy(e.message:find("application/zip", 1, true), e.message)
    local grown = peak_kib() - before
    assert.truthy(grown < 10 * 1024, "the server's peak memory grew by " .. grown .. " KiB")
  end)

  it("refuses a bad form: no file, no title, another field, text that is no text, JSON", function()
    local txt = files .. "/note.txt"
    H.expect_error(upload(txt, { fields = {} }), 400, "$.title")
    H.expect_error(upload(txt, { title = "Statuts\1" }), 400, "$.title")
    H.expect_error(upload(txt, { fields = { title = "T", colour = "red" } }), 400, "$.colour")
    H.expect_error(H.request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/documents",
      { token = tokens.cae_a, curl_args = { "-F", "title=Statuts" } }), 400, "$.file")
    H.expect_error(upload(txt, { filename = "a\1b.txt" }), 400, "$.filename")
    H.expect_error(upload(txt, { curl_args = { "-F", "file=@" .. txt } }), 400, "$.file") -- two files
    H.expect_error(H.request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a .. "/documents",
      { token = tokens.cae_a, curl_args = { "-F", "title=T", "-F", "attachment=@" .. txt } }), 400,
      "$.attachment") -- the file in another part
    local e = H.expect_error(H.request(server, "POST", "/api/v1/organisations/" .. fx.ids.org_a
      .. "/documents", { token = tokens.cae_a, json = { title = "Statuts" } }), 415)
    assert.truthy(e.message:find("multipart/form-data", 1, true), e.message)
    H.expect_error(get("/api/v1/organisations/999999/documents", tokens.committee), 404)
    H.expect_error(upload(txt, { org = 999999 }), 403) -- no member of it
    H.expect_error(upload(txt, { org = 999999, token = tokens.admin }), 403)
  end)

  it("stores the same bytes once, and keeps every version", function()
    local a = H.expect(upload(files .. "/statuts.pdf", { title = "Statuts 2024" }), 201).json
    local b = H.expect(upload(files .. "/statuts.pdf", { title = "Statuts (copie)" }), 201).json
    assert.are_not.equal(a.id, b.id)
    assert.are.equal(a.sha256, b.sha256)
    local named = 0
    for _, name in ipairs(stored()) do
      named = named + (name == a.sha256 and 1 or 0)
    end
    assert.are.equal(1, named)
    -- A new version: the old stays readable.
    local v2 = H.expect(upload(files .. "/note.txt", { document = a.id, fields = {} }), 201).json
    assert.are.equal(2, v2.version)
    assert.are.equal(a.id, v2.id)
    assert.are.equal("Statuts 2024", v2.title)
    local d = H.expect(get("/api/v1/documents/" .. a.id), 200).json
    assert.are.equal(2, d.version)
    assert.are.equal(2, #d.versions)
    assert.are.equal(a.sha256, d.versions[1].sha256)
    assert.are.equal(v2.sha256, d.versions[2].sha256)
    assert.are.equal(support.read(files .. "/note.txt"), get("/api/v1/documents/" .. a.id .. "/content").body)
    assert.are.equal(support.read(files .. "/statuts.pdf"),
      get("/api/v1/documents/" .. a.id .. "/content?version=1").body)
    H.expect_error(get("/api/v1/documents/" .. a.id .. "/content?version=3"), 404)
    H.expect_error(get("/api/v1/documents/" .. a.id .. "/content?version=x"), 400, "?version")
    H.expect_error(get("/api/v1/documents/" .. a.id .. "/content?v=1"), 400)
    H.expect_error(upload(files .. "/note.txt", { document = a.id, fields = { title = "Autre" } }), 400,
      "$.title")
  end)

  it("serves the bytes as an attachment (inline for PDF and images), sandboxed, the name sanitised", function()
    local t = H.expect(upload(files .. "/note.txt", { filename = "Proc\195\168s-verbal d'AG (2024)\\x.txt" }),
      201).json
    local r = H.expect(get("/api/v1/documents/" .. t.id .. "/content"), 200)
    assert.are.equal("text/plain", r.headers["content-type"])
    assert.are.equal("attachment; filename=\"Proc__s-verbal d_AG (2024)_x.txt\"; "
      .. "filename*=UTF-8''Proc%C3%A8s-verbal%20d%27AG%20%282024%29%5Cx.txt", r.headers["content-disposition"])
    t = H.expect(upload(files .. "/note.txt", { filename = ".htaccess" }), 201).json
    r = H.expect(get("/api/v1/documents/" .. t.id .. "/content"), 200)
    assert.are.equal("attachment; filename=\"_htaccess\"; filename*=UTF-8''.htaccess",
      r.headers["content-disposition"])
    assert.are.equal("nosniff", r.headers["x-content-type-options"])
    assert.are.equal("sandbox", r.headers["content-security-policy"])
    local p = H.expect(upload(files .. "/statuts.pdf"), 201).json
    r = H.expect(get("/api/v1/documents/" .. p.id .. "/content"), 200)
    assert.are.equal("application/pdf", r.headers["content-type"])
    assert.truthy(r.headers["content-disposition"]:match("^inline; "), r.headers["content-disposition"])
    assert.are.equal("sandbox", r.headers["content-security-policy"])
  end)

  it("answers 413 past the size limit, without holding the body in memory", function()
    local function peak_kib()
      local status = support.read("/proc/" .. server.pid .. "/status") or ""
      return tonumber(status:match("VmHWM:%s*(%d+)"))
    end
    -- A body announced too large is refused before it is read.
    local big = file("big.txt", string.rep("a", MAX_DOCUMENT + 1))
    local e = H.expect_error(upload(big), 413)
    assert.truthy(e.message:find("bytes", 1, true), e.message)
    -- Sent in chunks (no length announced): refused once past the limit.
    e = H.expect_error(upload(big, { headers = { ["Transfer-Encoding"] = "chunked" } }), 413)
    assert.truthy(e.message:find("over " .. MAX_DOCUMENT .. " bytes", 1, true), e.message)
    assert.are.equal(0, #support.filter(stored(), function(n) return n:match("^%.") end))
    -- Fifteen MiB go through without the server's peak memory growing by
    -- two thirds of it (a body gathered takes all of it at least; a
    -- sanitized build's own bookkeeping stays well below): streamed to the
    -- folder, never gathered.
    local before = peak_kib()
    local fifteen = file("fifteen.txt", string.rep("Statuts de la coopérative.\n", 15 * 1024 * 1024 // 28))
    local d = H.expect(upload(fifteen, { title = "Gros" }), 201).json
    assert.are.equal(#support.read(fifteen), d.size)
    local grown = peak_kib() - before
    assert.truthy(grown < 10 * 1024, "the server's peak memory grew by " .. grown .. " KiB")
  end)

  it("refuses an upload past the organisation's total, checked in the write", function()
    local small = H.start_server({ db = db, args = { "--max-document", "4096", "--max-documents-per-org", "8192",
      "--documents", H.tmpdir() .. "/docs" } })
    local t = H.login(small, H.USERS.cae_b.email)
    local function send(name, n)
      return upload(file(name, string.rep(name:sub(1, 1), n)), { server = small, token = t, org = fx.ids.org_b })
    end
    H.expect(send("x.txt", 4000), 201)
    H.expect(send("x.txt", 4000), 201) -- the same bytes count once
    H.expect(send("y.txt", 4000), 201)
    local e = H.expect_error(send("z.txt", 4000), 413)
    assert.truthy(e.message:find("organisation", 1, true), e.message)
    H.expect_error(send("w.txt", 5000), 413)
    small.stop()
  end)

  it("leaves no file and no row when the client goes half-way", function()
    local before = rows("documents")
    local slow = file("slow.txt", string.rep("Ligne de preuve.\n", 4 * 1024 * 1024 // 17))
    local dir = H.tmpdir()
    H.spawn(dir, table.concat({ "curl", "-s", "--limit-rate", "200k", "-o", "/dev/null",
      "-H", quote("Authorization: Bearer " .. tokens.cae_a), "-F", quote("file=@" .. slow),
      "-F", "title=Lent", quote(server.url .. "/api/v1/organisations/" .. fx.ids.org_a .. "/documents") }, " "))
    local function temporary()
      return #support.filter(stored(), function(n) return n:match("^%.upload%-") end)
    end
    assert.truthy(support.wait_for(function() return temporary() > 0 end, 20), "no upload began")
    local pid = assert(tonumber(support.read(dir .. "/pid")), "no curl pid")
    os.execute("kill -KILL " .. pid)
    assert.truthy(support.wait_for(function() return temporary() == 0 end, 20),
      "the temporary file stayed: " .. table.concat(stored(), " "))
    assert.are.equal(before, rows("documents"))
  end)

  it("takes a large file on a slow line past the request timeout, at a least rate", function()
    local slow = H.start_server({ db = db, args = { "--request-timeout", "2" } })
    local t = H.login(slow, H.USERS.cae_a.email)
    local path = file("lent.txt", string.rep("Une ligne du bilan.\n", 640 * 1024 // 20))
    -- About 6 s at 100 kB/s: a body of over 2 s, and far above 16 KiB a second.
    local r = upload(path, { server = slow, token = t, curl_args = { "--limit-rate", "100k" } })
    H.expect(r, 201, "a slow upload")
    assert.are.equal(#support.read(path), r.json.size)
    slow.stop()
  end)

  it("clears at start what a stopped process left half-way in the folder", function()
    local other = H.fresh_db(fx.db)
    local dir = H.tmpdir() .. "/docs"
    local id = math.tointeger(tonumber((H.admin({ "document", "upload", "--db", other, "--documents", dir,
      "--org", tostring(fx.ids.org_a), "--title", "Statuts", files .. "/statuts.pdf" }))))
    local sha = H.sql_value(other, "SELECT sha256 FROM document_versions WHERE document_id = " .. id .. ";")
    -- A deletion cut before its commit: the file set aside, its rows live.
    assert(os.rename(dir .. "/" .. sha, dir .. "/.removed-" .. sha))
    -- One that committed: no row names these bytes.
    local gone = string.rep("ab", 32)
    support.write(dir .. "/.removed-" .. gone, "x")
    -- An upload cut by a crash an hour ago, and one under way now.
    support.write(dir .. "/.upload-OLD123", "x")
    os.execute("touch -d '2 hours ago' " .. quote(dir .. "/.upload-OLD123"))
    support.write(dir .. "/.upload-NEW123", "x")
    local started = H.start_server({ db = other, args = { "--documents", dir } })
    local names = stored(dir)
    table.sort(names)
    assert.are.same({ ".upload-NEW123", sha }, names)
    local t = H.login(started, H.USERS.cae_a.email)
    H.expect(H.request(started, "GET", "/api/v1/documents/" .. id .. "/content", { token = t }), 200)
    local _, err = started.output()
    assert.truthy(err:find("3 files left half-way", 1, true), err)
    started.stop()
  end)

  it("lets the CAE's members, the committee and administrators read; nobody else", function()
    local d = H.expect(upload(files .. "/note.txt", { title = "Accord d'entreprise" }), 201).json
    local list = "/api/v1/organisations/" .. fx.ids.org_a .. "/documents"
    local one = "/api/v1/documents/" .. d.id
    for _, who in ipairs({ "committee", "admin" }) do
      H.expect(get(list, tokens[who]), 200, who)
      H.expect(get(one, tokens[who]), 200, who)
      H.expect(get(one .. "/content", tokens[who]), 200, who)
      H.expect_error(upload(files .. "/note.txt", { token = tokens[who] }), 403, nil, who)
      H.expect_error(H.request(server, "DELETE", one, { token = tokens[who] }), 403, nil, who)
    end
    -- Another CAE, and auditors (until audits link documents).
    for _, who in ipairs({ "cae_b", "auditor", "auditor_b" }) do
      H.expect_error(get(list, tokens[who]), 403, nil, who)
      H.expect_error(get(one, tokens[who]), 403, nil, who)
      H.expect_error(get(one .. "/content", tokens[who]), 403, nil, who)
      H.expect_error(upload(files .. "/note.txt", { token = tokens[who] }), 403, nil, who)
      H.expect_error(upload(files .. "/note.txt", { token = tokens[who], document = d.id, fields = {} }),
        403, nil, who)
      H.expect_error(H.request(server, "DELETE", one, { token = tokens[who] }), 403, nil, who)
    end
    -- Refused before the body is read: curl's upload stops at its headers.
    local two = file("two.txt", string.rep("Deux mégaoctets de preuve.\n", 2 * 1024 * 1024 // 28))
    for who, expected in pairs({ cae_b = 403, auditor = 403, committee = 403, nobody = 401 }) do
      local p = assert(io.popen("curl -s -o /dev/null -w '%{http_code} %{size_upload}' "
        .. (tokens[who] and ("-H " .. quote("Authorization: Bearer " .. tokens[who]) .. " ") or "")
        .. "-F " .. quote("file=@" .. two) .. " -F title=T " .. quote(server.url .. list)))
      local code, size = p:read("a"):match("^(%d+) (%d+)")
      p:close()
      assert.are.equal(expected, tonumber(code), who)
      assert.truthy(tonumber(size) < #support.read(two) // 2, who .. " sent " .. size .. " bytes")
    end
    H.expect_error(H.request(server, "GET", one), 401)
    H.expect_error(H.request(server, "POST", list, { curl_args = { "-F", "file=@" .. files .. "/note.txt",
      "-F", "title=T" } }), 401)
    -- A browser session writes with its CSRF token only.
    local token, login = H.login(server, H.USERS.cae_a.email)
    H.expect_error(H.request(server, "POST", list, { cookie = token,
      curl_args = { "-F", "file=@" .. files .. "/note.txt", "-F", "title=T" } }), 403)
    H.expect(H.request(server, "POST", list, { cookie = token,
      headers = { ["X-CSRF-Token"] = login.json.csrf_token },
      curl_args = { "-F", "file=@" .. files .. "/note.txt", "-F", "title=T" } }), 201)
  end)

  it("lets an auditor read what an audit of theirs links, and add to the library of its draft", function()
    local d = H.expect(upload(files .. "/note.txt", { title = "Pièce liée" }), 201).json
    local unlinked = H.expect(upload(files .. "/bilan.csv", { title = "Pas liée" }), 201).json
    local one, list = "/api/v1/documents/" .. d.id, "/api/v1/organisations/" .. fx.ids.org_a .. "/documents"
    local as_auditor = { token = tokens.auditor, title = "Notes d'audit" }
    -- no audit of this CAE yet: nothing
    H.expect_error(get(one, tokens.auditor), 403)
    H.expect_error(upload(files .. "/note.txt", as_auditor), 403)
    local audit = H.new_audit(server, tokens.committee, fx.ids.org_a, fx.ids.auditor)
    -- its draft audit: the auditor adds what the CAE sent them, or their notes, and reads it back
    local notes = H.expect(upload(files .. "/note.txt", as_auditor), 201).json
    H.expect(get("/api/v1/documents/" .. notes.id, tokens.auditor), 200)
    -- but never the whole library, nor a document no audit of theirs links, nor versions or deletes
    H.expect_error(get(list, tokens.auditor), 403)
    H.expect_error(get(one, tokens.auditor), 403)
    H.expect_error(upload(files .. "/note.txt", { token = tokens.auditor, document = d.id, fields = {} }), 403)
    H.expect_error(H.request(server, "DELETE", "/api/v1/documents/" .. notes.id, { token = tokens.auditor }), 403)
    -- linked (version 1) by their audit: the document and every version of it
    H.expect(upload(files .. "/bilan.csv", { document = d.id, fields = {} }), 201)
    H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. audit.id .. "/answers/JF-01", { token = tokens.auditor,
      json = { status = "met", evidence = { { document = d.id, version = 1 }, { document = notes.id } } } }), 200)
    H.expect(get(one, tokens.auditor), 200)
    H.expect(get(one .. "/content?version=1", tokens.auditor), 200)
    H.expect(get(one .. "/content", tokens.auditor), 200)
    H.expect_error(get("/api/v1/documents/" .. unlinked.id, tokens.auditor), 403)
    -- what the CAE links in its self-assessment, the auditor reads beside the findings
    local shown = H.expect(upload(files .. "/note.txt", { title = "Liée par la CAE" }), 201).json
    H.expect_error(get("/api/v1/documents/" .. shown.id, tokens.auditor), 403)
    local sa = H.new_self_assessment(server, tokens.cae_a, fx.ids.org_a)
    H.expect(H.request(server, "PUT", "/api/v1/assessments/" .. sa.id .. "/answers/JF-01", { token = tokens.cae_a,
      json = { status = "met", evidence = { { document = shown.id } } } }), 200)
    H.expect(get("/api/v1/documents/" .. shown.id .. "/content", tokens.auditor), 200)
    -- another auditor: nothing of it
    H.expect_error(get(one, tokens.auditor_b), 403)
    H.expect_error(get("/api/v1/documents/" .. shown.id, tokens.auditor_b), 403)
    H.expect_error(upload(files .. "/note.txt", { token = tokens.auditor_b }), 403)
    -- submitted: the auditor still reads what it links, adds nothing more
    H.expect(H.request(server, "POST", "/api/v1/assessments/" .. audit.id .. "/submit", { token = tokens.auditor }), 200)
    H.expect(get(one .. "/content", tokens.auditor), 200)
    H.expect_error(upload(files .. "/note.txt", as_auditor), 403)
  end)

  it("deletes (204, journaled), then answers 404; the file goes when nothing names it", function()
    local d = H.expect(upload(file("seul.txt", "Un document que rien d'autre ne nomme.\n")), 201).json
    assert.truthy(H.exists(documents_dir() .. "/" .. d.sha256))
    local kept = H.expect(upload(files .. "/bilan.csv"), 201).json
    local twin = H.expect(upload(files .. "/bilan.csv"), 201).json
    H.expect(H.request(server, "DELETE", "/api/v1/documents/" .. d.id, { token = tokens.cae_a }), 204)
    H.expect_error(get("/api/v1/documents/" .. d.id), 404)
    H.expect_error(get("/api/v1/documents/" .. d.id .. "/content"), 404)
    H.expect_error(H.request(server, "DELETE", "/api/v1/documents/" .. d.id, { token = tokens.cae_a }), 404)
    H.expect_error(upload(files .. "/note.txt", { document = d.id, fields = {} }), 404)
    assert.falsy(H.exists(documents_dir() .. "/" .. d.sha256))
    for _, item in ipairs(H.expect(get("/api/v1/organisations/" .. fx.ids.org_a .. "/documents"), 200).json) do
      assert.are_not.equal(d.id, item.id)
    end
    -- Bytes another document names stay.
    H.expect(H.request(server, "DELETE", "/api/v1/documents/" .. kept.id, { token = tokens.cae_a }), 204)
    assert.truthy(H.exists(documents_dir() .. "/" .. twin.sha256))
    H.expect(get("/api/v1/documents/" .. twin.id .. "/content"), 200)
    assert.are.equal("1", H.sql_value(db, "SELECT count(*) FROM journal WHERE action = 'document.delete'"
      .. " AND entity_id = " .. d.id .. ";"))
  end)

  it("journals each upload and tells integrations, never the bytes", function()
    local d = H.expect(upload(files .. "/note.txt", { title = "Rapport annuel" }), 201).json
    assert.are.equal("1", H.sql_value(db, "SELECT count(*) FROM journal WHERE action = 'document.upload'"
      .. " AND entity_id = " .. d.id .. ";"))
    local events = H.sql_rows(db, "SELECT data FROM events WHERE type = 'document.uploaded'"
      .. " AND json_extract(data, '$.document_id') = " .. d.id .. ";")
    assert.are.equal(1, #events)
    local found = support.json.decode(events[1].data)
    assert.are.equal(fx.ids.org_a, found.organisation_id)
    assert.are.equal(d.sha256, found.sha256)
    assert.are.equal(1, found.version)
    assert.falsy(found.content or found.bytes)
  end)

  it("uploads and lists from the command line", function()
    local out = H.admin({ "document", "upload", "--db", db, "--org", tostring(fx.ids.org_b), "--title",
      "Kbis", files .. "/statuts.pdf" })
    local id = math.tointeger(tonumber(out))
    assert.truthy(id, out)
    local d = H.expect(get("/api/v1/documents/" .. id, tokens.cae_b), 200).json
    assert.are.equal("Kbis", d.title)
    assert.are.equal("application/pdf", d.type)
    assert.are.equal("statuts.pdf", d.filename)
    local _, r = H.admin({ "document", "list", "--db", db, "--org", tostring(fx.ids.org_b) })
    assert.truthy(r.stdout:find("Kbis", 1, true), r.stdout)
    local refused = support.run({ "document", "upload", "--db", db, "--org", tostring(fx.ids.org_b),
      "--title", "Page", files .. "/page.html" })
    assert.are.equal(2, refused.code)
    assert.truthy(refused.stderr:find("text/html", 1, true), refused.stderr)
  end)
end)

describe("the API's OpenAPI description", function()
  it("documents every answer this spec was given", O.check_all)
end)

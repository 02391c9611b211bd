-- Backups and upgrades (issue 19): `db restore` checks a copy whole before
-- it replaces anything and refuses while a server uses the database; a
-- database about to be migrated is copied first; `serve --backup-dir`
-- takes a copy a day and keeps the newest `--backup-keep`. Each copy
-- carries the files its documents name (issue 20), checked on restore.

local support = require "support"
local H = require "http_support"
local D = require "documents_support"

local quote = support.quote

local function sha(path)
  local p = assert(io.popen("sha256sum " .. quote(path)))
  local out = p:read("a")
  p:close()
  return out:match("^%x+")
end

local function orgs(db)
  return tonumber(H.sql_value(db, "SELECT count(*) FROM organisations;"))
end

-- A database at schema version 7: migrations 8 (users.acting_role), 9 (the
-- documents' tables) and 10 (the mail outbox) undone, as a database written
-- by that older release would be. A new migration is undone here too.
local function older_schema(db)
  H.sql(db, "DROP TABLE notifications; DROP TABLE notification_optouts; DROP TABLE notify_secret;"
    .. " DROP TABLE account_tokens; DROP TABLE roles; ALTER TABLE sessions DROP COLUMN role_id;"
    .. " DROP TABLE mail; DROP TABLE document_versions; DROP TABLE documents;"
    .. " ALTER TABLE users DROP COLUMN acting_role; PRAGMA user_version = 7;")
end

describe("backups", function()
  local fx
  setup(function()
    fx = H.fixture()
  end)
  teardown(H.finish)

  describe("db restore", function()
    it("replaces the database with a checked copy, keeping the one it replaces", function()
      local db = H.fresh_db(fx.db)
      local dir = db:match("^(.*)/")
      local server = H.start_server({ db = db })
      local admin = H.login(server, H.USERS.admin.email)
      H.admin({ "db", "backup", dir .. "/copy.db", "--db", db })
      -- A change after the copy, which the restore takes back.
      H.expect(H.request(server, "POST", "/api/v1/organisations",
        { token = admin, json = { name = "Coopérative Gamma" } }), 201, "new org")
      local before = orgs(db)
      -- Refused while the server holds the database.
      local r = support.run({ "db", "restore", dir .. "/copy.db", "--db", db })
      assert.are.equal(2, r.code, r.stderr)
      assert.truthy(r.stderr:find("a server is using it; stop it first", 1, true), r.stderr)
      assert.are.equal(before, orgs(db), "nothing replaced")
      server.stop()
      r = support.run({ "db", "restore", dir .. "/copy.db", "--db", db })
      assert.are.equal(0, r.code, r.stderr)
      assert.truthy(r.stdout:find("restored " .. dir .. "/copy.db into " .. db, 1, true), r.stdout)
      local aside = r.stdout:match("kept as (%S+)\n")
      assert.truthy(aside and H.exists(aside), r.stdout)
      assert.are.equal(before - 1, orgs(db), "the copy's organisations")
      assert.are.equal(before, orgs(aside), "the replaced database, whole")
      H.admin({ "verify", "--db", db })
      -- The restored database serves.
      server = H.start_server({ db = db })
      H.login(server, H.USERS.admin.email)
    end)

    it("refuses a copy that is damaged, not a database, newer, or does not verify, changing nothing", function()
      local db = H.fresh_db(fx.db)
      local dir = db:match("^(.*)/")
      local good = dir .. "/good.db"
      H.admin({ "db", "backup", good, "--db", db })
      local function copy(name, sql)
        local path = H.copy(good, dir .. "/" .. name)
        if sql then
          H.sql(path, sql)
        end
        return path
      end
      local damaged = copy("damaged.db")
      -- Garbage over the second page: a b-tree page of the schema's tables.
      os.execute("printf '%4096s' | tr ' ' 'x' | dd of=" .. quote(damaged)
        .. " bs=4096 seek=1 count=1 conv=notrunc 2>/dev/null")
      local cases = {
        { support.write(dir .. "/text.db", "not a database at all\n"), 2, "not a labelcoop database" },
        { damaged, 2, "" },
        { dir .. "/missing.db", 2, "No such file" },
        { copy("newer.db", "PRAGMA user_version = 99;"), 2, "newer than this labelcoop" },
        { copy("tampered.db", "DROP TRIGGER journal_no_update; UPDATE journal SET action = 'forged' WHERE id = (SELECT min(id) FROM journal);"),
          1, "the copy does not verify: journal row" },
      }
      local hash = sha(db)
      for _, case in ipairs(cases) do
        local r = support.run({ "db", "restore", case[1], "--db", db })
        assert.are.equal(case[2], r.code, case[1] .. ": " .. r.stderr)
        assert.truthy(r.stderr:find(case[3], 1, true), case[1] .. ": " .. r.stderr)
        assert.are.equal(hash, sha(db), case[1] .. ": the database changed")
      end
      local leftovers = H.sql_value(db, "SELECT 1;") and io.popen("ls " .. quote(dir)):read("a")
      assert.falsy(leftovers:find("replaced", 1, true), leftovers)
      assert.falsy(leftovers:find("restoring", 1, true), leftovers)
    end)
  end)

  describe("documents", function()
    -- The names in a folder, sorted, hidden ones too.
    local function listing(dir)
      local p = assert(io.popen("ls -A " .. quote(dir) .. " 2>/dev/null"))
      local out = p:read("a")
      p:close()
      return out
    end

    it("are copied with the database and restored with it, checked first", function()
      local db = H.fresh_db(fx.db)
      local dir = db:match("^(.*)/")
      local docs = db .. ".documents"
      local server = H.start_server({ db = db })
      local token = H.login(server, H.USERS.cae_a.email)
      local function upload(name, bytes, opts)
        opts = opts or {}
        opts.org, opts.token, opts.title = fx.ids.org_a, token, name
        return H.expect(D.upload(server, support.write(dir .. "/" .. name, bytes), opts), 201, name).json
      end
      local statuts = upload("statuts.txt", "Statuts de la coopérative, article 3.\n")
      local bilan = upload("bilan.csv", "a,b\n1,2\n")
      local v2 = upload("statuts-2.txt", "Statuts révisés.\n", { document = statuts.id, fields = {} })
      local gone = upload("brouillon.txt", "Un brouillon supprimé avant la copie.\n")
      H.expect(H.request(server, "DELETE", "/api/v1/documents/" .. gone.id, { token = token }), 204)
      local r = support.run({ "db", "backup", dir .. "/copy.db", "--db", db })
      assert.are.equal(0, r.code, r.stderr)
      assert.truthy(r.stdout:find(dir .. "/copy.db.documents", 1, true), r.stdout)
      -- Only the files the copy's documents name, each under its digest.
      local names = { statuts.sha256, bilan.sha256, v2.sha256 }
      table.sort(names)
      assert.are.equal(table.concat(names, "\n") .. "\n", listing(dir .. "/copy.db.documents"))
      for _, name in ipairs(names) do
        assert.are.equal(name, sha(dir .. "/copy.db.documents/" .. name))
      end
      -- After the copy: a document deleted (its file goes), a file altered
      -- on disk, a new document.
      H.expect(H.request(server, "DELETE", "/api/v1/documents/" .. bilan.id, { token = token }), 204)
      assert.falsy(H.exists(docs .. "/" .. bilan.sha256))
      support.write(docs .. "/" .. statuts.sha256, "altered\n")
      local later = upload("rapport.txt", "Rapport annuel, après la copie.\n")
      server.stop()

      -- A copy whose folder lacks a file, or holds one altered, changes nothing.
      local function broken(label, damage)
        local copy = H.copy(dir .. "/copy.db", dir .. "/" .. label .. ".db")
        os.execute("cp -r " .. quote(dir .. "/copy.db.documents") .. " " .. quote(copy .. ".documents"))
        damage(copy .. ".documents/" .. statuts.sha256)
        return copy
      end
      local before_db, before_docs = sha(db), listing(docs)
      for _, case in ipairs({
        { broken("missing", os.remove), "document " .. statuts.id .. " version 1: its file "
          .. statuts.sha256 .. " is missing from " },
        { broken("altered", function(path) support.write(path, "forged\n") end),
          "document " .. statuts.id .. " version 1: the file " },
      }) do
        r = support.run({ "db", "restore", case[1], "--db", db })
        assert.are.equal(1, r.code, r.stderr)
        assert.truthy(r.stderr:find(case[2], 1, true), r.stderr)
        assert.are.equal(before_db, sha(db), case[1] .. ": the database changed")
        assert.are.equal(before_docs, listing(docs), case[1] .. ": the documents changed")
      end
      assert.are.equal("altered\n", support.read(docs .. "/" .. statuts.sha256))

      r = support.run({ "db", "restore", dir .. "/copy.db", "--db", db })
      assert.are.equal(0, r.code, r.stderr)
      -- The copy's files are back, whole; the replaced database's stay.
      for _, name in ipairs(names) do
        assert.are.equal(name, sha(docs .. "/" .. name))
      end
      assert.truthy(H.exists(docs .. "/" .. later.sha256), "the replaced database's file kept")
      server = H.start_server({ db = db })
      token = H.login(server, H.USERS.cae_a.email)
      local got = H.expect(H.request(server, "GET", "/api/v1/documents/" .. bilan.id .. "/content",
        { token = token }), 200)
      assert.are.equal("a,b\n1,2\n", got.body)
      H.expect(H.request(server, "GET", "/api/v1/documents/" .. later.id, { token = token }), 404)
      server.stop()
      H.admin({ "verify", "--db", db })
    end)

    it("takes a file a deletion under way set aside, and refuses one the database names that is gone", function()
      local db = H.fresh_db(fx.db)
      local dir = db:match("^(.*)/")
      local out = H.admin({ "document", "upload", "--db", db, "--org", tostring(fx.ids.org_b),
        "--title", "Kbis", support.write(dir .. "/kbis.txt", "Extrait Kbis.\n") })
      local digest = sha(dir .. "/kbis.txt")
      -- As a deletion does inside its transaction, before it commits: the
      -- rows still name the file, set aside under another name.
      local aside = db .. ".documents/.removed-" .. digest
      assert(os.rename(db .. ".documents/" .. digest, aside))
      H.admin({ "db", "backup", dir .. "/during.db", "--db", db })
      assert.are.equal(digest, sha(dir .. "/during.db.documents/" .. digest))
      os.remove(aside)
      local r = support.run({ "db", "backup", dir .. "/copy.db", "--db", db })
      assert.are.equal(1, r.code, out .. r.stderr)
      assert.truthy(r.stderr:find("its file " .. digest .. " is missing from " .. db .. ".documents", 1, true),
        r.stderr)
      assert.falsy(H.exists(dir .. "/copy.db"))
      assert.falsy(H.exists(dir .. "/copy.db.documents"))
      assert.are.equal("", listing(dir):gsub("[^\n]*\n", function(line)
        return line:find("^copy") and line or ""
      end))
    end)
  end)

  describe("a migration", function()
    it("is preceded by a copy of the database as it was, said on stderr", function()
      local db = H.fresh_db(fx.db)
      local latest = H.sql_value(db, "PRAGMA user_version;") -- the fixture is current
      older_schema(db)
      local server = H.start_server({ db = db })
      H.login(server, H.USERS.cae_a.email)
      local err = support.read(server.dir .. "/err") or ""
      local copy = db .. ".schema-7.bak"
      assert.truthy(err:find(db .. " is migrated to schema version " .. latest .. "; a copy of it as it was: " .. copy,
        1, true), err)
      assert.are.equal("7", H.sql_value(copy, "PRAGMA user_version;"))
      assert.are.equal(latest, H.sql_value(db, "PRAGMA user_version;"))
      server.stop()
      -- A current database is not copied again.
      local r = support.run({ "init", "--db", db })
      assert.are.equal(0, r.code)
      assert.are.equal("", r.stderr)
      assert.falsy(H.exists(db .. ".schema-" .. latest .. ".bak"))
    end)
  end)

  describe("serve --backup-dir", function()
    it("takes the day's copy and keeps the newest --backup-keep, other files untouched", function()
      local db = H.fresh_db(fx.db)
      local dir = H.tmpdir()
      local digest = H.admin({ "document", "upload", "--db", db, "--org", tostring(fx.ids.org_a),
        "--title", "PV", support.write(dir .. "/pv.txt", "Procès-verbal.\n") }) and sha(dir .. "/pv.txt")
      os.remove(dir .. "/pv.txt")
      for _, day in ipairs({ "2020-01-01", "2020-01-02", "2020-01-03" }) do
        H.admin({ "db", "backup", dir .. "/labelcoop-" .. day .. ".db", "--db", db })
      end
      support.write(dir .. "/notes.txt", "kept\n")
      local server = H.start_server({ db = db, args = { "--backup-dir", dir, "--backup-keep", "2",
        "--tick-seconds", "1" } })
      local today = dir .. "/labelcoop-" .. H.today() .. ".db"
      local deadline = support.now() + 30
      while not H.exists(today) and support.now() < deadline do
        support.sleep(0.2)
      end
      assert.truthy(H.exists(today), "no copy today")
      H.login(server, H.USERS.cae_a.email)
      server.stop()
      local listing = io.popen("ls " .. quote(dir)):read("a")
      assert.are.equal("labelcoop-2020-01-03.db\nlabelcoop-2020-01-03.db.documents\nlabelcoop-"
        .. H.today() .. ".db\nlabelcoop-" .. H.today() .. ".db.documents\nnotes.txt\n", listing)
      assert.are.equal(digest, sha(today .. ".documents/" .. digest), "the day's copy has its documents")
      H.admin({ "verify", "--db", today })
      assert.are.equal(orgs(db), orgs(today))
    end)

    it("refuses a folder that is not there, at start", function()
      local r = support.run({ "serve", "--db", H.tmpdir() .. "/x.db", "--listen", "127.0.0.1:0",
        "--backup-dir", "/nonexistent/backups" }, nil, nil, 20)
      assert.are.equal(2, r.code)
      assert.truthy(r.stderr:find("backup-dir = /nonexistent/backups: not a folder", 1, true), r.stderr)
    end)
  end)
end)

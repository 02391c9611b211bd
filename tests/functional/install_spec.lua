-- Installing (issue 19): `make install`'s files under a DESTDIR, the
-- installed binary running from them, the man page and bash completion
-- agreeing with the command table, the systemd unit that systemd-analyze
-- accepts, and `make deb`'s package with the same files under /usr.

local support = require "support"

local quote = support.quote

local build = support.bin:match("^(.*)/[^/]+$")
local PREFIX = "/opt/labelcoop"

-- Runs a shell command; its exit code and what it printed (both streams).
local function shell(command)
  local p = assert(io.popen("(" .. command .. ") 2>&1; echo \"exit=$?\""))
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("exit=(%d+)\n$"))
  return code, out:gsub("exit=%d+\n$", "")
end

local function ok(command)
  local code, out = shell(command)
  assert.are.equal(0, code, command .. ":\n" .. out)
  return out
end

-- The command words of `labelcoop --help` ("serve", "rules check", ...).
local function commands()
  local list = {}
  for line in ok(quote(support.bin) .. " --help"):gmatch("[^\n]+") do
    local first, rest = line:match("^  ([a-z][a-z-]*)(.*)")
    if first then
      local second = rest:match("^ ([a-z][a-z-]*)")
      list[#list + 1] = second and first .. " " .. second or first
    end
  end
  return list
end

-- Every option any command's --help lists.
local function options()
  local seen, list = {}, {}
  for _, command in ipairs(commands()) do
    local help = ok(quote(support.bin) .. " " .. command .. " --help")
    for option in help:gmatch("\n  (%-%-[a-z][a-z-]*)") do
      if not seen[option] then
        seen[option] = true
        list[#list + 1] = option
      end
    end
  end
  return list
end

describe("make install", function()
  local dest, root
  setup(function()
    dest = support.tmpdir()
    root = dest .. PREFIX
    ok("DESTDIR=" .. quote(dest) .. " cmake --install " .. quote(build) .. " --prefix " .. PREFIX)
  end)
  teardown(support.cleanup)

  it("puts each file where the FHS and systemd look", function()
    for _, path in ipairs({
      "bin/labelcoop",
      "share/labelcoop/rules/award.lua",
      "share/labelcoop/rules/spec",
      "share/labelcoop/web/index.html",
      "share/labelcoop/scripts/network-overview.lua",
      "share/labelcoop/plugins/settings.json",
      "share/man/man1/labelcoop.1",
      "share/bash-completion/completions/labelcoop",
      "lib/systemd/system/labelcoop.service",
      "lib/sysusers.d/labelcoop.conf",
      "etc/labelcoop/labelcoop.conf",
      "share/labelcoop/labelcoop.conf",
    }) do
      assert.are.equal(0, (shell("test -e " .. quote(root .. "/" .. path))), "missing " .. path)
    end
  end)

  it("runs from where it is installed, its defaults the installed folders", function()
    -- From any folder, without --rules: the rules under PREFIX/share.
    local out = ok("cd / && " .. quote(root .. "/bin/labelcoop") .. " rules check")
    assert.truthy(out:find("117", 1, true), out)
    -- A database of its own: the machine's /var/lib/labelcoop is never the spec's to read or make.
    local db = support.tmpdir() .. "/labelcoop.db"
    ok("cd / && " .. quote(root .. "/bin/labelcoop") .. " init --db " .. quote(db))
    local list = ok("cd / && " .. quote(root .. "/bin/labelcoop") .. " report list --db " .. quote(db))
    assert.truthy(list:find("network-overview", 1, true), list)
    -- The build's program keeps the clone's relative defaults (make run).
    assert.truthy(ok("cd " .. quote(support.root) .. " && " .. quote(support.bin) .. " rules check")
      :find("117", 1, true))
    local code = shell("cd / && " .. quote(support.bin) .. " rules check")
    assert.are_not.equal(0, code)
  end)

  it("reads the settings file it installs, with the installed folders as defaults", function()
    local conf = root .. "/etc/labelcoop/labelcoop.conf"
    local out = ok(quote(root .. "/bin/labelcoop") .. " config check --config " .. quote(conf))
    assert.truthy(out:find("\ndb = /var/lib/labelcoop/labelcoop.db\n", 1, true), out)
    assert.truthy(out:find("\nrules = " .. root .. "/share/labelcoop/rules\n", 1, true), out)
    assert.truthy(out:find("\nlisten = 127.0.0.1:8080\n", 1, true), out)
    -- An administrator's settings survive the next install.
    support.write(conf, "threads = 3\n")
    ok("DESTDIR=" .. quote(dest) .. " cmake --install " .. quote(build) .. " --prefix " .. PREFIX)
    assert.are.equal("threads = 3\n", support.read(conf))
  end)

  it("says its version and the commit it was built from", function()
    local out = ok(quote(root .. "/bin/labelcoop") .. " version")
    local commit = out:match("^labelcoop %d+%.%d+%.%d+ %(commit ([%w-]+)%)\n$")
    assert.truthy(commit, out)
    -- A commit of this clone (the build may be older than HEAD).
    if shell("git -C " .. quote(support.root) .. " rev-parse HEAD") == 0 then
      local hash = commit:gsub("%-dirty$", "")
      assert.are.equal(0, (shell("git -C " .. quote(support.root) .. " cat-file -e "
        .. quote(hash .. "^{commit}"))), commit)
    end
  end)

  it("has a man page that renders cleanly and names every command and option", function()
    local page = root .. "/share/man/man1/labelcoop.1"
    assert.are.equal("", ok("groff -man -ww -z " .. quote(page)))
    -- As man shows it: plain text, wide enough that no name is cut.
    local text = ok("groff -man -Tutf8 -P-cbou -rLL=200n " .. quote(page))
    for _, command in ipairs(commands()) do
      assert.truthy(text:find(command, 1, true), "the man page lacks " .. command)
    end
    for _, option in ipairs(options()) do
      assert.truthy(text:find(option, 1, true), "the man page lacks " .. option)
    end
  end)

  it("completes commands, sub-commands and options from the program's own help", function()
    local completion = root .. "/share/bash-completion/completions/labelcoop"
    local function complete(...)
      local words = { quote(root .. "/bin/labelcoop") }
      for _, w in ipairs({ ... }) do
        words[#words + 1] = quote(w)
      end
      return ok("bash -c " .. quote("source " .. quote(completion) .. "; COMP_WORDS=("
        .. table.concat(words, " ") .. "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _labelcoop; "
        .. "printf '%s\\n' \"${COMPREPLY[@]}\""))
    end
    local top = complete("")
    for _, command in ipairs(commands()) do
      local first = command:match("^%S+")
      assert.truthy(top:find("\n" .. first .. "\n", 1, true) or top:find("^" .. first .. "\n"),
        "no completion for " .. first .. ":\n" .. top)
    end
    assert.are.equal("activate\n", complete("rules", "ac"))
    assert.are.equal("--threads\n", complete("serve", "--th"))
    assert.are.equal("--note\n", complete("rules", "rollback", "--no"))
  end)

  it("ships a systemd unit that systemd-analyze verify accepts", function()
    local unit = support.read(root .. "/lib/systemd/system/labelcoop.service")
    -- The unit names the installed paths of this prefix.
    assert.truthy(unit:find("ExecStart=" .. PREFIX .. "/bin/labelcoop serve --config "
      .. PREFIX .. "/etc/labelcoop/labelcoop.conf\n", 1, true), unit)
    for _, line in ipairs({
      "User=labelcoop", "StateDirectory=labelcoop", "ProtectSystem=strict",
      "NoNewPrivileges=yes", "PrivateTmp=yes", "Restart=on-failure",
      "ExecReload=/bin/kill -HUP $MAINPID",
    }) do
      assert.truthy(unit:find(line, 1, true), "the unit lacks " .. line)
    end
    -- systemd-analyze checks that the program exists: the copy it reads
    -- names the one under DESTDIR; its man page is found the same way.
    local dir = support.tmpdir()
    support.write(dir .. "/labelcoop.service",
      (unit:gsub("ExecStart=" .. PREFIX:gsub("%p", "%%%0"), "ExecStart=" .. root)))
    local code, out = shell("MANPATH=" .. quote(root .. "/share/man") .. ": systemd-analyze verify "
      .. quote(dir .. "/labelcoop.service"))
    assert.are.equal(0, code, out)
    assert.are.equal("", out)
  end)
end)

describe("make deb", function()
  local deb
  setup(function()
    local dir = support.tmpdir()
    ok("cd " .. quote(build) .. " && cpack -G DEB -B " .. quote(dir))
    deb = ok("ls " .. quote(dir) .. "/labelcoop_*.deb"):match("[^\n]+")
  end)
  teardown(support.cleanup)

  it("holds the same files under /usr, the unit naming them", function()
    local list = ok("dpkg-deb -c " .. quote(deb))
    for _, path in ipairs({
      "./usr/bin/labelcoop", "./usr/share/labelcoop/rules/award.lua",
      "./usr/share/labelcoop/web/index.html", "./usr/share/man/man1/labelcoop.1",
      "./usr/lib/systemd/system/labelcoop.service", "./etc/labelcoop/labelcoop.conf",
    }) do
      assert.truthy(list:find(path, 1, true), "the package lacks " .. path)
    end
    local unit = ok("dpkg-deb --fsys-tarfile " .. quote(deb)
      .. " | tar -xO ./usr/lib/systemd/system/labelcoop.service")
    assert.truthy(unit:find("ExecStart=/usr/bin/labelcoop serve --config /etc/labelcoop/labelcoop.conf",
      1, true), unit)
  end)

  it("depends on the libraries it links and creates its user", function()
    local depends = ok("dpkg-deb -f " .. quote(deb) .. " Depends")
    for _, package in ipairs({ "libsqlite3-0", "liblua5.4-0", "libmicrohttpd12", "lua-busted",
      "adduser" }) do
      assert.truthy(depends:find(package, 1, true), "Depends lacks " .. package .. ": " .. depends)
    end
    local control = support.tmpdir()
    ok("dpkg-deb -e " .. quote(deb) .. " " .. quote(control))
    local postinst = support.read(control .. "/postinst")
    assert.truthy(postinst:find("adduser --system", 1, true), postinst)
    -- dpkg keeps an administrator's settings across upgrades.
    assert.are.equal("/etc/labelcoop/labelcoop.conf\n", support.read(control .. "/conffiles"))
    for _, script in ipairs({ "postinst", "prerm", "postrm" }) do
      ok("sh -n " .. quote(control .. "/" .. script))
    end
  end)
end)

-- Helpers shared by the functional specs: they drive the real labelcoop
-- binary as a user would, through its command line, files and stdin.
--
-- Environment:
--   LABELCOOP_ROOT  project root (default: current directory)
--   LABELCOOP_BIN   the binary (default: build/labelcoop under the root)

local dkjson = require "dkjson"

local support = {}

local function absolute(path)
  if path:sub(1, 1) == "/" then
    return path
  end
  local p = io.popen("pwd")
  local cwd = p:read("*l")
  p:close()
  return cwd .. "/" .. path
end

support.root = absolute(os.getenv("LABELCOOP_ROOT") or ".")

-- A program the specs run: the path in the environment variable `var`, or
-- `default`; either relative to the project root unless absolute.
function support.program(var, default)
  local bin = os.getenv(var) or default
  if bin:sub(1, 1) ~= "/" then
    bin = support.root .. "/" .. bin
  end
  return bin
end

support.bin = support.program("LABELCOOP_BIN", "build/labelcoop")
support.rules = support.root .. "/rules"

-- Shell quoting: every argument goes through this, whatever it holds.
local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
support.quote = quote

-- Opens `path` for reading and returns use(f), the file closed again; nil
-- when it cannot be opened (a missing file is no error here).
function support.with_file(path, use)
  local f = io.open(path, "rb")
  if not f then
    return nil
  end
  local v = use(f)
  f:close()
  return v
end

local function read_file(path)
  return support.with_file(path, function(f) return f:read("a") end)
end
support.read = read_file

function support.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

-- A set of temporary directories named /tmp/<prefix>.XXXXXX: returns
-- tmpdir() -> a new one, cleanup() -> removes every one made so far, and
-- forget(dir) -> removes one now. Each helper module keeps its own set, so
-- that one spec's cleanup does not remove a fixture another relies on.
function support.tmpdirs(prefix)
  local dirs = {}
  local function tmpdir()
    local p = assert(io.popen("mktemp -d /tmp/" .. prefix .. ".XXXXXX"))
    local dir = p:read("*l")
    p:close()
    assert(dir and dir ~= "", "mktemp -d failed")
    dirs[#dirs + 1] = dir
    return dir
  end
  local function cleanup()
    for i = #dirs, 1, -1 do
      os.execute("rm -rf " .. quote(dirs[i]))
      dirs[i] = nil
    end
  end
  local function forget(dir)
    os.execute("rm -rf " .. quote(dir))
    for k = #dirs, 1, -1 do
      if dirs[k] == dir then
        table.remove(dirs, k)
      end
    end
  end
  return tmpdir, cleanup, forget
end

-- Temporary directories, removed by support.cleanup() (called from the
-- specs' teardown / after_each).
local forget_tmpdir
support.tmpdir, support.cleanup, forget_tmpdir = support.tmpdirs("labelcoop-ft")

-- luassert's assert when busted runs the spec, so that a broken expectation
-- is reported as a failure (not an error) with our message; Lua's otherwise.
do
  local ok, luassert = pcall(require, "luassert")
  support.assert = ok and luassert or assert
end

function support.sleep(seconds)
  os.execute("sleep " .. tostring(seconds))
end

-- The wall clock, in seconds with a fraction.
function support.now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("*l"))
  p:close()
  return t
end

-- Polls `pred` every `step` seconds (default 0.05) until it returns a true
-- value or `timeout` seconds (default 10) pass; returns pred's last value.
function support.wait_for(pred, timeout, step)
  local deadline = support.now() + (timeout or 10)
  local v = pred()
  while not v and support.now() < deadline do
    support.sleep(step or 0.05)
    v = pred()
  end
  return v
end

-- How many times `needle` (plain text) occurs in `text`.
function support.count(text, needle)
  local n, from = 0, 1
  while true do
    local s, e = text:find(needle, from, true)
    if not s then
      return n
    end
    n = n + 1
    from = e + 1
  end
end

-- Runs the binary with the given arguments (a list), optionally feeding
-- stdin_string on standard input. Returns {code, stdout, stderr, elapsed}.
-- `timeout 60` turns a hang into a failure (exit code 124). With `cwd`, the
-- binary runs in that directory; `limit` replaces the 60 s timeout.
function support.run(args, stdin_string, cwd, limit)
  local dir = support.tmpdir()
  local parts = { "timeout", tostring(limit or 60), quote(support.bin) }
  for _, a in ipairs(args or {}) do
    parts[#parts + 1] = quote(a)
  end
  local stdin_redirect = "</dev/null"
  if stdin_string ~= nil then
    support.write(dir .. "/stdin", stdin_string)
    stdin_redirect = "<" .. quote(dir .. "/stdin")
  end
  local script = string.format(
    "%ss=$(date +%%s%%N); %s %s >%s 2>%s; rc=$?; e=$(date +%%s%%N); echo \"$rc $((e - s))\" >%s",
    cwd and ("cd " .. quote(cwd) .. " || exit 1; ") or "",
    table.concat(parts, " "), stdin_redirect,
    quote(dir .. "/stdout"), quote(dir .. "/stderr"), quote(dir .. "/rc"))
  os.execute("sh -c " .. quote(script))
  local rc, ns = (read_file(dir .. "/rc") or ""):match("^(%d+) (%d+)")
  local result = {
    code = tonumber(rc),
    stdout = read_file(dir .. "/stdout") or "",
    stderr = read_file(dir .. "/stderr") or "",
    elapsed = ns and tonumber(ns) / 1e9 or nil,
  }
  forget_tmpdir(dir)
  return result
end

-- A copy of the shipped rules tree, in a fresh temporary directory.
function support.copy_rules()
  local dir = support.tmpdir()
  local dest = dir .. "/rules"
  assert(os.execute("cp -r " .. quote(support.rules) .. " " .. quote(dest)), "cp -r failed")
  return dest
end

-- A copy of the shipped rules with `body` as referential/99-evil.lua, on
-- line 2; returns the folder and the "file:line:" an error there starts with.
function support.rules_with_evil(body)
  local rules = support.copy_rules()
  support.write(rules .. "/referential/99-evil.lua", "-- fichier hostile\n" .. body .. "\n")
  return rules, "referential/99-evil.lua:2:"
end

-- JSON through dkjson. decode keeps JSON null as json.null, so a key whose
-- value is null is still present in the decoded object.
local json = {}
json.null = dkjson.null

function json.decode(text)
  local value, _, err = dkjson.decode(text, 1, dkjson.null)
  if err then
    error("invalid JSON: " .. err .. "\n" .. tostring(text), 2)
  end
  return value
end

-- Marks a Lua table as a JSON object (matters when it is empty).
function json.object(t)
  return setmetatable(t or {}, { __jsontype = "object" })
end

function json.encode(value)
  return dkjson.encode(value)
end
support.json = json

-- The référentiel as `rules list --format json` gives it, fetched once.
local listing
function support.listing()
  if not listing then
    local r = support.run({ "rules", "list", "--rules", support.rules, "--format", "json" })
    assert(r.code == 0, "rules list failed: " .. r.stderr)
    listing = json.decode(r.stdout)
  end
  return listing
end

function support.criteria()
  return support.listing().criteria
end

-- Criteria of one level (optionally of one field), in declaration order.
function support.criteria_where(pred)
  return support.filter(support.criteria(), pred)
end

-- The `key` (default "id") of each item of a list (nil: none), in order.
function support.ids(list, key)
  local out = {}
  for i, c in ipairs(list or {}) do
    out[i] = c[key or "id"]
  end
  return out
end

-- Sets in `t` every key of `changes` (none when nil), a key set to false
-- removed instead; returns t.
function support.override(t, changes)
  for k, v in pairs(changes or {}) do
    if v == false then
      t[k] = nil
    else
      t[k] = v
    end
  end
  return t
end

-- Answers for every criterion. level_map maps a level ("mandatory",
-- "recommended", "advised") to either a status string, or a function
-- (criterion, rank within its level) -> status. Levels not in the map get
-- `default` (itself "met" unless given). `overrides` maps ids to answers
-- (a status, an object, or false to leave the criterion unanswered).
function support.answers_for(level_map, overrides, default)
  level_map = level_map or {}
  default = default or "met"
  local answers = json.object({})
  local rank = {}
  for _, c in ipairs(support.criteria()) do
    rank[c.level] = (rank[c.level] or 0) + 1
    local how = level_map[c.level]
    local status
    if type(how) == "function" then
      status = how(c, rank[c.level])
    elseif how ~= nil then
      status = how
    else
      status = default
    end
    if status ~= nil and status ~= false then
      answers[c.id] = status
    end
  end
  return support.override(answers, overrides)
end

-- An evaluate input: an audit on 2026-03-02 with 3 internal stakeholders
-- unless `fields` says otherwise (a field set to false is left out).
function support.input(answers, fields)
  local t = json.object({
    kind = "audit",
    date = "2026-03-02",
    internal_stakeholders = 3,
    answers = answers or support.answers_for({}),
  })
  return support.override(t, fields)
end

-- Runs `evaluate` on an input table (or raw JSON text) through a file.
-- Returns the run result, plus .json (decoded output) when it exited 0
-- with JSON output.
function support.evaluate(input, extra_args, rules_dir)
  local dir = support.tmpdir()
  local text = type(input) == "string" and input or json.encode(input)
  local path = support.write(dir .. "/answers.json", text)
  local args = { "evaluate", "--answers", path, "--rules", rules_dir or support.rules }
  for _, a in ipairs(extra_args or {}) do
    args[#args + 1] = a
  end
  local r = support.run(args)
  r.input_path = path
  local is_text = false
  for i, a in ipairs(args) do
    if a == "--format" and args[i + 1] == "text" then
      is_text = true
    end
  end
  if r.code == 0 and not is_text then
    r.json = json.decode(r.stdout)
  end
  return r
end

-- The hash printed on the `ruleset <hex>` line of `rules check`.
function support.check(rules_dir, extra_args)
  local args = { "rules", "check", "--rules", rules_dir or support.rules }
  for _, a in ipairs(extra_args or {}) do
    args[#args + 1] = a
  end
  local r = support.run(args)
  r.hash = r.stdout:match("\nruleset (%x+)%s*$") or r.stdout:match("^ruleset (%x+)")
  return r
end

-- Lines of a text, without their end-of-line characters.
function support.lines(text)
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    out[#out + 1] = line
  end
  if out[#out] == "" then
    out[#out] = nil
  end
  return out
end

-- The items of `list` for which `keep(item)` is true, in order.
function support.filter(list, keep)
  local out = {}
  for _, item in ipairs(list) do
    if keep(item) then
      out[#out + 1] = item
    end
  end
  return out
end

-- Sorted keys of a table.
function support.keys(t)
  local out = {}
  for k in pairs(t) do
    out[#out + 1] = k
  end
  table.sort(out)
  return out
end

-- Is there a line in `text` that starts with `prefix` (plain text), with
-- or without the program's "labelcoop: " prefix before it?
function support.line_starting(text, prefix)
  for _, line in ipairs(support.lines(text)) do
    if line:sub(1, #prefix) == prefix then
      return line
    end
    local p = "labelcoop: " .. prefix
    if line:sub(1, #p) == p then
      return line
    end
  end
  return nil
end

return support

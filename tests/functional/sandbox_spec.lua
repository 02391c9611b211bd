-- Hostile rule files: the sandbox refuses them with exit 3 and a clear
-- `file:line: message`, in bounded time, whether the hostile code runs
-- while the rules load or while an evaluation runs (issue 2).

local support = require "support"
local json = support.json

-- Anything slower than this is not "bounded time" for a rule check.
local BOUND = 15
-- Hostile runs get this timeout instead of 60 s (a hang fails with 124).
local TIMEOUT = 20

local function answers_file()
  local dir = support.tmpdir()
  return support.write(dir .. "/answers.json", json.encode(support.input(support.answers_for({}))))
end

local at_load = support.rules_with_evil

-- A copy of the rules with `body` as the first line of award.lua's evaluate
-- function, so that it runs at evaluation time.
local function at_evaluate(body)
  local rules = support.copy_rules()
  local lines = support.lines(support.read(rules .. "/award.lua"))
  local at
  for i, line in ipairs(lines) do
    if line:match("^%s*local%s+function%s+evaluate%s*%(") then
      at = i
      break
    end
  end
  assert(at, "award.lua has no `local function evaluate(`")
  table.insert(lines, at + 1, body)
  support.write(rules .. "/award.lua", table.concat(lines, "\n") .. "\n")
  return rules, "award.lua:" .. (at + 1) .. ":"
end

local function assert_refused(r, prefix, needles)
  assert.are_not.equal(124, r.code, "the binary hung (killed by timeout)")
  assert.are.equal(3, r.code, "expected exit 3, got " .. tostring(r.code) .. "; stderr: " .. r.stderr)
  assert.is_true(r.elapsed < BOUND, "took " .. tostring(r.elapsed) .. " s")
  local line = support.line_starting(r.stderr, prefix)
  assert.is_not_nil(line, "no line starting with '" .. prefix .. "' in:\n" .. r.stderr)
  for _, needle in ipairs(needles) do
    assert.truthy(line:find(needle), "pattern '" .. needle .. "' not in: " .. line)
  end
  return line
end

local function check(rules, extra)
  local args = { "rules", "check", "--rules", rules }
  for _, a in ipairs(extra or {}) do args[#args + 1] = a end
  return support.run(args, nil, nil, TIMEOUT)
end

local function evaluate(rules, extra, answers)
  local args = { "evaluate", "--answers", answers or answers_file(), "--rules", rules }
  for _, a in ipairs(extra or {}) do args[#args + 1] = a end
  return support.run(args, nil, nil, TIMEOUT)
end

-- Each case: a name, a one-line body, and Lua patterns the error line must match.
-- `marker` bodies get "%MARKER%" replaced by a path that must not appear.
local CASES = {
  { "an infinite loop", "while true do end", { "instruction limit exceeded" } },
  { "an infinite loop inside pcall, in a loop",
    "for i = 1, math.huge do pcall(function() while true do end end) end", { "instruction limit exceeded" } },
  { "an infinite loop in a loaded text chunk", 'local f = load("while true do end") f()',
    { "instruction limit exceeded" } },
  { "a memory bomb", 'local t = {} for i = 1, math.huge do t[i] = string.rep("x", 1 << 20) .. i end',
    { "memory limit exceeded" } },
  { "a doubling string", 'local s = "x" while true do s = s .. s end', { "memory limit exceeded" } },
  { "os.execute", 'os.execute("touch %MARKER%")', { "execute" }, marker = true },
  { "os.exit", "os.exit(0)", { "exit" } },
  { "os.remove", 'os.remove("%MARKER%")', { "remove" }, keep_marker = true },
  { "os.getenv", 'local home = os.getenv("HOME")', { "getenv" } },
  { "io.open", 'local f = io.open("%MARKER%", "w") f:write("x") f:close()', { "%f[%w]io%f[%W]" }, marker = true },
  { "require", 'local os2 = require("os")', { "require" } },
  { "dofile", 'dofile("/etc/hostname")', { "dofile" } },
  { "loadfile", 'local f = loadfile("/etc/hostname")', { "loadfile" } },
  { "a binary chunk through load", 'assert(load(string.char(27) .. "Lua"))', { "binary" } },
  { "a binary chunk through load in mode b", 'assert(load(string.char(27) .. "Lua", "x", "b"))', { "binary" } },
  { "string.dump", "local s = string.dump(function() end)", { "dump" } },
  { "modifying string.format", 'string.format = function() return "" end', { "read%-only" } },
  { "debug", "debug.sethook()", { "debug" } },
  { "package.loadlib", 'local f = package.loadlib("libc.so.6", "system")', { "package" } },
  { "include outside the rules tree", 'include("../x.lua")', { "%.%./x%.lua" } },
}

describe("the sandbox", function()
  after_each(function()
    support.cleanup()
  end)

  for _, case in ipairs(CASES) do
    local name, body, needles = case[1], case[2], case[3]

    local function prepare()
      local dir = support.tmpdir()
      local marker = dir .. "/marker"
      if case.keep_marker then
        support.write(marker, "still here")
      end
      return body:gsub("%%MARKER%%", marker), marker
    end

    local function check_marker(marker)
      local f = io.open(marker, "rb")
      if case.marker then
        assert.is_nil(f, "the hostile code created " .. marker)
      end
      if case.keep_marker then
        assert.is_not_nil(f, "the hostile code removed " .. marker)
      end
      if f then f:close() end
    end

    it("refuses " .. name .. " while the rules load", function()
      local code, marker = prepare()
      local rules, prefix = at_load(code)
      assert_refused(check(rules), prefix, needles)
      check_marker(marker)
      local e = evaluate(rules)
      assert_refused(e, prefix, needles)
      assert.are.equal("", e.stdout)
      check_marker(marker)
    end)

    it("refuses " .. name .. " during an evaluation", function()
      local code, marker = prepare()
      local rules, prefix = at_evaluate(code)
      local e = evaluate(rules)
      assert_refused(e, prefix, needles)
      assert.are.equal("", e.stdout)
      check_marker(marker)
    end)
  end

  it("refuses an infinite loop in a finalizer (__gc)", function()
    local rules, prefix = at_load(
      "local t = setmetatable({}, { __gc = function() while true do end end }) t = nil")
    local r = support.run({ "rules", "check", "--rules", rules }, nil, nil, BOUND)
    assert.are_not.equal(124, r.code, "the binary hung in a __gc finalizer (killed by timeout)")
    assert.are.equal(3, r.code, r.stderr)
    assert.is_true(r.elapsed < BOUND, "took " .. tostring(r.elapsed) .. " s")
    -- Lua runs finalizers with hooks off: the sandbox refuses __gc outright.
    assert.truthy(r.stderr:find("__gc metamethods are not allowed in the sandbox", 1, true), r.stderr)
    assert.is_not_nil(support.line_starting(r.stderr, prefix), r.stderr)
  end)

  describe("limits set on the command line", function()
    -- Long enough (about 40 million instructions) that the watchdog arms the
    -- count on any machine, short enough for the default limit of 50 million.
    local LOOP = "local n = 0 for i = 1, 10000000 do n = n + i end assert(n > 0)"
    local ALLOC = 'local t = {} for i = 1, 20000 do t[i] = string.rep("y", 100) .. i end assert(#t == 20000)'

    it("--max-instructions 100000 stops a loop the default lets run", function()
      local rules, prefix = at_load(LOOP)
      local default = check(rules)
      assert.are.equal(0, default.code, default.stderr)
      assert_refused(check(rules, { "--max-instructions", "100000" }), prefix, { "instruction limit exceeded" })
    end)

    it("--max-instructions also applies during an evaluation", function()
      local rules, prefix = at_evaluate(LOOP)
      local default = evaluate(rules)
      assert.are.equal(0, default.code, default.stderr)
      assert.are.equal("eligible", json.decode(default.stdout).outcome)
      assert_refused(evaluate(rules, { "--max-instructions", "100000" }), prefix, { "instruction limit exceeded" })
    end)

    it("--max-memory 1 stops an allocation the default allows", function()
      local rules, prefix = at_load(ALLOC)
      local default = check(rules)
      assert.are.equal(0, default.code, default.stderr)
      assert_refused(check(rules, { "--max-memory", "1" }), prefix, { "memory limit exceeded" })
    end)

    it("the shipped rules run within --max-instructions 100000", function()
      local r = support.run({ "evaluate", "--answers", answers_file(), "--rules", support.rules,
        "--max-instructions", "100000" })
      assert.are.equal(0, r.code, r.stderr)
      assert.are.equal("eligible", json.decode(r.stdout).outcome)
    end)
  end)

  describe("after a runtime error in evaluate", function()
    it("the next evaluation under the same rules works", function()
      local rules, prefix = at_evaluate(table.concat({
        'if ctx.date == "2026-01-05" then error("panne volontaire") end',
        'if ctx.date == "2026-01-06" then local t = {} for i = 1, math.huge do t[i] = string.rep("z", 1 << 20) .. i end end',
        'if ctx.date == "2026-01-07" then while true do end end',
      }, " "))
      local function answers_on(date)
        local dir = support.tmpdir()
        return support.write(dir .. "/a.json",
          json.encode(support.input(support.answers_for({}), { date = date })))
      end
      assert_refused(evaluate(rules, nil, answers_on("2026-01-05")), prefix, { "panne volontaire" })
      assert_refused(evaluate(rules, nil, answers_on("2026-01-06")), prefix, { "memory limit exceeded" })
      assert_refused(evaluate(rules, nil, answers_on("2026-01-07")), prefix, { "instruction limit exceeded" })
      local ok = evaluate(rules, nil, answers_on("2026-01-08"))
      assert.are.equal(0, ok.code, ok.stderr)
      local out = json.decode(ok.stdout)
      assert.are.equal("eligible", out.outcome)
      assert.are.equal("2029-01-08", out.valid_until)
    end)
  end)
end)

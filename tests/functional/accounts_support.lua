-- Concurrent requests for the account specs: shell commands started
-- together, curl command lines that can come from another local address.

local H = require "http_support"
local support = require "support"
local json = support.json
local quote = support.quote

local A = {}

-- Runs the shell commands of `list` at once, command i started delay(i)
-- seconds after the first; returns their outputs in order.
function A.concurrently(list, delay)
  local dir = H.tmpdir()
  local script = {}
  for i, command in ipairs(list) do
    script[#script + 1] = string.format("(sleep %.3f; %s) >%s 2>/dev/null &", delay and delay(i) or 0,
      command, quote(dir .. "/out" .. i))
  end
  script[#script + 1] = "wait"
  support.write(dir .. "/run.sh", table.concat(script, "\n") .. "\n")
  assert(os.execute("sh " .. quote(dir .. "/run.sh")))
  local outs = {}
  for i = 1, #list do
    outs[i] = support.read(dir .. "/out" .. i) or ""
  end
  return outs
end

-- A curl command line giving "<status>\n" for one request; `from` binds it
-- to a local address (the server listens on 127.0.0.1 and sees this one).
function A.curl(server, method, path, opts)
  local words = { "curl", "-s", "-o", "/dev/null", "-w", quote("%{http_code}\\n"), "--max-time", "60",
    "-X", method }
  if opts.from then
    words[#words + 1] = "--interface " .. opts.from
  end
  if opts.token then
    words[#words + 1] = "-H " .. quote("Authorization: Bearer " .. opts.token)
  end
  if opts.json then
    words[#words + 1] = "-H 'Content-Type: application/json' --data-binary " .. quote(json.encode(opts.json))
  end
  words[#words + 1] = quote(server.url .. path)
  return table.concat(words, " ")
end

-- The statuses that curl command lines wrote, in order.
function A.statuses(text)
  local list = {}
  for code in text:gmatch("(%d+)\n") do
    list[#list + 1] = tonumber(code)
  end
  return list
end

-- The status of one login attempt made from the local address `from`.
function A.login_from(server, from, email, password)
  local out = A.concurrently({ A.curl(server, "POST", "/api/v1/session",
    { from = from, json = { email = email, password = password } }) })[1]
  return A.statuses(out)[1]
end

return A

-- What the mail specs share: a real SMTP server (smtp_receiver.py, with
-- STARTTLS on a self-signed certificate and AUTH), the messages it took,
-- the outbox's log, and a server sending to it.

local support = require "support"
local H = require "http_support"
local json = support.json
local quote = support.quote

local M = {}

local RECEIVER = support.root .. "/tests/functional/smtp_receiver.py"
M.SMTP_PASSWORD = "pw-Zq7-never-logged"

-- A self-signed certificate for localhost, in dir: cert.pem, key.pem.
function M.certificate(dir)
  assert(os.execute("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    .. " -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost"
    .. " -keyout " .. quote(dir .. "/key.pem") .. " -out " .. quote(dir .. "/cert.pem")
    .. " >/dev/null 2>&1"), "openssl could not make a certificate")
  return dir .. "/cert.pem", dir .. "/key.pem"
end

-- Starts the SMTP receiver on port, writing to box; with tls = {cert, key}
-- it requires STARTTLS, with auth = "user:password" AUTH.
function M.start_receiver(box, port, tls, auth)
  local dir = H.tmpdir()
  local cmd = "/usr/bin/python3 " .. quote(RECEIVER) .. " --dir " .. quote(box) .. " --port " .. port
  if tls then
    cmd = cmd .. " --cert " .. quote(tls[1]) .. " --key " .. quote(tls[2])
  end
  if auth then
    cmd = cmd .. " --auth " .. quote(auth)
  end
  H.spawn(dir, cmd)
  return H.keep(H.listening(dir, "smtp_receiver"))
end

-- The messages in box, as the receiver summarised them, in arrival order.
function M.messages(box)
  local p = assert(io.popen("ls " .. quote(box) .. " 2>/dev/null | grep '\\.json$' | sort"))
  local list = {}
  for name in p:lines() do
    list[#list + 1] = json.decode(support.read(box .. "/" .. name))
  end
  p:close()
  return list
end

function M.wait_messages(box, n, timeout)
  support.wait_for(function() return #M.messages(box) >= n end, timeout or 30, 0.1)
  return M.messages(box)
end

function M.by_recipient(list)
  local out = {}
  for _, m in ipairs(list) do
    out[m.to] = out[m.to] or {}
    table.insert(out[m.to], m)
  end
  return out
end

function M.mail_log(db, status)
  local args = { "mail", "log", "--db", db, "--format", "json" }
  if status then
    args[#args + 1] = "--status"
    args[#args + 1] = status
  end
  local r = support.run(args)
  assert(r.code == 0, "mail log: " .. r.stderr)
  return json.decode(r.stdout)
end

-- serve on db, sending to the receiver on port with AUTH and STARTTLS
-- (pwfile, cert), links on https://label.example.org; more: other options.
function M.serve(db, port, pwfile, cert, more)
  local args = { "--smtp-url", "smtp://localhost:" .. port, "--smtp-user", "mailer",
    "--smtp-password-file", pwfile, "--smtp-ca-file", cert, "--mail-from", "label@x.test",
    "--public-url", "https://label.example.org", "--mail-retry", "1,1,1,1,1,1,1,1" }
  for _, a in ipairs(more or {}) do
    args[#args + 1] = a
  end
  return H.start_server({ db = db, args = args })
end

return M

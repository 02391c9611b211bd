-- What the mail specs share: a real SMTP server (smtp_receiver.py, Debian's
-- python3-aiosmtpd, with STARTTLS on a self-signed certificate and AUTH),
-- the messages it took, the outbox as `labelcoop mail log` shows it, a
-- server sending to it (with TLS and AUTH, or plain), and the links in a
-- message.
--
-- Uses support.lua and http_support.lua.

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

-- A server on db sending to a plain receiver of its own (no TLS, no AUTH),
-- links on https://label.example.org; more: further arguments. Returns the
-- server and the receiver's box.
function M.serve_plain(db, more)
  local box = H.tmpdir() .. "/box"
  local port = H.free_port()
  M.start_receiver(box, port)
  local args = { "--smtp-url", "smtp://localhost:" .. port, "--smtp-tls", "none",
    "--mail-from", "label@x.test", "--public-url", "https://label.example.org",
    "--mail-retry", "1,1,1,1,1,1,1,1" }
  for _, a in ipairs(more or {}) do
    args[#args + 1] = a
  end
  return H.start_server({ db = db, args = args }), box
end

-- The first link in a message's text part that starts with prefix.
function M.link(message, prefix)
  local text = message.parts[1].content
  local at = text:find(prefix, 1, true)
  return at and text:match("^[^%s]+", at)
end

-- The token of the link under prefix ("https://label.example.org/#/invitation/")
-- in the n-th message (n: 1 unless given) box holds for email, once it
-- holds that many for it, and that message; fails unless exactly n came.
function M.link_token(box, email, prefix, n)
  n = n or 1
  local mine
  support.wait_for(function()
    mine = M.by_recipient(M.messages(box))[email] or {}
    return #mine >= n
  end, 30, 0.1)
  assert(#mine == n, n .. " messages for " .. email .. ": " .. json.encode(mine))
  local link = M.link(mine[n], prefix)
  assert(link, "no link in " .. mine[n].parts[1].content)
  return link:sub(#prefix + 1), mine[n]
end

return M

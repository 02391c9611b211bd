-- Writes the nginx configuration of the HTTP baseline: nginx answering, from
-- memory, the very bytes labelcoop answered, on 127.0.0.1 only.
--   lua5.4 nginx_conf.lua PREFIX PORT GET_PATH GET_BODY_FILE PUT_PATH PUT_BODY_FILE
-- nginx reads no configuration token longer than its 4 KiB buffer, so a long
-- body is cut into variables set from short literals and joined by `return`.

local prefix, port, get_path, get_file, put_path, put_file = table.unpack(arg)
assert(put_file, "usage: nginx_conf.lua PREFIX PORT GET_PATH GET_BODY_FILE PUT_PATH PUT_BODY_FILE")

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- A single-quoted nginx string; `$` would start a variable, so it comes from
-- the geo variable $dollar instead.
local function quote(s)
  s = s:gsub("[\\']", "\\%0"):gsub("%$", "${dollar}")
  return "'" .. s .. "'"
end

local CHUNK = 2000 -- bytes of body per literal, escaped size stays under 4 KiB

local function location(name, path, body, match)
  local out = {}
  local function say(fmt, ...) out[#out + 1] = string.format(fmt, ...) end
  say("    location %s %s {", match, path)
  say("      default_type \"application/json; charset=utf-8\";")
  say("      add_header X-Content-Type-Options nosniff;")
  say("      add_header Cache-Control no-store;")
  local names = {}
  for i = 1, #body, CHUNK do
    local var = string.format("$%s_%d", name, #names)
    names[#names + 1] = var
    say("      set %s %s;", var, quote(body:sub(i, i + CHUNK - 1)))
  end
  local joined = {}
  for i, var in ipairs(names) do joined[i] = "${" .. var:sub(2) .. "}" end
  say("      return 200 \"%s\";", table.concat(joined))
  say("    }")
  return table.concat(out, "\n")
end

-- tests/tools/nginx_frame.lua, beside this script's folder.
local frame = dofile((arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../tools/nginx_frame.lua")

io.write(frame(prefix, {
  "worker_processes auto;",
  "master_process on;",
  "events { worker_connections 1024; }",
}, {
  "  keepalive_requests 1000000;",
  "  geo $dollar { default \"$\"; }",
  "  server {",
  "    listen 127.0.0.1:" .. port .. ";",
  location("get", get_path, slurp(get_file), "="),
  location("put", put_path, slurp(put_file), "="),
  "    location / { return 404; }",
  "  }",
}))

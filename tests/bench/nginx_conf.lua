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

local conf = {
  "worker_processes auto;",
  "daemon off;",
  "master_process on;",
  "pid " .. prefix .. "/nginx.pid;",
  "error_log " .. prefix .. "/error.log warn;",
  "events { worker_connections 1024; }",
  "http {",
  "  access_log off;",
  "  keepalive_requests 1000000;",
  "  client_body_temp_path " .. prefix .. "/body;",
  "  proxy_temp_path " .. prefix .. "/proxy;",
  "  fastcgi_temp_path " .. prefix .. "/fastcgi;",
  "  uwsgi_temp_path " .. prefix .. "/uwsgi;",
  "  scgi_temp_path " .. prefix .. "/scgi;",
  "  geo $dollar { default \"$\"; }",
  "  server {",
  "    listen 127.0.0.1:" .. port .. ";",
  location("get", get_path, slurp(get_file), "="),
  location("put", put_path, slurp(put_file), "="),
  "    location / { return 404; }",
  "  }",
  "}",
}
io.write(table.concat(conf, "\n"), "\n")

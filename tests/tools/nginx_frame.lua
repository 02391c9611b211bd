-- The frame of a test nginx: in the foreground, every file under prefix,
-- no access log; `main` adds top-level lines, `http` the lines inside http {}.
-- Used by the bench's baseline (tests/bench/nginx_conf.lua) and the proxy
-- spec (tests/functional/proxy_spec.lua): dofile() it, call the function.
return function(prefix, main, http)
  local lines = {
    "daemon off;",
    "pid " .. prefix .. "/nginx.pid;",
    "error_log " .. prefix .. "/error.log warn;",
  }
  for _, line in ipairs(main or {}) do
    lines[#lines + 1] = line
  end
  lines[#lines + 1] = "http {"
  lines[#lines + 1] = "  access_log off;"
  for _, temp in ipairs({ "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }) do
    lines[#lines + 1] = "  " .. temp .. "_temp_path " .. prefix .. "/" .. temp .. ";"
  end
  for _, line in ipairs(http or {}) do
    lines[#lines + 1] = line
  end
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n") .. "\n"
end

-- wrk request generator of scripts/api-bench.sh, the same for both engines: each request
-- picks an id lo + step * r (r uniform in 0..count-1, seeded per thread, so every run and
-- both engines see the same id sequence) and puts it in place of __ID__ in the template.
--   wrk ... -s wrk.lua URL -- GET  '/proposals/__ID__'             lo step count
--   wrk ... -s wrk.lua URL -- POST '{"query":"...","variables":{"id":"__ID__"}}' lo step count
-- GET templates are the request path; POST templates are the JSON body, sent to the URL's path.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  method = args[1]
  template = args[2]
  lo = tonumber(args[3])
  step = tonumber(args[4])
  count = tonumber(args[5])
  math.randomseed(7919 * (tid or 1))
  headers = { ["Accept"] = "application/json" }
  if method == "POST" then
    headers["Content-Type"] = "application/json"
  end
end

function request()
  local id = tostring(lo + step * math.random(0, count - 1))
  local s = template:gsub("__ID__", id)
  if method == "POST" then
    return wrk.format("POST", wrk.path, headers, s)
  end
  return wrk.format("GET", s, headers)
end

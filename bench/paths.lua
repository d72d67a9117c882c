-- wrk script: each request takes a random path from the file named by BENCH_PATHS (one path a
-- line); at the end, one JSON line with throughput, latency percentiles and errors. The load
-- generator shares the machine's cores with the server, so it does as little as it can per
-- request: requests are formatted once, and a single path uses wrk's own static request.
local paths = {}

local function load_paths()
  local file = assert(io.open(os.getenv("BENCH_PATHS"), "r"))
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
end

load_paths()
math.randomseed(os.time())

if #paths == 1 then
  wrk.path = paths[1]
else
  local formatted, count = {}, #paths
  -- In init, once wrk has set the Host header the formatted requests must carry.
  init = function()
    for i, path in ipairs(paths) do
      formatted[i] = wrk.format("GET", path)
    end
  end
  request = function()
    return formatted[math.random(count)]
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  io.write(string.format(
    '{"name": "%s", "requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.2f, '
      .. '"p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "errors": %d, "non_2xx": %d}\n',
    os.getenv("BENCH_NAME") or "run",
    summary.requests,
    seconds,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    failed,
    errors.status
  ))
end

-- wrk script for the stack's benchmarks and drills, and the logged-in benchmark
-- (bench/loggedin/run.sh): each request is a random line of the file named by BENCH_MIX,
-- "METHOD<TAB>PATH<TAB>ACCESS_TOKEN[<TAB>JSON_BODY]" (the token may be empty: anonymous; no
-- body sends an empty one). A request is formatted when first drawn. At the end one JSON line:
-- throughput, latency percentiles, errors by kind (connect, read, write, timeout) and by
-- status class (status_other: any answer that is not 2xx, 4xx or 5xx), and load_cpu_s: the CPU
-- seconds wrk itself used, all its threads (os.clock), which bench/stack/cpu.py shows apart
-- from the stack's, since the load generator shares the machine's cores with it.
local lines = {}
local file = assert(io.open(os.getenv("BENCH_MIX"), "r"))
for line in file:lines() do
  if #line > 0 then
    lines[#lines + 1] = line
  end
end
file:close()

local formatted = {}
local threads = {}

setup = function(thread)
  threads[#threads + 1] = thread
end

-- LuaJIT's math.random starts from the same seed in every Lua state: unseeded, wrk's threads
-- drew the same lines in the same order, and every run drew what the run before it had drawn,
-- so a run of likes was mostly likes already made (answered 200, not 201) and the same user's
-- like sent by two threads at once. Each thread seeds its own from the kernel.
local function seed()
  local urandom = assert(io.open("/dev/urandom", "rb"))
  local bytes = urandom:read(4)
  urandom:close()
  local n = 0
  for i = 1, #bytes do
    n = n * 256 + bytes:byte(i)
  end
  math.randomseed(n)
end

-- A request is formatted the first time it is drawn, then kept. Formatting every line at start
-- (each thread its own copy) cost about 2 s of CPU for a 50,000-line file of likes on the
-- eighteenth session's machine, more than a 10 s run's requests then cost wrk, and it fell
-- inside the window bench/stack/cpu.py charges to the run's requests.
local function format(line)
  local method, path, rest = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
  local token, body = rest:match("^([^\t]*)\t(.*)$")
  if token == nil then
    token, body = rest, nil
  end
  local headers = {}
  if token ~= nil and #token > 0 then
    headers["Authorization"] = "Bearer " .. token
  end
  if method ~= "GET" then
    headers["Content-Type"] = "application/json"
    -- wrk.format sets Content-Length from the body alone (none for a nil one, whatever the
    -- headers say): an empty string sends "Content-Length: 0".
    body = body or ""
  end
  return wrk.format(method, path, headers, body)
end

init = function()
  seed()
  status_4xx, status_5xx, status_429, status_other = 0, 0, 0, 0
end

request = function()
  local i = math.random(#lines)
  local formatted_request = formatted[i]
  if formatted_request == nil then
    formatted_request = format(lines[i])
    formatted[i] = formatted_request
  end
  return formatted_request
end

response = function(status, headers, body)
  if status == 429 then
    status_429 = status_429 + 1
  elseif status >= 500 then
    status_5xx = status_5xx + 1
  elseif status >= 400 then
    status_4xx = status_4xx + 1
  elseif status < 200 or status >= 300 then
    status_other = status_other + 1
  end
end

done = function(summary, latency, requests)
  local s4, s5, s429, so = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    s4 = s4 + thread:get("status_4xx")
    s5 = s5 + thread:get("status_5xx")
    s429 = s429 + thread:get("status_429")
    so = so + thread:get("status_other")
  end
  local seconds = summary.duration / 1000000
  local e = summary.errors
  io.write(string.format(
    '{"name": "%s", "requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.2f, '
      .. '"p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "status_4xx": %d, '
      .. '"status_5xx": %d, "status_429": %d, "status_other": %d, "load_cpu_s": %.3f}\n',
    os.getenv("BENCH_NAME") or "run", summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, s4, s5, s429, so, os.clock()))
end

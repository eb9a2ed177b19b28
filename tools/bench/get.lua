-- wrk script: GET one of `paths` (round robin), each connection as its own logged-in user.
-- The data file (BENCH_WRK_DATA) defines: cookies = {...}, paths = {...}, user_agent = "...".
dofile(os.getenv("BENCH_WRK_DATA"))
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  bad, next_path = 0, id - 1
  wrk.headers["User-Agent"] = user_agent
  if cookies[id] then
    wrk.headers["Cookie"] = cookies[((id - 1) % #cookies) + 1]
  end
end

function request()
  next_path = next_path + 1
  return wrk.format("GET", paths[(next_path % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do unexpected = unexpected + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "unexpected_status": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3, unexpected,
    e.connect + e.read + e.write + e.timeout))
end

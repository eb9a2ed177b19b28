-- wrk script: workflow steps as fast as the app takes them. Each connection is one logged-in
-- school user cycling through its own cases: `close` a signalering, `reopen` it, and again,
-- each POST with the case version it last saw (as a browser form would carry it).
-- The data file (BENCH_WRK_DATA) defines: cookies, tokens (CSRF, per user), user_agent and
-- cases = { {id, version, state}, ... } per user.
dofile(os.getenv("BENCH_WRK_DATA"))
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  bad, steps, current, at = 0, 0, nil, 0
  mine = cases[id]
  wrk.headers["User-Agent"] = user_agent
  wrk.headers["Cookie"] = cookies[id]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  at = (at % #mine) + 1
  current = mine[at]
  local t, body
  if current.state == "signalering" then
    t = "close"
    body = "close-reason=no_concern&close-note="
  else
    t = "reopen"
    body = "reopen-note=Opnieuw+zorgen+%28bench%29"
  end
  current.trigger = t
  body = body .. "&" .. t .. "-version=" .. current.version .. "&" .. t .. "-csrf_token=" ..
         tokens[id]
  return wrk.format("POST", "/cases/" .. current.id .. "/transitions/" .. t, nil, body)
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status == 302 and string.find(location, "/cases/" .. current.id, 1, true) then
    steps = steps + 1
    current.version = current.version + 1
    current.state = (current.trigger == "close") and "closed" or "signalering"
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local unexpected, total = 0, 0
  for _, thread in ipairs(threads) do
    unexpected = unexpected + thread:get("bad")
    total = total + thread:get("steps")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "unexpected_status": %d, "socket_errors": %d, "steps": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3, unexpected,
    e.connect + e.read + e.write + e.timeout, total))
end

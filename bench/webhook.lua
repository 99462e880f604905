-- wrk script: each request is the next pre-signed, encrypted Feishu event from the file named by
-- BENCH_EVENTS; every thread takes its own slice, so every event id is sent once.
local events = {}
local thread_index = 0
local threads = {}

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(os.getenv("BENCH_THREADS"))
  local n = 0
  for line in io.lines(os.getenv("BENCH_EVENTS")) do
    if n % count == index then
      local ts, nonce, sig, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
      table.insert(events, { ts = ts, nonce = nonce, sig = sig, body = body })
    end
    n = n + 1
  end
  next_event = 1
end

function request()
  local e = events[next_event]
  next_event = next_event + 1
  if next_event > #events then next_event = 1 end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Lark-Request-Timestamp"] = e.ts,
    ["X-Lark-Request-Nonce"] = e.nonce,
    ["X-Lark-Signature"] = e.sig,
  }, e.body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

-- wrk script of bench/web/run.sh: GET the request paths of the file $PATHS (one a line) in turn,
-- with the headers given by wrk -H; at the end one line of figures for run.sh:
--   result: REQUESTS requests ERRORS errors NON2XX non-2xx RATE req/s p50 MS ms p95 MS ms p99 MS ms
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local next_path = 0

init = function(args)
  -- each thread starts at its own place in the list
  next_path = math.random(0, #paths - 1)
end

request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "result: %d requests %d errors %d non-2xx %.1f req/s p50 %.3f ms p95 %.3f ms p99 %.3f ms\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end

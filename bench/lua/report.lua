-- Shared by the wrk scripts: done() writes the run as JSON to $WRK_JSON (latencies in ms).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local f = assert(io.open(os.getenv("WRK_JSON"), "w"))
  f:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d,"status_errors":%d,"socket_errors":%d,"bytes":%d}',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + socket, e.status, socket, summary.bytes))
  f:close()
end

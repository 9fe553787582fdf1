-- wrk script for bench/read_mandate.py: GET one path, optionally with a bearer token.
--
-- wrk ... -s read.lua http://127.0.0.1:PORT -- PATH [TOKEN|-]

function init(args)
   local headers = {}
   if args[2] and args[2] ~= "-" then
      headers["Authorization"] = "Bearer " .. args[2]
   end
   req = wrk.format("GET", args[1], headers)
end

function request()
   return req
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d "
         .. "timeouts=%d status_errors=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
         .. "mean_us=%.1f\n",
      summary.requests, summary.duration, errors.connect, errors.read, errors.write,
      errors.timeout, errors.status, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean))
end

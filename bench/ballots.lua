-- wrk script for bench/ballots.py: every request casts a ballot in the same vote as a
-- different verified user.
--
-- wrk ... -s ballots.lua http://127.0.0.1:PORT -- TOKEN_FILE THREADS PATH BODY_FILE START
--
-- Thread k (0-based) of THREADS uses the tokens on lines START+k, START+k+THREADS, …
-- (0-based) of TOKEN_FILE, so no token is sent twice in one run, and the driver starts
-- the next run at `tokens_next`, past every line this one may have taken: the server
-- never sees a token it has verified before. Request i sends body i mod B of the B
-- ballots in BODY_FILE (one JSON object per line). A thread that used all of its tokens
-- stops and reports `exhausted`; the driver sizes the file so that does not happen.

local next_id = 0
local threads = {}

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local file, nthreads = args[1], tonumber(args[2])
   path = args[3]
   start = tonumber(args[5])
   tokens = {}
   local line_no = 0
   for line in io.lines(file) do
      if line_no >= start and (line_no - start) % nthreads == tid then
         tokens[#tokens + 1] = "Bearer " .. line
      end
      line_no = line_no + 1
   end
   bodies = {}
   for line in io.lines(args[4]) do
      bodies[#bodies + 1] = line
   end
   index = 0
   created, replaced, other, exhausted = 0, 0, 0, 0
end

function request()
   index = index + 1
   local token = tokens[index]
   if token == nil then
      exhausted = 1
      wrk.thread:stop()
      -- wrk needs a request; this one is harmless and counted under `other`.
      return wrk.format("GET", "/api/v1/health")
   end
   local headers = { ["Authorization"] = token, ["Content-Type"] = "application/json" }
   return wrk.format("POST", path, headers, bodies[(index % #bodies) + 1])
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   elseif status == 200 then
      replaced = replaced + 1
   else
      other = other + 1
      if other <= 3 then
         io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
      end
   end
end

function done(summary, latency, requests)
   local c, r, o, e, used, most = 0, 0, 0, 0, 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("created")
      r = r + t:get("replaced")
      o = o + t:get("other")
      e = e + t:get("exhausted")
      used = used + t:get("index")
      most = math.max(most, t:get("index"))
   end
   local next_line = threads[1]:get("start") + #threads * most
   local errors = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d created=%d replaced=%d other=%d exhausted=%d "
         .. "tokens_used=%d tokens_next=%d connect_errors=%d read_errors=%d write_errors=%d "
         .. "timeouts=%d status_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
         .. "mean_us=%.1f\n",
      summary.requests, summary.duration, c, r, o, e, used, next_line, errors.connect,
      errors.read, errors.write, errors.timeout, errors.status, latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

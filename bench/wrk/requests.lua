-- wrk script for bench/compare.mjs: sends pre-rendered HTTP/1.1 requests read from a file.
--
--   wrk -t1 -c16 -d10s -s bench/wrk/requests.lua http://127.0.0.1:PORT -- FILE MODE RESERVE
--
-- FILE holds a count line, then for each request a byte-length line followed by that many bytes of a
-- complete request (request line, headers with Host and Content-Length, body). MODE is:
--   cycle  round-robin over the requests for the whole run (GET/PUT of 64 clients, one token request);
--   once   each request is sent at most once (authorization codes are single-use): the thread stops
--          when RESERVE (the connection count) or fewer unsent requests remain and every response is
--          in, so no request is ever sent twice.
-- A request may contain the 9-byte placeholder "@@@@N@@@@", replaced by a zero-padded counter of the
-- same length (the Content-Length stays right): unique client names for POST and PUT bodies.
-- done() prints one line "BENCH_JSON {...}" with the counts and latency percentiles (microseconds).

local requests = {}
local count = 0
local mode = "cycle"
local reserve = 0
local index = 0
local counter = 0
local responses = 0
local templated = {}
local stopped = false

-- Monotonic clock through LuaJIT's FFI (Debian's wrk is built on LuaJIT): wrk reports the full -d
-- duration even when a thread stops early, so a "once" run measures its own active time.
local now_us = function() return -1 end
local ok, ffi = pcall(require, "ffi")
if ok then
  pcall(ffi.cdef, [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]])
  local ts = ffi.new("bench_timespec")
  now_us = function()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
  end
end
local first_us = nil
local last_us = nil

function init(args)
  local f = assert(io.open(args[1], "rb"))
  count = tonumber(f:read("*l"))
  for i = 1, count do
    local len = tonumber(f:read("*l"))
    requests[i] = f:read(len)
    templated[i] = string.find(requests[i], "@@@@N@@@@", 1, true) ~= nil
  end
  f:close()
  mode = args[2] or "cycle"
  reserve = tonumber(args[3] or "0")
end

function request()
  if first_us == nil then first_us = now_us() end
  index = index + 1
  if index > count then
    if mode == "once" then
      -- Not reached while the stop in response() holds; never resend a single-use request.
      index = count
    else
      index = 1
    end
  end
  local r = requests[index]
  if templated[index] then
    counter = counter + 1
    r = string.gsub(r, "@@@@N@@@@", string.format("%09d", counter % 1000000000), 1)
  end
  return r
end

function response(status, headers, body)
  responses = responses + 1
  if mode == "once" and not stopped and responses >= count - reserve then
    stopped = true
    last_us = now_us()
    wrk.thread:set("active_us", string.format("%d", last_us - first_us))
    wrk.thread:stop()
  end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  -- Active time of a "once" run that stopped early (-1: ran for the whole -d duration).
  local active = -1
  for _, t in ipairs(threads) do
    local v = t:get("active_us")
    if v ~= nil then active = tonumber(v) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
      '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"mean_us":%.1f,"active_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, active))
end

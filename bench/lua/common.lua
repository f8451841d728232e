-- Shared by every scenario (prepended by bench/load.py): thread ids, status counts per thread
-- summed at the end, UUID-like idempotency keys, SSIN rotation, and one JSON summary line.
-- Arguments (after `--`): token, run nonce (8 hex digits), SSIN file or "-", then the
-- scenario's own.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

counts = {}
local serial = 0
local ssins = {}
local cursor = 0

function count(name)
  counts[name] = (counts[name] or 0) + 1
end

function uuid()
  serial = serial + 1
  return string.format("%s-%04x-4%03x-8%03x-%012x", nonce, tid, math.random(0, 4095),
                       math.random(0, 4095), serial)
end

function next_ssin()
  cursor = cursor + 1
  if cursor > #ssins then cursor = 1 end
  return ssins[cursor]
end

function headers(extra)
  local h = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function load_common(args)
  token, nonce = args[1], args[2]
  math.randomseed(os.time() + tid * 7919)
  if args[3] ~= "-" then
    for line in io.lines(args[3]) do table.insert(ssins, line) end
    -- each thread starts on its own share of the citizens
    local threads_total = tonumber(args[4] or "1")
    cursor = math.floor(#ssins * tid / threads_total)
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for name, n in pairs(thread:get("counts")) do total[name] = (total[name] or 0) + n end
  end
  local parts = {}
  for name, n in pairs(total) do table.insert(parts, string.format('"%s": %d', name, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "durationUs": %d, "p50Us": %d, "p90Us": %d, "p99Us": %d, '
    .. '"maxUs": %d, "meanUs": %.1f, "socketErrors": %d, "counts": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end

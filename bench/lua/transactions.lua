-- POST /transactions: reserve, then capture what was reserved. A connection sends a capture for
-- a hold this thread got back, else a reserve for the next citizen in the SSIN file (one citizen
-- in the file: the hot-citizen scenario). Every request carries a fresh Idempotency-Key.
-- Extra arguments: incentive, amount, unit.
local holds = {}

function init(args)
  load_common(args)
  incentive, amount, unit = args[5], args[6], args[7]
end

function request()
  local key = {["Idempotency-Key"] = uuid()}
  local hold = table.remove(holds)
  if hold then
    return wrk.format("POST", "/transactions", headers(key),
                      '{"type": "capture", "reservationId": "' .. hold .. '"}')
  end
  return wrk.format("POST", "/transactions", headers(key), string.format(
    '{"type": "reserve", "ssin": "%s", "incentive": "%s", "amount": {"amount": "%s", "unit": "%s"}}',
    next_ssin(), incentive, amount, unit))
end

function response(status, _, body)
  if status == 201 then
    local kind = body:match('"type":"(%a+)"')
    count(kind .. "201")
    if kind == "reserve" then table.insert(holds, body:match('"id":"([%x%-]+)"')) end
  else
    count("status" .. status .. ":" .. (body:match('"type":"urn:problem%-type:([%w:]+)"') or "?"))
  end
end

-- GET /wallet/{ssin}?asOf=<a past day>, rotating over the citizens in the SSIN file: a read that
-- settles nothing, so the replica may answer it. Extra arguments: asOf, then the LLR-Min-LSN to
-- send ("-": none, the read stays on the primary).
function init(args)
  load_common(args)
  as_of = args[5]
  if args[6] ~= "-" then min_lsn = args[6] end
end

function request()
  local extra = {}
  if min_lsn then extra["LLR-Min-LSN"] = min_lsn end
  return wrk.format("GET", "/wallet/" .. next_ssin() .. "?asOf=" .. as_of, headers(extra))
end

function response(status, hdrs)
  count("status" .. status .. ":" .. (hdrs["LLR-Read-From"] or hdrs["llr-read-from"] or "?"))
end

-- GET /wallet/{ssin}, rotating over the citizens in the SSIN file.
function init(args)
  load_common(args)
end

function request()
  return wrk.format("GET", "/wallet/" .. next_ssin(), headers())
end

function response(status)
  count("status" .. status)
end

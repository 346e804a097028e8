-- wrk script for bench/search.sh: each request is one `search` query (first 10 hits with their
-- highlights, the facets and the total), the queries taken in turn from a fixed list of Thai
-- and English queries. Counts as failed every non-200 and every body with GraphQL "errors";
-- done() prints p50/p95/p99 and queries/s on one BENCH line.
--
-- wrk -t2 -c16 -d30s --latency -s bench/search.lua URL/graphql -- QUERIES_FILE

local queries = {}
local n = 0
failures = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      table.insert(queries, line)
    end
  end
  n = math.random(#queries)
end

local function escape(s)
  return (s:gsub('\\', '\\\\'):gsub('"', '\\"'))
end

function request()
  n = n % #queries + 1
  local body = '{"query":"query($q: String!) { search(query: $q, first: 10) { totalCount '
    .. 'facets { attribute values { value count } } edges { type highlight } } }",'
    .. '"variables":{"q":"' .. escape(queries[n]) .. '"}}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.1f qps=%.0f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

#!/usr/bin/env bash
# Benchmark: search on a realistic corpus. Indexes the 150 real Acts of the Thai-law corpus
# (every section) plus 1M generated comments, then measures `search` latency with 16
# concurrent clients over a fixed list of Thai and English queries (bench/search-queries.txt).
# Prints indexing throughput (`rubfang reindex`) and search p50/p95/p99.
# Target (issue): p95 <= 30 ms on the embedded engine. Prints figures; never fails on timing.
#
# Usage: bench/search.sh [duration, default 30s]
# Env:   BENCH_PORT (default 18082), BENCH_COMMENTS (default 1000000), BENCH_CONNECTIONS
#        (default 16), BENCH_THREADS (default 2), RUBFANG_CORPUS_DIR (default ../shared/corpus),
#        RUBFANG_MEILI_URL / RUBFANG_MEILI_MASTER_KEY to measure Meilisearch instead.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-30s}"
PORT="${BENCH_PORT:-18082}"
COMMENTS="${BENCH_COMMENTS:-1000000}"
CONNS="${BENCH_CONNECTIONS:-16}"
THREADS="${BENCH_THREADS:-2}"
CORPUS="${RUBFANG_CORPUS_DIR:-../shared/corpus}/thai-law"
[ -d "$CORPUS" ] || { echo "the Thai-law corpus is not at $CORPUS (set RUBFANG_CORPUS_DIR)"; exit 2; }

# shellcheck source=bench/lib.sh
. bench/lib.sh
cleanup() {
  if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export RUBFANG_LOG=warn
export RUBFANG_DATA_DIR="$WORK"
export RUBFANG_DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc"
export RUBFANG_MEILI_INDEX_PREFIX="rubfang_bench_$$_"
ENGINE="embedded (tantivy + charabia, index under the data directory)"
[ -n "${RUBFANG_MEILI_URL:-}" ] && ENGINE="meilisearch at $RUBFANG_MEILI_URL"
now() { date +%s.%N; }

"$BIN" seed-demo | sed 's/^/  /'
echo "importing $(ls "$CORPUS"/*.txt | wc -l) Acts from $CORPUS..."
T0=$(now)
n=0
for f in "$CORPUS"/*.txt; do
  n=$((n + 1))
  "$BIN" import "$f" --status in-force --slug "law-$(basename "$f" .txt)" >/dev/null 2>"$WORK/import.err" \
    || { echo "  import failed: $f: $(tail -1 "$WORK/import.err")"; }
done
IMPORT_SECS=$(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
echo "seeding $COMMENTS comments..."
"$BIN" bench-seed --comments "$COMMENTS" --accounts 200 --tokens-out "$WORK/tokens.txt" >/dev/null
echo "rebuilding the search index..."
REINDEX=$(/usr/bin/time -f "peak RSS %M KiB" "$BIN" reindex 2>"$WORK/reindex.time")
echo "  $REINDEX; $(tail -1 "$WORK/reindex.time")"

RUBFANG_RATE_SEARCH=1000000/s RUBFANG_RATE_GRAPHQL_REQUEST=1000000/s \
  "$BIN" serve --bind "127.0.0.1:$PORT" 2> "$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null || { echo "server did not start:"; tail -20 "$WORK/server.log"; exit 1; }
for _ in $(seq 1 600); do
  [ "$(curl -s "http://127.0.0.1:$PORT/healthz" | jq -r '.search.ready')" = true ] && break; sleep 0.5
done

echo "one pass over the queries (total hits, time of one request alone):"
while IFS= read -r q; do
  [ -n "$q" ] || continue
  body=$(jq -nc --arg q "$q" '{query: "query($q: String!) { search(query: $q, first: 10) { totalCount facets { attribute values { value count } } edges { type highlight } } }", variables: {q: $q}}')
  out=$(curl -s -w '\n%{time_total}' -X POST -H 'content-type: application/json' --data-binary "$body" "http://127.0.0.1:$PORT/graphql")
  secs=$(tail -1 <<<"$out")
  json=$(head -n -1 <<<"$out")
  if jq -e '.errors' >/dev/null <<<"$json"; then echo "  ERROR for $q: $json"; exit 1; fi
  printf '  %-24s %8s hits  %6.1f ms\n' "$q" "$(jq -r '.data.search.totalCount' <<<"$json")" "$(awk -v s="$secs" 'BEGIN { print s * 1000 }')"
done < bench/search-queries.txt

echo "warming up 3s, then $DURATION with $CONNS clients..."
wrk -t"$THREADS" -c"$CONNS" -d3s -s bench/search.lua "http://127.0.0.1:$PORT/graphql" -- bench/search-queries.txt >/dev/null
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s bench/search.lua "http://127.0.0.1:$PORT/graphql" \
  -- bench/search-queries.txt > "$WORK/main.txt"
field() { grep '^BENCH' "$WORK/main.txt" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
RSS=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER/status")
DOCS=$(du -sh "$WORK/search" 2>/dev/null | cut -f1 || echo "n/a")

cat <<EOT

== search benchmark ==
engine        $ENGINE
corpus        $n Acts imported in ${IMPORT_SECS}s, $COMMENTS generated comments
indexing      $REINDEX
index size    $DOCS on disk
clients       $CONNS connections, $THREADS wrk threads, $(nproc) cores shared with wrk
queries       $(grep -c . bench/search-queries.txt) in turn ($(field requests) in $(field seconds)s, $(field qps)/s)
latency       p50 $(field p50_ms) ms   p95 $(field p95_ms) ms   p99 $(field p99_ms) ms   max $(field max_ms) ms   (target p95 <= 30 ms)
errors        non-2xx $(field non2xx), socket $(field socket_errors)
server RSS    peak $((RSS / 1024)) MiB
EOT

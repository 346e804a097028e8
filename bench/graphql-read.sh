#!/usr/bin/env bash
# Benchmark: read the whole current version of the 2017 Constitution (774606.txt, ~280 sections,
# ~580 KB of text) over GraphQL at 32 connections, next to bare handlers in the same process:
#   /livez            does nothing (the HTTP ceiling)
#   /bench/bare/SLUG  the same data through the same services and cache, serialised directly
#                     (the ceiling for this response; only with --bench-routes)
# Prints requests/s and p50/p99 latency of each, and the ratios. Never fails on timing.
#
# Usage: bench/graphql-read.sh [duration, default 20s]
# Env:   RUBFANG_CORPUS_DIR (default ../shared/corpus), BENCH_PORT (default 18080),
#        BENCH_DATABASE_URL (default: a fresh SQLite file)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-20s}"
PORT="${BENCH_PORT:-18080}"
CORPUS="${RUBFANG_CORPUS_DIR:-$(cd .. && pwd)/shared/corpus}"
ACT="$CORPUS/thai-law/774606.txt"
[ -f "$ACT" ] || { echo "missing $ACT (set RUBFANG_CORPUS_DIR)"; exit 2; }

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
fi

cargo build --release --quiet
BIN=target/release/rubfang
WORK="$(mktemp -d)"
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export RUBFANG_DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/bench.db?mode=rwc}"
export RUBFANG_LOG=warn

"$BIN" import "$ACT" --type constitution --slug constitution-2560 --status in-force | sed 's/^/  /'
"$BIN" serve --bind "127.0.0.1:$PORT" --bench-routes &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.2; done

QUERY='{ draft(slug: \"constitution-2560\") { currentVersion { sections(first: 500) { edges { node { label text headingPath { title } } } } } } }'
printf '{"query": "%s"}' "$QUERY" > "$WORK/body.json"
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/body.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA
GQL_BYTES=$(curl -s -X POST -H 'content-type: application/json' --data-binary "@$WORK/body.json" "http://127.0.0.1:$PORT/graphql" | tee "$WORK/gql.json" | wc -c)
BARE_BYTES=$(curl -s "http://127.0.0.1:$PORT/bench/bare/constitution-2560" | wc -c)
SECTIONS=$(grep -o '"label"' "$WORK/gql.json" | wc -l)
grep -q '"errors"' "$WORK/gql.json" && { echo "GraphQL returned errors:"; head -c 500 "$WORK/gql.json"; exit 1; }
echo "response: $SECTIONS sections, GraphQL $GQL_BYTES bytes, bare $BARE_BYTES bytes"

run() { # name, wrk args...
  local name=$1; shift
  wrk -t2 -c32 -d"$DURATION" --latency "$@" > "$WORK/$name.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$name.txt")
  printf '%-28s %12s req/s   p50 %9s   p99 %9s\n' "$name" "$rps" "$p50" "$p99"
  # A lua response() hook would copy every 585 KB body into lua and slow wrk itself; read
  # wrk's own count of failed responses instead.
  if grep -q "Non-2xx" "$WORK/$name.txt"; then grep "Non-2xx" "$WORK/$name.txt"; fi
  echo "$rps" > "$WORK/$name.rps"
}

echo "32 connections, $DURATION each, $(nproc) cores (wrk shares them):"
# Warm up the version cache and the connection pool.
wrk -t1 -c4 -d2s -s "$WORK/post.lua" "http://127.0.0.1:$PORT/graphql" >/dev/null
run livez "http://127.0.0.1:$PORT/livez"
run bare-same-data "http://127.0.0.1:$PORT/bench/bare/constitution-2560"
run graphql-whole-version -s "$WORK/post.lua" "http://127.0.0.1:$PORT/graphql"
awk -v g="$(cat "$WORK/graphql-whole-version.rps")" -v b="$(cat "$WORK/bare-same-data.rps")" -v l="$(cat "$WORK/livez.rps")" \
  'BEGIN { printf "GraphQL / bare same-data handler: %.0f%%\nGraphQL / livez: %.1f%%\n", 100*g/b, 100*g/l }'

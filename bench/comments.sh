#!/usr/bin/env bash
# Benchmark: accepted comments per second and p50/p99 latency of `postComment` (sanitising,
# the daily quota, the checks, the durable commit) with 32 concurrent clients spread over many
# accounts, on a database that already holds 1M comments. The script seeds it: the demo data,
# then `rubfang bench-seed` (2,000 verified accounts with a session each, 1M comments on the
# open consultation of the demo draft). The per-instance rate limits and the daily quota are
# lifted so the write path is measured, not the limiter. Afterwards the consultation's
# commentStats must have grown by exactly the accepted count.
# Target (issue): >= 2,000 accepted/s, p99 <= 50 ms on SQLite. Prints figures; never fails on
# timing.
#
# Usage: bench/comments.sh [duration, default 30s] [sqlite|postgres, default sqlite]
# Env:   BENCH_PORT (default 18081), BENCH_COMMENTS (default 1000000), BENCH_ACCOUNTS (default
#        2000), BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432; a fresh database is
#        created there and dropped afterwards), BENCH_DB_CONNECTIONS (server pool size, default
#        the server's own default), BENCH_CONNECTIONS (default 32), BENCH_THREADS (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-30s}"
BACKEND="${2:-sqlite}"
PORT="${BENCH_PORT:-18081}"
COMMENTS="${BENCH_COMMENTS:-1000000}"
ACCOUNTS="${BENCH_ACCOUNTS:-2000}"
PG="${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
CONNS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
case "$BACKEND" in sqlite|postgres) ;; *) echo "backend: sqlite or postgres, not $BACKEND"; exit 2 ;; esac


# shellcheck source=bench/lib.sh
. bench/lib.sh
PGDB=""
cleanup() {
  if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [ -n "$PGDB" ]; then psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export RUBFANG_LOG=warn
# The search index lives with the run's data, and is built before the load starts (as an
# operator would after a bulk load): during the run the indexer keeps up with the new comments.
export RUBFANG_DATA_DIR="$WORK"
if [ "$BACKEND" = postgres ]; then
  PGDB="rubfang_bench_$$"
  psql -q "$PG/postgres" -c "CREATE DATABASE $PGDB" >/dev/null
  export RUBFANG_DATABASE_URL="$PG/$PGDB"
  DURABILITY="$(psql -tA "$PG/$PGDB" -c "SELECT 'synchronous_commit=' || current_setting('synchronous_commit') || ' fsync=' || current_setting('fsync') || ' ' || split_part(version(), ' on ', 1)")"
else
  export RUBFANG_DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc"
  DURABILITY="journal_mode=WAL synchronous=FULL, as api/src/db.rs sets"
fi
if [ -n "${BENCH_DB_CONNECTIONS:-}" ]; then export RUBFANG_DATABASE_MAX_CONNECTIONS="$BENCH_DB_CONNECTIONS"; fi

now() { date +%s.%N; }
"$BIN" seed-demo | sed 's/^/  /'
echo "seeding $COMMENTS comments and $ACCOUNTS accounts ($BACKEND)..."
T0=$(now)
"$BIN" bench-seed --comments "$COMMENTS" --accounts "$ACCOUNTS" --tokens-out "$WORK/tokens.txt" 2>&1 \
  | sed 's/^/  /'
SEED_SECS=$(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
echo "building the search index..."
"$BIN" reindex | sed 's/^/  /'

# Lift the per-instance limits: the benchmark measures the write path, not the limiter.
RUBFANG_RATE_COMMENT=1000000/s \
RUBFANG_RATE_GRAPHQL_REQUEST=1000000/s \
RUBFANG_COMMENTS_PER_DAY=1000000 \
RUBFANG_REQUIRE_VERIFIED_EMAIL=false \
  "$BIN" serve --bind "127.0.0.1:$PORT" 2> "$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null || { echo "server did not start:"; tail -20 "$WORK/server.log"; exit 1; }

gql() { # query (JSON-escaped) -> response body
  curl -s -X POST -H 'content-type: application/json' --data-binary "{\"query\": \"$1\"}" "http://127.0.0.1:$PORT/graphql"
}
IDS=$(gql '{ draft(slug: \"cycling-act\") { consultations { edges { node { id isOpen } } } currentVersion { sections(first: 100) { edges { node { id } } } } } }')
CONSULTATION=$(jq -r '[.data.draft.consultations.edges[].node | select(.isOpen)][0].id // empty' <<<"$IDS")
SECTIONS=$(jq -r '[.data.draft.currentVersion.sections.edges[].node.id] | join(",")' <<<"$IDS")
[ -n "$CONSULTATION" ] || { echo "no open consultation: $IDS"; exit 1; }
stats() {
  gql "{ consultation(id: \\\"$CONSULTATION\\\") { commentStats { comments agree disagree neutral } } }" \
    | jq -r '.data.consultation.commentStats.comments // "error"'
}

run() { # label, duration -> wrk output in $WORK/label.txt
  wrk -t"$THREADS" -c"$CONNS" -d"$2" --latency -s bench/comments.lua "http://127.0.0.1:$PORT/graphql" \
    -- "$WORK/tokens.txt" "$CONSULTATION" "$SECTIONS" "$1-$$" > "$WORK/$1.txt"
}
field() { sed -n 's/^BENCH requests=.*/&/p' "$WORK/$1.txt" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }

echo "$CONNS connections over $THREADS wrk threads, $(nproc) cores shared with wrk; warming up 3s..."
run warmup 3s
sleep 2 # let requests cut off at the warm-up's deadline finish
BEFORE=$(stats)
TICKS0=$(cpu_ticks)
run main "$DURATION"
TICKS1=$(cpu_ticks)
sleep 2
AFTER=$(stats)
grep -E '^\s+(Latency|Req/Sec)|^\s+(50|75|90|99)%|requests in|Socket errors|Non-2xx' "$WORK/main.txt" | sed 's/^/  /'
grep '^BENCH first_failure' "$WORK/main.txt" || true

ACCEPTED=$(field main accepted)
SECS=$(field main seconds)
GROWTH=$(( AFTER - BEFORE ))
# wrk stops counting at the deadline with up to one request per connection in flight; those
# may still commit, so the totals grow by the accepted count plus at most that many.
if [ "$GROWTH" -ge "$ACCEPTED" ] && [ "$GROWTH" -le $(( ACCEPTED + CONNS )) ]; then
  CHECK="ok: +$GROWTH for $ACCEPTED accepted ($(( GROWTH - ACCEPTED )) in flight at the deadline)"
else
  CHECK="MISMATCH: +$GROWTH in commentStats for $ACCEPTED accepted"
fi
CPU=$(awk -v t="$(( TICKS1 - TICKS0 ))" -v hz="$(getconf CLK_TCK)" -v s="$SECS" 'BEGIN { printf "%.2f", t / hz / s }')

cat <<EOF

== comments benchmark ($BACKEND) ==
backend            $BACKEND ($DURABILITY)
existing comments  $BEFORE in the consultation before the run (seeded $COMMENTS in ${SEED_SECS}s incl. $ACCOUNTS accounts)
clients            $CONNS connections, $THREADS wrk threads, $ACCOUNTS accounts, $(nproc) cores
duration           ${SECS}s
accepted           $ACCEPTED of $(field main requests) requests
accepted/s         $(field main accepted_per_s)   (target >= 2000 on SQLite)
latency            p50 $(field main p50_ms) ms   p90 $(field main p90_ms) ms   p99 $(field main p99_ms) ms   max $(field main max_ms) ms   (target p99 <= 50 ms)
errors             $(field main failed) (non-200 $(field main non200), GraphQL errors $(field main gql_errors), socket $(field main socket_errors))
commentStats       $BEFORE -> $AFTER: $CHECK
server CPU         $CPU cores busy on average
search backlog     $(curl -s "http://127.0.0.1:$PORT/healthz" | jq -r '.search.backlog') outbox rows right after the run (the indexer catches up behind the writes)
EOF

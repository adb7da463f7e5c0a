#!/usr/bin/env bash
# bench_api.sh: benchmark (not a test) for issue 5, the API server under load.
#
# What it measures
#   `gridbook serve` (release build) over the 100,000-household county of
#   Tools/bench_import.sh (218 villages, 1,393 grids, 2,000,000 visits), loaded
#   with wrk from a second process on loopback:
#   - GET /healthz, the server's own baseline (no token, no database);
#   - POST /api/v1/visits from one grid member, a new visit (new UUID) each
#     request to a household of their grid, token and scope checked, the visit,
#     its audit entry and feed event written in one transaction;
#   - GET /api/v1/due?unit=GRID for the same grid member's grid.
#   Each load runs DURATION seconds on CONNECTIONS connections and 2 threads,
#   after a short warm-up. The server's peak memory is its VmHWM from
#   /proc/PID/status after all runs. Every run starts from a fresh copy of
#   the imported county, so the POST run never finds its own earlier visits.
#
# Goals (issue 5)
#   - POST /api/v1/visits: at least 0.15x the requests per second of
#     GET /healthz, p99 at most 50 ms, no errors (non-2xx or socket errors);
#   - GET /api/v1/due for one grid: at least 0.30x healthz;
#   - server peak memory at most 150 MB.
#
# How to run (from anywhere; it works from the repository root)
#   Tools/bench_api.sh
#   DURATION=30 CONNECTIONS=16 Tools/bench_api.sh
#   Env vars:
#     BENCH_DIR    work directory (default .build/bench, which git ignores); the
#                  county is generated into $BENCH_DIR/county when missing
#                  (about 50 s) and imported once into $BENCH_DIR/api-base.sqlite
#                  (about 20 s); both are reused afterwards.
#     DURATION     seconds of each wrk run (default 20).
#     CONNECTIONS  concurrent connections (default 16).
#     PORT         the server's port (default 18181).
#   Needs: wrk (apt-get install -y wrk), sqlite3, python3, swift.
#   The last block printed is Markdown, to paste into BENCHMARKS.md.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_DIR="${BENCH_DIR:-.build/bench}"
DURATION="${DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-18181}"
COUNTY="$BENCH_DIR/county"
BASE_DB="$BENCH_DIR/api-base.sqlite"
DB="$BENCH_DIR/api.sqlite"
LOG="$BENCH_DIR/logs"
GRIDBOOK=".build/release/gridbook"
URL="http://127.0.0.1:$PORT"

for tool in wrk sqlite3 python3 swift curl; do
    command -v "$tool" >/dev/null || { echo "$tool is required but not on PATH (apt-get install -y $tool)" >&2; exit 2; }
done
for number in "$DURATION" "$CONNECTIONS" "$PORT"; do
    [[ "$number" =~ ^[1-9][0-9]*$ ]] || { echo "DURATION, CONNECTIONS and PORT must be positive integers (got '$number')" >&2; exit 2; }
done
mkdir -p "$LOG"

section() { printf '\n== %s\n' "$*"; }

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT

# ---------------------------------------------------------------- build

section "Build: swift build -c release --product gridbook"
if ! swift build -c release --product gridbook >"$LOG/api-build.txt" 2>&1; then
    tail -30 "$LOG/api-build.txt"
    echo "release build failed (full output: $LOG/api-build.txt)" >&2
    exit 1
fi
tail -1 "$LOG/api-build.txt"

# ---------------------------------------------------------------- data

section "Data: the 100,000-household county"
if [[ ! -f "$COUNTY/visits.csv" ]]; then
    GEN_CMD="python3 Tools/generate_county.py --out $COUNTY --villages 218 --grids 1393 --households 100000 --visits 2000000"
    echo "generating (about 50 s): $GEN_CMD"
    $GEN_CMD
fi
if [[ ! -f "$BASE_DB" ]]; then
    echo "importing once into $BASE_DB (about 20 s)"
    "$GRIDBOOK" --db "$BASE_DB" import "$COUNTY" >"$LOG/api-import.txt" 2>&1 || { tail -20 "$LOG/api-import.txt"; exit 1; }
fi
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$BASE_DB" "$DB"
echo "households: $(sqlite3 "$DB" 'SELECT count(*) FROM households'), visits: $(sqlite3 "$DB" 'SELECT count(*) FROM visits')"

# The busiest grid member's grid (most households), and a county admin for nothing but setup.
read -r MEMBER GRID < <(sqlite3 -separator ' ' "$DB" "
    SELECT d.person_id, d.unit_code FROM duties d JOIN households h ON h.grid_code = d.unit_code
    WHERE d.role = 'grid_member' AND (d.until IS NULL OR d.until = '')
    GROUP BY d.id ORDER BY count(*) DESC, d.unit_code LIMIT 1")
HOUSEHOLDS=$(sqlite3 "$DB" "SELECT count(*) FROM households WHERE grid_code = '$GRID'")
TOKEN=$("$GRIDBOOK" --db "$DB" token issue --person "$MEMBER")
echo "grid member $MEMBER of grid $GRID ($HOUSEHOLDS households)"

# The POST body: a new visit id per request, households of the grid in turn.
SCRIPT="$BENCH_DIR/post_visit.lua"
{
    echo "local households = {"
    sqlite3 "$DB" "SELECT '  \"' || code || '\",' FROM households WHERE grid_code = '$GRID' ORDER BY code"
    echo "}"
    cat <<'LUA'
local threads = 0
local run = os.time() % 65536
function setup(thread)
    threads = threads + 1
    thread:set("thread_id", run * 256 + threads)
end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
    counter = counter + 1
    local id = string.format("%08x-0000-4000-8000-%012x", thread_id, counter)
    local household = households[(counter % #households) + 1]
    local body = string.format('{"id": "%s", "household_code": "%s", "visited_at": "2026-11-21T10:00:00+08:00", "method": "door", "outcome": "met"}', id, household)
    return wrk.format(nil, "/api/v1/visits", nil, body)
end
LUA
} >"$SCRIPT"

# ---------------------------------------------------------------- server

section "Server: $GRIDBOOK serve --port $PORT"
"$GRIDBOOK" --db "$DB" serve --port "$PORT" 2>"$LOG/api-server.txt" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$URL/healthz" >/dev/null || { echo "the server did not start; see $LOG/api-server.txt" >&2; exit 1; }
# The request log would dominate the measurement; the server logs at info to a file here.

# run_wrk NAME ARGS... : warms up 3 s, runs DURATION s, and leaves RPS, P99_MS, ERRORS set.
run_wrk() {
    local name="$1"; shift
    wrk -t2 -c"$CONNECTIONS" -d3s "$@" >/dev/null 2>&1 || true
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" >"$LOG/api-$name.txt" 2>&1
    RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$LOG/api-$name.txt")
    P99_MS=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' "$LOG/api-$name.txt")
    local non2xx socket
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$LOG/api-$name.txt")
    socket=$(awk '/Socket errors:/ { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }' "$LOG/api-$name.txt")
    ERRORS=$(( ${non2xx:-0} + ${socket:-0} ))
    printf '%-28s %8s req/s   p99 %7s ms   errors %s\n' "$name" "$RPS" "$P99_MS" "$ERRORS"
}

section "Load: wrk -t2 -c$CONNECTIONS -d${DURATION}s on loopback"
run_wrk healthz "$URL/healthz"
HEALTH_RPS=$RPS; HEALTH_P99=$P99_MS; HEALTH_ERRORS=$ERRORS
BEFORE=$(sqlite3 "$DB" "SELECT count(*) FROM visits")
run_wrk post-visits -s "$SCRIPT" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/visits"
POST_RPS=$RPS; POST_P99=$P99_MS; POST_ERRORS=$ERRORS
AFTER=$(sqlite3 "$DB" "SELECT count(*) FROM visits")
run_wrk due-one-grid -H "Authorization: Bearer $TOKEN" "$URL/api/v1/due?unit=$GRID"
DUE_RPS=$RPS; DUE_P99=$P99_MS; DUE_ERRORS=$ERRORS
PEAK_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
stop_server

# ---------------------------------------------------------------- verdict

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'; }
POST_RATIO=$(ratio "$POST_RPS" "$HEALTH_RPS")
DUE_RATIO=$(ratio "$DUE_RPS" "$HEALTH_RPS")
PEAK_MB=$(awk -v k="$PEAK_KB" 'BEGIN { printf "%.0f", k * 1024 / 1000000 }')
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
POST_OK=$(verdict "$POST_RATIO >= 0.15 && $POST_P99 <= 50 && $POST_ERRORS == 0")
DUE_OK=$(verdict "$DUE_RATIO >= 0.30 && $DUE_ERRORS == 0")
MEM_OK=$(verdict "$PEAK_MB <= 150")

section "Result (Markdown)"
cat <<EOF
Command: \`Tools/bench_api.sh\` (DURATION=$DURATION, CONNECTIONS=$CONNECTIONS; wrk -t2 on loopback, $(nproc) cores)

| load | req/s | p99 | errors | ratio to healthz | goal |
|---|---:|---:|---:|---:|---|
| GET /healthz | $HEALTH_RPS | $HEALTH_P99 ms | $HEALTH_ERRORS | 1.00 | baseline |
| POST /api/v1/visits | $POST_RPS | $POST_P99 ms | $POST_ERRORS | $POST_RATIO | ≥ 0.15, p99 ≤ 50 ms, no errors: $POST_OK |
| GET /api/v1/due (grid $GRID, $HOUSEHOLDS households) | $DUE_RPS | $DUE_P99 ms | $DUE_ERRORS | $DUE_RATIO | ≥ 0.30: $DUE_OK |

Visits stored by the POST run: $(( AFTER - BEFORE )). Server peak memory (VmHWM): $PEAK_MB MB (goal ≤ 150 MB: $MEM_OK).
EOF
[[ "$POST_OK" == met && "$DUE_OK" == met && "$MEM_OK" == met ]]

#!/usr/bin/env bash
# bench_api.sh: benchmark (not a test) for issues 5 and 10, the API server under load.
#
# What it measures
#   `gridbook serve` (release build) over the 100,000-household county of
#   Tools/bench_import.sh (218 villages, 1,393 grids, 2,000,000 visits), loaded
#   with wrk (2 threads) from a second process on loopback. Two callers, each with
#   a token: the grid member of the busiest grid (most households), and a county
#   admin (a person with an active county_admin duty, on the county unit).
#   - Idle, at 16 and then at 32 connections:
#     - GET /healthz, the server's own baseline (no token, no database);
#     - POST /api/v1/visits as the grid member, then as the county admin: a new
#       visit (new UUID) each request to a household of the member's grid, no
#       visitor_id (the visitor is the caller), token, role and scope checked, the
#       visit, its audit entry and feed event written in one transaction;
#     - GET /api/v1/due?unit=GRID for that grid, as the member, then as the admin (the server
#       keeps a page while nothing is written: what a grid member refreshing the list gets);
#     - the same as the admin with Cache-Control: no-cache: the page read from the database
#       and encoded on every request (no goal; the cost of the list itself).
#   - Under report load: four clients (curl loops) read the county's coverage
#     report as of a past date, GET /api/v1/reports/coverage?unit=COUNTY&as_of=
#     2026-06-01 (the expensive path, which reads the visit log), as the county
#     admin, one request after another, while wrk measures GET /healthz and then
#     POST /api/v1/visits (grid member), both at 16 connections. The reports
#     finished per second in each window are counted.
#   - Memory: a fresh server (nothing else has run on it) answers one client that
#     pages through every household of the county, GET /api/v1/units/COUNTY/
#     households?limit=1000 then &after=NEXT until next is null (county admin;
#     Tools/page_households.py); its peak memory is its VmHWM from
#     /proc/PID/status right after. The households seen are printed next to
#     SELECT count(*) FROM households WHERE registered_on <= date('now'). The
#     VmHWM of the server that took all the wrk loads is printed too.
#   - The WAL: its file size sampled every 0.5 s while the loads run; the largest is printed.
#   Each wrk load runs DURATION seconds after a 3 s warm-up at the same number of
#   connections. The whole sequence (paging server, then load server) runs RUNS
#   times, each run on a fresh copy of the imported county, so the POST loads
#   never find visits of an earlier run. Every figure reported is the WORST of the
#   runs, each on its own: the lowest req/s and ratio, the highest p99, errors and
#   peak memory. Ratios are taken within a run (the same server, minutes apart).
#
# Goals (issue 10)
#   - idle, for the member's and the admin's token, at 16 and at 32 connections:
#     POST /api/v1/visits at least 0.20x the requests per second of GET /healthz
#     at the same connection count, p99 at most 50 ms, no errors (non-2xx or
#     socket errors); GET /api/v1/due for one grid at least 0.40x, no errors;
#   - under report load: GET /healthz p99 at most 25 ms and at least 0.5x its
#     idle requests per second (at 16 connections); POST /api/v1/visits p99 at
#     most 100 ms, no errors; every coverage report answers 200;
#   - server peak memory (VmHWM) at most 150 MB after paging through every
#     household of the county.
#   Exit status 0 only when every goal is met in every run; 1 when one is missed
#   or something failed; 2 for a usage error.
#
# How to run (from anywhere; it works from the repository root)
#   Tools/bench_api.sh
#   DURATION=30 RUNS=3 Tools/bench_api.sh
#   BUILD=0 DURATION=2 RUNS=1 Tools/bench_api.sh     # a quick check of the script
#   Env vars:
#     BENCH_DIR    work directory (default .build/bench, which git ignores); the
#                  county is generated into $BENCH_DIR/county when missing
#                  (about 50 s) and imported once into $BENCH_DIR/api-base.sqlite
#                  (about 20 s); both are reused afterwards. Each run works on a
#                  copy, $BENCH_DIR/api.sqlite; wrk outputs and server logs go to
#                  $BENCH_DIR/logs.
#     DURATION     seconds of each wrk run (default 10). One run takes about
#                  16 x (DURATION + 3) s plus the paging and the copy.
#     RUNS         how many times the whole sequence runs (default 2).
#     PORT         the server's port (default 18181).
#     BUILD        1 (default) builds first with swift build -c release --product
#                  gridbook; 0 uses .build/release/gridbook as it is.
#   Needs: wrk (apt-get install -y wrk), sqlite3, python3, curl, swift.
#   The last block printed is Markdown, to paste into BENCHMARKS.md.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_DIR="${BENCH_DIR:-.build/bench}"
DURATION="${DURATION:-10}"
RUNS="${RUNS:-2}"
PORT="${PORT:-18181}"
BUILD="${BUILD:-1}"
COUNTY="$BENCH_DIR/county"
BASE_DB="$BENCH_DIR/api-base.sqlite"
DB="$BENCH_DIR/api.sqlite"
LOG="$BENCH_DIR/logs"
GRIDBOOK=".build/release/gridbook"
URL="http://127.0.0.1:$PORT"
AS_OF="2026-06-01"          # a past date: the coverage report reads the visit log
REPORT_CLIENTS=4
STOP_REPORTS="$BENCH_DIR/stop-report-clients"

COMMAND="BENCH_DIR=$BENCH_DIR DURATION=$DURATION RUNS=$RUNS PORT=$PORT"
[[ "$BUILD" == 1 ]] || COMMAND+=" BUILD=$BUILD"
COMMAND+=" Tools/bench_api.sh"

for number in "$DURATION" "$RUNS" "$PORT"; do
    [[ "$number" =~ ^[1-9][0-9]*$ ]] || { echo "DURATION, RUNS and PORT must be positive integers (got '$number')" >&2; exit 2; }
done
[[ "$BUILD" == 0 || "$BUILD" == 1 ]] || { echo "BUILD must be 0 or 1 (got '$BUILD')" >&2; exit 2; }
TOOLS="wrk sqlite3 python3 curl"
[[ "$BUILD" == 0 ]] || TOOLS+=" swift"
for tool in $TOOLS; do
    command -v "$tool" >/dev/null || { echo "$tool is required but not on PATH (apt-get install -y $tool)" >&2; exit 2; }
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

# The report clients: loops that stop at their next turn once $STOP_REPORTS exists.
REPORT_PIDS=()
REPORT_LOG=""
stop_reports() {
    ((${#REPORT_PIDS[@]})) || return 0
    touch "$STOP_REPORTS"
    local pid
    for pid in "${REPORT_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    REPORT_PIDS=()
}
cleanup() {
    # The server first: a report client in the middle of a request then fails at once.
    ((${#REPORT_PIDS[@]})) && touch "$STOP_REPORTS"
    stop_server
    stop_reports
    rm -f "$STOP_REPORTS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build

if [[ "$BUILD" == 1 ]]; then
    section "Build: swift build -c release --product gridbook"
    if ! swift build -c release --product gridbook >"$LOG/api-build.txt" 2>&1; then
        tail -30 "$LOG/api-build.txt"
        echo "release build failed (full output: $LOG/api-build.txt)" >&2
        exit 1
    fi
    tail -1 "$LOG/api-build.txt"
else
    section "Build: skipped (BUILD=0), using $GRIDBOOK as it is"
fi
[[ -x "$GRIDBOOK" ]] || { echo "$GRIDBOOK is missing; build it (swift build -c release --product gridbook) or drop BUILD=0" >&2; exit 1; }
ls -l "$GRIDBOOK"

# ---------------------------------------------------------------- data

section "Data: the 100,000-household county"
if [[ ! -f "$COUNTY/visits.csv" ]]; then
    GEN_CMD="python3 Tools/generate_county.py --out $COUNTY --villages 218 --grids 1393 --households 100000 --visits 2000000"
    echo "generating (about 50 s): $GEN_CMD"
    $GEN_CMD
fi
if [[ ! -f "$BASE_DB" ]]; then
    echo "importing once into $BASE_DB (about 20 s)"
    rm -f "$BASE_DB.new" "$BASE_DB.new-wal" "$BASE_DB.new-shm"
    "$GRIDBOOK" --db "$BASE_DB.new" import "$COUNTY" >"$LOG/api-import.txt" 2>&1 || { tail -20 "$LOG/api-import.txt"; exit 1; }
    # Checkpointed, in one file, so that a copy of it is the whole database.
    sqlite3 "$BASE_DB.new" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    rm -f "$BASE_DB.new-wal" "$BASE_DB.new-shm"
    mv "$BASE_DB.new" "$BASE_DB"
fi
echo "households: $(sqlite3 "$BASE_DB" 'SELECT count(*) FROM households'), visits: $(sqlite3 "$BASE_DB" 'SELECT count(*) FROM visits')"

# The busiest grid member's grid (most households), a county admin, and the county.
read -r MEMBER GRID < <(sqlite3 -separator ' ' "$BASE_DB" "
    SELECT d.person_id, d.unit_code FROM duties d JOIN households h ON h.grid_code = d.unit_code
    WHERE d.role = 'grid_member' AND (d.until IS NULL OR d.until = '')
    GROUP BY d.id ORDER BY count(*) DESC, d.unit_code LIMIT 1")
ADMIN=$(sqlite3 "$BASE_DB" "SELECT person_id FROM duties WHERE role = 'county_admin' AND (until IS NULL OR until = '')
                            ORDER BY person_id LIMIT 1")
COUNTY_CODE=$(sqlite3 "$BASE_DB" "SELECT code FROM units WHERE level = 'county' ORDER BY code LIMIT 1")
[[ -n "$MEMBER" && -n "$GRID" && -n "$ADMIN" && -n "$COUNTY_CODE" ]] || { echo "no active grid member, county admin or county unit in $BASE_DB" >&2; exit 1; }
HOUSEHOLDS=$(sqlite3 "$BASE_DB" "SELECT count(*) FROM households WHERE grid_code = '$GRID'")
EXPECTED_HOUSEHOLDS=$(sqlite3 "$BASE_DB" "SELECT count(*) FROM households WHERE registered_on <= date('now')")
COVERAGE_PATH="/api/v1/reports/coverage?unit=$COUNTY_CODE&as_of=$AS_OF"
echo "grid member $MEMBER of grid $GRID ($HOUSEHOLDS households); county admin $ADMIN of county $COUNTY_CODE"

# The POST body: a new visit id per request, households of the grid in turn, no visitor_id
# (the visitor is the caller, member or admin alike).
SCRIPT="$BENCH_DIR/post_visit.lua"
{
    echo "local households = {"
    sqlite3 "$BASE_DB" "SELECT '  \"' || code || '\",' FROM households WHERE grid_code = '$GRID' ORDER BY code"
    echo "}"
    cat Tools/post_visit.lua
} >"$SCRIPT"

# ---------------------------------------------------------------- helpers

# start_server LOGNAME: a server on $DB, answering /healthz, in SERVER_PID. Every request is
# logged at info; the log goes to a file, so it does not dominate the measurement.
start_server() {
    "$GRIDBOOK" --db "$DB" serve --port "$PORT" 2>"$LOG/$1" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        curl -fsS "$URL/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "the server did not start; see $LOG/$1" >&2
    tail -5 "$LOG/$1" >&2
    exit 1
}
# issue_token PERSON: a new token for PERSON in $DB (the last line `token issue` prints).
issue_token() {
    local out
    out=$("$GRIDBOOK" --db "$DB" token issue --person "$1" 2>"$LOG/api-token.txt") \
        || { cat "$LOG/api-token.txt" >&2; echo "token issue --person $1 failed" >&2; return 1; }
    printf '%s\n' "$out" | tail -n 1
}
peak_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1024 / 1000000 }'; }
# log_problems FILE: the server log's warning, error and critical lines, counted.
log_problems() { grep -Eci '^[^ ]+ (warning|error|critical) ' "$1" || true; }

# Coverage reports answered 200 so far (0 without report clients).
reports_done() {
    if [[ -n "$REPORT_LOG" && -f "$REPORT_LOG" ]]; then awk '$1 == 200 { n++ } END { print n + 0 }' "$REPORT_LOG"; else echo 0; fi
}
start_reports() {
    REPORT_LOG="$1"
    rm -f "$STOP_REPORTS"
    : >"$REPORT_LOG"
    local i
    for i in $(seq 1 "$REPORT_CLIENTS"); do
        (
            while [[ ! -e "$STOP_REPORTS" ]]; do
                curl -s -o /dev/null --max-time 120 -w '%{http_code} %{time_total}\n' \
                    -H "Authorization: Bearer $ADMIN_TOKEN" "$URL$COVERAGE_PATH" >>"$REPORT_LOG" || sleep 0.1
            done
        ) &
        REPORT_PIDS+=($!)
    done
}

# run_wrk LOGNAME CONNECTIONS ARGS... : warms up 3 s, runs DURATION s, and leaves RPS, P99_MS,
# ERRORS and REPORTS_PER_S (coverage reports finished per second in the window) set.
run_wrk() {
    local name="$1" connections="$2"; shift 2
    wrk -t2 -c"$connections" -d3s "$@" >/dev/null 2>&1 || true
    local reports_before
    reports_before=$(reports_done)
    if ! wrk -t2 -c"$connections" -d"${DURATION}s" --latency "$@" >"$LOG/$name" 2>&1; then
        cat "$LOG/$name" >&2
        echo "wrk failed (output: $LOG/$name)" >&2
        exit 1
    fi
    REPORTS_PER_S=$(awk -v a="$reports_before" -v b="$(reports_done)" -v d="$DURATION" 'BEGIN { printf "%.2f", (b - a) / d }')
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died during $name; see its log in $LOG" >&2; exit 1; }
    RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$LOG/$name")
    P99_MS=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' "$LOG/$name")
    local non2xx socket
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$LOG/$name")
    socket=$(awk '/Socket errors:/ { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }' "$LOG/$name")
    ERRORS=$(( ${non2xx:-0} + ${socket:-0} ))
    RPS=${RPS:-0}
    P99_MS=${P99_MS:-999999}
}

# The worst of the runs, figure by figure.
declare -A W_RPS W_P99 W_ERRORS W_RATIO W_REPORTS LABEL CONNS GOAL_TEXT GOAL_EXPR
KEYS=()
keep_lower() {  # ARRAY KEY VALUE
    local -n kept=$1
    if [[ -z "${kept[$2]:-}" ]] || awk -v a="$3" -v b="${kept[$2]}" 'BEGIN { exit !(a < b) }'; then kept[$2]=$3; fi
}
keep_higher() {  # ARRAY KEY VALUE
    local -n kept=$1
    if [[ -z "${kept[$2]:-}" ]] || awk -v a="$3" -v b="${kept[$2]}" 'BEGIN { exit !(a > b) }'; then kept[$2]=$3; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "0.000" }'; }

# measure KEY LABEL CONNECTIONS BASE_RPS GOAL_TEXT GOAL_EXPR WRK_ARGS... : one wrk load, its
# ratio to BASE_RPS (empty: the load is the baseline), a progress line, the worst kept.
# GOAL_EXPR is an awk condition on r (ratio), p (p99 in ms) and e (errors).
measure() {
    local key="$1" label="$2" connections="$3" base="$4" goal_text="$5" goal_expr="$6"; shift 6
    run_wrk "api-r$RUN-$key.txt" "$connections" "$@"
    local r
    if [[ -n "$base" ]]; then r=$(ratio "$RPS" "$base"); else r="1.000"; fi
    if [[ -z "${LABEL[$key]:-}" ]]; then
        KEYS+=("$key"); LABEL[$key]=$label; CONNS[$key]=$connections
        GOAL_TEXT[$key]=$goal_text; GOAL_EXPR[$key]=$goal_expr
    fi
    keep_lower W_RPS "$key" "$RPS"; keep_higher W_P99 "$key" "$P99_MS"
    keep_higher W_ERRORS "$key" "$ERRORS"; keep_lower W_RATIO "$key" "$r"
    local extra=""
    if ((${#REPORT_PIDS[@]})); then
        keep_lower W_REPORTS "$key" "$REPORTS_PER_S"
        extra="   coverage reports ${REPORTS_PER_S}/s"
    fi
    printf 'run %d/%d  %-52s c%-3s %7s req/s   p99 %8s ms   errors %-6s ratio %s%s\n' \
        "$RUN" "$RUNS" "$label" "$connections" "$RPS" "$P99_MS" "$ERRORS" "$r" "$extra"
}

POST_GOAL="≥ 0.20× healthz, p99 ≤ 50 ms, no errors"
POST_EXPR="r >= 0.20 && p <= 50 && e == 0"
DUE_GOAL="≥ 0.40× healthz, no errors"
DUE_EXPR="r >= 0.40 && e == 0"
FRESH_GOAL="no errors (no goal: the page read and encoded every time)"

PAGING_KB=0; LOADED_KB=0; SEEN_MIN=""; SEEN_MAX=""; PAGES=""; PAGING_S=""
VISITS_STORED=""; WAL_MAX=0; REPORTS_OK=0; REPORTS_FAILED=0; REPORT_MEAN_S=""; LOG_PROBLEMS=0

# ---------------------------------------------------------------- runs

for RUN in $(seq 1 "$RUNS"); do
    section "Run $RUN of $RUNS: a fresh copy of the county"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    cp "$BASE_DB" "$DB"
    MEMBER_TOKEN=$(issue_token "$MEMBER")
    ADMIN_TOKEN=$(issue_token "$ADMIN")
    [[ -n "$MEMBER_TOKEN" && -n "$ADMIN_TOKEN" ]] || { echo "token issue printed no token" >&2; exit 1; }

    # Memory: a fresh server pages through the county, nothing else.
    start_server "api-r$RUN-paging-server.txt"
    printf 'run %d/%d  paging GET /api/v1/units/%s/households?limit=1000 (county admin) ... ' "$RUN" "$RUNS" "$COUNTY_CODE"
    if ! PAGING=$(python3 Tools/page_households.py --url "$URL" --unit "$COUNTY_CODE" --token "$ADMIN_TOKEN" --limit 1000); then
        echo; echo "paging failed" >&2; exit 1
    fi
    KB=$(peak_kb)
    stop_server
    read -r _ SEEN _ PAGES _ PAGING_S <<<"$PAGING"
    echo "$SEEN households, $PAGES pages, $PAGING_S s; VmHWM $(mb "$KB") MB"
    ((KB > PAGING_KB)) && PAGING_KB=$KB
    [[ -z "$SEEN_MIN" || "$SEEN" -lt "$SEEN_MIN" ]] && SEEN_MIN=$SEEN
    [[ -z "$SEEN_MAX" || "$SEEN" -gt "$SEEN_MAX" ]] && SEEN_MAX=$SEEN

    # Loads, on a second server over the same copy.
    start_server "api-r$RUN-server.txt"
    BEFORE=$(sqlite3 "$DB" "SELECT count(*) FROM visits")
    # The WAL's size, sampled every half second while the loads run (its largest is reported).
    WAL_LOG="$LOG/api-r$RUN-wal.txt"
    : >"$WAL_LOG"
    ( while kill -0 "$SERVER_PID" 2>/dev/null; do stat -c %s "$DB-wal" 2>/dev/null >>"$WAL_LOG" || true; sleep 0.5; done ) &
    WAL_SAMPLER=$!
    MEMBER_AUTH="Authorization: Bearer $MEMBER_TOKEN"
    ADMIN_AUTH="Authorization: Bearer $ADMIN_TOKEN"
    for C in 16 32; do
        measure "healthz-c$C" "idle: GET /healthz" "$C" "" "baseline" "1" "$URL/healthz"
        IDLE_HEALTH=$RPS
        [[ "$C" == 16 ]] && IDLE_HEALTH_16=$RPS
        measure "post-member-c$C" "idle: POST /api/v1/visits, grid member" "$C" "$IDLE_HEALTH" "$POST_GOAL" "$POST_EXPR" \
            -s "$SCRIPT" -H "$MEMBER_AUTH" "$URL/api/v1/visits"
        measure "post-admin-c$C" "idle: POST /api/v1/visits, county admin" "$C" "$IDLE_HEALTH" "$POST_GOAL" "$POST_EXPR" \
            -s "$SCRIPT" -H "$ADMIN_AUTH" "$URL/api/v1/visits"
        measure "due-member-c$C" "idle: GET /api/v1/due (grid), grid member" "$C" "$IDLE_HEALTH" "$DUE_GOAL" "$DUE_EXPR" \
            -H "$MEMBER_AUTH" "$URL/api/v1/due?unit=$GRID"
        measure "due-admin-c$C" "idle: GET /api/v1/due (grid), county admin" "$C" "$IDLE_HEALTH" "$DUE_GOAL" "$DUE_EXPR" \
            -H "$ADMIN_AUTH" "$URL/api/v1/due?unit=$GRID"
        measure "due-fresh-c$C" "idle: GET /api/v1/due (grid), county admin, no-cache" "$C" "$IDLE_HEALTH" "$FRESH_GOAL" "e == 0" \
            -H "$ADMIN_AUTH" -H "Cache-Control: no-cache" "$URL/api/v1/due?unit=$GRID"
    done

    printf 'run %d/%d  starting %d coverage report clients (GET %s, county admin)\n' "$RUN" "$RUNS" "$REPORT_CLIENTS" "$COVERAGE_PATH"
    start_reports "$LOG/api-r$RUN-reports.txt"
    sleep 2
    measure "loaded-healthz-c16" "under report load: GET /healthz" 16 "$IDLE_HEALTH_16" \
        "p99 ≤ 25 ms, ≥ 0.50× idle healthz" "p <= 25 && r >= 0.50" "$URL/healthz"
    measure "loaded-post-member-c16" "under report load: POST /api/v1/visits, grid member" 16 "$IDLE_HEALTH_16" \
        "p99 ≤ 100 ms, no errors" "p <= 100 && e == 0" -s "$SCRIPT" -H "$MEMBER_AUTH" "$URL/api/v1/visits"
    stop_reports
    read -r OK FAILED MEAN < <(awk '$1 == 200 { n++; t += $2; next } { f++ } END { printf "%d %d %.2f\n", n, f, n ? t / n : 0 }' "$REPORT_LOG")
    REPORT_LOG=""
    echo "run $RUN/$RUNS  coverage reports: $OK answered 200 (mean $MEAN s each), $FAILED failed"
    REPORTS_OK=$((REPORTS_OK + OK)); REPORTS_FAILED=$((REPORTS_FAILED + FAILED))
    if [[ -z "$REPORT_MEAN_S" ]] || awk -v a="$MEAN" -v b="$REPORT_MEAN_S" 'BEGIN { exit !(a > b) }'; then REPORT_MEAN_S=$MEAN; fi

    KB=$(peak_kb)
    stop_server
    wait "$WAL_SAMPLER" 2>/dev/null || true
    RUN_WAL=$(sort -n "$WAL_LOG" | tail -1)
    RUN_WAL=${RUN_WAL:-0}
    echo "run $RUN/$RUNS  largest WAL while the loads ran (sampled every 0.5 s): $(mb $((RUN_WAL / 1024))) MB"
    ((RUN_WAL > WAL_MAX)) && WAL_MAX=$RUN_WAL
    AFTER=$(sqlite3 "$DB" "SELECT count(*) FROM visits")
    echo "run $RUN/$RUNS  visits stored by the POST loads: $((AFTER - BEFORE)); VmHWM after all loads $(mb "$KB") MB"
    ((KB > LOADED_KB)) && LOADED_KB=$KB
    [[ -z "$VISITS_STORED" || $((AFTER - BEFORE)) -lt "$VISITS_STORED" ]] && VISITS_STORED=$((AFTER - BEFORE))
    for file in "$LOG/api-r$RUN-paging-server.txt" "$LOG/api-r$RUN-server.txt"; do
        n=$(log_problems "$file")
        LOG_PROBLEMS=$((LOG_PROBLEMS + n))
        ((n == 0)) || { echo "run $RUN/$RUNS  $file: $n warning/error lines, for example:"; grep -Ei '^[^ ]+ (warning|error|critical) ' "$file" | head -3; }
    done
done

# ---------------------------------------------------------------- verdict

verdict() { if awk -v r="$2" -v p="$3" -v e="$4" "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
ALL_MET=1
ROWS=""
for key in "${KEYS[@]}"; do
    if [[ "${GOAL_EXPR[$key]}" == 1 ]]; then
        ok=""
        ratio_cell="1.000"
    else
        ok=$(verdict "${GOAL_EXPR[$key]}" "${W_RATIO[$key]}" "${W_P99[$key]}" "${W_ERRORS[$key]}")
        [[ "$ok" == met ]] || ALL_MET=0
        ratio_cell="${W_RATIO[$key]}"
    fi
    ROWS+="| ${LABEL[$key]} | ${CONNS[$key]} | ${W_RPS[$key]} | ${W_P99[$key]} ms | ${W_ERRORS[$key]} | $ratio_cell | ${GOAL_TEXT[$key]} | $ok |"$'\n'
done
PAGING_MB=$(mb "$PAGING_KB")
MEM_OK=$(verdict "$PAGING_MB <= 150" 0 0 0)
[[ "$MEM_OK" == met ]] || ALL_MET=0
REPORTS_VALID="met"
((REPORTS_OK > 0 && REPORTS_FAILED == 0)) || { REPORTS_VALID="MISSED"; ALL_MET=0; }
if [[ "$SEEN_MIN" == "$SEEN_MAX" ]]; then SEEN_TEXT=$SEEN_MIN; else SEEN_TEXT="$SEEN_MIN to $SEEN_MAX"; fi

section "Result (Markdown)"
cat <<EOF
Command: \`$COMMAND\` (wrk -t2 on loopback, $(nproc) cores; each load ${DURATION} s after a 3 s warm-up).
Every figure is the **worst of $RUNS runs**, each figure on its own (lowest req/s and ratio, highest p99 and errors); each
run starts from a fresh copy of the county. Ratios are to GET /healthz on the same server at the same connection count
(idle at 16 connections for the loads under report load). Grid $GRID ($HOUSEHOLDS households): member $MEMBER; county admin $ADMIN.

| load | connections | req/s | p99 | errors | ratio | goal | verdict |
|---|---:|---:|---:|---:|---:|---|---|
${ROWS%$'\n'}

Report load: $REPORT_CLIENTS clients, each sending \`GET $COVERAGE_PATH\` (county admin) again as soon as
the last one is answered. Coverage reports finished per second (lowest of the runs): ${W_REPORTS[loaded-healthz-c16]} while wrk
measured GET /healthz, ${W_REPORTS[loaded-post-member-c16]} while it measured POST /api/v1/visits. In all, $REPORTS_OK answered
200 and $REPORTS_FAILED failed (goal: none failed: $REPORTS_VALID); mean time of one report $REPORT_MEAN_S s (slowest run).

Paging through the county (\`GET /api/v1/units/$COUNTY_CODE/households?limit=1000\`, following \`next\`, county admin, a fresh
server): $SEEN_TEXT households seen in $PAGES pages ($PAGING_S s in the last run); \`SELECT count(*) FROM households WHERE registered_on <= date('now')\` says $EXPECTED_HOUSEHOLDS.
Server peak memory (VmHWM) right after: **$PAGING_MB MB** (goal ≤ 150 MB: $MEM_OK). VmHWM of the server that took all the loads above,
after them: $(mb "$LOADED_KB") MB.

Fewest visits stored by one run's POST loads: $VISITS_STORED. Largest WAL file while the loads ran (sampled every 0.5 s, the
POST loads beside four coverage reports included): $(mb $((WAL_MAX / 1024))) MB. Server log warning/error lines: $LOG_PROBLEMS.
EOF
((ALL_MET))

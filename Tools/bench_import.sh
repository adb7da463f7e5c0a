#!/usr/bin/env bash
# bench_import.sh: benchmark (not a test) for issue 2, import and coverage at county size.
#
# What it measures
#   A generated county the size of a real banner (218 villages, 1,393 grids,
#   100,000 households, 2,000,000 visits; Tools/generate_county.py):
#   - `gridbook import DIR` into a new database, against sqlite3's own `.import`
#     of the same households.csv and visits.csv into bare tables (no keys, no
#     indexes, no checks), timed in the same run on the same machine;
#   - a re-import of the same directory into that database (the idempotent path,
#     "nothing changed"), once;
#   - `gridbook report coverage` for the county as of the data's end date and as
#     of a past date (which must consult the visit log), against
#     `gridbook unit list --level county` as the process-start baseline.
#   Each timed command runs RUNS times; the median and the min are reported.
#   Wall times come from `date +%s.%N`; peak memory (max RSS) from
#   /usr/bin/time when it is installed (apt package `time`), else it is skipped.
#
# Goals
#   - gridbook import takes at most 2.0x the time of sqlite3's .import;
#   - the coverage report takes a small fraction of a second beyond process start.
#
# How to run (from anywhere; it works from the repository root)
#   Tools/bench_import.sh
#   BENCH_DIR=/some/dir RUNS=5 Tools/bench_import.sh
#   Env vars:
#     BENCH_DIR  work directory (default .build/bench, which git ignores); the
#                county is generated into $BENCH_DIR/county when
#                $BENCH_DIR/county/visits.csv is missing (about 50 s) and reused
#                afterwards; the databases are $BENCH_DIR/sqlite3.sqlite and
#                $BENCH_DIR/gridbook.sqlite.
#     RUNS       how many times each timed command runs (default 3).
#   The last block printed is Markdown, to paste into BENCHMARKS.md.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_DIR="${BENCH_DIR:-.build/bench}"
RUNS="${RUNS:-3}"
COUNTY="$BENCH_DIR/county"
GRIDBOOK=".build/release/gridbook"
GOAL_RATIO=2.0
AS_OF="2026-11-20"        # the generator's default --end-date
PAST_DATE="2026-06-01"

if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ ]]; then
    echo "RUNS must be a positive integer (got '$RUNS')" >&2
    exit 2
fi
for tool in sqlite3 python3 swift; do
    command -v "$tool" >/dev/null || { echo "$tool is required but not on PATH" >&2; exit 2; }
done

HAVE_TIME=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
    HAVE_TIME=1
fi

mkdir -p "$BENCH_DIR"
LOG="$BENCH_DIR/logs"
mkdir -p "$LOG"

# ---------------------------------------------------------------- helpers

section() { printf '\n== %s\n' "$*"; }

now() { date +%s.%N; }

# elapsed START END -> seconds, 3 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# median NUMBERS... / minimum NUMBERS...
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
minimum() { printf '%s\n' "$@" | sort -g | head -1 | awk '{ printf "%.3f", $1 }'; }

# ratio A B -> A / B, 2 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

# The last run's wall time and peak RSS (KiB, or empty) are left in these.
LAST_SECONDS=""
LAST_RSS_KB=""

# run_timed LOGFILE CMD... : runs CMD with stdout+stderr to LOGFILE, sets
# LAST_SECONDS (and LAST_RSS_KB when /usr/bin/time is there); fails loudly on a
# non-zero exit status.
run_timed() {
    local logfile="$1"; shift
    local start end status=0
    LAST_RSS_KB=""
    start=$(now)
    if (( HAVE_TIME )); then
        /usr/bin/time -f '%e %M' -o "$logfile.time" "$@" >"$logfile" 2>&1 || status=$?
    else
        "$@" >"$logfile" 2>&1 || status=$?
    fi
    end=$(now)
    if (( status != 0 )); then
        echo "FAILED (exit $status): $*" >&2
        echo "--- last lines of $logfile:" >&2
        tail -20 "$logfile" >&2
        exit 1
    fi
    LAST_SECONDS=$(elapsed "$start" "$end")
    if (( HAVE_TIME )); then
        LAST_RSS_KB=$(awk 'END { print $2 }' "$logfile.time")
    fi
}

mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

# ---------------------------------------------------------------- build

section "Build: swift build -c release --product gridbook"
if ! swift build -c release --product gridbook >"$LOG/build.txt" 2>&1; then
    tail -30 "$LOG/build.txt"
    echo "release build failed (full output: $LOG/build.txt)" >&2
    exit 1
fi
tail -3 "$LOG/build.txt"
[[ -x "$GRIDBOOK" ]] || { echo "no binary at $GRIDBOOK" >&2; exit 1; }

# ---------------------------------------------------------------- data

GEN_CMD="python3 Tools/generate_county.py --out $COUNTY --villages 218 --grids 1393 --households 100000 --visits 2000000"
section "Data: $COUNTY"
if [[ ! -f "$COUNTY/visits.csv" ]]; then
    echo "generating (about 50 s): $GEN_CMD"
    $GEN_CMD
else
    echo "reusing the existing county (delete $COUNTY to regenerate)"
fi
csv_rows() { echo $(( $(wc -l <"$1") - 1 )); }
csv_mib() { awk -v b="$(stat -L -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
HOUSEHOLD_ROWS=$(csv_rows "$COUNTY/households.csv")
VISIT_ROWS=$(csv_rows "$COUNTY/visits.csv")
HOUSEHOLD_MIB=$(csv_mib "$COUNTY/households.csv")
VISIT_MIB=$(csv_mib "$COUNTY/visits.csv")
printf '  %-15s %9d rows %8s MiB\n' households.csv "$HOUSEHOLD_ROWS" "$HOUSEHOLD_MIB"
printf '  %-15s %9d rows %8s MiB\n' visits.csv "$VISIT_ROWS" "$VISIT_MIB"

# ---------------------------------------------------------------- sqlite3 baseline

SQLITE_DB="$BENCH_DIR/sqlite3.sqlite"
SQLITE_CMD=(sqlite3 -csv "$SQLITE_DB"
            ".import $COUNTY/households.csv households"
            ".import $COUNTY/visits.csv visits")

section "sqlite3 .import of households.csv and visits.csv into bare tables ($RUNS runs)"
SQLITE_TIMES=()
SQLITE_RSS=""
for (( i = 1; i <= RUNS; i++ )); do
    rm -f "$SQLITE_DB" "$SQLITE_DB-journal" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
    run_timed "$LOG/sqlite3_import_$i.txt" "${SQLITE_CMD[@]}"
    SQLITE_TIMES+=("$LAST_SECONDS")
    SQLITE_RSS="$LAST_RSS_KB"
    printf '  run %d: %s s\n' "$i" "$LAST_SECONDS"
done
loaded=$(sqlite3 "$SQLITE_DB" "SELECT (SELECT count(*) FROM households) || ' households, ' || (SELECT count(*) FROM visits) || ' visits'")
echo "  loaded: $loaded"
SQLITE_MEDIAN=$(median "${SQLITE_TIMES[@]}")
SQLITE_MIN=$(minimum "${SQLITE_TIMES[@]}")
printf '  median %s s, min %s s\n' "$SQLITE_MEDIAN" "$SQLITE_MIN"

# ---------------------------------------------------------------- gridbook import

GRIDBOOK_DB="$BENCH_DIR/gridbook.sqlite"
IMPORT_CMD=("$GRIDBOOK" --db "$GRIDBOOK_DB" import "$COUNTY")

section "gridbook import into a new database ($RUNS runs)"
IMPORT_TIMES=()
IMPORT_RSS=()
for (( i = 1; i <= RUNS; i++ )); do
    rm -f "$GRIDBOOK_DB" "$GRIDBOOK_DB"-*
    run_timed "$LOG/gridbook_import_$i.txt" "${IMPORT_CMD[@]}"
    IMPORT_TIMES+=("$LAST_SECONDS")
    [[ -n "$LAST_RSS_KB" ]] && IMPORT_RSS+=("$LAST_RSS_KB")
    if [[ -n "$LAST_RSS_KB" ]]; then
        printf '  run %d: %s s, max RSS %s\n' "$i" "$LAST_SECONDS" "$(mib "$LAST_RSS_KB")"
    else
        printf '  run %d: %s s\n' "$i" "$LAST_SECONDS"
    fi
done
echo
sed 's/^/  /' "$LOG/gridbook_import_1.txt"
IMPORT_MEDIAN=$(median "${IMPORT_TIMES[@]}")
IMPORT_MIN=$(minimum "${IMPORT_TIMES[@]}")
RATIO_MEDIAN=$(ratio "$IMPORT_MEDIAN" "$SQLITE_MEDIAN")
RATIO_MIN=$(ratio "$IMPORT_MIN" "$SQLITE_MIN")
if awk -v r="$RATIO_MEDIAN" -v g="$GOAL_RATIO" 'BEGIN { exit !(r <= g) }'; then VERDICT=PASS; else VERDICT=FAIL; fi
printf '\n  median %s s, min %s s; gridbook/sqlite3 %sx (median), %sx (min): %s against the %.1fx goal\n' \
    "$IMPORT_MEDIAN" "$IMPORT_MIN" "$RATIO_MEDIAN" "$RATIO_MIN" "$VERDICT" "$GOAL_RATIO"
if (( ${#IMPORT_RSS[@]} )); then
    IMPORT_RSS_MAX=$(printf '%s\n' "${IMPORT_RSS[@]}" | sort -n | tail -1)
    printf '  peak memory (max RSS) of gridbook import: %s (sqlite3 .import: %s)\n' \
        "$(mib "$IMPORT_RSS_MAX")" "$(mib "$SQLITE_RSS")"
else
    IMPORT_RSS_MAX=""
    echo "  peak memory: skipped (/usr/bin/time is not installed; apt package 'time')"
fi
DB_MIB=$(csv_mib "$GRIDBOOK_DB")

# ---------------------------------------------------------------- re-import

section "gridbook re-import of the same directory into that database (once)"
run_timed "$LOG/gridbook_reimport.txt" "${IMPORT_CMD[@]}"
REIMPORT_SECONDS="$LAST_SECONDS"
REIMPORT_RSS="$LAST_RSS_KB"
sed 's/^/  /' "$LOG/gridbook_reimport.txt"
if grep -q '^nothing changed$' "$LOG/gridbook_reimport.txt"; then
    REIMPORT_NOTE="nothing changed"
else
    REIMPORT_NOTE="UNEXPECTED: it did not say \"nothing changed\""
fi
printf '  %s s (%s)\n' "$REIMPORT_SECONDS" "$REIMPORT_NOTE"

# ---------------------------------------------------------------- coverage report

# time_runs LABEL LOGNAME CMD... : RUNS runs, sets RUN_MEDIAN and RUN_MIN.
time_runs() {
    local label="$1" logname="$2"; shift 2
    local times=() i
    for (( i = 1; i <= RUNS; i++ )); do
        run_timed "$LOG/${logname}_$i.txt" "$@"
        times+=("$LAST_SECONDS")
    done
    RUN_MEDIAN=$(median "${times[@]}")
    RUN_MIN=$(minimum "${times[@]}")
    printf '  %-40s median %s s, min %s s  (runs: %s)\n' "$label" "$RUN_MEDIAN" "$RUN_MIN" "${times[*]}"
}

section "Coverage report of the county ($RUNS runs each, wall time of the whole command)"
time_runs "unit list --level county (baseline)" unit_list \
    "$GRIDBOOK" --db "$GRIDBOOK_DB" unit list --level county
START_MEDIAN="$RUN_MEDIAN"; START_MIN="$RUN_MIN"
time_runs "report coverage --as-of $AS_OF" coverage_now \
    "$GRIDBOOK" --db "$GRIDBOOK_DB" report coverage --as-of "$AS_OF"
COV_MEDIAN="$RUN_MEDIAN"; COV_MIN="$RUN_MIN"
time_runs "report coverage --as-of $PAST_DATE" coverage_past \
    "$GRIDBOOK" --db "$GRIDBOOK_DB" report coverage --as-of "$PAST_DATE"
PAST_MEDIAN="$RUN_MEDIAN"; PAST_MIN="$RUN_MIN"
COV_OWN=$(awk -v a="$COV_MEDIAN" -v b="$START_MEDIAN" 'BEGIN { printf "%.3f", a - b }')
PAST_OWN=$(awk -v a="$PAST_MEDIAN" -v b="$START_MEDIAN" 'BEGIN { printf "%.3f", a - b }')
printf '  the report'"'"'s own time (median minus the baseline'"'"'s median): %s s as of %s, %s s as of %s\n' \
    "$COV_OWN" "$AS_OF" "$PAST_OWN" "$PAST_DATE"
echo
echo "  report coverage --as-of $AS_OF (first run's output, first and last lines):"
head -4 "$LOG/coverage_now_1.txt" | sed 's/^/    /'
echo "    ..."
tail -2 "$LOG/coverage_now_1.txt" | sed 's/^/    /'
echo "  report coverage --as-of $PAST_DATE (total line):"
tail -1 "$LOG/coverage_past_1.txt" | sed 's/^/    /'

# ---------------------------------------------------------------- summary

MEM_TOTAL=$(free -g | awk '/^Mem:/ { print $2 }')
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
SQLITE_VERSION=$(sqlite3 --version | awk '{ print $1 }')
SWIFT_VERSION=$(swift --version 2>&1 | head -1)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
if [[ -n "$IMPORT_RSS_MAX" ]]; then
    MEM_LINE="$(mib "$IMPORT_RSS_MAX") max RSS (sqlite3 .import: $(mib "$SQLITE_RSS"))"
else
    MEM_LINE="not measured (/usr/bin/time missing)"
fi

section "Summary (Markdown)"
cat <<EOF

### Import and coverage at county size ($(date +%Y-%m-%d), commit $COMMIT$DIRTY)

Machine: $(nproc) CPUs${CPU_MODEL:+ ($CPU_MODEL)}, ${MEM_TOTAL} GiB RAM; sqlite3 $SQLITE_VERSION; $SWIFT_VERSION.

Data: \`$GEN_CMD\`
($HOUSEHOLD_ROWS households, $HOUSEHOLD_MIB MiB; $VISIT_ROWS visits, $VISIT_MIB MiB).
Command: \`Tools/bench_import.sh\` (RUNS=$RUNS; wall times, median and min of $RUNS runs).

| What | Median (s) | Min (s) |
|---|---:|---:|
| sqlite3 \`.import\` of households.csv + visits.csv into bare tables | $SQLITE_MEDIAN | $SQLITE_MIN |
| \`gridbook import\` into a new database | $IMPORT_MEDIAN | $IMPORT_MIN |
| Ratio gridbook / sqlite3 (goal at most ${GOAL_RATIO}x): **$VERDICT** | ${RATIO_MEDIAN}x | ${RATIO_MIN}x |
| \`gridbook import\` again, same files ($REIMPORT_NOTE; 1 run) | $REIMPORT_SECONDS | |
| \`gridbook unit list --level county\` (process start baseline) | $START_MEDIAN | $START_MIN |
| \`gridbook report coverage --as-of $AS_OF\` (county) | $COV_MEDIAN | $COV_MIN |
| \`gridbook report coverage --as-of $PAST_DATE\` (past date, from the visit log) | $PAST_MEDIAN | $PAST_MIN |

The coverage report's own time (median minus the baseline): $COV_OWN s as of $AS_OF, $PAST_OWN s as of $PAST_DATE.
Peak memory of \`gridbook import\`: $MEM_LINE. Database file after import: $DB_MIB MiB.
EOF

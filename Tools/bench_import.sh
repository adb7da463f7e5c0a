#!/usr/bin/env bash
# bench_import.sh: benchmark (not a test) of the seed import at county size and at ten times it
# (issues 2 and 13).
#
# What it measures, in one run, at each size (Tools/generate_county.py: 1x = 218 villages, 1,393
# grids, 100,000 households, 2,000,000 visits; 10x = ten times each), RUNS times, reporting the
# worst run (the longest time, the highest peak RSS):
#   - sqlite3's own `.import` of households.csv and visits.csv into bare tables (no keys, no
#     indexes, no checks): the floor a loader can reach;
#   - the same `.import` into tables with Gridbook's keys (households by code), followed by the two
#     indexes Gridbook builds on visits (by id, unique; by household, outcome and time), with
#     Gridbook's sorter settings: what SQLite alone spends on the rows and indexes Gridbook must
#     write, before any file is read or checked (not a goal; the floor under the first import).
#     The shell loads the ids as the file has them, 36 characters (Gridbook stores 16 bytes), and
#     indexes visited_at (Gridbook: the 10-character visited_on, which the file does not have):
#     its keys are longer than Gridbook's, so this floor is somewhat above Gridbook's own;
#   - `gridbook import DIR` into a new database;
#   - `gridbook import DIR` again, the files unchanged (it must say "nothing changed").
# Wall time and peak memory (max RSS) come from /usr/bin/time (Debian's `time`).
#
# Goals (issue 13): the first import at most 1.0x sqlite3's .import; the re-import at most 0.3x the
# first import; peak RSS at most 200 MB at both sizes.
#
# How to run (from anywhere)
#   Tools/bench_import.sh
#   RUNS=3 SIZES="1 10" BENCH_DIR=.build/bench-import Tools/bench_import.sh
#   COUNTY_1=/path/county COUNTY_10=/path/county10 Tools/bench_import.sh   # reuse generated counties
#   GRIDBOOK=.build-rel/release/gridbook Tools/bench_import.sh              # a release binary built elsewhere
# A county is generated when its visits.csv is missing (about 1 minute at 1x, 9 at 10x). The last
# block printed is Markdown, to paste into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_DIR="${BENCH_DIR:-.build/bench-import}"
RUNS="${RUNS:-3}"
SIZES="${SIZES:-1 10}"
# GRIDBOOK=path: benchmark that binary (a release build made elsewhere) instead of building one.
GRIDBOOK="${GRIDBOOK:-}"
LOG="$BENCH_DIR/logs"
mkdir -p "$LOG"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer (got '$RUNS')" >&2; exit 2; }
for tool in sqlite3 python3 swift /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt packages sqlite3, time)" >&2; exit 2; }
done

if [[ -z "$GRIDBOOK" ]]; then
    echo "== swift build -c release --product gridbook"
    swift build -c release --product gridbook >"$LOG/build.txt" 2>&1 || { tail -30 "$LOG/build.txt"; exit 1; }
    GRIDBOOK=.build/release/gridbook
fi
[[ -x "$GRIDBOOK" ]] || { echo "no gridbook binary at $GRIDBOOK" >&2; exit 2; }

# timed LOG CMD... : runs CMD, prints "SECONDS RSS_KB"; a failure stops the benchmark. Each
# command starts with nothing left for the kernel to write back from the one before (`sync`):
# a deleted 4 GB database's dirty pages otherwise cost the next run seconds.
timed() {
    local log="$1"; shift
    sync
    if ! /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1; then
        echo "FAILED: $*" >&2
        tail -20 "$log" >&2
        exit 1
    fi
    cat "$log.time"
}

# worst "S KB" LINES... -> the longest time and the highest RSS among the runs
worst() { printf '%s\n' "$@" | awk '{ if ($1 > s) s = $1; if ($2 > k) k = $2 } END { printf "%.2f %d", s, k }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g ? "met" : "MISSED") }'; }

ROWS=()
for size in $SIZES; do
    case "$size" in
        1) params=(--villages 218 --grids 1393 --households 100000 --visits 2000000) ;;
        10) params=(--villages 2180 --grids 13930 --households 1000000 --visits 20000000) ;;
        *) echo "SIZES takes 1 and 10 (got $size)" >&2; exit 2 ;;
    esac
    var="COUNTY_$size"
    county="${!var:-$BENCH_DIR/x$size/county}"
    if [[ ! -f "$county/visits.csv" ]]; then
        echo "== generating the ${size}x county into $county"
        python3 Tools/generate_county.py --out "$county" "${params[@]}"
    fi
    visits_mib=$(awk -v b="$(stat -L -c %s "$county/visits.csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
    echo "== ${size}x: $county (visits.csv $visits_mib MiB), $RUNS runs"
    sq=() keyed=() first=() again=()
    for (( run = 1; run <= RUNS; run++ )); do
        db="$BENCH_DIR/x$size-sqlite3.sqlite"
        rm -f "$db"
        sq+=("$(timed "$LOG/x$size-sqlite3-$run" sqlite3 -csv "$db" \
            ".import $county/households.csv households" ".import $county/visits.csv visits")")
        rm -f "$db"
        keyed+=("$(timed "$LOG/x$size-sqlite3-keyed-$run" sqlite3 -csv "$db" \
            "PRAGMA cache_size = -24576" "PRAGMA threads = 2" "PRAGMA temp_store = FILE" \
            "CREATE TABLE households (code TEXT PRIMARY KEY NOT NULL, grid_code TEXT NOT NULL, block_code TEXT, address TEXT, head_name TEXT, phone TEXT, members INTEGER, tags TEXT, registered_on TEXT)" \
            "CREATE TABLE visits (id TEXT NOT NULL, household_code TEXT NOT NULL, visitor_id TEXT NOT NULL, visited_at TEXT NOT NULL, method TEXT NOT NULL, outcome TEXT NOT NULL, note TEXT)" \
            ".import --skip 1 $county/households.csv households" ".import --skip 1 $county/visits.csv visits" \
            "PRAGMA cache_size = -8192" \
            "CREATE UNIQUE INDEX visits_id ON visits(id)" "CREATE INDEX visits_household ON visits(household_code, outcome, visited_at)")")
        rm -f "$db"
        db="$BENCH_DIR/x$size-gridbook.sqlite"
        rm -f "$db" "$db"-*
        first+=("$(timed "$LOG/x$size-import-$run" "$GRIDBOOK" --db "$db" import "$county")")
        again+=("$(timed "$LOG/x$size-reimport-$run" "$GRIDBOOK" --db "$db" import "$county")")
        grep -q '^nothing changed$' "$LOG/x$size-reimport-$run" || { echo "the re-import changed something" >&2; exit 1; }
        rm -f "$db" "$db"-*
        echo "   run $run: sqlite3 ${sq[-1]}, sqlite3 keyed and indexed ${keyed[-1]}, import ${first[-1]}, re-import ${again[-1]} (seconds, KB)"
    done
    read -r sq_s sq_kb <<<"$(worst "${sq[@]}")"
    read -r keyed_s keyed_kb <<<"$(worst "${keyed[@]}")"
    read -r first_s first_kb <<<"$(worst "${first[@]}")"
    read -r again_s again_kb <<<"$(worst "${again[@]}")"
    vs_sqlite=$(ratio "$first_s" "$sq_s")
    vs_first=$(ratio "$again_s" "$first_s")
    ROWS+=("| ${size}x (visits.csv $visits_mib MiB) | $sq_s s, $(mb "$sq_kb") MB | $keyed_s s ($(ratio "$keyed_s" "$sq_s")x) | $first_s s, **$(mb "$first_kb") MB** | $again_s s, **$(mb "$again_kb") MB** | ${vs_sqlite}x ($(verdict "$vs_sqlite" 1.0)) | ${vs_first}x ($(verdict "$vs_first" 0.3)) | $(verdict "$(mb "$first_kb")" 200) / $(verdict "$(mb "$again_kb")" 200) |")
done

cat <<EOF

### Import at county size and ten times it ($(date +%Y-%m-%d), commit $(git rev-parse --short HEAD))

$(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB; sqlite3 $(sqlite3 --version | awk '{ print $1 }'); release build.
Command: \`RUNS=$RUNS SIZES="$SIZES" GRIDBOOK=$GRIDBOOK Tools/bench_import.sh\`; each figure is the worst of $RUNS runs (time, peak RSS).

| size | sqlite3 \`.import\` (bare tables) | sqlite3 \`.import\`, keys and the two visit indexes (÷ bare) | \`gridbook import\` (new database) | \`gridbook import\` again (unchanged) | import / sqlite3 (goal ≤ 1.0x) | re-import / import (goal ≤ 0.3x) | peak RSS ≤ 200 MB (import / re-import) |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS[@]}")
EOF

#!/usr/bin/env bash
# bench_digest.sh: benchmark (not a test) for issue 15's digests against the county coverage report.
#
# What it measures, with the release build, on the county-size data set of Tools/generate_county.py
# (218 villages, 1,393 grids, 100,000 households, 2,000,000 visits up to Friday 2026-11-20):
#   - a year of risks and cases is added with sqlite3 (CASES cases, each with its ledger: accepted,
#     most responded to, dispatched, started and resolved; RISKS risks; a card for one case in ten),
#     since the generator makes none;
#   - `gridbook digest daily|weekly|monthly --on 2026-11-23 --format json` for the county (read on
#     the Monday after the data's last week: daily 11-20 to 11-22, weekly 11-16 to 11-22, monthly
#     October);
#   - `gridbook report coverage --format json` for the county as of each digest's last day
#     (2026-11-22, and 2026-10-31: a past date, which reads the visit log);
#   each run once to warm the file cache, then RUNS times, the worst kept.
# The last block printed is Markdown: each time and the digest's ratio to the coverage report as of
# its own last day, against the goal (issue 15: at most 2x the county coverage report's time).
# Exit 0 when every digest meets the goal, 1 when one misses it or something failed, 2 for a usage error.
#
# How to run (from the repository root or anywhere)
#   Tools/bench_digest.sh
#   COUNTY=/work/bench/county BENCH_DIR=/work/bench-digest RUNS=5 BUILD=0 Tools/bench_digest.sh
#   Env vars: COUNTY (the county's seed files; default $BENCH_DIR/county, generated when missing, about
#   30 s and 230 MB), BENCH_DIR (default .build/bench-digest; the database, about 500 MB, and logs),
#   RUNS (default 5), CASES (default 3000), RISKS (default 5000), BUILD (1 builds first, 0 uses
#   GRIDBOOK), GRIDBOOK (default .build/release/gridbook).
#   Needs: sqlite3, python3 (apt-get install -y sqlite3 python3).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_DIR="${BENCH_DIR:-.build/bench-digest}"
COUNTY="${COUNTY:-$BENCH_DIR/county}"
RUNS="${RUNS:-5}"
CASES="${CASES:-3000}"
RISKS="${RISKS:-5000}"
BUILD="${BUILD:-1}"
GRIDBOOK="${GRIDBOOK:-$PWD/.build/release/gridbook}"
ON="2026-11-23"
# The last day of each digest read on $ON.
declare -A LAST_DAY=([daily]=2026-11-22 [weekly]=2026-11-22 [monthly]=2026-10-31)
COMMAND="COUNTY=$COUNTY BENCH_DIR=$BENCH_DIR RUNS=$RUNS CASES=$CASES RISKS=$RISKS BUILD=$BUILD GRIDBOOK=$GRIDBOOK Tools/bench_digest.sh"

for number in "$RUNS" "$CASES" "$RISKS"; do
    [[ "$number" =~ ^[0-9]+$ ]] || { echo "RUNS, CASES and RISKS must be whole numbers (got '$number')" >&2; exit 2; }
done
[[ "$RUNS" -ge 1 ]] || { echo "RUNS must be at least 1" >&2; exit 2; }
for tool in sqlite3 python3; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install -y sqlite3 python3)" >&2; exit 2; }
done
mkdir -p "$BENCH_DIR/logs"
LOG="$BENCH_DIR/logs"

if [[ "$BUILD" == 1 ]]; then
    echo "== build: swift build -c release --product gridbook"
    swift build -c release --product gridbook 2>&1 | tail -1
fi
[[ -x "$GRIDBOOK" ]] || { echo "$GRIDBOOK is missing (build it, or drop BUILD=0)" >&2; exit 1; }

if [[ ! -f "$COUNTY/households.csv" ]]; then
    echo "== generate the county into $COUNTY"
    python3 Tools/generate_county.py --out "$COUNTY" --villages 218 --grids 1393 --households 100000 --visits 2000000
fi

DB="$BENCH_DIR/digest.sqlite"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
echo "== import $COUNTY"
"$GRIDBOOK" --db "$DB" import "$COUNTY" >"$LOG/import.txt"

echo "== add $RISKS risks and $CASES cases with their ledgers (sqlite3)"
# Spread over the year to the data's last day, one grid after another; times in UTC as Gridbook
# stores them. Cases: one in five still open (one in three of those never dispatched), the others
# resolved after 1 to 9 days; first responses from 1 minute to about 30 hours after acceptance.
sqlite3 "$DB" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE grids AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS n, code FROM units WHERE level = 'grid';
CREATE TEMP TABLE reporter AS SELECT person_id AS id FROM duties WHERE role = 'grid_member' LIMIT 1;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $RISKS)
INSERT INTO risks (id, unit_code, category, level, title, status, source, reported_by, reported_at, review_due)
SELECT printf('R2026-%06d', i), (SELECT code FROM grids WHERE n = i % (SELECT COUNT(*) FROM grids)),
       CASE i % 4 WHEN 0 THEN 'fraud' WHEN 1 THEN 'neighbour' WHEN 2 THEN 'safety' ELSE 'land' END,
       CASE i % 7 WHEN 0 THEN 'red' WHEN 1 THEN 'orange' WHEN 2 THEN 'orange' WHEN 3 THEN 'blue' ELSE 'yellow' END,
       '风险 ' || i, CASE WHEN i % 5 = 0 THEN 'open' WHEN i % 5 = 1 THEN 'monitoring' ELSE 'resolved' END, 'patrol',
       (SELECT id FROM reporter), strftime('%Y-%m-%dT%H:%M:%SZ', strftime('%s', '2025-11-20T16:00:00') + i * 31536000 / ($RISKS + 1), 'unixepoch'),
       date(strftime('%s', '2025-11-20T16:00:00') + i * 31536000 / ($RISKS + 1) + 8 * 3600 + 7 * 86400, 'unixepoch')
FROM k;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $CASES),
c AS (SELECT i, strftime('%s', '2025-11-20T16:00:00') + i * 31536000 / ($CASES + 1) AS accepted FROM k)
INSERT INTO cases (id, title, category, parties, source, reported_at, unit_code, level, status, assignee, deadline, accepted_at, finished_at)
SELECT printf('2026-%06d', i), '案件 ' || i, CASE i % 3 WHEN 0 THEN 'neighbour' WHEN 1 THEN 'land' ELSE 'family' END, '',
       CASE i % 4 WHEN 0 THEN 'chat_group' WHEN 1 THEN 'walk_in' WHEN 2 THEN 'phone' ELSE 'hotline' END,
       CASE WHEN i % 4 = 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', accepted - 600, 'unixepoch') END,
       (SELECT code FROM grids WHERE n = i % (SELECT COUNT(*) FROM grids)), 'village',
       CASE WHEN i % 5 = 0 THEN (CASE WHEN i % 3 = 0 THEN 'accepted' ELSE 'assigned' END) ELSE 'resolved' END,
       CASE WHEN i % 5 = 0 AND i % 3 = 0 THEN NULL ELSE '调委会' END,
       date(accepted + 8 * 3600, 'unixepoch', '+7 days'), strftime('%Y-%m-%dT%H:%M:%SZ', accepted, 'unixepoch'),
       CASE WHEN i % 5 <> 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', accepted + (1 + i % 9) * 86400, 'unixepoch') END
FROM c;
INSERT INTO case_ledger (case_id, at, actor, action, note) SELECT id, accepted_at, 'system', 'accept', '' FROM cases ORDER BY id;
INSERT INTO case_ledger (case_id, at, actor, action, note)
    SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', strftime('%s', accepted_at) + 60 * (1 + (CAST(substr(id, 6) AS INTEGER) * 37) % 1800), 'unixepoch'),
           'system', 'respond', '到场' FROM cases WHERE CAST(substr(id, 6) AS INTEGER) % 6 <> 0 ORDER BY id;
INSERT INTO case_ledger (case_id, at, actor, action, note)
    SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', strftime('%s', accepted_at) + 7200, 'unixepoch'), 'system', 'dispatch', '' FROM cases WHERE assignee IS NOT NULL ORDER BY id;
INSERT INTO case_ledger (case_id, at, actor, action, note)
    SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', strftime('%s', accepted_at) + 86400, 'unixepoch'), 'system', 'start', '' FROM cases WHERE finished_at IS NOT NULL ORDER BY id;
INSERT INTO case_ledger (case_id, at, actor, action, note)
    SELECT id, finished_at, 'system', 'resolve', '' FROM cases WHERE finished_at IS NOT NULL ORDER BY id;
INSERT INTO case_cards (case_id, color, given_at, reason)
    SELECT id, 'yellow', strftime('%Y-%m-%dT%H:%M:%SZ', strftime('%s', accepted_at) + 5 * 86400, 'unixepoch'), 'bench' FROM cases
    WHERE CAST(substr(id, 6) AS INTEGER) % 10 = 0;
COMMIT;
SQL
echo "   $(sqlite3 "$DB" 'SELECT COUNT(*) FROM risks') risks, $(sqlite3 "$DB" 'SELECT COUNT(*) FROM cases') cases, $(sqlite3 "$DB" 'SELECT COUNT(*) FROM case_ledger') ledger entries"

now() { date +%s.%N; }

# worst_of NAME COMMAND...: runs it once to warm the file cache, then RUNS times (output to
# $LOG/NAME.out); prints the longest wall time in seconds.
worst_of() {
    local name="$1" worst=0 start end took
    shift
    "$@" >"$LOG/$name.out"
    for _ in $(seq 1 "$RUNS"); do
        start=$(now)
        "$@" >"$LOG/$name.out"
        end=$(now)
        took=$(python3 -c "print(f'{$end - $start:.3f}')")
        worst=$(python3 -c "print(max($worst, $took))")
    done
    printf '%.3f\n' "$worst"
}

echo "== time, worst of $RUNS after a warm-up"
declare -A SECONDS_OF
run() {
    local name="$1"
    shift
    SECONDS_OF[$name]=$(worst_of "$name" "$@")
    printf '   %-40s %s s   (%s)\n' "$name" "${SECONDS_OF[$name]}" "${*/#$PWD\//}"
}
for day in 2026-11-22 2026-10-31; do
    run "coverage as of $day" "$GRIDBOOK" --db "$DB" report coverage --as-of "$day" --format json
done
for period in daily weekly monthly; do
    run "digest $period --on $ON" "$GRIDBOOK" --db "$DB" digest "$period" --on "$ON" --format json
done

status=0
echo
echo "Command: \`$COMMAND\`"
echo
echo "| command (county, 100,000 households, $RISKS risks, $CASES cases) | worst of $RUNS (s) | ÷ coverage as of its last day | goal (≤ 2×) |"
echo "|---|---:|---:|---|"
for day in 2026-11-22 2026-10-31; do
    echo "| \`gridbook report coverage --as-of $day --format json\` | ${SECONDS_OF[coverage as of $day]} | | |"
done
for period in daily weekly monthly; do
    took="${SECONDS_OF[digest $period --on $ON]}"
    base="${SECONDS_OF[coverage as of ${LAST_DAY[$period]}]}"
    ratio=$(python3 -c "print(f'{$took / $base:.2f}')")
    verdict=$(python3 -c "print('met' if $took <= 2 * $base else 'missed')")
    [[ "$verdict" == met ]] || status=1
    echo "| \`gridbook digest $period --on $ON --format json\` (to ${LAST_DAY[$period]}) | $took | ${ratio}× | $verdict |"
done
exit "$status"

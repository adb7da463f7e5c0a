#!/usr/bin/env bash
# browser_test.sh: the field app and the desk in a real browser (issue 12).
#
# What it does
#   Installs what is missing (Debian's chromium, a Chinese font, python3-venv), makes or reuses a
#   virtual environment with Playwright for Python from PyPI (.build-venv/browser; no browser is
#   downloaded: Playwright drives /usr/bin/chromium), builds the demo database in a temp
#   directory (`gridbook demo` beside a copy of Seeds/), serves it on a free local port and runs
#   Tools/browser_test.py against it: sign-in with a code, Today, a visit, the offline outbox, a
#   lost response, the desk's risk -> case -> dispatch -> start, lockout, CSRF and scope.
#   Screenshots go to .build-browser/screenshots (printed at the end). The server is stopped
#   and the temp directory removed on exit. Exits non-zero when any step fails.
#
# How to run (from anywhere)
#   Tools/browser_test.sh                          # builds gridbook (swift build) first
#   Tools/browser_test.sh --gridbook .build/debug/gridbook [--screenshots DIR] [--headed] [--verbose]
#   KEEP=1 keeps the temp directory (database, server log).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

GRIDBOOK=""
SHOTS="$ROOT/.build-browser/screenshots"
CHROMIUM=/usr/bin/chromium
VENV="$ROOT/.build-venv/browser"
PASS_ON=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --gridbook) GRIDBOOK="$2"; shift 2 ;;
        --screenshots) SHOTS="$2"; shift 2 ;;
        --headed|--verbose) PASS_ON+=("$1"); shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "browser_test.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# shellcheck source=Tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ ! -x "$CHROMIUM" ]]; then
    say "installing chromium (Debian)"
    apt_install chromium
fi
# Without a CJK font the screenshots show boxes and the widths checked at 390 px are not a phone's.
if ! command -v fc-list > /dev/null || [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
    say "installing a Chinese font (fonts-wqy-microhei)"
    apt_install fontconfig fonts-wqy-microhei
fi
if ! "$VENV/bin/python" -c 'import playwright.sync_api' > /dev/null 2>&1; then
    if ! python3 -c 'import venv, ensurepip' > /dev/null 2>&1; then
        apt_install python3-venv
    fi
    say "installing Playwright for Python into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet 'playwright>=1.40,<2'
fi

GRIDBOOK="$(gridbook_binary "$GRIDBOOK")"

demo_workspace browser
serve_demo

rm -rf "$SHOTS"
mkdir -p "$SHOTS"
set +e
"$VENV/bin/python" "$ROOT/Tools/browser_test.py" --base "$BASE" --gridbook "$GRIDBOOK" --db "$DB" \
    --seeds "$WORK/Seeds/demo" --screenshots "$SHOTS" --chromium "$CHROMIUM" "${PASS_ON[@]}"
STATUS=$?
set -e
# (On success the test's own summary, "browser_test: N passed, 0 failed", stays the last line.)
if [[ "$STATUS" -ne 0 ]]; then
    say "the browser test failed (exit $STATUS); screenshots in $SHOTS; the server's last log lines:"
    tail -n 30 "$WORK/server.log" >&2
fi
exit "$STATUS"

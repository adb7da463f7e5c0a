#!/usr/bin/env bash
# check_open311.sh: a GeoReport v2 client written by others reads Gridbook's /open311/v2 (issue 14).
#
# What it does
#   Makes or reuses a virtual environment with `georeport` from PyPI (.build-venv/open311), builds
#   the demo database in a temp directory, issues a token for the demo's township staff member
#   P000005 (the api_key), serves it, files a request with curl (form-encoded, with an
#   Idempotency-Key, and once more to see the retry answer the same id), then runs
#   Tools/check_open311.py, which with georeport's GeoReport client, in its json and its xml
#   mode, lists the services, reads a service definition, and reads back the request curl
#   created (alone and in a list). Everything it started is stopped on exit; the exit status is
#   non-zero when any check fails.
#
# How to run (from anywhere)
#   Tools/check_open311.sh                                  # builds gridbook (swift build) first
#   Tools/check_open311.sh --gridbook .build/debug/gridbook
#   KEEP=1 keeps the temp directory (database, server log).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
VENV="$ROOT/.build-venv/open311"
STAFF=P000005

GRIDBOOK=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --gridbook) GRIDBOOK="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "check_open311.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# shellcheck source=Tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v curl > /dev/null || apt_install curl
GRIDBOOK="$(gridbook_binary "$GRIDBOOK")"

if ! "$VENV/bin/python" -c 'import georeport' > /dev/null 2>&1; then
    if ! python3 -c 'import venv, ensurepip' > /dev/null 2>&1; then
        apt_install python3-venv
    fi
    say "installing georeport from PyPI into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet 'georeport>=0.3,<0.4'
fi

demo_workspace open311
KEY="$("$GRIDBOOK" --db "$DB" token issue --person "$STAFF" 2>/dev/null | tail -n 1 | tr -d '[:space:]')"
[[ "$KEY" =~ ^gb_[0-9a-f]+$ ]] || { say "could not read the token (got: $KEY)"; exit 1; }
VILLAGE="$(awk -F, 'NR > 1 && $3 == "village" && $4 == "150599001000" { print $1; exit }' Seeds/demo/units.csv)"

serve_demo

say "filing a request with curl (village $VILLAGE)"
post() {
    curl -sS -o "$WORK/post.json" -w '%{http_code}' -H 'Idempotency-Key: check-open311-1' \
        --data-urlencode "api_key=$KEY" --data-urlencode service_code=land --data-urlencode "address_id=$VILLAGE" \
        --data-urlencode 'description=两户因宅基地界址争执，需要村里调解' --data-urlencode first_name=伟 \
        --data-urlencode last_name=张 --data-urlencode phone=13812345678 --data-urlencode 'attribute[parties]=张伟；李强' \
        "$BASE/open311/v2/requests.json"
}
FIRST_STATUS="$(post)"
FIRST="$(cat "$WORK/post.json")"
SECOND_STATUS="$(post)"
SECOND="$(cat "$WORK/post.json")"
echo "curl POST requests.json: $FIRST_STATUS $FIRST; again: $SECOND_STATUS $SECOND"
ID="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])[0]["service_request_id"])' "$FIRST")"

"$VENV/bin/python" "$ROOT/Tools/check_open311.py" --base "$BASE/open311/v2" --id "$ID" --key "$KEY" \
    --first-status "$FIRST_STATUS" --first "$FIRST" --second-status "$SECOND_STATUS" --second "$SECOND"

#!/usr/bin/env bash
# schemathesis.sh: checks the API against its own OpenAPI document (GET /openapi.yaml).
#
# What it does
#   Builds gridbook (debug), imports Seeds/demo into a new database in a temp
#   directory, issues a token for the demo's first active county admin, serves
#   the API on a free local port, and runs schemathesis against
#   http://127.0.0.1:PORT/openapi.yaml with the checks
#   not_a_server_error, status_code_conformance and response_schema_conformance.
#   The server is stopped and the temp directory removed on exit. The exit status
#   is schemathesis's.
#
# How to run (from anywhere; it works from the repository root)
#   Tools/schemathesis.sh
#   MAX_EXAMPLES=100 PORT=18080 Tools/schemathesis.sh --seed 1
#   Env vars:
#     PORT          the port to serve on (default: 18080 when free, else any free port)
#     MAX_EXAMPLES  test cases per operation and phase (default 30)
#     WORKERS       schemathesis workers (default 1: hypothesis trips over a CPython
#                   3.11 ast bug with more)
#   Further arguments go to `schemathesis run` as they are (e.g. --seed 1,
#   --include-path /api/v1/risks, --phases examples,fuzzing).
#   schemathesis 4.x is installed into .build/schemathesis-venv the first time
#   (python3 with venv and network access to PyPI needed once); its failure
#   cache is kept in .build/schemathesis/.schemathesis.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
WORKERS="${WORKERS:-1}"
ROOT="$(pwd)"
VENV="$ROOT/.build/schemathesis-venv"
# schemathesis keeps a cache of the failures it found in .schemathesis/ under its working
# directory; this keeps it out of the source tree.
RUN_DIR="$ROOT/.build/schemathesis"

say() { printf '==> %s\n' "$*" >&2; }

free_port() {
    python3 - "$1" <<'EOF'
import socket, sys
def free(port):
    with socket.socket() as s:
        # As the server binds: a port with connections in TIME_WAIT is still free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
wanted = int(sys.argv[1])
if free(wanted):
    print(wanted)
else:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
EOF
}

say "building gridbook (debug)"
swift build
BIN="$(swift build --show-bin-path)/gridbook"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gridbook-schemathesis.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        say "stopping the server (pid $SERVER_PID)"
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

DB="$WORK/demo.sqlite"
say "importing Seeds/demo into $DB"
"$BIN" --db "$DB" import Seeds/demo

# The first county admin whose duty has no end date (duties.csv: person_id,role,unit_code,since,until).
# (awk reads the whole file: leaving a pipe early would end its writer with SIGPIPE, which
# pipefail turns into a failed run.)
ADMIN="$(awk -F, '{ sub(/\r$/, "") } NR > 1 && $2 == "county_admin" && $5 == "" && !found { print $1; found = 1 }' Seeds/demo/duties.csv)"
if [[ -z "$ADMIN" ]]; then
    say "no active county_admin duty in Seeds/demo/duties.csv"
    exit 1
fi
say "issuing a token for county admin $ADMIN"
TOKEN="$("$BIN" --db "$DB" token issue --person "$ADMIN" 2>/dev/null | tail -n 1 | tr -d '[:space:]')"
if [[ ! "$TOKEN" =~ ^gb_[0-9a-f]+$ ]]; then
    say "could not read the token from gridbook token issue (got: $TOKEN)"
    exit 1
fi

PORT="$(free_port "${PORT:-18080}")"
BASE="http://127.0.0.1:$PORT"
say "serving on $BASE (log: $WORK/server.log)"
"$BIN" --db "$DB" serve --host 127.0.0.1 --port "$PORT" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!

for attempt in $(seq 1 100); do
    if curl -fsS "$BASE/healthz" > /dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        say "the server exited:"
        cat "$WORK/server.log" >&2
        exit 1
    fi
    if [[ "$attempt" -eq 100 ]]; then
        say "the server did not answer /healthz within 20 s"
        exit 1
    fi
    sleep 0.2
done
if ! curl -fsS "$BASE/openapi.yaml" > /dev/null; then
    say "the server does not serve /openapi.yaml"
    exit 1
fi

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
    say "installing schemathesis 4.x into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet 'schemathesis>=4,<5'
fi
say "running $("$VENV/bin/schemathesis" --version) against $BASE/openapi.yaml ($MAX_EXAMPLES examples per operation)"

mkdir -p "$RUN_DIR"
set +e
(cd "$RUN_DIR" && "$VENV/bin/schemathesis" run "$BASE/openapi.yaml" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,unsupported_method \
    -H "Authorization: Bearer $TOKEN" \
    --max-examples "$MAX_EXAMPLES" \
    --workers "$WORKERS" \
    --request-timeout 10 \
    --generation-database none \
    "$@")
STATUS=$?
set -e

if [[ "$STATUS" -ne 0 ]]; then
    say "schemathesis failed (exit $STATUS); the server's last log lines:"
    tail -n 20 "$WORK/server.log" >&2
else
    say "schemathesis passed"
fi
exit "$STATUS"

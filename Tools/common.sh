# Shell helpers the Tools/ scripts share (sourced, not run).

say() { printf '==> %s\n' "$*" >&2; }

# Installs Debian packages, updating the package lists once per script; waits for a lock another
# apt holds rather than failing.
APT_UPDATED=""
apt_install() {
    if [[ -z "$APT_UPDATED" ]]; then
        apt-get -o DPkg::Lock::Timeout=600 update
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "$@"
}

# The gridbook binary to use, as an absolute path: the one given, else a debug build made now.
# Exits when there is none.
gridbook_binary() {
    local binary="$1"
    if [[ -z "$binary" ]]; then
        say "building gridbook (debug)"
        swift build --product gridbook >&2
        binary="$(swift build --show-bin-path)/gridbook"
    fi
    binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
    [[ -x "$binary" ]] || { say "no gridbook binary at $binary"; exit 1; }
    printf '%s\n' "$binary"
}

# A new temp directory WORK holding a copy of Seeds/ and the demo database DB built from it by
# $GRIDBOOK; on exit the server started by serve_demo is stopped and WORK removed (kept with KEEP=1).
# NAME names the directory (gridbook-NAME.XXXXXX). Needs ROOT (the repository) and GRIDBOOK set.
demo_workspace() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/gridbook-$1.XXXXXX")"
    SERVER_PID=""
    trap demo_workspace_cleanup EXIT
    say "building the demo database in $WORK"
    cp -R "$ROOT/Seeds" "$WORK/Seeds"
    (cd "$WORK" && "$GRIDBOOK" demo > "$WORK/demo.log" 2>&1) || { cat "$WORK/demo.log" >&2; exit 1; }
    DB="$WORK/gridbook-demo.sqlite"
    [[ -f "$DB" ]] || { say "gridbook demo wrote no $DB"; cat "$WORK/demo.log" >&2; exit 1; }
}

demo_workspace_cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "${KEEP:-}" ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}

# Serves DB on a free local port (log: WORK/server.log) and waits for /healthz; sets BASE and
# SERVER_PID. Exits when the server stops or does not answer within 30 s.
serve_demo() {
    local port attempt
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    BASE="http://127.0.0.1:$port"
    say "serving on $BASE (log: $WORK/server.log)"
    "$GRIDBOOK" --db "$DB" serve --host 127.0.0.1 --port "$port" > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for attempt in $(seq 1 150); do
        if curl -fsS "$BASE/healthz" > /dev/null 2>&1; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then say "the server exited:"; head -n 20 "$WORK/server.log" >&2; exit 1; fi
        sleep 0.2
    done
    say "the server did not answer /healthz within 30 s"
    exit 1
}

#!/usr/bin/env bash
# check_nginx.sh: checks Tools/nginx/gridbook.conf, the reverse proxy a county puts before gridbook
# for HTTPS (issue 12).
#
# What it does
#   Installs nginx from Debian when there is none (nginx-light), makes a self-signed certificate
#   for 127.0.0.1 in a temp directory, renders Tools/nginx/gridbook.conf with test ports and
#   paths (sed on the file itself), runs nginx as a non-daemon with its own prefix, pid and logs
#   in the temp directory, and gridbook (serve --secure-cookies) on the demo database behind it.
#   Then checks with curl -k:
#     - /healthz answers ok over https;
#     - /app/ comes with Content-Security-Policy and X-Content-Type-Options: nosniff, and
#       compressed when asked (gzip);
#     - http:// redirects to https:// (and the redirect leads to a page that answers);
#     - a sign-in over https (POST /auth/login with a code from `gridbook login-code`) sets a
#       session cookie with Secure, HttpOnly and SameSite=Strict;
#     - POST /api/v1/visits with that cookie, the X-CSRF-Token header (the gb_csrf cookie's
#       value) and a matching Origin answers 201; with a foreign Origin, 403;
#     - a body over 1 MiB gets gridbook's own 413 (JSON), not nginx's page.
#   Everything it started is stopped and the temp directory removed on exit.
#   Exits non-zero when any check fails.
#
# How to run (from anywhere)
#   Tools/check_nginx.sh                              # builds gridbook (swift build) first
#   Tools/check_nginx.sh --gridbook .build/debug/gridbook
#   KEEP=1 keeps the temp directory (configuration, logs).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
TEMPLATE="$ROOT/Tools/nginx/gridbook.conf"
MEMBER=P000063
HOUSEHOLD=150599001001001-0002

GRIDBOOK=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --gridbook) GRIDBOOK="$2"; shift 2 ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "check_nginx.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# shellcheck source=Tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NGINX="$(command -v nginx || true)"
[[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if [[ -z "$NGINX" ]]; then
    say "installing nginx (Debian's nginx-light)"
    apt_install nginx-light || apt_install nginx
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
fi
command -v openssl > /dev/null || apt_install openssl
command -v curl > /dev/null || apt_install curl

GRIDBOOK="$(gridbook_binary "$GRIDBOOK")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gridbook-nginx.XXXXXX")"
GRIDBOOK_PID=""
NGINX_PID=""
cleanup() {
    for pid in "$NGINX_PID" "$GRIDBOOK_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ -n "${KEEP:-}" ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTPS_PORT="$(free_port)"
HTTP_PORT="$(free_port)"
GRIDBOOK_PORT="$(free_port)"
HOST="127.0.0.1:$HTTPS_PORT"
HTTPS="https://$HOST"

FAILED=0
pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; FAILED=$((FAILED + 1)); }

# ---- gridbook on the demo database, cookies Secure ----
say "building the demo database in $WORK"
cp -R "$ROOT/Seeds" "$WORK/Seeds"
(cd "$WORK" && "$GRIDBOOK" demo > "$WORK/demo.log" 2>&1) || { cat "$WORK/demo.log" >&2; exit 1; }
DB="$WORK/gridbook-demo.sqlite"
"$GRIDBOOK" --db "$DB" serve --host 127.0.0.1 --port "$GRIDBOOK_PORT" --secure-cookies > "$WORK/gridbook.log" 2>&1 &
GRIDBOOK_PID=$!

# ---- nginx with the county's configuration, ports and paths changed ----
say "making a self-signed certificate for 127.0.0.1"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2> "$WORK/openssl.log" \
    || { cat "$WORK/openssl.log" >&2; exit 1; }
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
# Workers run as nobody: they write proxy buffers under tmp/.
chmod 755 "$WORK" "$WORK/nginx"
chmod 1777 "$WORK/nginx/tmp"

sed -e "s|listen 443 |listen 127.0.0.1:$HTTPS_PORT |" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]/d' \
    -e "s|server_name gridbook.example.gov.cn;|server_name 127.0.0.1;|" \
    -e "s|https://\$host\$request_uri|https://\$host:$HTTPS_PORT\$request_uri|" \
    -e "s|/etc/ssl/gridbook/fullchain.pem|$WORK/fullchain.pem|" \
    -e "s|/etc/ssl/gridbook/privkey.pem|$WORK/privkey.pem|" \
    -e "s|proxy_pass http://127.0.0.1:8080;|proxy_pass http://127.0.0.1:$GRIDBOOK_PORT;|" \
    "$TEMPLATE" > "$WORK/nginx/gridbook.conf"
# Every substitution must have applied: the rendered site names no production port or path.
if grep -nE 'listen (80|443)|\[::\]|/etc/ssl/gridbook|127\.0\.0\.1:8080|example\.gov\.cn' "$WORK/nginx/gridbook.conf"; then
    say "the template changed: check_nginx.sh's substitutions no longer apply to the lines above"
    exit 1
fi

MIME_TYPES=/etc/nginx/mime.types
cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log notice;
events { worker_connections 128; }
http {
    $( [[ -f "$MIME_TYPES" ]] && echo "include $MIME_TYPES;" )
    default_type application/octet-stream;
    access_log $WORK/nginx/logs/access.log;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    include $WORK/nginx/gridbook.conf;
}
EOF
NGINX_ARGS=(-p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log")
if "$NGINX" -t "${NGINX_ARGS[@]}" > "$WORK/nginx-t.log" 2>&1; then
    pass "nginx -t accepts the configuration"
else
    fail "nginx -t refuses the configuration:"; cat "$WORK/nginx-t.log"
    exit 1
fi
"$NGINX" "${NGINX_ARGS[@]}" > "$WORK/nginx/logs/stdout.log" 2>&1 &
NGINX_PID=$!

for attempt in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$GRIDBOOK_PORT/healthz" > /dev/null 2>&1 && curl -ksS -o /dev/null "$HTTPS/" 2>/dev/null; then break; fi
    if ! kill -0 "$GRIDBOOK_PID" 2>/dev/null; then say "gridbook exited:"; head -n 20 "$WORK/gridbook.log" >&2; exit 1; fi
    if ! kill -0 "$NGINX_PID" 2>/dev/null; then say "nginx exited:"; cat "$WORK/nginx/logs/error.log" >&2; exit 1; fi
    if [[ "$attempt" -eq 150 ]]; then say "gridbook or nginx did not answer within 30 s"; exit 1; fi
    sleep 0.2
done
say "nginx on $HTTPS (http on port $HTTP_PORT) before gridbook on port $GRIDBOOK_PORT"

header() { # header NAME FILE: the value of a response header (the last one with that name)
    grep -i "^$1:" "$2" | tail -n 1 | cut -d: -f2- | sed -e 's/^ *//' -e 's/\r$//'
}

# ---- /healthz over https ----
body="$(curl -ksS "$HTTPS/healthz" || true)"
if [[ "$(echo "$body" | tr -d '[:space:]')" == ok ]]; then pass "/healthz over https: ok"; else fail "/healthz over https answered: $body"; fi

# ---- /app/ keeps gridbook's security headers, and is compressed ----
status="$(curl -ksS -o "$WORK/app.html" -D "$WORK/app.headers" -w '%{http_code}' "$HTTPS/app/" || true)"
csp="$(header Content-Security-Policy "$WORK/app.headers")"
nosniff="$(header X-Content-Type-Options "$WORK/app.headers")"
if [[ "$status" == 200 && "$csp" == *"default-src 'self'"* && "${nosniff,,}" == nosniff ]]; then
    pass "/app/ over https: 200 with Content-Security-Policy ($csp) and X-Content-Type-Options: nosniff"
else
    fail "/app/ over https: status $status, Content-Security-Policy '$csp', X-Content-Type-Options '$nosniff'"
fi
hsts="$(header Strict-Transport-Security "$WORK/app.headers")"
if [[ -n "$hsts" ]]; then pass "/app/ over https: Strict-Transport-Security $hsts"; else fail "/app/ over https: no Strict-Transport-Security"; fi
for asset in /app/ /app/app.js /app/app.css; do
    curl -ksS -o /dev/null -D "$WORK/gzip.headers" -H 'Accept-Encoding: gzip' "$HTTPS$asset" || true
    encoding="$(header Content-Encoding "$WORK/gzip.headers")"
    type="$(header Content-Type "$WORK/gzip.headers")"
    if [[ "$encoding" == gzip ]]; then pass "$asset ($type) is sent gzip-compressed"; else fail "$asset ($type) is not compressed (Content-Encoding '$encoding')"; fi
done

# ---- http -> https ----
status="$(curl -sS -o /dev/null -D "$WORK/redirect.headers" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/app/?x=1" || true)"
location="$(header Location "$WORK/redirect.headers")"
if [[ "$status" =~ ^30[1278]$ && "$location" == "$HTTPS/app/?x=1" ]]; then
    pass "http:// answers $status to $location"
else
    fail "http://127.0.0.1:$HTTP_PORT/app/?x=1 answered $status, Location '$location' (expected a redirect to $HTTPS/app/?x=1)"
fi
body="$(curl -ksSL "http://127.0.0.1:$HTTP_PORT/healthz" || true)"
if [[ "$(echo "$body" | tr -d '[:space:]')" == ok ]]; then pass "http://…/healthz followed to https: ok"; else fail "http://…/healthz followed: $body"; fi

# ---- sign-in over https: a Secure, HttpOnly, SameSite=Strict session cookie ----
code="$("$GRIDBOOK" --db "$DB" login-code --person "$MEMBER" 2>/dev/null | tail -n 1 | tr -d '[:space:]')"
[[ "$code" =~ ^[0-9]{8}$ ]] || { fail "gridbook login-code printed '$code'"; exit 1; }
status="$(curl -ksS -o "$WORK/login.body" -D "$WORK/login.headers" -w '%{http_code}' \
    -H 'Content-Type: application/json' -H "Origin: $HTTPS" \
    --data "{\"person_id\":\"$MEMBER\",\"code\":\"$code\"}" "$HTTPS/auth/login" || true)"
session_cookie="$(grep -i '^set-cookie: *gb_session=' "$WORK/login.headers" | tail -n 1 | tr -d '\r' || true)"
csrf_cookie="$(grep -i '^set-cookie: *gb_csrf=' "$WORK/login.headers" | tail -n 1 | tr -d '\r' || true)"
attributes="$(echo "$session_cookie" | cut -d: -f2- | tr ';' '\n' | sed 's/^ *//' | tr '[:upper:]' '[:lower:]')"
if [[ "$status" =~ ^20[01]$ ]] && grep -qx secure <<< "$attributes" && grep -qx httponly <<< "$attributes" \
    && grep -qx 'samesite=strict' <<< "$attributes"; then
    pass "POST /auth/login over https: $status, gb_session cookie Secure, HttpOnly, SameSite=Strict"
else
    fail "POST /auth/login over https: status $status, body $(head -c 300 "$WORK/login.body"), session cookie: '${session_cookie%%=*}=…;${session_cookie#*;}'"
fi
csrf_attributes="$(echo "$csrf_cookie" | cut -d: -f2- | tr ';' '\n' | sed 's/^ *//' | tr '[:upper:]' '[:lower:]')"
if [[ -n "$csrf_cookie" ]] && grep -qx secure <<< "$csrf_attributes" && grep -qx 'samesite=strict' <<< "$csrf_attributes"; then
    pass "the gb_csrf cookie is Secure and SameSite=Strict"
else
    fail "the gb_csrf cookie: '${csrf_cookie%%=*}=…;${csrf_cookie#*;}'"
fi
session="$(echo "$session_cookie" | sed -E 's/^[^:]*: *gb_session=([^;]*).*/\1/')"
csrf="$(echo "$csrf_cookie" | sed -E 's/^[^:]*: *gb_csrf=([^;]*).*/\1/')"

# ---- writes from the session: matching Origin 201, foreign Origin 403 ----
visit() { # visit ORIGIN OUT: POST /api/v1/visits from the session; prints the status
    local at
    at="$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)"
    curl -ksS -o "$2" -w '%{http_code}' -H 'Content-Type: application/json' -H "Origin: $1" \
        -H "X-CSRF-Token: $csrf" -H "Cookie: gb_session=$session; gb_csrf=$csrf" \
        --data "{\"household_code\":\"$HOUSEHOLD\",\"visited_at\":\"$at\",\"method\":\"door\",\"outcome\":\"met\",\"note\":\"check_nginx\"}" \
        "$HTTPS/api/v1/visits" || true
}
status="$(visit "$HTTPS" "$WORK/visit.body")"
if [[ "$status" == 201 ]]; then pass "POST /api/v1/visits with the session, X-CSRF-Token and Origin $HTTPS: 201"
else fail "POST /api/v1/visits with the session, X-CSRF-Token and Origin $HTTPS: $status $(head -c 300 "$WORK/visit.body")"; fi
status="$(visit "https://elsewhere.example" "$WORK/foreign.body")"
if [[ "$status" == 403 ]]; then pass "the same POST with Origin https://elsewhere.example: 403 $(head -c 300 "$WORK/foreign.body" | tr -s "[:space:]" " ")"
else fail "the same POST with Origin https://elsewhere.example: $status $(head -c 300 "$WORK/foreign.body") (expected 403)"; fi

# ---- a body over 1 MiB: gridbook's 413, not nginx's ----
python3 -c 'import json; print(json.dumps({"household_code": "x", "note": "x" * 1_200_000}))' > "$WORK/big.json"
status="$(curl -ksS -o "$WORK/big.body" -D "$WORK/big.headers" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Origin: $HTTPS" -H "X-CSRF-Token: $csrf" -H "Cookie: gb_session=$session; gb_csrf=$csrf" \
    --data-binary "@$WORK/big.json" "$HTTPS/api/v1/visits" || true)"
if [[ "$status" == 413 ]] && grep -q '"error"' "$WORK/big.body"; then pass "a 1.2 MB body: gridbook's 413 (JSON)"
else fail "a 1.2 MB body answered $status $(head -c 200 "$WORK/big.body") (expected gridbook's JSON 413)"; fi

if [[ "$FAILED" -ne 0 ]]; then
    say "$FAILED check(s) failed; nginx's and gridbook's last log lines:"
    tail -n 15 "$WORK/nginx/logs/error.log" "$WORK/gridbook.log" >&2
    exit 1
fi
say "all checks passed"

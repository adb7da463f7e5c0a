#!/usr/bin/env python3
"""Fault script (issue 11): slow and half-open clients, and SIGTERM under them.

What it does, against a `gridbook serve` it starts itself on a copy of the demo database:
  1. Opens --half-open connections (default 1500) that each send half a request header
     (`GET /healthz HTTP/1.1` and a Host line, never the blank line that ends the header),
     and as many again that send a POST's header and half its body. While they are all open
     (once the server has accepted the last of them, and a second more), it asks GET /healthz
     --probes times on fresh connections: each must answer 200 within --probe-ms (50 ms).
  2. Waits past the server's --idle-timeout (the script starts it with 20 s, longer than it
     takes to open them all): the half-open connections must have been closed by the server.
  3. Opens one connection with a half-sent POST body, sends SIGTERM, and measures how long the
     server takes to exit: it must exit 0 within the drain deadline (--drain-seconds, 2 s
     here) plus 3 s, and its log must hold no 500 for the half-sent request.
  4. Starts a server with --max-connections 40 and opens 40 half-open connections: a GET /healthz
     on one more must be answered 503 too_many_connections with Retry-After (not left waiting),
     and answered 200 again once 10 of the 40 have closed.
Prints what it did; exit 1 when anything failed, 0 otherwise. Standard library only.

Usage: python3 Tools/fault_connections.py --gridbook .build/debug/gridbook [--half-open 3000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_kill import demo_county, start_server, verdict  # noqa: E402

IDLE = 20  # the server's --idle-timeout, in seconds


def healthz_ms(port: int) -> float:
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        if response.status != 200:
            raise RuntimeError(f"healthz answered {response.status}")
    return (time.monotonic() - start) * 1000


def wait_for_accept_queue(port: int, limit: float = 20.0) -> float:
    """Waits until the listening socket on PORT has no connection left to accept (its queue
    length is rx_queue in /proc/net/tcp for a LISTEN socket); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        queued = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = open(table).read().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    queued += int(fields[4].split(":")[1], 16)
        if queued == 0:
            break
        time.sleep(0.05)
    return time.monotonic() - started


def half_open(port: int, count: int, body: bool, token: str = "") -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if body:
            s.sendall(b"POST /api/v1/visits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + (f"Authorization: Bearer {token}\r\n".encode() if token else b"")
                      + b"Content-Length: 200\r\n\r\n{\"household_code\": ")
        else:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sockets.append(s)
    return sockets


def raw_get(port: int) -> str:
    """GET /healthz on a new connection; the whole answer up to the server's close, or '' on timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        try:
            while chunk := s.recv(4096):
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks).decode("utf-8", "replace")


def closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0.5)
    try:
        data = s.recv(4096)
        # A 408 or 400 before closing is as good as a bare close.
        return data == b"" or data.startswith(b"HTTP/1.1 4")
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gridbook", required=True)
    parser.add_argument("--half-open", type=int, default=1500)
    parser.add_argument("--probes", type=int, default=50)
    parser.add_argument("--probe-ms", type=float, default=50.0)
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * args.half_open + 200
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(need, soft), hard), hard))
    failures: list[str] = []
    work = tempfile.mkdtemp(prefix="gridbook-fault-")
    try:
        db = os.path.join(work, "demo.sqlite")
        _, _, _, token = demo_county(args.gridbook, db)
        log = os.path.join(work, "serve.log")
        server, port = start_server(args.gridbook, db, log, "--idle-timeout", str(IDLE), "--drain-seconds", "2")

        # 1. Half-open clients, and /healthz beside them.
        started = time.monotonic()
        held = half_open(port, args.half_open, body=False) + half_open(port, args.half_open, body=True, token=token)
        last_opened = time.monotonic()
        if last_opened - started > IDLE / 2:
            failures.append(f"opening the connections took {last_opened - started:.1f} s: the first may have timed out already")
        # The kernel queues the flood (a backlog of 4,096); the probes start once the server has
        # accepted all of it, and a second more for it to read what each sent.
        queued = wait_for_accept_queue(port)
        time.sleep(1)
        measured = [healthz_ms(port) for _ in range(args.probes)]
        times = sorted(measured)
        print("   probes (ms):", " ".join(f"{t:.1f}" for t in measured[:10]), "...")
        worst = times[-1]
        print(f"1. {len(held)} half-open connections (half a header, or a header and half a body) opened in "
              f"{last_opened - started:.1f} s and accepted in {queued:.1f} s more; GET /healthz beside them: median {times[len(times) // 2]:.1f} ms, "
              f"worst {worst:.1f} ms of {args.probes}")
        if worst > args.probe_ms:
            failures.append(f"healthz took {worst:.1f} ms beside {len(held)} half-open connections (goal {args.probe_ms:.0f} ms)")

        # 2. The server closes them once idle (the last was opened before the probes).
        time.sleep(max(0.0, IDLE + 2 - (time.monotonic() - last_opened)))
        open_still = sum(1 for s in held if not closed_by_server(s))
        print(f"2. after the {IDLE} s idle timeout: {len(held) - open_still} of {len(held)} closed by the server")
        if open_still:
            failures.append(f"{open_still} half-open connections still open after the idle timeout")
        for s in held:
            s.close()

        # 3. SIGTERM with a half-sent body: exits 0 within the drain deadline.
        # With a token, so that the request is under way, its handler waiting for the rest of the body.
        hanging = half_open(port, 1, body=True, token=token)
        time.sleep(0.2)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=2 + 3 + 5)
        except subprocess.TimeoutExpired:
            server.kill()
            code = None
        took = time.monotonic() - started
        hanging[0].close()
        text = open(log).read()
        fives = [line for line in text.splitlines() if "status=5" in line]
        print(f"3. SIGTERM with a half-sent body: exit {code} after {took:.1f} s (drain 2 s); 5xx lines in the log: {len(fives)}")
        if code != 0:
            failures.append(f"the server exited {code} after SIGTERM (expected 0)")
        if took > 2 + 3:
            failures.append(f"the server took {took:.1f} s to stop (drain 2 s)")
        if fives:
            failures.append(f"the log has 5xx lines: {fives[:2]}")

        # 4. Past --max-connections, a clear refusal; served again once connections close.
        cap = 40
        capped, port = start_server(args.gridbook, db, os.path.join(work, "capped.log"), "--max-connections", str(cap))
        try:
            held = half_open(port, cap, body=False)
            time.sleep(0.5)
            refused = raw_get(port)
            for s in held[:10]:
                s.close()
            time.sleep(0.5)
            served = raw_get(port)
            for s in held[10:]:
                s.close()
            print(f"4. --max-connections {cap} with {cap} held: one more answered {refused.splitlines()[0] if refused else 'nothing'!r}; "
                  f"after 10 closed: {served.splitlines()[0] if served else 'nothing'!r}")
            if not (refused.startswith("HTTP/1.1 503") and "Retry-After: 1" in refused and '"too_many_connections"' in refused):
                failures.append(f"a connection past the cap was not answered 503 too_many_connections with Retry-After: {refused[:200]!r}")
            if not served.startswith("HTTP/1.1 200"):
                failures.append(f"healthz after connections closed answered {served[:100]!r}")
        finally:
            capped.terminate()
            capped.wait(timeout=15)
    finally:
        if os.environ.get("KEEP"): print("kept", work)
        else: shutil.rmtree(work, ignore_errors=True)

    return verdict("fault_connections", failures)


if __name__ == "__main__":
    sys.exit(main())

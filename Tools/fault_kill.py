#!/usr/bin/env python3
"""Fault script (issue 11): kill -9 under write load, and kill -9 of an import.

1. Server killed under POST load, --rounds times (default 3): `gridbook serve` on a copy of the
   demo database takes POST /api/v1/visits from --clients threads (default 16), each visit with
   an id of its own, for about --seconds (default 3); then the server gets SIGKILL while they
   send. The database must hold every visit that was acknowledged (201/200) exactly once, pass
   `gridbook check`, and, served again, take every visit that was sent but not acknowledged
   (a client's retry) as one record: the retry of an acknowledged one answers 200, the rest 201.
2. Import killed: `gridbook import` of a second copy of the demo seeds with one more visit file
   (the demo's visits again under new ids) into the database gets SIGKILL after a random part of
   its run (as long as the same import takes, whole, into a copy), --imports times (default 3):
   the database must hold exactly what it held before, or (killed after the import committed,
   while it closed) exactly what the whole import leaves (row counts and a checksum of the visit
   ids), never part of it, and pass `gridbook check`.
Prints what it did; exit 1 when anything was lost, doubled or damaged, 0 otherwise.
Standard library only.

Usage: python3 Tools/fault_kill.py --gridbook .build/debug/gridbook [--rounds 3] [--clients 16]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_county(gridbook: str, db: str, seeds: str | None = None) -> tuple[str, str, list[str], str]:
    """The demo county (or the seed files in `seeds`) imported into `db`: an active grid member,
    their grid, its households, and a new token of theirs."""
    subprocess.run([gridbook, "--db", db, "import", seeds or os.path.join(ROOT, "Seeds", "demo")], check=True,
                   stdout=subprocess.DEVNULL)
    connection = sqlite3.connect(db)
    try:
        member, grid = connection.execute(
            "SELECT person_id, unit_code FROM duties WHERE role = 'grid_member' AND (until IS NULL OR until = '') "
            "ORDER BY person_id LIMIT 1").fetchone()
        households = [row[0] for row in connection.execute("SELECT code FROM households WHERE grid_code = ? ORDER BY code", (grid,))]
    finally:
        # Closed: an open file would keep a disk from being remounted read-only (fault_disk.py).
        connection.close()
    token = subprocess.run([gridbook, "--db", db, "token", "issue", "--person", member], check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return member, grid, households, token


def verdict(name: str, failures: list[str]) -> int:
    """Prints each failure and the verdict; the exit status."""
    for failure in failures:
        print("FAILED:", failure)
    print(f"{name}: " + ("passed" if not failures else f"{len(failures)} failure(s)"))
    return 1 if failures else 0


def start_server(gridbook: str, db: str, log: str, *options: str) -> tuple[subprocess.Popen, int]:
    """`gridbook serve` on a free port with OPTIONS, its standard error appended to LOG, once it
    answers /healthz."""
    port = free_port()
    server = subprocess.Popen([gridbook, "--db", db, "serve", "--port", str(port), *options], stderr=open(log, "a"))
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def post_visit(connection: http.client.HTTPConnection, token: str, visit_id: str, household: str) -> int:
    body = json.dumps({"id": visit_id, "household_code": household, "visited_at": "2026-11-20T10:00:00+08:00",
                       "method": "door", "outcome": "met"})
    connection.request("POST", "/api/v1/visits", body=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def stored(db: str, ids: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    connection = sqlite3.connect(db)
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            # A visit id is stored as its 16 bytes (most significant first), not its text.
            for visit_id, count in connection.execute(
                    f"SELECT id, count(*) FROM visits WHERE id IN ({marks}) GROUP BY id",
                    [uuid.UUID(visit_id).bytes for visit_id in chunk]):
                counts[str(uuid.UUID(bytes=visit_id))] = count
    finally:
        connection.close()
    return counts


def check(gridbook: str, db: str) -> bool:
    return subprocess.run([gridbook, "--db", db, "check"], capture_output=True).returncode == 0


def kill_under_load(args, work: str, db: str, token: str, households: list[str], failures: list[str]) -> None:
    log = os.path.join(work, "serve.log")
    for round_number in range(1, args.rounds + 1):
        server, port = start_server(args.gridbook, db, log)
        acknowledged: list[str] = []
        unacknowledged: list[str] = []
        household_of: dict[str, str] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def client(number: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            while not stop.is_set():
                visit_id = str(uuid.uuid4())
                household = random.choice(households)
                with lock:
                    household_of[visit_id] = household
                try:
                    status = post_visit(connection, token, visit_id, household)
                except (OSError, http.client.HTTPException):
                    with lock:
                        unacknowledged.append(visit_id)
                    return
                with lock:
                    (acknowledged if status in (200, 201) else unacknowledged).append(visit_id)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds * random.uniform(0.6, 1.0))
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for thread in threads:
            thread.join()

        counts = stored(db, acknowledged + unacknowledged)
        lost = [v for v in acknowledged if counts.get(v, 0) != 1]
        doubled = [v for v, n in counts.items() if n > 1]
        sound = check(args.gridbook, db)
        # The clients' retries: everything sent again.
        server, port = start_server(args.gridbook, db, log)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        retry_status = {}
        for visit_id in unacknowledged + acknowledged[:50]:
            retry_status[visit_id] = post_visit(connection, token, visit_id, household_of[visit_id])
        server.send_signal(signal.SIGTERM)
        server.wait()
        after = stored(db, acknowledged + unacknowledged)
        not_taken = [v for v in unacknowledged if after.get(v, 0) != 1]
        bad_retries = [v for v in acknowledged[:50] if retry_status[v] != 200]
        print(f"1.{round_number} killed under {args.clients} clients: {len(acknowledged)} acknowledged, {len(unacknowledged)} "
              f"unanswered; lost {len(lost)}, doubled {len(doubled)}, check {'ok' if sound else 'FAILED'}; "
              f"retries: {len(unacknowledged) - len(not_taken)} of {len(unacknowledged)} taken once, "
              f"{min(50, len(acknowledged)) - len(bad_retries)} of {min(50, len(acknowledged))} acknowledged ones resent answered 200")
        if lost:
            failures.append(f"round {round_number}: {len(lost)} acknowledged visits lost, e.g. {lost[:3]}")
        if doubled:
            failures.append(f"round {round_number}: {len(doubled)} visits stored twice")
        if not sound:
            failures.append(f"round {round_number}: gridbook check failed after kill -9")
        if not_taken:
            failures.append(f"round {round_number}: {len(not_taken)} retried visits not stored once")
        if bad_retries:
            failures.append(f"round {round_number}: resent acknowledged visits answered {[retry_status[v] for v in bad_retries[:3]]}")
        if not acknowledged:
            failures.append(f"round {round_number}: no visit was acknowledged before the kill")


def snapshot(db: str) -> tuple:
    with sqlite3.connect(db) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = tuple((table, connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in tables)
        digest = hashlib.sha256()
        for (visit_id,) in connection.execute("SELECT id FROM visits ORDER BY id"):
            digest.update(visit_id)
    return counts, digest.hexdigest()


def copy_database(source_path: str, target_path: str) -> None:
    """Copies a database through SQLite's backup (its WAL included), over what TARGET held."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def seeds_with_more_visits(work: str) -> str:
    """A copy of the demo seeds in WORK/seeds whose visits.csv holds the demo's visits and each
    again under a new id, so that an import into the demo has work to do; returns its path."""
    seeds = os.path.join(work, "seeds")
    shutil.copytree(os.path.join(ROOT, "Seeds", "demo"), seeds)
    with open(os.path.join(ROOT, "Seeds", "demo", "visits.csv"), newline="", encoding="utf-8-sig") as source:
        rows = list(csv.reader(source))
    with open(os.path.join(seeds, "visits.csv"), "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(rows[0])
        for row in rows[1:]:
            writer.writerow(row)
            writer.writerow([str(uuid.UUID(int=random.getrandbits(128), version=4))] + row[1:])
    return seeds


def kill_import(args, work: str, db: str, failures: list[str]) -> None:
    seeds = seeds_with_more_visits(work)
    before = snapshot(db)
    copy_database(db, os.path.join(work, "before.sqlite"))
    # The same import, whole, into a copy of the database: how long it takes, and what it leaves.
    timing = os.path.join(work, "timing.sqlite")
    copy_database(db, timing)
    started = time.monotonic()
    subprocess.run([args.gridbook, "--db", timing, "import", seeds], capture_output=True, check=True)
    full = time.monotonic() - started
    whole = snapshot(timing)
    for number in range(1, args.imports + 1):
        fraction = random.uniform(0.1, 0.9)
        process = subprocess.Popen([args.gridbook, "--db", db, "import", seeds],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = snapshot(db)
        sound = check(args.gridbook, db)
        # All or nothing: as before, or (killed after its commit, while it closed) the whole import.
        outcome = "as before" if after == before else "the whole import" if after == whole else "PART of the import"
        print(f"2.{number} import killed at {fraction:.0%} of its {full:.1f} s: the database holds {outcome}, check "
              f"{'ok' if sound else 'FAILED'}")
        if after == whole:
            # Back to the state before, for the next round.
            copy_database(os.path.join(work, "before.sqlite"), db)
        if outcome == "PART of the import":
            failures.append(f"import {number}: the database holds part of a killed import")
        if not sound:
            failures.append(f"import {number}: gridbook check failed after a killed import")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gridbook", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--imports", type=int, default=3)
    args = parser.parse_args()
    failures: list[str] = []
    work = tempfile.mkdtemp(prefix="gridbook-kill-")
    try:
        db = os.path.join(work, "demo.sqlite")
        _, _, households, token = demo_county(args.gridbook, db)
        kill_under_load(args, work, db, token, households, failures)
        kill_import(args, work, db, failures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return verdict("fault_kill", failures)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fault script (issue 11): a backup, command-line writes, an import and duplicate sends while
the server is under POST load.

Against `gridbook serve` on a copy of the demo database, with --clients threads (default 16)
posting visits, each with an id of its own:
  1. `gridbook backup` runs mid-load: it must succeed, pass `gridbook check`, and hold every
     visit acknowledged before it began.
  2. `gridbook visit log` (a visit from the command line) and `gridbook import` of the demo seeds
     (the same files again: nothing changes) run mid-load: both must exit 0, and no client may
     get a 5xx other than 503 (a busy database is 503 with Retry-After; none is expected here).
     Then an import that adds the demo's visits again under new ids: it must exit 0, and no
     POST sent while it ran may take more than 1.5 s or be answered 503 (the import reads its files
     without the write lock; an import that held it throughout made them wait the server's 2 s,
     then answered 503).
  3. Every client sends each of its visits twice more, at once, from two connections: each
     visit must be stored once, the repeats answered 200.
Prints what it did; exit 1 when anything failed. Standard library only.

Usage: python3 Tools/fault_load.py --gridbook .build/debug/gridbook [--clients 16]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_kill import ROOT, demo_county, post_visit, seeds_with_more_visits, start_server, stored, verdict  # noqa: E402


class Load:
    """Clients posting visits until stopped; what each status was, by visit id."""

    def __init__(self, port: int, token: str, households: list[str], clients: int):
        self.port, self.token, self.households = port, token, households
        self.lock = threading.Lock()
        self.sent: dict[str, tuple[str, float, int]] = {}  # id → (household, time acknowledged, status)
        self.timings: list[tuple[float, float]] = []  # (time sent, seconds to the answer)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.client) for _ in range(clients)]

    def client(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop.is_set():
            visit_id, household = str(uuid.uuid4()), random.choice(self.households)
            began = time.monotonic()
            status = post_visit(connection, self.token, visit_id, household)
            with self.lock:
                self.sent[visit_id] = (household, time.monotonic(), status)
                self.timings.append((began, time.monotonic() - began))

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def acknowledged_before(self, instant: float) -> list[str]:
        with self.lock:
            return [v for v, (_, at, status) in self.sent.items() if status in (200, 201) and at < instant]

    def longest_between(self, start: float, end: float) -> float:
        with self.lock:
            return max((took for began, took in self.timings if start <= began <= end), default=0.0)

    def status_between(self, start: float, end: float, status: int) -> int:
        with self.lock:
            return sum(1 for _, at, s in self.sent.values() if s == status and start <= at <= end + 2.5)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        with self.lock:
            for _, _, status in self.sent.values():
                counts[status] = counts.get(status, 0) + 1
        return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gridbook", required=True)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    failures: list[str] = []
    work = tempfile.mkdtemp(prefix="gridbook-load-")
    gridbook = args.gridbook
    try:
        db = os.path.join(work, "demo.sqlite")
        member, _, households, token = demo_county(gridbook, db)
        server, port = start_server(gridbook, db, os.path.join(work, "serve.log"))
        with Load(port, token, households, args.clients) as load:
            # 1. A backup mid-load.
            time.sleep(1.5)
            began = time.monotonic()
            backup = os.path.join(work, "backup.sqlite")
            result = subprocess.run([gridbook, "--db", db, "backup", backup], capture_output=True, text=True)
            expected = load.acknowledged_before(began)
            if result.returncode != 0:
                failures.append(f"backup under load failed: {result.stderr.strip()}")
            else:
                checked = subprocess.run([gridbook, "--db", backup, "check"], capture_output=True).returncode == 0
                in_backup = stored(backup, expected)
                missing = [v for v in expected if in_backup.get(v) != 1]
                print(f"1. backup under load: {result.stdout.strip()}; check {'ok' if checked else 'FAILED'}; "
                      f"{len(expected) - len(missing)} of {len(expected)} visits acknowledged before it are in it")
                if not checked:
                    failures.append("the backup taken under load fails gridbook check")
                if missing:
                    failures.append(f"{len(missing)} visits acknowledged before the backup are not in it")

            # 2. Command-line writes and an import mid-load.
            started = time.monotonic()
            visit = subprocess.run([gridbook, "--db", db, "visit", "log", "--household", households[0], "--visitor", member,
                                    "--at", "2026-11-20T11:00:00+08:00", "--outcome", "met", "--method", "phone"],
                                   capture_output=True, text=True)
            reimport = subprocess.run([gridbook, "--db", db, "import", os.path.join(ROOT, "Seeds", "demo")],
                                      capture_output=True, text=True)
            took = time.monotonic() - started
            print(f"2. under load: visit log exit {visit.returncode}, import again exit {reimport.returncode} "
                  f"({'nothing changed' if 'nothing changed' in reimport.stdout else 'changed'}), {took:.1f} s")
            if visit.returncode != 0:
                failures.append(f"visit log under load failed: {visit.stderr.strip()}")
            if reimport.returncode != 0:
                failures.append(f"import under load failed: {reimport.stderr.strip()}")

            # An import with work to do (the demo's 69,932 visits again under new ids): the clients'
            # writes wait only for the short transaction that writes what changed, at most the
            # server's 2 s busy wait (then 503), never the whole import.
            seeds = seeds_with_more_visits(work)
            started = time.monotonic()
            bigger = subprocess.run([gridbook, "--db", db, "import", seeds], capture_output=True, text=True)
            ended = time.monotonic()
            longest = load.longest_between(started, ended)
            print(f"   an import adding {sum(1 for _ in open(os.path.join(seeds, 'visits.csv'))) // 2} visits under load: "
                  f"exit {bigger.returncode}, {ended - started:.1f} s; the longest POST sent meanwhile took {longest:.2f} s")
            if bigger.returncode != 0:
                failures.append(f"import of new visits under load failed: {bigger.stderr.strip()}")
            busy = load.status_between(started, ended, 503)
            if longest > 1.5 or busy:
                failures.append(f"during the import a POST waited {longest:.2f} s and {busy} were answered 503 "
                                f"(the write lock is held only while the changes are written: at most 1.5 s, no 503)")
            time.sleep(0.5)
        statuses = load.statuses()
        print(f"   the clients' answers meanwhile: {dict(sorted(statuses.items()))}")
        bad = {s: n for s, n in statuses.items() if s not in (200, 201, 503)}
        if bad:
            failures.append(f"clients got {bad}")

        # 3. Duplicate sends: each stored visit twice more, at once.
        ids = [v for v, (_, _, status) in load.sent.items() if status in (200, 201)][:2000]
        answers: dict[str, list[int]] = {v: [] for v in ids}
        lock = threading.Lock()

        def resend(chunk: list[str]) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for visit_id in chunk:
                status = post_visit(connection, token, visit_id, load.sent[visit_id][0])
                with lock:
                    answers[visit_id].append(status)

        threads = [threading.Thread(target=resend, args=(ids[n::args.clients],)) for n in range(args.clients)]
        threads += [threading.Thread(target=resend, args=(list(reversed(ids[n::args.clients])),)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        counts = stored(db, ids)
        twice = [v for v in ids if counts.get(v) != 1]
        not_200 = [v for v in ids if answers[v] != [200, 200]]
        print(f"3. {2 * len(ids)} duplicate sends from {2 * args.clients} connections: {len(ids) - len(twice)} of {len(ids)} "
              f"visits stored once; {len(ids) - len(not_200)} answered 200 both times")
        if twice:
            failures.append(f"{len(twice)} visits not stored exactly once after duplicate sends")
        if not_200:
            failures.append(f"{len(not_200)} duplicate sends not answered 200, e.g. {[answers[v] for v in not_200[:3]]}")
        server.send_signal(signal.SIGTERM)
        server.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return verdict("fault_load", failures)


if __name__ == "__main__":
    sys.exit(main())

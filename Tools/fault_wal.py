#!/usr/bin/env python3
"""Fault script (issue 11): the WAL stays bounded under sustained writes with reports running.

`gridbook serve` on a generated county of --households (default 30,000; its coverage report for a
past date reads for about a tenth of a second, longer than a checkpoint waits) takes POST /api/v1/visits from --clients threads
(default 16) while --reports clients (default 2) read the county's coverage report for a past
date back to back (each holds a snapshot the WAL cannot start over under), for --seconds
(default 15). The WAL file's size is sampled every 0.2 s: its largest must stay under --bound-mb
(default 128 MB; without the restart checkpoint taking its turn among the reports it grows with
every visit for as long as the reports run). Every report must answer 200, every visit 201.
Prints what it did; exit 1 when anything failed. Standard library only.

Usage: python3 Tools/fault_wal.py --gridbook .build/debug/gridbook [--seconds 15] [--bound-mb 128]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_kill import demo_county, start_server, verdict  # noqa: E402
from fault_load import Load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gridbook", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--reports", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--bound-mb", type=float, default=128)
    parser.add_argument("--households", type=int, default=30000)
    args = parser.parse_args()
    failures: list[str] = []
    work = tempfile.mkdtemp(prefix="gridbook-wal-")
    try:
        db = os.path.join(work, "county.sqlite")
        seeds = os.path.join(work, "seeds")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        subprocess.run([sys.executable, os.path.join(root, "Tools", "generate_county.py"), "--out", seeds, "--villages", "60",
                        "--grids", "400", "--households", str(args.households), "--visits", str(20 * args.households)],
                       check=True, stdout=subprocess.DEVNULL)
        _, _, households, token = demo_county(args.gridbook, db, seeds)
        connection = sqlite3.connect(db)
        try:
            admin = connection.execute("SELECT person_id FROM duties WHERE role = 'county_admin' "
                                       "AND (until IS NULL OR until = '') ORDER BY person_id LIMIT 1").fetchone()[0]
            county = connection.execute("SELECT code FROM units WHERE level = 'county'").fetchone()[0]
        finally:
            connection.close()
        admin_token = subprocess.run([args.gridbook, "--db", db, "token", "issue", "--person", admin], check=True,
                                     capture_output=True, text=True).stdout.strip().splitlines()[-1]
        server, port = start_server(args.gridbook, db, os.path.join(work, "serve.log"))
        stop = threading.Event()
        report_status: dict[int, int] = {}
        lock = threading.Lock()

        def reports() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while not stop.is_set():
                connection.request("GET", f"/api/v1/reports/coverage?unit={county}&as_of=2026-06-01",
                                   headers={"Authorization": f"Bearer {admin_token}"})
                response = connection.getresponse()
                response.read()
                with lock:
                    report_status[response.status] = report_status.get(response.status, 0) + 1

        readers = [threading.Thread(target=reports) for _ in range(args.reports)]
        largest = 0
        with Load(port, token, households, args.clients) as load:
            for reader in readers:
                reader.start()
            ends = time.monotonic() + args.seconds
            while time.monotonic() < ends:
                try:
                    largest = max(largest, os.path.getsize(db + "-wal"))
                except OSError:
                    pass
                time.sleep(0.2)
            stop.set()
            for reader in readers:
                reader.join()
        statuses = load.statuses()
        server.send_signal(signal.SIGTERM)
        server.wait()
        visits = statuses.get(201, 0)
        print(f"{visits} visits from {args.clients} clients and {sum(report_status.values())} county coverage reports from "
              f"{args.reports} clients in {args.seconds:.0f} s; largest WAL {largest / 1e6:.1f} MB (bound {args.bound_mb:.0f} MB); "
              f"visit answers {dict(sorted(statuses.items()))}, report answers {dict(sorted(report_status.items()))}")
        if largest > args.bound_mb * 1e6:
            failures.append(f"the WAL reached {largest / 1e6:.1f} MB (bound {args.bound_mb:.0f} MB)")
        if set(statuses) - {201}:
            failures.append(f"visits answered {statuses}")
        if set(report_status) - {200} or not report_status:
            failures.append(f"reports answered {report_status}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return verdict("fault_wal", failures)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fault script (issue 11): a full disk and a read-only disk under a running server, and recovery.

The demo database goes on a small tmpfs of its own (mounted here; root only), served by
`gridbook serve`:
  1. Full disk: a filler file takes all but a little of the space, and visits with long notes
     are posted until the disk is full. Every answer must be 201 or 503 (code storage_full, with
     Retry-After), never another 5xx; reads (the due list) still answer 200.
  2. Space back: the filler goes; the next visits answer 201 without a restart.
  3. Read-only: the server stops, the tmpfs is remounted read-only (it cannot be under open
     files) and the server starts on it: a visit answers 503 read_only, the due list 200;
     remounted read-write and served again, visits answer 201.
  4. `gridbook check` passes, and every visit answered 201 is stored once.
Prints what it did; exit 1 when anything failed; exit 0 with "skipped" when tmpfs cannot be
mounted here (not root). Standard library only.

Usage: python3 Tools/fault_disk.py --gridbook .build/debug/gridbook
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_kill import demo_county, start_server, stored, verdict  # noqa: E402


def send(port: int, token: str, household: str, note: str = "") -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    visit_id = str(uuid.uuid4())
    body = json.dumps({"id": visit_id, "household_code": household, "visited_at": "2026-11-20T10:00:00+08:00",
                       "method": "door", "outcome": "met", "note": note})
    connection.request("POST", "/api/v1/visits", body=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    text = response.read().decode()
    return response.status, visit_id, {"retry-after": response.getheader("Retry-After"), "body": text}


def due(port: int, token: str, grid: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/api/v1/due?unit={grid}", headers={"Authorization": f"Bearer {token}",
                                                                     "Cache-Control": "no-cache"})
    response = connection.getresponse()
    response.read()
    return response.status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gridbook", required=True)
    args = parser.parse_args()
    gridbook = args.gridbook
    work = tempfile.mkdtemp(prefix="gridbook-disk-")
    mount = os.path.join(work, "disk")
    os.makedirs(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount], capture_output=True).returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        print("fault_disk: skipped (cannot mount a tmpfs here: run as root)")
        return 0
    failures: list[str] = []
    server = None
    created: list[str] = []
    try:
        db = os.path.join(mount, "demo.sqlite")
        _, grid, households, token = demo_county(gridbook, db)
        household = households[0]
        server, port = start_server(gridbook, db, os.path.join(work, "serve.log"))

        # 1. Fill the disk to within 256 KB, then post until it is full.
        free = shutil.disk_usage(mount).free
        with open(os.path.join(mount, "filler"), "wb") as filler:
            filler.write(b"\0" * max(0, free - 256 * 1024))
        statuses: dict[int, int] = {}
        full_answer = None
        note = "入户走访记录" * 300
        for _ in range(400):
            status, visit_id, answer = send(port, token, household, note)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 201:
                created.append(visit_id)
            if status == 503:
                full_answer = answer
                if statuses[503] >= 3:
                    break
        reads = due(port, token, grid)
        code = json.loads(full_answer["body"])["error"]["code"] if full_answer else None
        print(f"1. disk filled: answers {dict(sorted(statuses.items()))}; 503 code {code}, Retry-After "
              f"{full_answer['retry-after'] if full_answer else None}; the due list answers {reads}")
        if not full_answer or code != "storage_full" or not full_answer["retry-after"]:
            failures.append(f"a full disk did not answer 503 storage_full with Retry-After: {statuses}, {full_answer}")
        if any(s >= 500 and s != 503 for s in statuses):
            failures.append(f"a full disk answered other 5xx: {statuses}")
        if reads != 200:
            failures.append(f"the due list answered {reads} on a full disk")

        # 2. Space back.
        os.remove(os.path.join(mount, "filler"))
        after = [send(port, token, household) for _ in range(5)]
        created += [v for s, v, _ in after if s == 201]
        print(f"2. space back: the next visits answer {[s for s, _, _ in after]}")
        if any(s != 201 for s, _, _ in after):
            failures.append(f"after space came back visits answered {[s for s, _, _ in after]}")

        # 3. Read-only storage (it cannot be made so under open files: the server stops first),
        #    then read-write again.
        server.send_signal(signal.SIGTERM)
        server.wait()
        subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
        server, port = start_server(gridbook, db, os.path.join(work, "serve.log"))
        status, _, answer = send(port, token, household)
        reads = due(port, token, grid)
        server.send_signal(signal.SIGTERM)
        server.wait()
        subprocess.run(["mount", "-o", "remount,rw", mount], check=True)
        server, port = start_server(gridbook, db, os.path.join(work, "serve.log"))
        back = [send(port, token, household) for _ in range(3)]
        created += [v for s, v, _ in back if s == 201]
        code = json.loads(answer["body"])["error"]["code"] if status >= 400 else "-"
        print(f"3. served from read-only storage: a visit answers {status} ({code}), the due list {reads}; "
              f"read-write again: {[s for s, _, _ in back]}")
        if status != 503 or code != "read_only":
            failures.append(f"a visit on read-only storage answered {status}: {answer['body'][:200]}")
        if reads != 200:
            failures.append(f"the due list answered {reads} on read-only storage")
        if any(s != 201 for s, _, _ in back):
            failures.append(f"after read-write again visits answered {[s for s, _, _ in back]}")

        server.send_signal(signal.SIGTERM)
        server.wait()
        server = None
        # 4. Sound, and nothing lost.
        checked = subprocess.run([gridbook, "--db", db, "check"], capture_output=True).returncode == 0
        counts = stored(db, created)
        lost = [v for v in created if counts.get(v) != 1]
        print(f"4. check {'ok' if checked else 'FAILED'}; {len(created) - len(lost)} of {len(created)} visits answered 201 stored once")
        if not checked:
            failures.append("gridbook check failed after the disk faults")
        if lost:
            failures.append(f"{len(lost)} visits answered 201 are not stored once")
    finally:
        if server:
            server.kill()
            server.wait()
        subprocess.run(["umount", mount], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return verdict("fault_disk", failures)


if __name__ == "__main__":
    sys.exit(main())

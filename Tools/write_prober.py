#!/usr/bin/env python3
"""Measures how long small writes wait beside something else (an import): for --seconds, or
until the file named by --until exists, it commits one tiny write after another to the
database (a row of `settings`, key `write_prober`, removed at the end) with a 30 s busy
timeout, and prints how many it made and the longest and 99th-percentile wait. Used by the
benchmarks (BENCHMARKS.md); standard library only.

Usage: python3 Tools/write_prober.py --db PATH (--seconds N | --until FILE)
"""
import argparse
import os
import sqlite3
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--db", required=True)
parser.add_argument("--seconds", type=float)
parser.add_argument("--until")
args = parser.parse_args()

connection = sqlite3.connect(args.db, timeout=30, isolation_level=None)
waits = []
start = time.monotonic()
try:
    while True:
        if args.until and os.path.exists(args.until):
            break
        if args.seconds is not None and time.monotonic() - start > args.seconds:
            break
        began = time.monotonic()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO settings (key, value) VALUES ('write_prober', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(began),))
        connection.execute("COMMIT")
        waits.append(time.monotonic() - began)
        time.sleep(0.01)
    connection.execute("DELETE FROM settings WHERE key = 'write_prober'")
finally:
    connection.close()
waits.sort()
p99 = waits[int(len(waits) * 0.99)] if waits else 0
print(f"writes {len(waits)}, longest wait {max(waits, default=0) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")

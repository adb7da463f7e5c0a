#!/usr/bin/env python3
"""Check: a second county, its files written as townships write them, imports with --encoding auto.

What it does
    Generates a county unlike the demo (another seed, other sizes), then writes its files the
    ways spreadsheet software in China does: units.csv as UTF-8 with a byte-order mark and CRLF,
    households.csv and people.csv as GB18030 with CRLF, duties.csv as GB18030, visits.csv and
    categories.csv as plain UTF-8; every address gains a quoted comma and quotes ("东屋, 2号").
    It imports both that directory and a plain UTF-8 copy with the gridbook binary, and checks
    that the county's coverage report (JSON) and household records are the same. Then it damages
    one byte of the UTF-8 households file and checks that the import is refused with one line
    naming the file and line, that the visits referring to those households are not reported one
    by one, and that nothing was written.

Usage (from the repository root, after `swift build`)
    python3 Tools/check_encodings.py [--gridbook .build/debug/gridbook]

Exit status 0 when every check holds; 1 with what failed otherwise. Only the standard library.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(arguments: list[str], expect_ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(arguments, capture_output=True, text=True)
    if expect_ok and done.returncode != 0:
        sys.exit(f"FAILED: {' '.join(arguments)}\n{done.stderr}")
    return done


def rewrite_addresses(directory: str) -> None:
    """Gives every household address a quoted comma and quotes, as CSV writers quote them."""
    path = os.path.join(directory, "households.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    address = header.index("address")
    for row in rows[1:]:
        row[address] = f'{row[address]}, "东屋"'
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())


def write_as(source: str, target: str, encoding: str, crlf: bool, bom: bool) -> None:
    with open(source, encoding="utf-8", newline="") as handle:
        text = handle.read()
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(target, "wb") as handle:
        handle.write(data)


def households(path: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT code, grid_code, address, head_name, phone, members FROM households ORDER BY code").fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gridbook", default=".build/debug/gridbook")
    args = parser.parse_args()
    gridbook = os.path.abspath(args.gridbook)
    work = tempfile.mkdtemp(prefix="gridbook-encodings-")
    failures: list[str] = []
    try:
        plain = os.path.join(work, "plain")
        run([sys.executable, os.path.join(HERE, "generate_county.py"), "--out", plain, "--seed", "4417",
             "--villages", "9", "--grids", "40", "--households", "1500", "--end-date", "2026-10-31"])
        rewrite_addresses(plain)
        mixed = os.path.join(work, "mixed")
        os.makedirs(mixed)
        ways = {
            "units.csv": ("utf-8", True, True),
            "households.csv": ("gb18030", True, False),
            "people.csv": ("gb18030", True, False),
            "duties.csv": ("gb18030", False, False),
        }
        for name in os.listdir(plain):
            encoding, crlf, bom = ways.get(name, ("utf-8", False, False))
            write_as(os.path.join(plain, name), os.path.join(mixed, name), encoding, crlf, bom)

        reports = {}
        for label, directory in (("plain", plain), ("mixed", mixed)):
            database = os.path.join(work, f"{label}.sqlite")
            run([gridbook, "--db", database, "import", directory])
            reports[label] = run([gridbook, "--db", database, "report", "coverage", "--as-of", "2026-10-31",
                                  "--format", "json"]).stdout
        if reports["plain"] != reports["mixed"]:
            failures.append("the mixed-encoding county's coverage report differs from the UTF-8 one")
        if households(os.path.join(work, "plain.sqlite")) != households(os.path.join(work, "mixed.sqlite")):
            failures.append("the mixed-encoding county's households differ from the UTF-8 ones")
        address = households(os.path.join(work, "mixed.sqlite"))[0][2]
        if not address.endswith(', "东屋"'):
            failures.append(f"an address was not read back whole: {address!r}")
        county = json.loads(reports["mixed"])["total"]
        print(f"mixed encodings: {county['households']} households, coverage {county['coverage']}%, same as UTF-8")

        # One damaged byte in UTF-8 households: one line for it, no line per visit, nothing written.
        damaged = os.path.join(work, "damaged")
        shutil.copytree(plain, damaged)
        path = os.path.join(damaged, "households.csv")
        with open(path, "rb") as handle:
            data = bytearray(handle.read())
        third_line = data.index(b"\n", data.index(b"\n") + 1) + 1
        data.insert(data.index(b",", third_line) + 1, 0xFF)
        with open(path, "wb") as handle:
            handle.write(data)
        database = os.path.join(work, "damaged.sqlite")
        done = run([gridbook, "--db", database, "import", damaged], expect_ok=False)
        lines = done.stderr.strip().splitlines()
        if done.returncode == 0:
            failures.append("a damaged UTF-8 file was imported")
        elif len(lines) != 2 or not lines[0].startswith("households.csv:3: grid_code: byte 0xFF") \
                or "not valid UTF-8" not in lines[0] or lines[1] != "import failed: nothing was written":
            failures.append("the damaged file was not reported in one line:\n" + done.stderr)
        if os.path.exists(database):
            with sqlite3.connect(database) as db:
                tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                if "units" in tables and db.execute("SELECT COUNT(*) FROM units").fetchone()[0] != 0:
                    failures.append("the refused import wrote units")
        print(f"damaged UTF-8: refused with {lines[0] if lines else '(nothing)'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

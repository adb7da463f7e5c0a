#!/usr/bin/env python3
"""Lint: the server never blocks. Fails (exit 1) when

- a public method of AppDatabase (in Sources/GridbookCore, inside `extension AppDatabase` or
  `struct AppDatabase`) is synchronous: every read and write the API and the CLI can call must be
  async, so that it runs on GRDB's queues and never holds one of Swift's cooperative threads;
- Sources/GridbookAPI, Sources/GridbookWeb or Sources/GridbookCLI waits on a thread: DispatchSemaphore, DispatchGroup
  .wait(), a `blocking {}` bridge, or GRDB's writer used directly.

Static helpers and properties are not methods a handler calls on the database, and are left
alone; so are `checkpointConnection()` and `watchConnection()` (each opens a connection; the checkpoint and the watch run in tasks of
their own). Usage: python3 Tools/lint_async.py (from the repository root). Standard library only.
"""

from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALLOWED_SYNC = {"checkpointConnection", "watchConnection"}
FORBIDDEN = [
    (re.compile(r"\bDispatchSemaphore\b"), "DispatchSemaphore"),
    (re.compile(r"\.wait\(\)"), "a thread waiting (.wait())"),
    (re.compile(r"\bblocking\s*[({]"), "a blocking {} bridge"),
    (re.compile(r"\bwriter\.(read|write|writeWithoutTransaction)\b"), "GRDB's writer used directly"),
]


def blocks(text: str, opener: re.Pattern[str]):
    """The bodies of the blocks that `opener` starts (brace-matched)."""
    for match in opener.finditer(text):
        start = text.index("{", match.start())
        depth, index = 0, start
        while index < len(text):
            if text[index] == "{":
                depth += 1
            elif text[index] == "}":
                depth -= 1
                if depth == 0:
                    break
            index += 1
        yield text[match.start():index + 1], text[:match.start()].count("\n") + 1


def main() -> int:
    problems: list[str] = []
    opener = re.compile(r"^(extension AppDatabase|public struct AppDatabase)\b[^{]*\{", re.M)
    method = re.compile(r"^    public func (\w+)[^{]*?\{", re.M | re.S)
    for path in sorted((ROOT / "Sources/GridbookCore").rglob("*.swift")):
        text = path.read_text(encoding="utf-8")
        for body, first_line in blocks(text, opener):
            for found in method.finditer(body):
                name, signature = found.group(1), found.group(0)
                if name in ALLOWED_SYNC or " async " not in signature.replace("\n", " "):
                    if name not in ALLOWED_SYNC:
                        line = first_line + body[:found.start()].count("\n")
                        problems.append(f"{path.relative_to(ROOT)}:{line}: AppDatabase.{name} is public and not async")
    for folder in ("Sources/GridbookAPI", "Sources/GridbookWeb", "Sources/GridbookCLI"):
        for path in sorted((ROOT / folder).rglob("*.swift")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip().startswith("//"):
                    continue
                for pattern, what in FORBIDDEN:
                    if pattern.search(line):
                        problems.append(f"{path.relative_to(ROOT)}:{number}: {what}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"lint_async: {len(problems)} problem(s): the server must never block a thread", file=sys.stderr)
        return 1
    print("lint_async: every AppDatabase method is async; nothing in the API or the CLI waits on a thread")
    return 0


if __name__ == "__main__":
    sys.exit(main())

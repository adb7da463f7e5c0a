#!/usr/bin/env python3
"""page_households.py: pages through every household of a unit over the API, for Tools/bench_api.sh.

Reads GET /api/v1/units/UNIT/households?limit=LIMIT, then &after=NEXT (URL-encoded) until the
answer's "next" is null, and prints one line:

    households N pages P seconds S

Exits 1 on a non-2xx answer or a malformed page (the answer's start goes to stderr).

    python3 Tools/page_households.py --url http://127.0.0.1:18181 --unit 150599 --token TOKEN
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:18181")
    parser.add_argument("--unit", required=True, help="the unit code whose households to list")
    parser.add_argument("--token", required=True, help="a bearer token allowed to read the unit")
    parser.add_argument("--limit", type=int, default=1000, help="page size (default 1000)")
    args = parser.parse_args()

    base = f"{args.url.rstrip('/')}/api/v1/units/{urllib.parse.quote(args.unit, safe='')}/households?limit={args.limit}"
    headers = {"Authorization": f"Bearer {args.token}", "Accept": "application/json"}
    seen = 0
    pages = 0
    cursor = None
    started = time.monotonic()
    while True:
        url = base if cursor is None else f"{base}&after={urllib.parse.quote(str(cursor), safe='')}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as answer:
                page = json.load(answer)
        except urllib.error.HTTPError as error:
            print(f"page {pages + 1}: HTTP {error.code}: {error.read()[:300]!r}", file=sys.stderr)
            return 1
        except (urllib.error.URLError, OSError, ValueError) as error:
            print(f"page {pages + 1}: {error}", file=sys.stderr)
            return 1
        if not isinstance(page, dict) or not isinstance(page.get("items"), list) or "next" not in page:
            print(f"page {pages + 1}: not a page: {str(page)[:300]}", file=sys.stderr)
            return 1
        pages += 1
        seen += len(page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    print(f"households {seen} pages {pages} seconds {time.monotonic() - started:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

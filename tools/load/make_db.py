"""The database of the load test (`make bench-load-db`, issue 20 C1), in one command: the Yunnan division tree,
LOAD_HOUSEHOLDS synthetic demo households (320,000 ≈ 1,000,000 persons; the generator writes them by COPY), the demo
users, the lifecycle's demo cases, the warning run and the indicator refresh. Run with DATABASE_URL set to an empty
PostgreSQL database (the Makefile target drops and creates it first). Prints each step's time."""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=320_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL must name a PostgreSQL database", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.core.management import call_command

    steps: list[tuple[str, list[str]]] = [
        ("migrate", ["migrate", "--verbosity", "0"]),
        ("division tree of Yunnan", ["load_regions", "--province", "53"]),
        (f"{args.households:,} demo households (COPY)", ["demo", "--households", str(args.households)]),
        ("demo users", ["demo_users"]),
        ("lifecycle demo cases", ["demo_lifecycle"]),
        ("warning run", ["run_monitoring"]),
        ("indicator refresh", ["refresh_indicators", "--full"]),
    ]
    started = time.monotonic()
    for label, command in steps:
        t = time.monotonic()
        call_command(*command)
        print(f"  {label}: {time.monotonic() - t:.1f} s", flush=True)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("SELECT count(*) FROM registry_member")
        persons = cur.fetchone()[0]
    print(f"load database ready: {persons:,} persons in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

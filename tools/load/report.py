"""The figures of `make bench-load` from locust's CSV (var/bench-load_stats.csv and _failures.csv): per kind of
request its share of the mix, count, errors, p50/p95/p99 and max (ms), then the whole mix, the targets of issue 20 C1
(zero errors, p95 under 500 ms) and the failures by kind."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import PEOPLE, SIGN_IN_EVERY


def _n(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stats", type=Path)
    parser.add_argument("--ramp", type=float, default=0)
    args = parser.parse_args()
    rows = list(csv.DictReader(args.stats.open(encoding="utf-8")))
    if not rows:
        print("no figures: locust wrote no statistics")
        return 1
    total_row = next((r for r in rows if r["Name"] == "Aggregated"), None)
    kinds = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -_n(r["Request Count"]))
    total = _n(total_row["Request Count"]) if total_row else sum(_n(r["Request Count"]) for r in kinds)
    weights = sum(w for w, _ in PEOPLE.values())
    print("\npeople (weights of mix.py): " + "; ".join(f"{w}/{weights} {what}" for w, what in PEOPLE.values())
          + f"; plus one sign-in every {SIGN_IN_EVERY} s; arriving over {args.ramp:.0f} s")
    head = f"{'request':34} {'method':6} {'share':>6} {'count':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>8}"
    print(head)
    print("-" * len(head))
    for r in [*kinds, *([total_row] if total_row else [])]:
        name = "the whole mix" if r is total_row else r["Name"]
        share = _n(r["Request Count"]) / total * 100 if total else 0
        print(f"{name[:34]:34} {r['Type'][:6]:6} {share:5.1f}% {int(_n(r['Request Count'])):7d} "
              f"{int(_n(r['Failure Count'])):6d} {_n(r['50%']):7.0f} {_n(r['95%']):7.0f} {_n(r['99%']):7.0f} "
              f"{_n(r['Max Response Time']):8.0f}")
    if total_row:
        errors, p95 = int(_n(total_row["Failure Count"])), _n(total_row["95%"])
        print(f"\ntargets (issue 20 C1): errors {errors} (target 0) — {'met' if errors == 0 else 'NOT met'}; "
              f"p95 {p95:.0f} ms (target < 500) — {'met' if p95 < 500 else 'NOT met'}; "
              f"throughput {_n(total_row['Requests/s']):.1f} requests/s")
    failures = args.stats.with_name(args.stats.name.replace("_stats.csv", "_failures.csv"))
    if failures.exists():
        lines = list(csv.DictReader(failures.open(encoding="utf-8")))
        if lines:
            print("\nerrors by kind:")
            for f in lines:
                print(f"  {f['Occurrences']:>5} × {f['Method']} {f['Name']}: {f['Error'][:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

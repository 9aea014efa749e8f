"""The figures of `make bench-load`: per kind of request its share of the mix, count, errors, p50/p95/p99 and max
(ms), computed exactly from every request's time (LOAD_TIMES, written by the locustfile), then the working mix (the
people at work: everything but the sign-in scenario), the sign-in scenario on its own, the targets of issue 20 C1
(zero errors, p95 under 500 ms) and the errors by kind (locust's _failures.csv)."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import PEOPLE, SIGN_IN_EVERY

SIGN_IN = {"login page", "sign in", "sign out"}  # the requests of the sign-in scenario


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def line(name: str, method: str, times: list[float], errors: int, total: int) -> str:
    times = sorted(times)
    share = len(times) / total * 100 if total else 0
    return (f"{name[:34]:34} {method[:6]:6} {share:5.1f}% {len(times):7d} {errors:6d} {percentile(times, 50):7.0f} "
            f"{percentile(times, 95):7.0f} {percentile(times, 99):7.0f} {(times[-1] if times else 0):8.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("times", type=Path, help="every request's time (JSON written by the locustfile)")
    parser.add_argument("--failures", type=Path, default=None, help="locust's _failures.csv")
    parser.add_argument("--ramp", type=float, default=0)
    parser.add_argument("--seconds", type=float, default=0, help="the length of the run, for the throughput")
    args = parser.parse_args()
    if not args.times.exists():
        print(f"no figures: {args.times} was not written (did locust run?)")
        return 1
    rows = json.loads(args.times.read_text())
    by_kind: dict[tuple[str, str], list[float]] = defaultdict(list)
    errors: dict[tuple[str, str], int] = defaultdict(int)
    for method, name, ms, failed in rows:
        by_kind[(name, method)].append(ms)
        errors[(name, method)] += int(failed)
    total = len(rows)
    weights = sum(w for w, _ in PEOPLE.values())
    print("\npeople (weights of tools/load/mix.py): " + "; ".join(f"{w}/{weights} {what}" for w, what in PEOPLE.values())
          + f"; plus one sign-in every {SIGN_IN_EVERY} s (its own scenario); arriving over {args.ramp:.0f} s")
    head = f"{'request':34} {'method':6} {'share':>6} {'count':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>8}"
    print(head + "\n" + "-" * len(head))
    for (name, method), times in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        print(line(name, method, times, errors[(name, method)], total))
    print("-" * len(head))
    work = [(k, t) for k, t in by_kind.items() if k[0] not in SIGN_IN]
    sign = [(k, t) for k, t in by_kind.items() if k[0] in SIGN_IN]
    work_times = [ms for _k, t in work for ms in t]
    work_errors = sum(errors[k] for k, _t in work)
    print(line("the working mix (people at work)", "", work_times, work_errors, total))
    print(line("the sign-in scenario", "", [ms for _k, t in sign for ms in t], sum(errors[k] for k, _t in sign), total))
    all_errors = sum(errors.values())
    p95 = percentile(sorted(work_times), 95)
    rate = f"; {total / args.seconds:.1f} requests/s" if args.seconds else ""
    print(f"\ntargets (issue 20 C1): errors {all_errors} (target 0) — {'met' if all_errors == 0 else 'NOT met'}; "
          f"p95 of the working mix {p95:.0f} ms (target < 500) — {'met' if p95 < 500 else 'NOT met'}{rate}")
    if args.failures and args.failures.exists():
        failures = list(csv.DictReader(args.failures.open(encoding="utf-8")))
        if failures:
            print("\nerrors by kind:")
            for f in failures:
                print(f"  {f['Occurrences']:>5} × {f['Method']} {f['Name']}: {f['Error'][:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

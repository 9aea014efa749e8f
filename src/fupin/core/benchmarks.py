"""What the benchmark commands share: timing a step into the printed table, and a registry of demo households over
the real villages of Yunnan."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

Row = tuple[str, float, str]
PART = 200_000  # households the registry demo generator holds in memory at once


def timed(label: str, fn: Callable[[], Any], rows: list[Row], extra: Callable[[Any], str]) -> Any:
    """Run ``fn``, add a row (label, seconds, ``extra(result)``) and return its result."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    rows.append((label, seconds, extra(result)))
    return result


def yunnan_demo(rows: list[Row], households: int) -> None:
    """Yunnan's division tree when it is missing, and ``households`` demo households when the registry is empty, in
    parts of at most ``PART`` households, one city each (the generator holds a part in memory)."""
    from fupin.regions.models import Level, Region
    from fupin.regions.services import load_regions
    from fupin.registry.demo import generate
    from fupin.registry.models import Household

    if not Region.objects.filter(code="53").exists():
        timed("load_regions --province 53", lambda: load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"]),
              rows, lambda r: f"{r.total:,} nodes")
    if Household.objects.exists():
        return
    cities = list(Region.objects.filter(level=Level.CITY, code__startswith="53").order_by("code")
                  .values_list("code", flat=True))
    parts = -(-households // PART)
    if parts > len(cities):
        raise CommandError(f"at most {PART * len(cities):,} households in Yunnan's {len(cities)} cities")

    def demo() -> int:
        return sum(generate(households=households // parts + (i < households % parts), area=cities[i],
                            seed=i + 1).households for i in range(parts))

    timed(f"demo --households {households:,} ({parts} cities)", demo, rows, lambda h: f"{h:,} households")

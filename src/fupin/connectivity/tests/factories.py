"""Test helpers: more villages under the test tree, and an independent replay of the events in Python."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from fupin.connectivity.models import ConnectivityEvent
from fupin.regions.models import Level, Region


def add_villages(tree: Any, per_township: int = 40) -> list[Region]:
    """``per_township`` extra 村委会 under each township of the test tree (codes 2xx)."""
    made = []
    for township in [r for r in tree.nodes.values() if r.level == Level.TOWNSHIP]:
        for i in range(per_township):
            code = f"{township.code}{300 + i:03d}"
            made.append(Region.objects.create(code=code, name=f"测试{i}村委会", level=Level.VILLAGE, parent=township))
    return made


def replay(on: dt.date | None = None) -> dict[str, dict[str, bool]]:
    """The status of each village with events, by applying its events one by one in (date, id) order."""
    state: dict[str, dict[str, bool]] = defaultdict(lambda: {"fiber": False, "4g": False, "broadband": False})
    for e in ConnectivityEvent.objects.order_by("date", "id"):
        if on is not None and e.date > on:
            continue
        s = state[e.village_id]
        if e.kind in ("fiber", "4g", "broadband"):
            s[e.kind] = bool(e.flag)
        elif e.kind == "disconnected":
            s.update(fiber=False, **{"4g": False}, broadband=False)
    return {code: {**s, "connected": any(s.values())} for code, s in state.items()}


def poor_villages(prefix: str = "", flag: str = "") -> list[str]:
    qs = Region.objects.filter(level=Level.VILLAGE, is_poor_village=True, code__startswith=prefix)
    if flag:
        qs = qs.filter(**{flag: True})
    return list(qs.values_list("code", flat=True))

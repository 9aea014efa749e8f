"""Synthetic connectivity data (演示数据，纯属虚构) for the villages of an area: dated fiber, 4G, operator,
bandwidth and universal-service pilot events, facilities (schools with their kind and remote classrooms, clinics
with telemedicine) and yearly county figures, drawn so that coverage
grows from 2015 to 2020 with a few poor villages still unconnected. Written with COPY / executemany.

The demo registry marks no poor village. When the area has none, ``mark_poor_villages`` flags a seeded share
of its administrative villages (村委会) with one set-based UPDATE per chunk of codes, audited — a documented
stand-in for the real 建档立卡贫困村 list, which ``fupin set_region_flags`` loads."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from fupin.connectivity.models import ConnectivityEvent, Facility, FacilityType, SchoolKind
from fupin.connectivity.services import refresh_status
from fupin.core import audit
from fupin.core.bulk import copy_rows
from fupin.core.models import AuditEvent
from fupin.core.tree import subtree_bounds
from fupin.regions.models import Level, Region

SOURCE = "演示数据 demo"
OPERATORS = (("中国电信", 40), ("中国移动", 35), ("中国联通", 20), ("中国广电", 5))
BANDWIDTHS = ((Decimal(20), 10), (Decimal(50), 25), (Decimal(100), 45), (Decimal(200), 15), (Decimal(1000), 5))
YEARS = (2015, 2016, 2017, 2018, 2019, 2020)
LAST_DAY = dt.date(2020, 12, 31)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


@dataclass
class DemoResult:
    area: str
    villages: int = 0
    poor_marked: int = 0
    events: int = 0
    facilities: int = 0
    skipped: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def mark_poor_villages(area: str, share: float, rng: random.Random, actor: Any = None) -> int:
    """Flag ``share`` of the administrative villages of ``area`` as registered poor villages (demo only)."""
    codes = list(Region.objects.filter(code__range=subtree_bounds(area),
                                       level=Level.VILLAGE).values_list("code", flat=True))
    chosen = sorted(c for c in codes if c[9] not in "01" and rng.random() < share)
    for i in range(0, len(chosen), 5000):
        Region.objects.filter(code__in=chosen[i:i + 5000]).update(is_poor_village=True)
    audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="regions.region", region_code=area,
                 summary=f"demo_connectivity: {len(chosen)} villages marked poor (synthetic)")
    return len(chosen)


def generate(*, area: str = "53", seed: int = 1, poor_share: float = 0.45, actor: Any = None,
             facilities: bool = True) -> DemoResult:
    """Events and facilities for every village of ``area`` ("" = the whole country). Skips when the area
    already has connectivity events (idempotent)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    result = DemoResult(area=area)
    lo, hi = subtree_bounds(area)
    if ConnectivityEvent.objects.filter(village__code__range=(lo, hi)).exists():
        result.skipped = True
        return result
    with transaction.atomic():
        t = time.perf_counter()
        if not Region.objects.filter(code__range=(lo, hi), level=Level.VILLAGE, is_poor_village=True).exists():
            result.poor_marked = mark_poor_villages(area, poor_share, rng, actor)
        villages = list(Region.objects.filter(code__range=(lo, hi), level=Level.VILLAGE)
                        .values_list("code", "is_poor_village", "is_sanqu_sanzhou"))
        result.villages = len(villages)
        result.timings["read"] = time.perf_counter() - t
        t = time.perf_counter()
        now = dt.datetime.now(dt.UTC)
        events: list[tuple[Any, ...]] = []

        def add(code: str, day: dt.date, kind: str, flag: bool | None = None, number: Decimal | None = None,
                text: str = "", batch: int | None = None) -> None:
            events.append((code, day, kind, flag, number, text, batch, SOURCE, None, now))

        for code, poor, deep in villages:
            # Poor villages (and more so 三区三州) are connected later and some not at all by the end of 2020.
            never = 0.035 if deep else 0.02 if poor else 0.01
            weights = (15, 22, 27, 22, 9, 5) if poor else (30, 25, 20, 13, 8, 4)
            if deep:
                weights = (5, 12, 20, 28, 20, 15)
            if rng.random() < never:
                if rng.random() < 0.3:
                    add(code, _day(rng, 2019), "operator", text=_pick(rng, OPERATORS))
                continue
            fiber_year = rng.choices(YEARS, weights)[0]
            fiber_day = _day(rng, fiber_year)
            fiber: dt.date | None = None  # 4G only (no fiber yet) for one village in ten: still broadband
            if rng.random() < 0.9:
                fiber = fiber_day
                add(code, fiber_day, "fiber", flag=True)
            g4 = _day(rng, max(2015, min(2020, fiber_year + rng.choice((-1, 0, 0, 1)))))
            add(code, g4, "4g", flag=True)
            first = min(d for d in (fiber, g4) if d)
            add(code, first, "operator", text=_pick(rng, OPERATORS))
            add(code, first, "bandwidth", number=_pick(rng, BANDWIDTHS))
            if poor and rng.random() < 0.35:
                batch = min(6, max(1, fiber_year - 2014))
                add(code, first - dt.timedelta(days=rng.randrange(60, 300)), "pilot",
                    number=Decimal(rng.randrange(10, 60)), batch=batch)
            if rng.random() < 0.6:
                add(code, max(first, g4), "natural_4g", number=Decimal(rng.randint(1, 12)))
            if fiber and rng.random() < 0.01:  # a cut (landslide) and the repair some weeks later
                cut = fiber + dt.timedelta(days=rng.randrange(30, 400))
                if cut < LAST_DAY - dt.timedelta(days=60):
                    add(code, cut, "disconnected")
                    add(code, cut + dt.timedelta(days=rng.randrange(7, 50)), "fiber", flag=True)
        result.timings["generate"] = time.perf_counter() - t
        t = time.perf_counter()
        result.events = copy_rows(ConnectivityEvent._meta.db_table,
                                  ["village_id", "date", "kind", "flag", "number", "text", "batch", "source",
                                   "actor_id", "created_at"], events)
        refresh_status(area)
        if facilities:
            result.facilities = _facilities(area, rng, seed)
        result.timings["write"] = time.perf_counter() - t
        audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="connectivity.connectivityevent",
                     region_code=area, summary=f"demo_connectivity {area or 'all'}: {result.events} events (synthetic)",
                     detail={"seed": seed, "villages": result.villages, "facilities": result.facilities})
    result.seconds = time.perf_counter() - started
    return result


def _facilities(area: str, rng: random.Random, seed: int = 1) -> int:
    """The facilities of the area. Remote education and health (issue 16) are drawn from their own generator
    (``remote``), so that the rest of the demo stays what it was for a seed: schools of every kind (central schools,
    township junior schools, village primary schools and teaching points 教学点), remote classrooms (专递课堂) —
    a few already stopped —, and telemedicine (远程诊疗) in most township health centres and some village clinics."""
    lo, hi = subtree_bounds(area)
    nodes = list(Region.objects.filter(code__range=(lo, hi), level__gte=Level.COUNTY)
                 .values_list("code", "name", "level"))
    remote = random.Random(f"remote-{seed}")
    rows: list[tuple[Any, ...]] = []

    def add(type: str, region: str, name: str = "", opened: dt.date | None = None, connected: dt.date | None = None,
            bandwidth: int | None = None, classrooms: int | None = None, year: int | None = None,
            new_stations: int | None = None, new_sites: int | None = None, terminals: int | None = None,
            tariff: int | None = None, kind: str = "", classroom: tuple[dt.date | None, dt.date | None] = (None, None),
            telemedicine: dt.date | None = None) -> None:
        rows.append((type, region, name, opened, None, connected, bandwidth, classrooms, year, new_stations,
                     new_sites, terminals, tariff, SOURCE, kind, classroom[0], classroom[1], telemedicine))

    def maybe(p: float, years: tuple[int, int]) -> dt.date | None:
        return _day(rng, rng.randint(*years)) if rng.random() < p else None

    def classroom(p: float, connected: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
        """A remote classroom from a day after the school was connected; one in twenty stopped since."""
        if connected is None or remote.random() >= p:
            return None, None
        since = max(connected, _day(remote, remote.randint(2017, 2020)))
        until = since + dt.timedelta(days=remote.randrange(200, 700)) if remote.random() < 0.05 else None
        return since, until if until and until <= LAST_DAY else None

    def telemedicine(p: float, connected: dt.date | None) -> dt.date | None:
        return max(connected, _day(remote, remote.randint(2017, 2020))) if connected and remote.random() < p else None

    for code, name, level in nodes:
        if level == Level.COUNTY:
            for year in YEARS:
                add(FacilityType.BASE_STATIONS, code, year=year, new_stations=rng.randint(10, 120),
                    new_sites=rng.randint(3, 40))
                add(FacilityType.HOUSEHOLD_SERVICE, code, year=year, terminals=rng.randint(0, 3000),
                    tariff=rng.randint(500, 20000))
        elif level == Level.TOWNSHIP:
            connected = maybe(0.95, (2016, 2020))
            add(FacilityType.TOWNSHIP_HEALTH, code, f"{name}卫生院", connected=connected,
                telemedicine=telemedicine(0.85, connected))
            connected = maybe(0.97, (2015, 2019))
            add(FacilityType.SCHOOL, code, f"{name}中心学校", connected=connected,
                bandwidth=rng.choice((100, 100, 200, 1000)), classrooms=rng.randint(4, 30),
                kind=SchoolKind.NINE_YEAR if remote.random() < 0.3 else SchoolKind.PRIMARY,
                classroom=classroom(0.7, connected))
            if code[6] != "0" and remote.random() < 0.5:
                junior = _day(remote, remote.randint(2015, 2019)) if remote.random() < 0.95 else None
                add(FacilityType.SCHOOL, code, f"{name}初级中学", connected=junior,
                    bandwidth=remote.choice((100, 200, 1000)), classrooms=remote.randint(6, 24),
                    kind=SchoolKind.JUNIOR, classroom=classroom(0.5, junior))
            if code[6] != "0" and rng.random() < 0.88:
                add(FacilityType.EXPRESS, code, f"{name}快递服务站", opened=_day(rng, rng.randint(2015, 2020)))
        elif level == Level.VILLAGE and code[9] not in "01":
            connected = maybe(0.75, (2016, 2020))
            add(FacilityType.VILLAGE_CLINIC, code, f"{name}卫生室", connected=connected,
                telemedicine=telemedicine(0.45, connected))
            if rng.random() < 0.35:
                point = remote.random() < 0.4  # a teaching point (教学点) of a few pupils, else a primary school
                connected = maybe(0.9, (2015, 2020))
                add(FacilityType.SCHOOL, code, f"{name}{'教学点' if point else '小学'}", connected=connected,
                    bandwidth=rng.choice((20, 50, 100, 100)), classrooms=rng.randint(0, 4),
                    kind=SchoolKind.TEACHING_POINT if point else SchoolKind.PRIMARY,
                    classroom=classroom(0.75 if point else 0.5, connected))
            if rng.random() < 0.6:
                add(FacilityType.INFO_STATION, code, f"{name}益农信息社", opened=_day(rng, rng.randint(2016, 2020)))
    return copy_rows(Facility._meta.db_table,
                     ["type", "region_id", "name", "opened_on", "closed_on", "connected_on", "bandwidth", "classrooms",
                      "year", "new_stations", "new_sites", "terminals", "tariff_households", "source", "school_kind",
                      "remote_classroom_on", "remote_classroom_until", "telemedicine_on"], rows)

"""Reads of the coverage ledger, always scoped to the user's subtree (fupin.core.scoping)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.connectivity import indicators
from fupin.connectivity.models import ConnectivityEvent, Facility, RankingRow, RankingSnapshot
from fupin.core.scoping import Scope, get_scoped_or_404, narrow_or_404, scope_of, scoped
from fupin.core.tree import LEVELS, child_length, subtree_bounds
from fupin.regions.models import Level, Region
from fupin.targets.models import Target

# Sort keys of the village list: ?sort=<key>, "-<key>" descending.
SORTS = {
    "code": "code",
    "name": "name",
    "connected_date": "connectivity_status__connected_date",
    "fiber_date": "connectivity_status__fiber_date",
    "4g_date": "connectivity_status__mobile_4g_date",
    "operator": "connectivity_status__operator",
    "bandwidth": "connectivity_status__bandwidth",
    "pilot": "connectivity_status__pilot_batch",
    "last_event": "connectivity_status__last_event",
}
STATUSES = ("unconnected", "connected", "all")


def villages(user: Any, *, under: str = "", status: str = "all", poor_only: bool = False,
             sort: str = "code", search: str = "") -> QuerySet[Region]:
    """Villages under ``under`` (within the user's scope) with their current status; ``status`` unconnected
    includes villages without any event."""
    scope = narrow_or_404(user, under)
    qs = Region.objects.filter(scope.q("code"), level=Level.VILLAGE).select_related("connectivity_status")
    qs = scoped(qs, user)
    if poor_only:
        qs = qs.filter(is_poor_village=True)
    if status == "unconnected":
        qs = qs.filter(Q(connectivity_status__isnull=True) | Q(connectivity_status__connected=False))
    elif status == "connected":
        qs = qs.filter(connectivity_status__connected=True)
    if search:
        qs = qs.filter(name__contains=search.strip())
    key = sort.lstrip("-")
    if key not in SORTS:
        return qs.order_by("code")
    desc = sort.startswith("-")
    field = SORTS[key]
    if key == "code":
        return qs.order_by("-code" if desc else "code")
    if key == "name":  # as keyset paging orders it (keyset.py): ties by code in the same direction
        return qs.order_by(*(("-name", "-code") if desc else ("name", "code")))
    # Status values: villages without one last in both directions, on SQLite and PostgreSQL alike.
    expr = F(field).desc(nulls_last=True) if desc else F(field).asc(nulls_last=True)
    if key == "fiber_date":  # as keyset paging orders it (keyset.py)
        return qs.order_by(expr, "-code" if desc else "code")
    return qs.order_by(expr, "code")


def unconnected_ledger(user: Any, under: str = "", sort: str = "code") -> QuerySet[Region]:
    """未通宽带贫困村台账: registered poor villages without broadband today."""
    return villages(user, under=under, status="unconnected", poor_only=True, sort=sort)


def village_for(user: Any, code: str) -> Region:
    return get_scoped_or_404(Region.objects.filter(level=Level.VILLAGE).select_related("connectivity_status"),
                             user, code=code)


def events_of(user: Any, village: Region) -> QuerySet[ConnectivityEvent]:
    return scoped(ConnectivityEvent.objects.filter(village=village), user).select_related("actor").order_by("-date", "-id")


def status_on(user: Any, village: Region, on: dt.date) -> dict[str, Any] | None:
    """The village's status on a past date, replayed from its events."""
    get_scoped_or_404(Region.objects.all(), user, code=village.code)
    return indicators.status_on(on, village.code).get(village.code)


FACILITY_SORTS = {
    "type": ("type", "region_id", "name", "year", "id"),
    "region": ("region_id", "type", "name", "year", "id"),
    "name": ("name", "id"),
    "connected_on": ("connected_on", "id"),
    "opened_on": ("opened_on", "id"),
    "bandwidth": ("bandwidth", "id"),
    "year": ("year", "region_id", "id"),
}


def facilities(user: Any, *, under: str = "", type: str = "", sort: str = "type", search: str = "",
               school_kind: str = "") -> QuerySet[Facility]:
    """Facilities in the user's scope (below ``under``), of one type or all (schools of one kind); ``sort`` a
    FACILITY_SORTS key, "-" for descending."""
    qs = scoped(Facility.objects.all(), user).select_related("region")
    if under:
        qs = qs.filter(narrow_or_404(user, under).q("region__code"))
    if type:
        qs = qs.filter(type=type)
    if school_kind:
        qs = qs.filter(school_kind=school_kind)
    if search:
        qs = qs.filter(name__contains=search.strip())
    key = sort.lstrip("-")
    fields = FACILITY_SORTS.get(key, FACILITY_SORTS["type"])
    if sort.startswith("-") and key in FACILITY_SORTS:
        fields = (f"-{fields[0]}", *fields[1:])
    return qs.order_by(*fields)


def facility_for(user: Any, pk: int) -> Facility:
    return get_scoped_or_404(Facility.objects.select_related("region"), user, pk=pk)


def village_facilities(user: Any, village: Region) -> QuerySet[Facility]:
    """The facilities of a village and those of its township that serve it (the township health centre, the
    central school), as far as the user's region reaches; the village's own first."""
    codes = [village.code, *([village.parent_id] if village.parent_id else [])]
    return (scoped(Facility.objects.filter(region_id__in=codes), user).select_related("region")
            .order_by("-region_id", "type", "name", "id"))


def snapshots(user: Any) -> QuerySet[RankingSnapshot]:
    """Ranking bulletins of the user's subtree (a national bulletin is seen by nationwide users only)."""
    return scoped(RankingSnapshot.objects.all(), user)


def snapshot_for(user: Any, pk: int) -> RankingSnapshot:
    return get_scoped_or_404(RankingSnapshot.objects.all(), user, pk=pk)


def snapshot_rows(user: Any, snap: RankingSnapshot) -> QuerySet[RankingRow]:
    return scoped(snap.rows.all(), user)


# --- targets and progress ------------------------------------------------------------------------------


@dataclass
class Progress:
    target: Target
    indicator: indicators.Indicator
    scope: Scope
    at_due: indicators.Value | None
    current: indicators.Value
    counties: tuple[int, int] = (0, 0)  # (reporting, all) for indicators collected county by county (#23)
    region_name: str = ""  # the name of the scope's region ("" for the nation)

    @property
    def no_data(self) -> bool:
        """No county of the area reports the indicator: "no data", not 0 %."""
        return self.counties[1] > 0 and self.counties[0] == 0

    @property
    def reporting_rate(self) -> str:
        """“reported by 1 of 3 counties” where only some counties report the indicator, else ""."""
        reporting, expected = self.counties
        if reporting == expected:
            return ""
        return str(_("reported by %(n)d of %(m)d counties")) % {"n": reporting, "m": expected}

    def met(self, value: indicators.Value | None) -> bool | None:
        """Against the threshold; not judged where some counties did not report (the target is for the whole
        area, the value covers only the reporting part)."""
        if value is None or value.percent is None or self.counties[0] != self.counties[1]:
            return None
        pct = round(value.percent, 6)
        threshold = float(self.target.threshold)
        return pct > threshold if self.target.strict else pct >= threshold

    @property
    def met_at_due(self) -> bool | None:
        return self.met(self.at_due)

    @property
    def met_now(self) -> bool | None:
        return self.met(self.current)


def progress(user: Any, under: str = "", today: dt.date | None = None) -> list[Progress]:
    """Each target that applies to the part of the user's scope under ``under``: its value at the due date
    (when past) and today."""
    today = today or timezone.localdate()
    base = narrow_or_404(user, under)
    out = []
    names: dict[str, str] = {}
    for target in Target.objects.assessable().filter(unit=Target.Unit.PERCENT).order_by("year", "code"):
        scope = base.narrow(target.scope_prefix) if target.scope_prefix else base
        if scope.prefix is None or target.indicator not in indicators.INDICATORS:
            continue
        at_due = (indicators.total(target.indicator, prefix=scope.prefix, on=target.due, flag=target.scope_flag)
                  if target.due <= today else None)
        current = indicators.total(target.indicator, prefix=scope.prefix, flag=target.scope_flag)
        counties = indicators.reporting(target.indicator, prefix=scope.prefix, flag=target.scope_flag)
        if scope.prefix and scope.prefix not in names:
            names[scope.prefix] = Region.objects.filter(code=scope.prefix).values_list("name", flat=True).first() or ""
        out.append(Progress(target, indicators.INDICATORS[target.indicator], scope, at_due, current, counties,
                            names.get(scope.prefix or "", "")))
    return out


def children_coverage(user: Any, region: Region | None, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Poor-village coverage of each child of ``region`` (provinces for the nation), for tables and maps."""
    scope = scope_of(user)
    prefix = region.code if region else (scope.prefix or "")
    level = len(prefix)
    group_len = child_length(level)
    rows = {r.code: r for r in indicators.coverage(prefix=prefix, group_len=group_len, on=on)}
    kids = Region.objects.filter(code__range=subtree_bounds(prefix), level=LEVELS[group_len])
    if level == 0:
        kids = Region.objects.filter(level=Level.PROVINCE)
    out = []
    for r in kids.order_by("code"):
        c = rows.get(r.code)
        villages, connected = (c.villages, c.connected) if c else (0, 0)
        out.append({"code": r.code, "name": r.name, "villages": villages, "connected": connected,
                    "unconnected": villages - connected,
                    "fiber": c.counts[2] if c else 0, "mobile_4g": c.counts[3] if c else 0,
                    "coverage": round(100 * connected / villages, 2) if villages else None})
    return out

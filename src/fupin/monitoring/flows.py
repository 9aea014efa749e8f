"""Flow statistics (R5.2): for a region and a period, households and persons entering and leaving each
state — newly poor, returned, exited, included as monitoring objects, risk eliminated, removed — counted from
the lifecycle cases the county approved in the period, by main cause and by risk type; households relieved
(救助); the moves between states as a Sankey diagram; and the alerts raised and resolved. Grouped queries,
scoped to the user's region.

救助 (relief) is counted honestly from what the data record: households of the region with an assistance
measure of type 09 综合保障（低保、特困供养） whose start date falls in the period — the registry's 低保/特困
flags carry no date, so "newly receiving" can only be read from dated measures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core import codes
from fupin.core.scoping import narrow_or_404, scoped
from fupin.lifecycle.models import Case, Kind, Measure, MonitoringRecord, Stage
from fupin.monitoring.models import Alert
from fupin.registry.models import Household, Member

RELIEF = "relief"
RELIEF_MEASURE = "09"  # 综合保障（低保、特困供养）
RELIEF_DEFINITION = ("救助：期间内开始实施“综合保障（低保、特困供养）”帮扶措施的户 / relieved: households with an assistance "
                     "measure of type 09 (minimum living guarantee, extreme-poverty support) starting in the period")
FLOWS = {
    Kind.IDENTIFICATION: _("identified as poor"),
    Kind.NEW_POVERTY: _("newly poor"),
    Kind.RETURN: _("returned to poverty"),
    Kind.EXIT: _("exited poverty"),
    Kind.MONITORING: _("included as monitoring object"),
    Kind.ELIMINATION: _("risk eliminated"),
    Kind.REMOVAL: _("removed from the registry"),
    RELIEF: _("relieved (minimum living guarantee or extreme-poverty support started)"),
}
# The status an approved procedure gives (risk elimination: the status before inclusion, read per case).
RESULT: dict[str, str] = {Kind.IDENTIFICATION: "poor", Kind.NEW_POVERTY: "newly_poor", Kind.RETURN: "returned", Kind.EXIT: "exited",
          Kind.MONITORING: "monitored", Kind.REMOVAL: "removed"}


@dataclass
class Flows:
    start: dt.date
    end: dt.date
    region: str
    by_kind: list[dict[str, Any]]
    by_cause: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    by_risk: list[dict[str, Any]] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)  # status before → after, households, persons

    @property
    def sankey(self) -> dict[str, Any]:
        """ECharts Sankey data. A state appears twice, before (left) and after (right), so that moves both ways
        (exited → monitored → exited) do not make a cycle, which a Sankey cannot draw."""
        nodes: dict[str, None] = {}
        links = []
        for m in self.moves:
            source, target = f"{m['before_label']} →", f"→ {m['after_label']}"
            nodes.setdefault(source)
            nodes.setdefault(target)
            links.append({"source": source, "target": target, "value": m["households"], "persons": m["persons"]})
        return {"nodes": [{"name": n} for n in nodes], "links": links}


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _persons(household: str = "household") -> Subquery:
    return Subquery(Member.objects.filter(household=OuterRef(household), is_active=True).order_by()
                    .values("household").annotate(n=Count("id")).values("n"), output_field=IntegerField())


def _status(code: str) -> str:
    return codes.label("household_status", code) if code else str(_("unknown"))


def flows(user: Any, *, start: dt.date, end: dt.date, region: str = "") -> Flows:
    scope = narrow_or_404(user, region)
    lo, hi = _bounds(start, end)
    cases = (scoped(Case.objects.all(), user).filter(scope.q(Case.SCOPE_FIELD), stage=Stage.APPROVED,
                                                     closed_at__gte=lo, closed_at__lt=hi)
             .annotate(persons=Coalesce(_persons(), 0)))
    counted: dict[str, dict[str, Any]] = {
        str(r["kind"]): dict(r)
        for r in cases.values("kind").annotate(households=Count("household", distinct=True), people=Sum("persons"))}
    relief = scoped(Measure.objects.all(), user).filter(scope.q(Measure.SCOPE_FIELD), type=RELIEF_MEASURE,
                                                        start_date__gte=start, start_date__lte=end)
    counted[RELIEF] = (Household.objects.filter(pk__in=relief.values("household"))
                       .annotate(persons=Coalesce(_persons("pk"), 0))
                       .aggregate(households=Count("id"), people=Sum("persons")))
    empty: dict[str, Any] = {}
    by_kind = [{"kind": str(k), "label": label, "households": counted.get(k, empty).get("households", 0),
                "persons": counted.get(k, empty).get("people") or 0} for k, label in FLOWS.items()]
    by_cause = [dict(r) for r in cases.values("kind", "household__main_cause")
                .annotate(households=Count("household", distinct=True)).order_by("kind", "household__main_cause")]
    # Risk types of the monitoring objects included: a case names one to five risks; grouped per case here
    # (JSON arrays unnest differently on SQLite and PostgreSQL), only the period's approved inclusions are read.
    households: Counter[str] = Counter()
    persons: Counter[str] = Counter()
    for risks, n in cases.filter(kind=Kind.MONITORING).values_list("risks", "persons"):
        for r in set(risks or []):
            households[r] += 1
            persons[r] += n
    by_risk = [{"risk": r, "label": codes.label("monitoring_risk", r), "households": households[r],
                "persons": persons[r]} for r in sorted(households)]
    back = MonitoringRecord.objects.filter(eliminated_by=OuterRef("pk")).values("included_by__previous_status")[:1]
    moves: Counter[tuple[str, str]] = Counter()
    moved: Counter[tuple[str, str]] = Counter()
    for kind, before, returned_to, n, count in (
            cases.annotate(back=Subquery(back)).values("kind", "previous_status", "back")
            .annotate(households=Count("household", distinct=True), people=Sum("persons"))
            .values_list("kind", "previous_status", "back", "people", "households")):
        after = (returned_to or "exited") if kind == Kind.ELIMINATION else RESULT.get(kind, "")
        moves[(before, after)] += count
        moved[(before, after)] += n or 0
    move_rows = [{"before": b, "after": a, "before_label": _status(b), "after_label": _status(a),
                  "households": moves[(b, a)], "persons": moved[(b, a)]} for b, a in sorted(moves)]
    alerts = scoped(Alert.objects.all(), user).filter(scope.q(Alert.SCOPE_FIELD))
    raised = {r["rule"]: r["n"] for r in alerts.filter(created_at__gte=lo, created_at__lt=hi).values("rule")
              .annotate(n=Count("id"))}
    resolved = {(r["rule"], r["state"]): r["n"] for r in alerts.filter(resolved_at__gte=lo, resolved_at__lt=hi)
                .values("rule", "state").annotate(n=Count("id"))}
    rules = sorted(set(raised) | {k[0] for k in resolved})
    alert_rows = [{"rule": r, "raised": raised.get(r, 0), "included": resolved.get((r, Alert.State.INCLUDED), 0),
                   "dismissed": resolved.get((r, Alert.State.DISMISSED), 0)} for r in rules]
    return Flows(start=start, end=end, region=scope.prefix or "", by_kind=by_kind, by_cause=by_cause,
                 alerts=alert_rows, by_risk=by_risk, moves=move_rows)

"""Reads of early warning, every one scoped to the user's region through ``core.scoping``."""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, IntegerField, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from fupin.core.scoping import get_scoped_or_404, narrow_or_404, scoped
from fupin.monitoring.models import Alert, RiskReport
from fupin.registry.models import Household, Member


def open_alerts() -> QuerySet[Alert]:
    """Alerts that count: not yet resolved and still found by the latest run."""
    return Alert.objects.filter(state__in=Alert.OPEN_STATES, active=True)


def risk_score() -> Subquery:
    """A household's risk score: the sum of the points of its open alerts."""
    per_household = (open_alerts().filter(household=OuterRef("pk")).order_by().values("household")
                     .annotate(s=Sum("points")).values("s"))
    return Coalesce(Subquery(per_household, output_field=IntegerField()), 0)  # type: ignore[return-value]


def queue(user: Any, *, region: str = "", rule: str = "") -> QuerySet[Household]:
    """The households of the user's region with open alerts, ranked by risk score (highest first)."""
    alerts = scoped(open_alerts(), user)
    if region:
        alerts = alerts.filter(narrow_or_404(user, region).q("region_code"))
    if rule:
        alerts = alerts.filter(rule=rule)
    ids = alerts.values("household_id")
    head = Member.objects.filter(household=OuterRef("pk"), relation="01", is_active=True)
    due = (open_alerts().filter(household=OuterRef("pk")).order_by().values("household")
           .annotate(d=Min("deadline")).values("d"))
    return (scoped(Household.objects.filter(pk__in=ids), user).select_related("village", "cadre")
            .annotate(risk_score=risk_score(), head_name=Subquery(head.values("name")[:1]),
                      deadline=Subquery(due, output_field=DateField()))
            .order_by("-risk_score", "id"))


def alerts_of(user: Any, household_ids: list[int], *, open_only: bool = True) -> QuerySet[Alert]:
    qs = scoped(open_alerts() if open_only else Alert.objects.all(), user)
    return qs.filter(household_id__in=household_ids).order_by("-points", "rule")


def alert(user: Any, pk: int) -> Alert:
    return get_scoped_or_404(Alert.objects.select_related("household", "household__village", "cadre", "case",
                                                          "resolved_by"), user, pk=pk)


def household_score(household_id: int) -> int:
    return int(open_alerts().filter(household_id=household_id).aggregate(s=Sum("points"))["s"] or 0)


def reports(user: Any, *, kind: str = "", household: str = "") -> QuerySet[RiskReport]:
    qs = scoped(RiskReport.objects.select_related("household", "household__village", "recorded_by"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if household:
        qs = qs.filter(household__number=household)
    return qs.order_by("-occurred_on", "-id")


def household_by_number(user: Any, number: str) -> Household | None:
    return scoped(Household.objects.all(), user).filter(number=number.strip()).first()


def alerts(user: Any, *, state: str = "open", rule: str = "", region: str = "",
           household: int | None = None) -> QuerySet[Alert]:
    """Alerts of the user's region for lists and the API: ``state`` ``open`` (new or visited and still found), a
    state code, or ``all``; highest risk points first, then oldest deadline."""
    qs = scoped(Alert.objects.select_related("household", "cadre"), user)
    if state == "open":
        qs = qs.filter(state__in=Alert.OPEN_STATES, active=True)
    elif state in Alert.State.values:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule=rule)
    if region:
        qs = qs.filter(narrow_or_404(user, region).q("region_code"))
    if household is not None:
        qs = qs.filter(household_id=household)
    head = Member.objects.filter(household=OuterRef("household"), relation="01", is_active=True)
    return qs.annotate(head_name=Subquery(head.values("name")[:1]), risk_score=risk_score_of("household")).order_by(
        "-points", "deadline", "id")


def risk_score_of(ref: str) -> Subquery:
    per_household = (open_alerts().filter(household=OuterRef(ref)).order_by().values("household")
                     .annotate(s=Sum("points")).values("s"))
    return Coalesce(Subquery(per_household, output_field=IntegerField()), 0)  # type: ignore[return-value]


def missing_lines(user: Any) -> list[dict[str, Any]]:
    """What the last warning run reported: income years and provinces (of the user's scope) without a poverty or
    monitoring line, whose households were not compared with any line (#14 item 7: no silent fallback)."""
    from fupin.core.scoping import scope_of
    from fupin.monitoring.models import Run
    from fupin.regions.models import Region

    run = Run.objects.exclude(finished_at=None).order_by("-id").first()
    if run is None:
        return []
    rows = (run.summary.get("sources", {}).get("INCOME_BELOW_LINE", {}) or {}).get("missing_lines", [])
    scope = scope_of(user)
    rows = [r for r in rows if scope.prefix is not None and (scope.prefix == "" or scope.prefix[:2] == r["province"])]
    names = dict(Region.objects.filter(code__in={r["province"] for r in rows}).values_list("code", "name"))
    return [{**r, "province_name": names.get(r["province"], "")} for r in rows]

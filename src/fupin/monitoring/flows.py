"""Flow statistics (R5.2): for a region and a period, households and persons entering and leaving each
state — newly poor, returned, exited, included as monitoring objects, risk eliminated, removed — counted from
the lifecycle cases the county approved in the period, by main cause; and the alerts raised and resolved.
Grouped queries, scoped to the user's region."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.scoping import scope_of, scoped
from fupin.lifecycle.models import Case, Kind, Stage
from fupin.monitoring.models import Alert
from fupin.registry.models import Member

FLOWS = {
    Kind.IDENTIFICATION: _("identified as poor"),
    Kind.NEW_POVERTY: _("newly poor"),
    Kind.RETURN: _("returned to poverty"),
    Kind.EXIT: _("exited poverty"),
    Kind.MONITORING: _("included as monitoring object"),
    Kind.ELIMINATION: _("risk eliminated"),
    Kind.REMOVAL: _("removed from the registry"),
}


@dataclass
class Flows:
    start: dt.date
    end: dt.date
    region: str
    by_kind: list[dict[str, Any]]
    by_cause: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def flows(user: Any, *, start: dt.date, end: dt.date, region: str = "") -> Flows:
    scope = scope_of(user).narrow(region) if region and region.isdigit() else scope_of(user)
    lo, hi = _bounds(start, end)
    persons = (Member.objects.filter(household=OuterRef("household"), is_active=True).order_by().values("household")
               .annotate(n=Count("id")).values("n"))
    cases = (scoped(Case.objects.all(), user).filter(scope.q(Case.SCOPE_FIELD), stage=Stage.APPROVED,
                                                     closed_at__gte=lo, closed_at__lt=hi)
             .annotate(persons=Coalesce(Subquery(persons, output_field=IntegerField()), 0)))
    counted: dict[str, dict[str, Any]] = {str(r["kind"]): dict(r) for r in cases.values("kind").annotate(households=Count("household", distinct=True),
                                                                     people=Sum("persons"))}
    empty: dict[str, Any] = {}
    by_kind = [{"kind": str(k), "label": label, "households": counted.get(k, empty).get("households", 0),
                "persons": counted.get(k, empty).get("people") or 0} for k, label in FLOWS.items()]
    by_cause = [dict(r) for r in cases.values("kind", "household__main_cause")
                .annotate(households=Count("household", distinct=True)).order_by("kind", "household__main_cause")]
    alerts = scoped(Alert.objects.all(), user).filter(scope.q(Alert.SCOPE_FIELD))
    raised = {r["rule"]: r["n"] for r in alerts.filter(created_at__gte=lo, created_at__lt=hi).values("rule")
              .annotate(n=Count("id"))}
    resolved = {(r["rule"], r["state"]): r["n"] for r in alerts.filter(resolved_at__gte=lo, resolved_at__lt=hi)
                .values("rule", "state").annotate(n=Count("id"))}
    rules = sorted(set(raised) | {k[0] for k in resolved})
    alert_rows = [{"rule": r, "raised": raised.get(r, 0), "included": resolved.get((r, Alert.State.INCLUDED), 0),
                   "dismissed": resolved.get((r, Alert.State.DISMISSED), 0)} for r in rules]
    return Flows(start=start, end=end, region=scope.prefix or "", by_kind=by_kind, by_cause=by_cause,
                 alerts=alert_rows)




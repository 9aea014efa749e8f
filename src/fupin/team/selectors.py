"""Reads of the team app, already limited to the user's region (``core.scoping``).

- ``team_on(region, day)``: the postings in force at a region node on any day (rotation history);
- coverage lists (issue 16 item 3): poor villages without a first secretary / work team / leader, registered
  households without a responsible cadre, cadres with more households than a ceiling;
- ``my_households``: the households of the signed-in cadre with their last visit (the phone list).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from fupin.core.scoping import Scope, get_scoped_or_404, scoped
from fupin.regions.models import Level, Region
from fupin.registry.models import Cadre, Household
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.team.models import Attendance, FollowUp, Posting, PostingRole, Training, Visit

# The ceiling of households per cadre above which the coverage list names the cadre (configurable per request).
DEFAULT_CEILING = 10
MISSING = {
    "first_secretary": (PostingRole.FIRST_SECRETARY,),
    "work_team": (PostingRole.TEAM_LEADER, PostingRole.TEAM_MEMBER),
    "leader": (PostingRole.VILLAGE_LEADER,),
}


def in_force(qs: QuerySet[Posting], day: dt.date) -> QuerySet[Posting]:
    return qs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))


def team_on(user: Any, region_code: str, day: dt.date | None = None) -> QuerySet[Posting]:
    """The team of a region node on ``day`` (today by default): every posting in force there that day."""
    day = day or timezone.localdate()
    return in_force(scoped(Posting.objects.filter(region_id=region_code), user), day).select_related(
        "cadre").order_by("role", "start_date")


def postings(user: Any, region_code: str) -> QuerySet[Posting]:
    """Every posting of a region node, newest first: its rotation history."""
    return scoped(Posting.objects.filter(region_id=region_code), user).select_related("cadre").order_by(
        "-start_date", "role")


def cadres(user: Any, *, region: str = "", kind: str = "", q: str = "") -> QuerySet[Cadre]:
    qs = scoped(Cadre.objects.select_related("region"), user)
    if region:
        qs = qs.filter(Scope(region).q("region__code"))
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(unit__contains=q))
    return qs.annotate(households_n=Count("households")).order_by("region_id", "name", "id")


def cadre(user: Any, pk: int) -> Cadre:
    return get_scoped_or_404(Cadre.objects.select_related("region"), user, pk=pk)


def _scope(user: Any, region: str) -> Scope:
    from fupin.core.scoping import narrow_or_404

    return narrow_or_404(user, region) if region else Scope(_prefix(user))


def _prefix(user: Any) -> str | None:
    from fupin.core.scoping import scope_of

    return scope_of(user).prefix


def villages_missing(user: Any, what: str, *, region: str = "", day: dt.date | None = None) -> QuerySet[Region]:
    """Registered poor villages of the scope without a first secretary, a work team or a leader on ``day``."""
    roles = MISSING[what]
    day = day or timezone.localdate()
    serving = in_force(Posting.objects.filter(region=OuterRef("code"), role__in=roles), day)
    return (Region.objects.filter(_scope(user, region).q("code"), level=Level.VILLAGE, is_poor_village=True)
            .exclude(Exists(serving)).select_related("parent", "parent__parent").order_by("code"))


def households_without_cadre(user: Any, *, region: str = "") -> QuerySet[Household]:
    """Registered households of the scope without a responsible cadre (partial index ``registry_household_no_cadre``)."""
    return (Household.objects.filter(_scope(user, region).q("village__code"), cadre__isnull=True,
                                     status__in=REGISTERED_STATUSES)
            .select_related("village").order_by("village_id", "id"))


def overloaded_cadres(user: Any, *, ceiling: int = DEFAULT_CEILING, region: str = "") -> QuerySet[Cadre]:
    """Cadres of the scope responsible for more than ``ceiling`` households. The households are counted by the
    household table's index on ``cadre_id`` alone (an index-only aggregate, no status read): a household leaves
    its cadre when it leaves the registry."""
    heavy = (Household.objects.filter(cadre__isnull=False).values("cadre_id").annotate(n=Count("id"))
             .filter(n__gt=ceiling).values("cadre_id"))
    return (Cadre.objects.filter(_scope(user, region).q("region__code"), pk__in=heavy)
            .annotate(households_n=Count("households")).select_related("region").order_by("-households_n", "id"))


def my_households(user: Any, *, month: dt.date | None = None) -> QuerySet[Household]:
    """The households of the signed-in cadre, those not yet visited this month first, with the last visit."""
    month = (month or timezone.localdate()).replace(day=1)
    own = Cadre.objects.filter(user=user).first() if getattr(user, "is_authenticated", False) else None
    if own is None:
        return Household.objects.none()
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=month)
    return (Household.objects.filter(cadre=own, status__in=REGISTERED_STATUSES).select_related("village")
            .annotate(visited_this_month=Exists(visited), last_visit=Max("visits__visited_on"))
            .order_by("visited_this_month", "village_id", "number"))


def to_visit(user: Any, *, month: dt.date | None = None) -> QuerySet[Household]:
    """The cadre's households not visited this month (``my_households``' 待走访), visited longest ago (or never) first."""
    return (my_households(user, month=month).filter(visited_this_month=False)  # type: ignore[misc]
            .order_by(F("last_visit").asc(nulls_first=True), "village_id", "number"))


def visit_counts(user: Any, *, month: dt.date | None = None) -> dict[str, int]:
    """One aggregate over the signed-in cadre's households (``my_households``): ``n`` households, ``to_visit`` (not
    visited this month, the page's 待走访) and ``overdue`` (not visited last month either)."""
    month = (month or timezone.localdate()).replace(day=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    if not getattr(user, "is_authenticated", False):
        return {"n": 0, "to_visit": 0, "overdue": 0}
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=month)
    recently = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=last_month)
    return Household.objects.filter(cadre__user=user, status__in=REGISTERED_STATUSES).aggregate(
        n=Count("id"), to_visit=Count("id", filter=~Q(Exists(visited))), overdue=Count("id", filter=~Q(Exists(recently))))


def visits(user: Any, *, household: int | None = None, cadre: int | None = None) -> QuerySet[Visit]:
    qs = scoped(Visit.objects.select_related("household", "household__village", "cadre"), user)
    if household is not None:
        qs = qs.filter(household_id=household)
    if cadre is not None:
        qs = qs.filter(cadre_id=cadre)
    return qs.prefetch_related("photos")


def trainings(user: Any, *, topic: str = "") -> QuerySet[Training]:
    qs = scoped(Training.objects.select_related("region"), user)
    if topic:
        qs = qs.filter(topic=topic)
    return qs.annotate(n=Count("attendance")).order_by("-starts_on", "-id")


def training(user: Any, pk: int) -> Training:
    return get_scoped_or_404(Training.objects.select_related("region"), user, pk=pk)


def attendance(user: Any, training: Training) -> QuerySet[Attendance]:
    return (scoped(Attendance.objects.filter(training=training).select_related("village"), user)
            .annotate(follow_ups_n=Count("follow_ups")).order_by("village_id", "id"))


def trainee(user: Any, pk: int, training: Training | None = None) -> Attendance:
    """One attendance record (a trainee) of the user's region, of ``training`` when given."""
    qs = Attendance.objects.select_related("training", "village", "member", "cadre")
    if training is not None:
        qs = qs.filter(training=training)
    return get_scoped_or_404(qs, user, pk=pk)


def follow_ups(user: Any, trainee: Attendance) -> QuerySet[FollowUp]:
    return scoped(FollowUp.objects.filter(attendance=trainee), user).order_by("-visited_on", "-id")


def trainings_of(user: Any, *, id_number: str = "", cadre: int | None = None) -> QuerySet[Attendance]:
    """Every attendance (with its certificate) of one person in the user's region: by ID number, or of a team
    member."""
    if not id_number and cadre is None:
        return Attendance.objects.none()
    match = Q(id_number=id_number) if id_number else Q()
    if cadre is not None:
        match |= Q(cadre_id=cadre)
    return (scoped(Attendance.objects.filter(match), user).select_related("training")
            .order_by("-training__starts_on", "-id"))

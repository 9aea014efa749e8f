"""Reads of the lifecycle, scoped to the user's subtree (fupin.core.scoping); the public notice list is
the one read without a user, and it carries no personal data beyond masked names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fupin.core.masking import mask_name
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, scoped
from fupin.core.tree import is_code, subtree_bounds
from fupin.lifecycle.models import OPEN_STAGES, Case, Measure, MonitoringRecord, Notice, Objection, Stage
from fupin.registry.models import Household, Member

# Days a step may wait before it is overdue (the deadline shown in the work queues).
STEP_DAYS = {Stage.APPLIED: 15, Stage.REVIEWED: 5, Stage.NOTICE: 10, Stage.AUDITED: 10}


def household_for(user: Any, pk: int) -> Household:
    return get_scoped_or_404(Household.objects.select_related("village"), user, pk=pk)


def case_for(user: Any, pk: int) -> Case:
    return get_scoped_or_404(Case.objects.select_related("household", "household__village", "notice"), user, pk=pk)


def cases_of(household: Household) -> QuerySet[Case]:
    return household.cases.prefetch_related("steps", "objections").order_by("-opened_at", "-id")


def measures_of(household: Household) -> QuerySet[Measure]:
    return household.measures.select_related("cadre").order_by("-start_date", "-id")


def labelled_measures(household: Household) -> list[Measure]:
    """The household's measures with the names of their type and source of funds (``type_label``,
    ``source_label``), as the lifecycle page and the dossier show them."""
    from fupin.core.codes import label

    measures = list(measures_of(household))
    for m in measures:
        m.type_label = label("measure_type", m.type)  # type: ignore[attr-defined]
        m.source_label = label("fund_source", m.fund_source)  # type: ignore[attr-defined]
    return measures


def measure_for(user: Any, pk: int) -> Measure:
    return get_scoped_or_404(Measure.objects.select_related("household", "household__village", "cadre"), user, pk=pk)


def measures(user: Any, type_code: str = "") -> QuerySet[Measure]:
    qs = scoped(Measure.objects.select_related("household", "household__village"), user)
    return qs.filter(type=type_code) if type_code else qs


def monitoring_of(household: Household) -> QuerySet[MonitoringRecord]:
    return household.monitoring.order_by("-started_on", "-id")


@dataclass
class QueueItem:
    case: Case
    task: str
    age_days: int
    deadline: dt.date
    overdue: bool
    ready: bool


def queue(user: Any, today: dt.date | None = None) -> list[QueueItem]:
    """What waits for the user: by the step of each of their roles, inside their region, oldest first."""
    today = today or timezone.localdate()
    wanted = Q(pk__in=[])
    if user.has_role(Role.CLERK):
        wanted |= Q(stage__in=[Stage.APPLIED, Stage.REVIEWED])
    if user.has_role(Role.TOWNSHIP_REVIEWER):
        wanted |= Q(stage=Stage.NOTICE)
    if user.has_role(Role.COUNTY_ADMIN):
        wanted |= Q(stage=Stage.AUDITED)
    qs = (
        scoped(Case.objects.filter(stage__in=OPEN_STAGES), user)
        .filter(wanted)
        .select_related("household", "household__village", "notice")
        .annotate(open_objections=Count("objections", filter=Q(objections__resolved_at__isnull=True)))
        .order_by("stage_since", "id")
    )
    tasks = {Stage.APPLIED: "review", Stage.REVIEWED: "notice", Stage.NOTICE: "audit", Stage.AUDITED: "approve"}
    items = []
    for case in qs[:1000]:
        since = timezone.localdate(case.stage_since)
        start = since
        ready = True
        if case.stage == Stage.NOTICE and case.notice:
            start = case.notice.ends_on + dt.timedelta(days=1)
            ready = today >= start and not case.open_objections  # type: ignore[attr-defined]
        deadline = start + dt.timedelta(days=STEP_DAYS[Stage(case.stage)])
        items.append(QueueItem(case, tasks[Stage(case.stage)], (today - since).days, deadline, today > deadline, ready))
    return items


@dataclass
class NoticeEntry:
    number: str
    head: str
    size: int
    kind: str


def current_notices(today: dt.date | None = None, region: str = "") -> QuerySet[Notice]:
    """Notices running today or ended in the last 30 days (public, no login)."""
    today = today or timezone.localdate()
    qs = Notice.objects.filter(starts_on__lte=today, ends_on__gte=today - dt.timedelta(days=30))
    if region:
        qs = qs.filter(village__code__range=subtree_bounds(region)) if is_code(region) else qs.none()
    return qs.select_related("village", "village__parent").order_by("village_id", "-starts_on")


def notice_entries(notice: Notice) -> list[NoticeEntry]:
    """The households of a notice with the head's name masked and no ID number."""
    out = []
    cases = notice.cases.select_related("household").order_by("household__number")
    heads = dict(
        Member.objects.filter(household__cases__notice=notice, relation="01", is_active=True)
        .values_list("household_id", "name")
    )
    sizes = dict(
        Member.objects.filter(household__cases__notice=notice, is_active=True)
        .values("household_id").annotate(n=Count("id")).values_list("household_id", "n")
    )
    for c in cases:
        out.append(NoticeEntry(c.household.number, mask_name(heads.get(c.household_id, "")),
                               sizes.get(c.household_id, 0), c.kind))
    return out


def cases(user: Any, *, stage: str = "", kind: str = "", household: int | None = None) -> QuerySet[Case]:
    """The cases in the user's region, newest first, optionally of one stage, procedure or household."""
    qs = scoped(Case.objects.select_related("household", "household__village"), user)
    if stage:
        qs = qs.filter(stage=stage)
    if kind:
        qs = qs.filter(kind=kind)
    if household is not None:
        qs = qs.filter(household_id=household)
    return qs.order_by("-opened_at", "-id")


def objection_for(user: Any, pk: int) -> Objection:
    return get_scoped_or_404(Objection.objects.select_related("case"), user, pk=pk)

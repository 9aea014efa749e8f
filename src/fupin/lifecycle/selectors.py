"""Reads of the lifecycle, scoped to the user's subtree (fupin.core.scoping); the public notice list is
the one read without a user, and it carries no personal data beyond masked names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from fupin.core.masking import mask_name
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, scoped
from fupin.core.tree import is_code, subtree_bounds
from fupin.lifecycle.models import Case, Measure, MonitoringRecord, Notice, Objection, Stage
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


def my_stages(user: Any) -> list[str]:
    """The stages whose next step the user's roles take: the clerk reviews and posts the notice, the township
    audits after the notice, the county approves."""
    stages: list[str] = []
    if user.has_role(Role.CLERK):
        stages += [Stage.APPLIED, Stage.REVIEWED]
    if user.has_role(Role.TOWNSHIP_REVIEWER):
        stages.append(Stage.NOTICE)
    if user.has_role(Role.COUNTY_ADMIN):
        stages.append(Stage.AUDITED)
    return stages


# The steps of the bulk bar of the queue (the service's STEP_FUNCTIONS names), by the stage they decide.
BULK_STEP_OF_STAGE: dict[str, str] = {Stage.APPLIED: "review", Stage.NOTICE: "audit", Stage.AUDITED: "approve"}


def bulk_steps(user: Any) -> list[str]:
    """The bulk decisions the user's roles may take, in the order of the chain."""
    return [BULK_STEP_OF_STAGE[s] for s in my_stages(user) if s in BULK_STEP_OF_STAGE]


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class QueueCounts:
    total: int
    ready: int
    overdue: int


def queue_counts(user: Any, today: dt.date | None = None) -> QueueCounts:
    """The counts of ``queue`` in one aggregate query (the workbench and the top bar): cases at the user's steps,
    those that can be decided now (a notice ended, no open objection), those past their deadline."""
    today = today or timezone.localdate()
    stages = my_stages(user)
    if not stages:
        return QueueCounts(0, 0, 0)
    overdue = Q(pk__in=[])
    for stage, days in STEP_DAYS.items():
        if stage == Stage.NOTICE:
            # the audit is due STEP_DAYS after the day after the notice ended
            overdue |= Q(stage=stage, notice__ends_on__lt=today - dt.timedelta(days=days + 1))
        else:
            overdue |= Q(stage=stage, stage_since__lt=_start_of(today - dt.timedelta(days=days)))
    waiting = Q(stage=Stage.NOTICE) & (Q(notice__ends_on__gte=today) | Q(blocked=True))
    open_objection = Objection.objects.filter(case=OuterRef("pk"), resolved_at__isnull=True)
    qs = scoped(Case.objects.filter(stage__in=stages), user).annotate(blocked=Exists(open_objection))
    row = qs.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=overdue),
    )
    return QueueCounts(row["total"], row["total"] - row["waiting"], row["overdue"])


def queue(user: Any, today: dt.date | None = None) -> list[QueueItem]:
    """What waits for the user: by the step of each of their roles, inside their region, oldest first."""
    today = today or timezone.localdate()
    qs = (
        scoped(Case.objects.filter(stage__in=my_stages(user)), user)
        .select_related("household", "household__village", "notice")
        .annotate(open_objections=Count("objections", filter=Q(objections__resolved_at__isnull=True)),
                  head_name=Subquery(Member.objects.filter(household=OuterRef("household"), relation="01",
                                                           is_active=True).values("name")[:1]))
        .order_by("stage_since", "id")
    )
    return [_item(case, today) for case in qs[:1000]]


TASKS = {Stage.APPLIED: "review", Stage.REVIEWED: "notice", Stage.NOTICE: "audit", Stage.AUDITED: "approve"}


def _item(case: Case, today: dt.date) -> QueueItem:
    """The deadline of the case's next step: STEP_DAYS after it reached its stage (after the notice ended, for
    the audit); ``ready``: the step can be taken today."""
    since = timezone.localdate(case.stage_since)
    start = since
    ready = True
    if case.stage == Stage.NOTICE and case.notice:
        start = case.notice.ends_on + dt.timedelta(days=1)
        ready = today >= start and not case.open_objections  # type: ignore[attr-defined]
    deadline = start + dt.timedelta(days=STEP_DAYS[Stage(case.stage)])
    return QueueItem(case, TASKS[Stage(case.stage)], (today - since).days, deadline, today > deadline, ready)


def queue_item(case: Case, today: dt.date | None = None) -> QueueItem | None:
    """The queue's view of one case (its deadline), None when it is closed."""
    if case.stage not in STEP_DAYS:
        return None
    case.open_objections = case.objections.filter(resolved_at__isnull=True).count()  # type: ignore[attr-defined]
    return _item(case, today or timezone.localdate())


def head_name(household: Household) -> str:
    """The name of the household's head (unmasked: the caller masks it for the user)."""
    return str(Member.objects.filter(household=household, relation="01", is_active=True)
               .values_list("name", flat=True).first() or "")


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

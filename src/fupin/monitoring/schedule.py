"""The nightly run of the warning rules. django-tasks has no periodic scheduler, so ``fupin schedule`` sleeps
until the configured time (``FUPIN_MONITORING_AT``, local time, default 02:00) and enqueues the task
``run_monitoring`` for ``fupin db_worker`` — unless a run is already queued or running, or one finished today
(nightly, on demand from the command, or after a risk report). The decision is :func:`is_due`, a pure function
of the time and of the state read by :func:`current_state`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


def run_time() -> dt.time:
    """``FUPIN_MONITORING_AT`` as a time; a malformed value is an error at start, not a silent default."""
    text = str(getattr(settings, "FUPIN_MONITORING_AT", "02:00"))
    try:
        hours, minutes = (int(p) for p in text.split(":"))
        return dt.time(hours, minutes)
    except ValueError as exc:
        raise ValueError(f"FUPIN_MONITORING_AT must be HH:MM (local time), not {text!r}") from exc


@dataclass(frozen=True)
class State:
    busy: bool  # a run_monitoring task is queued or running
    last_finished: dt.datetime | None  # when the latest warning run finished (any channel)


def slot(day: dt.date, at: dt.time) -> dt.datetime:
    """The run time of ``day`` in the current (local) time zone."""
    return dt.datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def is_due(now: dt.datetime, at: dt.time, state: State) -> tuple[bool, str]:
    """Whether to enqueue a run at ``now`` (aware), and why (for the log). Due once today's run time has passed,
    no run is queued or running, and no run finished today — so a scheduler started late in the day catches up
    once, and a restart does not run twice."""
    local = timezone.localtime(now)
    if local < slot(local.date(), at):
        return False, f"not before {at:%H:%M}"
    if state.busy:
        return False, "a run is already queued or running"
    if state.last_finished is not None and timezone.localtime(state.last_finished).date() == local.date():
        return False, f"a run finished today at {timezone.localtime(state.last_finished):%H:%M}"
    return True, "due"


def next_check(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The next run time strictly after ``now``: today's if still ahead, else tomorrow's."""
    local = timezone.localtime(now)
    today = slot(local.date(), at)
    return today if local < today else slot(local.date() + dt.timedelta(days=1), at)


def current_state() -> State:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from fupin.monitoring.models import Run
    from fupin.monitoring.tasks import run_monitoring

    busy = DBTaskResult.objects.filter(
        task_path=run_monitoring.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()
    last = Run.objects.filter(finished_at__isnull=False).order_by("-finished_at").values_list("finished_at", flat=True)
    return State(busy=busy, last_finished=last.first())

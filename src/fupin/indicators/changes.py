"""Every write that changes an indicator's inputs says so, explicitly, in its service: ``mark_changed(codes)``.

- A write that leaves a timestamp the refresh finds (a household saved: ``Household.updated_at``) or that changes
  only records every refresh recomputes in full (monitoring records, doubts, alerts, connectivity events and
  facilities) still calls it — with the regions it touched, or with none — so that a refresh is requested.
- A write to a household's members or yearly incomes (tables without a timestamp) names the household: its
  ``updated_at`` is set. Other writes that leave no timestamp (households deleted, rural population figures, poverty
  lines) name their region: the refresh recomputes every household of the villages under it ("" for all).

The refresh is one background task (``tasks.refresh_indicators``), enqueued when the transaction commits unless one
is already waiting; it starts ``FUPIN_INDICATOR_REFRESH_DELAY`` seconds later (default 20) so that a burst of writes
is refreshed once, and the worker has the marked villages' figures within a minute.

The writers call ``fupin.core.changes.mark_changed``, which this app subscribes to (IndicatorsConfig.ready), so that
the lower apps never import the indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fupin.core.tree import is_node_code
from fupin.indicators.models import ChangedRegion
from fupin.registry.models import Household

DEFAULT_DELAY = 20.0  # seconds


def mark_changed(codes: Iterable[str | None], at: dt.datetime | None = None, *, households: Iterable[int] = ()) -> int:
    """Record that the indicator inputs of these regions changed (a village, or a larger region for all its
    villages; "" for every village) — or, more precisely, of these ``households`` (a member or an income written:
    their ``updated_at`` is set, and the refresh recomputes just them) — and request a refresh when the transaction
    commits. Returns the number of regions recorded."""
    ids = list(households)
    if ids:
        Household.objects.filter(pk__in=ids).update(updated_at=at or timezone.now())
    rows = sorted({c for c in codes if c == "" or (c is not None and is_node_code(c))})
    if rows:
        value = connection.ops.adapt_datetimefield_value(at or timezone.now())
        table = ChangedRegion._meta.db_table
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {table} (code, changed_at) VALUES (%s, %s) "
                f"ON CONFLICT (code) DO UPDATE SET changed_at = excluded.changed_at",
                [(c, value) for c in rows],
            )
    if not connection.in_atomic_block:
        request_refresh()
        return len(rows)
    pending = getattr(connection, "fupin_refresh_request", None)
    if pending is None or pending.done or not any(entry[1] is pending for entry in connection.run_on_commit):
        pending = _OnCommit()  # once per transaction (a rolled-back transaction's request went with it)
        connection.fupin_refresh_request = pending  # type: ignore[attr-defined]
        transaction.on_commit(pending)
    return len(rows)


class _OnCommit:
    done = False

    def __call__(self) -> None:
        self.done = True
        request_refresh()


def delay() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "FUPIN_INDICATOR_REFRESH_DELAY", DEFAULT_DELAY)))


def request_refresh() -> None:
    """Enqueue one refresh of the open periods, unless one is waiting to start already (it will see this change:
    a refresh reads the changes made up to its start)."""
    from django_tasks import default_task_backend
    from django_tasks.base import TaskResultStatus

    from fupin.indicators.tasks import refresh_indicators

    if not default_task_backend.supports_defer:  # the immediate backend (tests): refresh now
        refresh_indicators.enqueue()
        return
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=refresh_indicators.module_path, status=TaskResultStatus.READY).exists():
        return
    refresh_indicators.using(run_after=timezone.now() + delay()).enqueue()

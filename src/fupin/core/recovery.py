"""Background jobs a stopped worker left behind (issue 20 C2). A worker killed in the middle of a job (kill -9, out of
memory, power loss) leaves its task marked as running forever; the job's own transaction was rolled back by the
database, so nothing of it is written. ``recover_interrupted`` — run by ``fupin recover_tasks`` before the worker
starts (``make serve``, the systemd unit) — marks each such task failed with the reason and queues it again once;
a task interrupted a second time is left failed, and its app's ``on_abandoned`` handler marks its own record
(an import job, a report) failed with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

REASON = "后台任务进程中途停止，任务未完成，未写入任何数据 / the worker stopped in the middle of the job; nothing of it was written"
MARKER = "fupin.core.recovery.WorkerStopped"

# task path (module.function) → handler(args, kwargs, reason) marking the app's record of the job failed
_ABANDONED: dict[str, Callable[[list[Any], dict[str, Any], str], None]] = {}


class WorkerStopped(Exception):
    pass


def on_abandoned(task_path: str) -> Callable[[Callable[[list[Any], dict[str, Any], str], None]],
                                             Callable[[list[Any], dict[str, Any], str], None]]:
    def register(fn: Callable[[list[Any], dict[str, Any], str], None]) -> Callable[[list[Any], dict[str, Any], str], None]:
        _ABANDONED[task_path] = fn
        return fn
    return register


@dataclass
class Recovered:
    task_id: str
    task_path: str
    retried_as: str | None


def recover_interrupted(*, started_before: dt.datetime | None = None, retry: bool = True) -> list[Recovered]:
    """Every task marked running (started before ``started_before``, default: all — call it when no worker runs)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    out: list[Recovered] = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    if started_before is not None:
        running = running.filter(started_at__lt=started_before)
    for result in running.order_by("started_at"):
        with transaction.atomic():
            result.status = TaskResultStatus.FAILED
            result.finished_at = timezone.now()
            result.exception_class_path = MARKER
            result.traceback = f"{REASON} (worker {', '.join(result.worker_ids) or '?'})"
            result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            before = DBTaskResult.objects.filter(task_path=result.task_path, args_kwargs=result.args_kwargs,
                                                 exception_class_path=MARKER).exclude(pk=result.pk).exists()
            retried = None
            if retry and not before:
                retried = DBTaskResult.objects.create(
                    status=TaskResultStatus.READY, args_kwargs=result.args_kwargs, priority=result.priority,
                    task_path=result.task_path, queue_name=result.queue_name, backend_name=result.backend_name,
                    run_after=timezone.now())
            else:
                handler = _ABANDONED.get(result.task_path)
                if handler is not None:
                    handler(list(result.args_kwargs.get("args", [])), dict(result.args_kwargs.get("kwargs", {})),
                            REASON)
        out.append(Recovered(str(result.pk), result.task_path, str(retried.pk) if retried else None))
    return out

"""Registry imports from the web run as background jobs (django-tasks): the upload is stored under
``VAR_DIR/imports/<job>/``, the worker runs ``importer.import_registry`` and records progress, the summary
and the error report on the ``ImportJob``."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks import task

from fupin.core.audit import set_channel
from fupin.core.changes import mark_changed
from fupin.core.scoping import scope_of
from fupin.registry import importer
from fupin.registry.models import ImportJob

ALLOWED_SUFFIXES = (".xlsx", ".csv")


def job_dir(job: ImportJob | int) -> Path:
    return Path(settings.VAR_DIR) / "imports" / str(job if isinstance(job, int) else job.pk)


def _safe_name(name: str) -> str:
    name = Path(name).name
    return re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", name)[:100] or "upload"


def start_import(*, actor: Any, files: list[Any], dry_run: bool) -> ImportJob:
    """Store the uploaded files, create the job and queue it. Only registry writers may import."""
    importer.check_can_import(actor)
    scope = scope_of(actor)
    job = ImportJob.objects.create(
        actor=actor, username=actor.username, region_code=scope.prefix or "", dry_run=dry_run,
        stage="排队中 / queued",
    )
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for i, f in enumerate(files):
        path = folder / f"{i}-{_safe_name(f.name)}"
        with path.open("wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
        stored.append({"name": f.name, "path": str(path)})
    job.files = stored
    job.save(update_fields=["files"])
    run_import_job.enqueue(job.pk)
    return job


def _progress_path(job_id: int) -> Path:
    return job_dir(job_id) / "progress.json"


def _progress(job_id: int):  # type: ignore[no-untyped-def]
    """Record the stage of a running import. The write phase runs in one transaction (on SQLite it also holds
    the database's only write lock), where an update of the job's row would stay invisible — or wait — until
    the end; so the stage is also kept in a small file beside the upload, which the progress page reads."""
    path = _progress_path(job_id)

    def say(stage: str, fraction: float) -> None:
        stage, fraction = stage[:100], max(0.0, min(1.0, fraction))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stage": stage, "progress": fraction}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # readers see the old or the new stage, never half a file
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=job_id).update(stage=stage, progress=fraction)

    return say


def live_progress(job: ImportJob) -> tuple[str, float]:
    """Stage and fraction of ``job``: while it runs, as its progress file has them."""
    if job.status == ImportJob.Status.RUNNING:
        try:
            data = json.loads(_progress_path(job.pk).read_text(encoding="utf-8"))
            return str(data["stage"]), float(data["progress"])
        except (OSError, ValueError, KeyError):
            pass
    return job.stage, job.progress


@task()
def run_import_job(job_id: int) -> str:
    set_channel("web:import")
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    paths = [Path(f["path"]) for f in job.files]
    try:
        result = importer.import_registry(
            paths, actor=job.actor, dry_run=job.dry_run, progress=_progress(job_id),
            report_path=job_dir(job) / "errors.xlsx",
        )
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now(),
            stage="失败 / failed",
        )
        raise
    if result.ok and not result.dry_run:  # the households written carry updated_at: the refresh finds them
        mark_changed(())
    status = ImportJob.Status.DONE if result.ok else ImportJob.Status.REJECTED
    ImportJob.objects.filter(pk=job_id).update(
        status=status, progress=1.0, finished_at=timezone.now(),
        summary={**result.summary(), "first_errors": [e.__dict__ for e in result.errors[:50]]},
        error_report=str(result.error_report or ""),
        stage="完成 / done" if result.ok else "有错误，未写入 / rejected, nothing written",
    )
    return str(status)

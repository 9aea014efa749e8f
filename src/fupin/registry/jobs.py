"""Storage of registry imports run from the web as background jobs: the upload under ``VAR_DIR/imports/<job>/``
and the progress file beside it. ``services.start_import`` stores and queues; ``services.run_import_job`` (the
worker) runs ``services.import_registry`` and records progress, the summary and the error report on the job."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from django.conf import settings
from django.db import connection

from fupin.registry.models import ImportJob

ALLOWED_SUFFIXES = (".xlsx", ".csv")


def job_dir(job: ImportJob | int) -> Path:
    return Path(settings.VAR_DIR) / "imports" / str(job if isinstance(job, int) else job.pk)


def safe_name(name: str) -> str:
    name = Path(name).name
    return re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", name)[:100] or "upload"


def _progress_path(job_id: int) -> Path:
    return job_dir(job_id) / "progress.json"


def progress_recorder(job_id: int):  # type: ignore[no-untyped-def]
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

"""Background job of data quality: all enabled rules in one run, for ``fupin db_worker``, so that a national run
does not hold a web request or a terminal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django_tasks import task

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.quality import services


@task()
def run_quality(as_of: str | None = None, rules: list[str] | None = None, snapshot: str | None = None
                ) -> dict[str, object]:
    set_channel("task:run_quality")
    run = services.run_quality(actor=SYSTEM, as_of=dt.date.fromisoformat(as_of) if as_of else None, rule_codes=rules or None,
                               snapshot_dir=Path(snapshot) if snapshot else None)
    return {"run": run.pk, **run.summary}

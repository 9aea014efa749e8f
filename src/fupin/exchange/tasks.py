"""Background job of data comparison: the whole-registry comparison, for ``fupin db_worker``, so that a national run
(minutes at 10 million persons) does not hold a web request or a terminal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django_tasks import task

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.exchange import services


@task()
def run_comparison(as_of: str | None = None, rules: list[str] | None = None, snapshot: str | None = None
                   ) -> dict[str, object]:
    set_channel("task:run_comparison")
    run = services.run_comparison(actor=SYSTEM, as_of=dt.date.fromisoformat(as_of) if as_of else None, rule_codes=rules or None,
                                  snapshot_dir=Path(snapshot) if snapshot else None)
    return {"run": run.pk, **run.summary}

"""Background job of the indicator system: refresh every open period (``fupin db_worker``)."""

from __future__ import annotations

from django_tasks import task

from fupin.core.audit import set_channel
from fupin.indicators import services


@task()
def refresh_indicators(period: str = "", full: bool = False) -> list[dict[str, object]]:
    set_channel("task:refresh_indicators")
    results = [services.refresh(period, full=full)] if period else services.refresh_open(full=full)
    return [{"period": r.period, "full": r.full, "villages": r.villages, "households": r.households, "written": r.written, "deleted": r.deleted,
             "seconds": round(r.seconds, 3)} for r in results]

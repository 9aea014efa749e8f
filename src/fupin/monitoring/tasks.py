"""Background job of early warning: the nightly (or on-demand) run of every rule, for ``fupin db_worker``."""

from __future__ import annotations

from django_tasks import task

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.monitoring import services


@task()
def run_monitoring() -> dict[str, object]:
    set_channel("task:run_monitoring")
    return dict(services.run_rules(actor=SYSTEM).summary)

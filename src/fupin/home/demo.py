"""Work waiting on the demo workbenches (演示数据): some of the demo township's alerts visited or dismissed by its
reviewer, and a few alerts and doubts past their deadline, so that the workbench shows overdue work.

Backdating (demo only): a fresh run of the rules dates every deadline days ahead; ``make_overdue`` moves a few
deadlines into the past with an UPDATE, as if the alerts had been raised weeks ago. Nothing else does that."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fupin.core.models import User
from fupin.core.scoping import scoped
from fupin.exchange.models import Doubt
from fupin.monitoring import services as monitoring
from fupin.monitoring.models import Alert

MARK = "（演示）"  # the visit notes and reasons written here start with it (--if-empty looks for it)


def has_demo_work() -> bool:
    return Alert.objects.filter(visit_note__startswith=MARK).exists() or \
        Alert.objects.filter(reason__startswith=MARK).exists()


def generate(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    township = User.objects.filter(username="demo_township").first()
    county = User.objects.filter(username="demo_county").first()
    done = {"visited": 0, "dismissed": 0, "alerts_overdue": 0, "doubts_overdue": 0}
    if township is None or county is None:
        return done
    alerts = list(scoped(Alert.objects.filter(state=Alert.State.NEW, active=True), township).order_by("-points", "id")
                  .values_list("pk", flat=True)[:12])
    notes = ["入户核实：户主住院治疗，家庭收入减少，需持续关注", "入户核实：房屋经鉴定为 C 级，已报危房改造"]
    acts: list[tuple[Any, dict[str, Any], str]] = [
        (monitoring.visit, {"note": MARK + notes[0]}, "visited"),
        (monitoring.visit, {"note": MARK + notes[1]}, "visited"),
        (monitoring.dismiss, {"reason": MARK + "入户核实：已外出务工，收入稳定，无返贫风险"}, "dismissed"),
    ]
    for pk, (fn, kwargs, what) in zip(alerts[:3], acts, strict=False):
        try:
            fn(actor=township, alert_id=pk, **kwargs)
            done[what] += 1
        except (ValidationError, PermissionDenied):
            continue
    # a few of the remaining new alerts raised weeks ago: their visit is overdue
    late = alerts[3:7]
    for i, pk in enumerate(late):
        Alert.objects.filter(pk=pk).update(deadline=today - dt.timedelta(days=3 + 4 * i))
    done["alerts_overdue"] = len(late)
    doubts = list(scoped(Doubt.objects.filter(state=Doubt.State.OPEN, active=True), county).order_by("deadline", "id")
                  .values_list("pk", flat=True)[:3])
    for i, pk in enumerate(doubts):
        Doubt.objects.filter(pk=pk).update(deadline=today - dt.timedelta(days=2 + 5 * i))
    done["doubts_overdue"] = len(doubts)
    return done

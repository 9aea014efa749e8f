"""Post-exit tracking (follow-up visits) and the poverty lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fupin.core import audit, permissions
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.lifecycle.models import (
    FollowUp,
    PovertyLine,
)
from fupin.lifecycle.services import common
from fupin.lifecycle.services.common import (
    LifecycleError,
    _check_step,
)
from fupin.registry.models import Household

# --- post-exit tracking and poverty lines ------------------------------------------------------------------


@transaction.atomic
def record_follow_up(
    *, actor: Any, household: Household, stable: bool, note: str = "", visited_on: dt.date | None = None
) -> FollowUp:
    """A tracking visit of an exited household (脱贫不脱政策, 跟踪回访)."""
    role = _check_step(actor, household, "follow_up")
    if household.status not in ("exited", "monitored"):
        raise LifecycleError("仅对已脱贫户跟踪回访 / only exited households are followed up")
    visit = FollowUp.objects.create(household=household, visited_on=visited_on or common.today(), visitor=actor,
                                    stable=stable, note=note[:500])
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=visit,
                 summary=f"follow-up {household.number}: {'stable' if stable else 'at risk'}", detail={"role": role})
    return visit


def record_line_revision(*, actor: Any, line: PovertyLine | None, year: int, standard: str, province: str,
                         before: PovertyLine | None, reason: str) -> None:
    """Keep what a line was and became (``line`` None: removed), by whom and why: the lines' history."""
    from fupin.lifecycle.models import PovertyLineRevision

    PovertyLineRevision.objects.create(
        line=line, year=year, standard=standard, province=province,
        amount_before=before.amount if before else None, amount_after=line.amount if line else None,
        note_before=before.note if before else "", note_after=line.note if line else "", reason=reason[:300],
        username=getattr(actor, "username", "") or "")


@transaction.atomic
def set_poverty_line(
    *, actor: Any, year: int, standard: str, amount: Decimal | str, province: str = "", note: str = "",
    reason: str = "",
) -> PovertyLine:
    """Administrators maintain the lines (the admin site writes through the same checks); every change is kept in
    the line's history (``PovertyLineRevision``)."""
    if not permissions.has_any_role(actor, {Role.SYSADMIN}, system=False):
        raise PermissionDenied("仅系统管理员可维护扶贫标准 / only system administrators maintain poverty lines")
    if standard not in PovertyLine.Standard.values:
        raise LifecycleError(f"未知的标准 {standard!r} / unknown standard")
    if (standard == PovertyLine.Standard.NATIONAL) != (province == ""):
        raise LifecycleError("省定标准须指定省份，国家标准不指定 / a provincial line names its province, the national one none")
    before = PovertyLine.objects.select_for_update().filter(year=year, standard=standard, province=province).first()
    before_copy = PovertyLine(amount=before.amount, note=before.note) if before else None
    line, _ = PovertyLine.objects.update_or_create(
        year=year, standard=standard, province=province, defaults={"amount": Decimal(str(amount)), "note": note}
    )
    record_line_revision(actor=actor, line=line, year=year, standard=standard, province=province, before=before_copy,
                         reason=reason or ("修改标准 / line changed" if before else "新增标准 / line added"))
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=line, summary=f"poverty line {line}",
                 detail={"before": str(before_copy.amount) if before_copy else None, "after": str(line.amount)})
    mark_changed([province])  # "" (the national line): every village
    return line

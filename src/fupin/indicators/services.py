"""Writes of the indicator system: periods, refreshes (incremental or full), freezing, assessment schemes and
report requests.

A refresh of a period recomputes the values of every indicator for every region node (``compute.run``). The
first refresh of a period, and ``full=True``, rebuild everything; afterwards a refresh recomputes the household facts
of the households changed since the period's last refresh, re-sums their villages and the villages' ancestors, and
recomputes the small groups (medians, monitoring records, doubts, alerts, coverage) in full; it writes only the rows
whose figures changed. A frozen period is never refreshed again, so a published figure can be reproduced.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import audit
from fupin.core.changes import mark_changed as mark_changed  # the writers' call, re-exported
from fupin.core.models import AuditEvent
from fupin.indicators import assessment, compute, definitions, reports, selectors
from fupin.indicators.models import (
    AssessmentScheme,
    AssessmentWeight,
    ChangedRegion,
    HouseholdFact,
    MedianState,
    Period,
    Report,
)
from fupin.regions.models import Level
from fupin.registry.models import Household

# Changes committed by a transaction that started before a refresh began may carry a timestamp older than the
# refresh; villages changed within this margin before the last refresh are recomputed again.
DEFAULT_OVERLAP = dt.timedelta(minutes=5)

PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


class IndicatorError(Exception):
    """A refused request, with a message in Chinese and English."""


class PeriodFrozen(IndicatorError):
    pass


def overlap() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "FUPIN_INDICATOR_REFRESH_OVERLAP", DEFAULT_OVERLAP.total_seconds()))


def reconstructed_after() -> dt.timedelta:
    """How long after its end a period may still be refreshed (its last refresh, the freeze) without its figures being
    called reconstructed."""
    return dt.timedelta(days=getattr(settings, "FUPIN_INDICATOR_RECONSTRUCTED_AFTER", 1))


def period_bounds(code: str) -> tuple[str, dt.date, dt.date]:
    """Kind, first and last day of a period code ("2026" or "2026-11")."""
    m = PERIOD_RE.match(code or "")
    if not m:
        raise IndicatorError(f"“{code}”不是期间（年份如 2026，月份如 2026-11） / {code!r} is not a period "
                             "(a year such as 2026 or a month such as 2026-11)")
    year = int(m.group(1))
    if not 2000 <= year <= 2100:
        raise IndicatorError(f"年份 {year} 超出范围 / year {year} is out of range")
    if m.group(2) is None:
        return Period.Kind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise IndicatorError(f"月份 {month} 不存在 / there is no month {month}")
    return Period.Kind.MONTH, dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def ensure_period(code: str) -> Period:
    kind, starts_on, ends_on = period_bounds(code)
    period, _created = Period.objects.get_or_create(
        code=code, defaults={"kind": kind, "starts_on": starts_on, "ends_on": ends_on})
    return period


def current_codes(today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    return [str(today.year), f"{today.year}-{today.month:02d}"]


@dataclass
class RefreshResult:
    period: str
    full: bool
    villages: int | None  # villages re-summed (None: all)
    households: int  # household facts written (registered households among those recomputed)
    regions: int  # regions touched by the registry figures in an incremental refresh (0: full)
    written: int
    deleted: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    touched: list[str] = field(default_factory=list)  # the changed villages and their ancestors (incremental)


@transaction.atomic
def refresh(period: Period | str, *, full: bool = False, progress: Callable[[str], None] | None = None
            ) -> RefreshResult:
    """Recompute the values of ``period`` — incrementally unless it was never refreshed or ``full``."""
    code = period.code if isinstance(period, Period) else period
    locked = Period.objects.select_for_update().filter(code=code).first()
    if locked is None:
        locked = ensure_period(code)
        locked = Period.objects.select_for_update().get(code=code)
    if locked.is_frozen:
        raise PeriodFrozen(
            f"期间 {locked.code} 已于 {timezone.localtime(locked.frozen_at):%Y-%m-%d %H:%M} 冻结，数值不再刷新 / "
            f"period {locked.code} was frozen on {timezone.localtime(locked.frozen_at):%Y-%m-%d %H:%M}; its values "
            "are no longer refreshed"
        )
    started = timezone.now()
    t0 = time.perf_counter()
    # Without household facts (a period refreshed before they existed) an incremental refresh has nothing to re-sum.
    has_facts = HouseholdFact.objects.filter(period=locked).exists() or not Household.objects.exists()
    since = None if full or locked.refreshed_at is None or not has_facts else locked.refreshed_at - overlap()
    win = compute.window(locked.starts_on, locked.ends_on)
    out = compute.run(locked.code, win, since=since, progress=progress)
    locked.refreshed_at = started
    # Computed after the period ended: today's registry state stands for the period's end (said wherever shown).
    locked.reconstructed = locked.reconstructed or started > win.end_ts + reconstructed_after()
    locked.save(update_fields=["refreshed_at", "reconstructed"])
    return RefreshResult(period=locked.code, full=out.full, villages=out.villages, households=out.households,
                         regions=len(out.touched),
                         written=out.written, deleted=out.deleted, seconds=time.perf_counter() - t0,
                         timings=out.timings, touched=out.touched)


def refresh_open(*, full: bool = False, progress: Callable[[str], None] | None = None) -> list[RefreshResult]:
    """Refresh the current year and month (created when missing) and every other period not frozen; then forget
    the changes every open period has seen."""
    for code in current_codes():
        ensure_period(code)
    results = [refresh(p, full=full, progress=progress)
               for p in Period.objects.filter(frozen_at__isnull=True).order_by("code")]
    oldest = Period.objects.filter(frozen_at__isnull=True).order_by("refreshed_at").values_list(
        "refreshed_at", flat=True).first()
    if oldest is not None:
        ChangedRegion.objects.filter(changed_at__lt=oldest - overlap()).delete()
    return results


@transaction.atomic
def freeze(period: Period | str, *, actor: Any, refresh_first: bool = True) -> Period:
    """Freeze a period that has ended: a last refresh, then its values never change again (audited)."""
    code = period.code if isinstance(period, Period) else period
    locked = Period.objects.select_for_update().filter(code=code).first()
    if locked is None:
        raise IndicatorError(f"期间 {code} 不存在 / period {code} does not exist")
    if locked.is_frozen:
        raise PeriodFrozen(f"期间 {code} 已冻结 / period {code} is already frozen")
    if locked.ends_on >= timezone.localdate():
        raise IndicatorError(f"期间 {code} 尚未结束（至 {locked.ends_on}），不能冻结 / period {code} has not ended "
                             f"(it runs until {locked.ends_on}) and cannot be frozen")
    if refresh_first:
        refresh(locked)
        locked.refresh_from_db()
    locked.frozen_at = timezone.now()
    locked.frozen_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["frozen_at", "frozen_by"])
    HouseholdFact.objects.filter(period=locked).delete()  # only open periods are recomputed
    MedianState.objects.filter(period=locked).delete()
    rows = locked.values.count()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked,
                 summary=f"冻结指标期间 {code}（{rows} 个数值） / froze indicator period {code} ({rows} values)",
                 detail={"period": code, "values": rows, "refreshed_at": str(locked.refreshed_at)})
    return locked


# --- assessment schemes and reports --------------------------------------------------------------------------


def save_scheme(*, actor: Any, scheme: AssessmentScheme | None, name: str, year: int, level: int,
                weights: dict[str, Decimal]) -> AssessmentScheme:
    """Create or change a scheme and its weights (weight 0 removes an indicator)."""
    if not assessment.can_edit_schemes(actor):
        raise PermissionDenied(_("Only nationwide system administrators and analysts configure assessments."))
    unknown = sorted(set(weights) - set(definitions.INDICATORS))
    if unknown:
        raise ValidationError(_("Unknown indicators: %(codes)s") % {"codes": ", ".join(unknown)})
    if any(w < 0 for w in weights.values()):
        raise ValidationError(_("Weights cannot be negative."))
    kept = {c: w for c, w in weights.items() if w > 0}
    if not kept:
        raise ValidationError(_("Give at least one indicator a weight."))
    if level not in Level.values:
        raise ValidationError(_("Choose the level of the regions assessed."))
    with transaction.atomic():
        created = scheme is None
        if scheme is None:
            scheme = AssessmentScheme.objects.create(name=name, year=year, level=level)
        else:
            scheme.name, scheme.year, scheme.level = name, year, level
            scheme.save(update_fields=["name", "year", "level"])
        before = {w.indicator: str(w.weight) for w in scheme.weights.all()}
        scheme.weights.exclude(indicator__in=kept).delete()
        for code, weight in kept.items():
            AssessmentWeight.objects.update_or_create(scheme=scheme, indicator=code, defaults={"weight": weight})
        audit.record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                     obj=scheme, summary=f"assessment scheme {scheme.name}",
                     detail={"before": before, "after": {c: str(w) for c, w in kept.items()},
                             "year": year, "level": level})
    return scheme


def start_report(*, actor: Any, kind: str, period: Period, region_code: str,
                 scheme: AssessmentScheme | None = None) -> Report:
    """Record the request and queue the job. The region must lie in the requester's subtree (else 404)."""
    selectors.region_or_404(actor, region_code)
    if kind not in Report.Kind.values:
        raise ValueError(f"unknown report kind {kind!r}")
    report = Report.objects.create(kind=kind, period=period, region_code=region_code, scheme=scheme,
                                   created_by=actor, message=_("queued"))
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=report, region_code=region_code,
                 summary=f"{kind} report {period.code} {region_code or 'CN'}")
    reports.build_report.enqueue(report.pk)
    return report

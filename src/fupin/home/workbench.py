"""The workbench (工作台): what waits for the user, by role, with counts, deadlines and one link to act.

``pending_counts(user)`` is the cheap part (one aggregate query per kind of work, each over an indexed, scoped
column): the workbench's cards and the top bar's badge use it (``context_processors.pending``). ``workbench(user)``
adds the few most urgent items of each kind for the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core import exports, permissions
from fupin.core.models import ExportJob
from fupin.core.roles import Role
from fupin.core.scoping import scoped
from fupin.exchange.models import Batch, Doubt
from fupin.exchange.rules import RULES as DOUBT_RULES
from fupin.exchange.services import VERIFY_ROLES
from fupin.lifecycle import selectors as lifecycle
from fupin.lifecycle.models import Kind, Stage
from fupin.monitoring.models import Alert
from fupin.monitoring.rules import RULES
from fupin.monitoring.services import ACT_ROLES
from fupin.quality.models import Finding
from fupin.registry.models import ImportJob

RECENT_FAILURES_DAYS = 30
FINDING_ROLES = (Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)


@dataclass
class Item:
    """One thing to do: what, on which household, by when, and where to do it."""

    title: str
    detail: str
    url: str
    deadline: dt.date | None = None
    overdue: bool = False


@dataclass
class Card:
    key: str
    title: Any
    count: int
    overdue: int
    url: str
    action: Any
    note: Any = ""
    items: list[Item] = field(default_factory=list)


def _may(user: Any, roles: tuple[Role, ...] | frozenset[Role]) -> bool:
    return bool(user.is_superuser) or user.has_role(*roles)


def _cases(user: Any, today: dt.date) -> Card | None:
    if not lifecycle.my_stages(user):
        return None
    c = lifecycle.queue_counts(user, today)
    waiting = c.total - c.ready
    note = _("%(n)d waiting for the end of the public notice or an objection") % {"n": waiting} if waiting else ""
    return Card("cases", _("Cases at my step"), c.total, c.overdue, reverse("lifecycle_queue"), _("Open the work queue"),
                note)


def _alerts(user: Any, today: dt.date) -> Card | None:
    if not _may(user, ACT_ROLES):
        return None
    row = scoped(Alert.objects.filter(state__in=Alert.OPEN_STATES, active=True), user).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)),
        new=Count("pk", filter=Q(state=Alert.State.NEW)))
    note = _("%(n)d not yet visited") % {"n": row["new"]} if row["new"] else ""
    return Card("alerts", _("Alerts to visit"), row["n"], row["late"], reverse("monitoring_queue"),
                _("Open the alert queue"), note)


def _doubts(user: Any, today: dt.date) -> Card | None:
    if not _may(user, VERIFY_ROLES):
        return None
    row = scoped(Doubt.objects.filter(state=Doubt.State.OPEN, active=True), user).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
    return Card("doubts", _("Doubts to verify"), row["n"], row["late"], reverse("exchange_queue"),
                _("Open the doubts"))


def _imports(user: Any, today: dt.date) -> Card | None:
    since = timezone.now() - dt.timedelta(days=RECENT_FAILURES_DAYS)
    failed = ImportJob.objects.filter(actor=user, created_at__gte=since,
                                      status__in=[ImportJob.Status.FAILED, ImportJob.Status.REJECTED]).count()
    rejected = Batch.objects.filter(uploaded_by=user, created_at__gte=since, status=Batch.Status.REJECTED).count()
    if not failed and not rejected:
        return None  # shown only when something failed: an empty card would be noise
    url = reverse("exchange_batches") if rejected and not failed else reverse("registry_import")
    return Card("imports", _("Imports that failed (last 30 days)"), failed + rejected, 0, url,
                _("See the error reports"))


def _findings(user: Any, today: dt.date) -> Card | None:
    if not _may(user, FINDING_ROLES):
        return None
    qs = scoped(Finding.objects.filter(state=Finding.State.OPEN), user)
    row = qs.aggregate(n=Count("pk"), pending=Count("pk", filter=~Q(exemption_reason="")
                                                     & Q(exemption_approved_by__isnull=True)))
    note = _("%(n)d exemptions to approve") % {"n": row["pending"]} if row["pending"] else ""
    return Card("findings", _("Data-quality findings"), row["n"], 0, reverse("quality_overview"),
                _("Open the data checks"), note)


SOURCES = (_cases, _alerts, _doubts, _imports, _findings)


def cards(user: Any, today: dt.date | None = None) -> list[Card]:
    """The cards of the user's workbench (only those of work the user's roles do), counts only."""
    if not permissions.is_user(user):
        return []
    today = today or timezone.localdate()
    return [card for source in SOURCES if (card := source(user, today)) is not None]


def pending_counts(user: Any, today: dt.date | None = None) -> dict[str, int]:
    """What waits for the user, by kind ("cases", "alerts", "doubts", "imports", "findings") plus "total" (cases,
    alerts, doubts and failed imports: the work with a person waiting; findings are counted apart) and "overdue"."""
    found = cards(user, today)
    out = {c.key: c.count for c in found}
    out["total"] = sum(c.count for c in found if c.key != "findings")
    out["overdue"] = sum(c.overdue for c in found)
    return out


def _urgent_cases(user: Any, today: dt.date) -> list[Item]:
    """The cases the user can decide now, overdue first; by household number (no names on the workbench: no
    personal data is read there)."""
    items = []
    for q in lifecycle.queue(user, today):
        if not q.ready:
            continue
        items.append(Item(f"{Kind(q.case.kind).label} · {Stage(q.case.stage).label}",
                          f"{q.case.household.village.name} · {q.case.household.number}",
                          reverse("lifecycle_case", args=[q.case.pk]), q.deadline, q.overdue))
    items.sort(key=lambda i: (not i.overdue, i.deadline or today))
    return items[:5]


def _urgent_alerts(user: Any, today: dt.date) -> list[Item]:
    qs = (scoped(Alert.objects.filter(state__in=Alert.OPEN_STATES, active=True), user)
          .select_related("household", "household__village").order_by("deadline", "-points", "id")[:5])
    return [Item(str(RULES[a.rule].name) if a.rule in RULES else str(_("Warning alert (workbench)")),
                 f"{a.household.village.name} · {a.household.number}", reverse("monitoring_alert", args=[a.pk]),
                 a.deadline, a.deadline < today) for a in qs]


def _urgent_doubts(user: Any, today: dt.date) -> list[Item]:
    qs = (scoped(Doubt.objects.filter(state=Doubt.State.OPEN, active=True), user)
          .select_related("household", "household__village").order_by("deadline", "id")[:5])
    return [Item(str(DOUBT_RULES[d.rule_id].name) if d.rule_id in DOUBT_RULES else str(_("Comparison doubt (workbench)")), f"{d.household.village.name} · {d.household.number}",
                 reverse("exchange_doubt", args=[d.pk]), d.deadline, d.deadline < today) for d in qs]


def _exports(user: Any) -> Card | None:
    """The user's large exports of the last day (written by the background worker), newest first: only on the page,
    not in the top bar's counts (nothing waits for the user there)."""
    jobs = list(ExportJob.objects.filter(actor_id=user.pk, created_at__gte=timezone.now() - exports.keep_for())
                .order_by("-created_at")[:5])
    if not jobs:
        return None
    items = [Item(j.download_name, f"{j.get_status_display()} · {timezone.localtime(j.created_at):%Y-%m-%d %H:%M}",
                  reverse("export_download" if j.status == ExportJob.Status.DONE else "export_job", args=[j.token]))
             for j in jobs]
    return Card("exports", _("My exports"), len(jobs), 0, reverse("my_exports"), _("All my exports"), items=items)


def workbench(user: Any, today: dt.date | None = None) -> list[Card]:
    """The cards with the five most urgent items of each kind of work that has a deadline, and the user's recent
    exports."""
    today = today or timezone.localdate()
    out = cards(user, today)
    if permissions.is_user(user) and (recent := _exports(user)) is not None:
        out.append(recent)
    for card in out:
        if card.key == "cases" and card.count:
            card.items = _urgent_cases(user, today)
        elif card.key == "alerts" and card.count:
            card.items = _urgent_alerts(user, today)
        elif card.key == "doubts" and card.count:
            card.items = _urgent_doubts(user, today)
    return out

"""The workbench (工作台): what waits for the user, by role, with counts, deadlines and one link to act.

``pending_counts(user)`` is the cheap part (one aggregate query per kind of work, each over an indexed, scoped
column): the workbench's cards and the top bar's badge use it (``context_processors.pending``). ``workbench(user)``
adds the few most urgent items of each kind for the page.

Each card reads its app's selectors, scoped exactly like the page its link opens. The cards: cases, alerts, doubts,
failed imports, data-quality findings (registry roles); welfare needs to review (township, county); plan tasks of
the user's unit (lead unit); projects awaiting performance review and idle project money (finance); shops awaiting
approval (commerce bureau); households to visit this month (cadre); pledges not yet received (donor). The portal,
which sits above this app, adds its own (articles, feedback from the public) with ``register``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.commerce import selectors as commerce
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
from fupin.projects import selectors as projects
from fupin.quality.models import Finding
from fupin.registry.models import ImportJob
from fupin.team import selectors as team
from fupin.welfare import selectors as welfare
from fupin.welfare.models import Need
from fupin.welfare.services import REVIEW_ROLES as NEED_REVIEW_ROLES

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
    in_total: bool = True  # counted in the top bar's badge: work with a person waiting for the user


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
                _("Open the data checks"), note, in_total=False)


def _needs(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(*NEED_REVIEW_ROLES):
        return None
    row = welfare.review_counts(user)
    return Card("needs", _("Welfare needs to review"), row["n"], row["overdue"],
                f"{reverse('welfare')}?status={Need.Status.PROPOSED}", _("Open the needs to review"))


def _tasks(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(Role.LEAD_UNIT) or not (unit := projects.unit_of(user)):
        return None
    row = projects.my_task_counts(user, on=today)
    note = _("%(n)d never reported on") % {"n": row["unreported"]} if row["unreported"] else ""
    return Card("tasks", _("Plan tasks of my unit"), row["n"], row["overdue"],
                f"{reverse('projects_dispatch')}?{urlencode({'unit': unit})}", _("Open the dispatch list"), note)


def _reviews(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(Role.FINANCE):
        return None
    row = projects.review_counts(user, on=today)
    return Card("reviews", _("Projects awaiting performance review"), row["n"], row["overdue"],
                f"{reverse('projects')}?stage=accepted", _("Open the accepted projects"))


def _idle(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(Role.FINANCE):
        return None
    return Card("idle_funds", _("Projects with idle money"), projects.idle_count(user, on=today), 0,
                reverse("projects_alerts"), _("Open the project alerts"), in_total=False)


def _shops(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(Role.COMMERCE_BUREAU):
        return None
    row = commerce.decision_counts(user)
    return Card("shops", _("Shops awaiting approval"), row["n"], row["overdue"],
                f"{reverse('commerce_shops')}?status=pending", _("Open the shops awaiting approval"))


def _visits(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(Role.CADRE):
        return None
    row = team.visit_counts(user, month=today)
    note = _("%(n)d households in my care") % {"n": row["n"]} if row["n"] else ""
    return Card("visits", _("Households to visit this month"), row["to_visit"], row["overdue"], reverse("team_mine"),
                _("Open my households"), note)


def _own_shops(user: Any, today: dt.date) -> Card | None:
    """A shop operator's shops: nothing with a deadline waits there (purchases are entered as they happen), so the
    card is a way in, not counted in the badge."""
    if not user.has_role(Role.SHOP_OPERATOR):
        return None
    row = commerce.own_shop_counts(user)
    note = _("%(n)d awaiting approval by the commerce bureau") % {"n": row["pending"]} if row["pending"] else ""
    return Card("own_shops", _("My shops"), row["n"], 0, reverse("commerce_shops"), _("Open my shops"), note,
                in_total=False)


def _pledges(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(Role.DONOR):
        return None
    row = welfare.open_pledge_counts(user)
    return Card("pledges", _("My pledges not yet received"), row["n"], row["overdue"], reverse("welfare_donor"),
                _("Open my pledges"))


SOURCES: list[Any] = [_cases, _alerts, _doubts, _imports, _findings, _needs, _tasks, _reviews, _idle, _shops, _visits,
                      _own_shops, _pledges]


def cards(user: Any, today: dt.date | None = None) -> list[Card]:
    """The cards of the user's workbench (only those of work the user's roles do), counts only."""
    if not permissions.is_user(user):
        return []
    today = today or timezone.localdate()
    return [card for source in SOURCES if (card := source(user, today)) is not None]


def pending_counts(user: Any, today: dt.date | None = None) -> dict[str, int]:
    """What waits for the user, by card key ("cases", "alerts", "doubts", "imports", "findings", "tasks", …) plus
    "total" (the cards with a person waiting for the user; findings and idle money are checks, counted apart) and
    "overdue"."""
    found = cards(user, today)
    out = {c.key: c.count for c in found}
    out["total"] = sum(c.count for c in found if c.in_total)
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


def _due(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def _urgent_needs(user: Any, today: dt.date) -> list[Item]:
    out = []
    for n in welfare.needs_to_review(user)[:5]:
        due = _due(timezone.localtime(n.created_at).date(), welfare.REVIEW_DAYS)
        out.append(Item(str(n.get_kind_display()), f"{n.village.name} · {n.household.number}",
                        reverse("welfare_need", args=[n.pk]), due, due < today))
    return out


def _urgent_tasks(user: Any, today: dt.date) -> list[Item]:
    return [Item(f"{t.number} {t.title}", t.plan.title, reverse("projects_task", args=[t.pk]), t.deadline,
                 t.deadline < today) for t in projects.my_tasks(user, on=today)[:5]]


def _urgent_reviews(user: Any, today: dt.date) -> list[Item]:
    out = []
    for p in projects.to_review(user).order_by("accepted_on", "code")[:5]:
        due = _due(p.accepted_on, projects.REVIEW_DAYS) if p.accepted_on else None
        out.append(Item(f"{p.code} {p.name}", p.region.name, reverse("projects_detail", args=[p.pk]), due,
                        bool(due and due < today)))
    return out


def _urgent_idle(user: Any, today: dt.date) -> list[Item]:
    return [Item(f"{p.code} {p.name}", str(_("%(region)s · idle for %(n)d days") % {
        "region": p.region.name, "n": (today - p.last_move).days}),  # type: ignore[attr-defined]
        reverse("projects_detail", args=[p.pk])) for p in projects.idle_projects(user, on=today)[:5]]


def _urgent_shops(user: Any, today: dt.date) -> list[Item]:
    out = []
    for s in commerce.shops_to_decide(user)[:5]:
        due = _due(timezone.localtime(s.created_at).date(), commerce.DECISION_DAYS)
        out.append(Item(s.name, f"{s.region.name} · {s.platform}", reverse("commerce_shop", args=[s.pk]), due,
                        due < today))
    return out


def _urgent_visits(user: Any, today: dt.date) -> list[Item]:
    """The cadre's households not visited this month, those visited longest ago (or never) first."""
    month = today.replace(day=1)
    end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    out = []
    for h in team.to_visit(user, month=today)[:5]:
        last = getattr(h, "last_visit", None)
        when = _("last visited %(date)s") % {"date": f"{last:%Y-%m-%d}"} if last else _("never visited")
        out.append(Item(h.number, f"{h.village.name} · {when}", reverse("team_visit", args=[h.pk]), end,
                        last is None or last < last_month))
    return out


def _urgent_pledges(user: Any, today: dt.date) -> list[Item]:
    out = []
    for p in welfare.open_pledges(user)[:5]:
        due = _due(timezone.localtime(p.created_at).date(), welfare.PLEDGE_DAYS)
        if p.need is not None:
            title, url = f"{p.need.get_kind_display()} #{p.need_id}", reverse("portal_need", args=[p.need_id])
        else:
            title, url = str(p.project), reverse("portal_project", args=[p.project_id])
        what = str(_("%(amount)s yuan") % {"amount": f"{p.amount:,.2f}"}) if p.amount else p.goods
        out.append(Item(title, what, url, due, due < today))
    return out


def _urgent_own_shops(user: Any, today: dt.date) -> list[Item]:
    return [Item(s.name, f"{s.region.name} · {s.get_status_display()}", reverse("commerce_shop", args=[s.pk]))
            for s in commerce.shops(user)[:5]]


# The five most urgent items of each card, by card key; ``register`` adds those of the apps above this one.
URGENT: dict[str, Any] = {"cases": _urgent_cases, "alerts": _urgent_alerts, "doubts": _urgent_doubts,
                          "needs": _urgent_needs, "tasks": _urgent_tasks, "reviews": _urgent_reviews,
                          "idle_funds": _urgent_idle, "shops": _urgent_shops, "visits": _urgent_visits,
                          "own_shops": _urgent_own_shops,
                          "pledges": _urgent_pledges}


def register(source: Any, key: str, urgent: Any = None) -> None:
    """An app above this one (the portal) adds a card: ``source(user, today) -> Card | None`` (one aggregate
    query) and ``urgent(user, today) -> list[Item]`` for the card of key ``key``. Registering again is a no-op."""
    if source not in SOURCES:
        SOURCES.append(source)
    if urgent is not None:
        URGENT[key] = urgent


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
        if card.count and card.key in URGENT:
            card.items = URGENT[card.key](user, today)
    return out

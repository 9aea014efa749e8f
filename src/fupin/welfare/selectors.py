"""Reads of the welfare platform: staff lists scoped to the reader's region, and the *public* projections that the
portal shows to anyone (no personal data: see ``identity``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from fupin.core.scoping import scope_of, scoped
from fupin.core.tree import subtree_bounds
from fupin.welfare.identity import K, Projection, Projector
from fupin.welfare.models import (
    Commitment,
    Disbursement,
    Donation,
    Donor,
    Need,
    Pairing,
    Pledge,
    QuarterReport,
    WelfareProject,
)


def needs(user: Any, *, status: str = "") -> QuerySet[Need]:
    qs = scoped(Need.objects.select_related("village", "village__parent", "household"), user)
    return qs.filter(status=status) if status else qs


def projects(user: Any) -> QuerySet[WelfareProject]:
    return scoped(WelfareProject.objects.select_related("region", "taken_by"), user)


def pairings(user: Any) -> QuerySet[Pairing]:
    return scoped(Pairing.objects.select_related("region", "enterprise"), user)


def donors(user: Any, *, kind: str = "") -> QuerySet[Donor]:
    """The donors registered in the user's region (every donor for a nationwide administrator)."""
    qs = scoped(Donor.objects.select_related("region", "user"), user)
    return qs.filter(kind=kind) if kind else qs


def enterprises() -> QuerySet[Donor]:
    """Every enterprise, for the pickers of pairings and take-ups: big enterprises pair with counties of any
    province, and their names are public (the ledger, the pairing page)."""
    return Donor.objects.filter(kind=Donor.Kind.ENTERPRISE).order_by("display_name")


def open_projects() -> QuerySet[WelfareProject]:
    """Projects counties published for enterprises that no enterprise has taken up yet."""
    return WelfareProject.objects.filter(status=WelfareProject.Status.PUBLISHED, published_by_county=True,
                                         taken_by__isnull=True).select_related("region")


def _ledger_scope(user: Any) -> Q:
    """Ledger entries (pledges, donations, disbursements) of needs and projects inside the user's region."""
    scope = scope_of(user)
    if scope.prefix is None:
        return Q(pk__in=[])
    if scope.prefix == "":
        return Q()
    return scope.q("need__village__code") | scope.q("project__region__code")


def _own_or_scoped(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """A user without a region (a donor) sees its own entries; staff see those of their region."""
    if scope_of(user).prefix is None:
        me = donor_of(user)
        return qs.filter(donor=me) if me is not None else qs.none()
    return qs.filter(_ledger_scope(user))


def pledges(user: Any) -> QuerySet[Pledge]:
    return _own_or_scoped(Pledge.objects.select_related("donor", "need", "project"), user)


def donations(user: Any) -> QuerySet[Donation]:
    return _own_or_scoped(Donation.objects.select_related("donor", "need", "project"), user)


def disbursements(user: Any) -> QuerySet[Disbursement]:
    return Disbursement.objects.select_related("need", "project").filter(_ledger_scope(user))


def quarter_reports(pairing: Pairing) -> QuerySet[QuarterReport]:
    return QuarterReport.objects.filter(commitment__pairing=pairing).select_related("commitment")


@dataclass
class CommitmentRow:
    commitment: Commitment
    quarters: dict[int, QuarterReport]

    @property
    def achieved(self) -> Decimal:
        return sum((r.achieved for r in self.quarters.values()), Decimal(0))

    @property
    def percent(self) -> int:
        target = self.commitment.target
        return int(self.achieved * 100 / target) if target else 0


def commitment_rows(pairing: Pairing) -> list[CommitmentRow]:
    """A pairing's commitments, newest year first, each with its quarterly reports and the total achieved."""
    reports: dict[int, dict[int, QuarterReport]] = {}
    for r in quarter_reports(pairing):
        reports.setdefault(r.commitment_id, {})[r.quarter] = r
    return [CommitmentRow(c, reports.get(c.pk, {})) for c in pairing.commitments.order_by("-year", "kind")]


def donor_of(user: Any) -> Donor | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Donor.objects.filter(user=user).first()


PLEDGE_DAYS = 30  # a pledge is expected to arrive (a donation recorded) within this many days


def _received() -> Q:
    """A pledge counts as received when a donation names it, or the same donor gave to the same need or project (a
    pledge has one of the two: the other side compares NULL and matches nothing)."""
    given = Donation.objects.filter(donor=OuterRef("donor"))
    return (Q(Exists(Donation.objects.filter(pledge=OuterRef("pk")))) | Q(Exists(given.filter(need=OuterRef("need"))))
            | Q(Exists(given.filter(project=OuterRef("project")))))


def open_pledges(user: Any) -> QuerySet[Pledge]:
    """The signed-in donor's pledges with nothing received yet (as on the donor's page), oldest first."""
    return (Pledge.objects.filter(donor__user=user).exclude(_received()).select_related("need", "project")
            .order_by("created_at", "id")) if getattr(user, "is_authenticated", False) else Pledge.objects.none()


def open_pledge_counts(user: Any, *, now: dt.datetime | None = None) -> dict[str, int]:
    """One aggregate over ``open_pledges``: ``n`` and ``overdue`` (pledged more than ``PLEDGE_DAYS`` days ago)."""
    late = (now or timezone.now()) - dt.timedelta(days=PLEDGE_DAYS)
    return open_pledges(user).order_by().aggregate(n=Count("id"), overdue=Count("id", filter=Q(created_at__lt=late)))


def needs_to_review(user: Any) -> QuerySet[Need]:
    """Needs of the user's region proposed and waiting for the township's review (the needs list filtered by that
    status), oldest first."""
    return needs(user, status=Need.Status.PROPOSED).order_by("created_at", "id")


REVIEW_DAYS = 10  # a proposed need is reviewed within this many days


def review_counts(user: Any, *, now: dt.datetime | None = None) -> dict[str, int]:
    late = (now or timezone.now()) - dt.timedelta(days=REVIEW_DAYS)
    return needs_to_review(user).order_by().aggregate(n=Count("id"), overdue=Count("id", filter=Q(created_at__lt=late)))


def suppress(n: int | None) -> str:
    """A household count as shown on a public page: fewer than ``K`` is shown as "<5"."""
    n = n or 0
    return str(n) if n == 0 or n >= K else f"<{K}"


# --- public projections ------------------------------------------------------------------------------------


@dataclass
class LedgerLine:
    on: Any
    kind: str  # "donation" | "disbursement"
    amount: Decimal
    who: str  # the donor's public name, or what a disbursement paid for
    reference: str  # transfer reference or evidence
    confirmed: bool = False


@dataclass
class PublicNeed:
    pk: int
    kind: str
    story: str
    goal: Decimal
    received: Decimal
    disbursed: Decimal
    status: str
    met: bool
    published_at: Any
    where: Projection
    donors: int = 0
    ledger: list[LedgerLine] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return min(100, int(self.received * 100 / self.goal)) if self.goal else 0


def public_needs_qs(region: str = "") -> QuerySet[Need]:
    qs = Need.objects.filter(status__in=Need.PUBLIC_STATUSES, consent_withdrawn_at__isnull=True)
    if region:
        qs = qs.filter(village__code__range=subtree_bounds(region))
    return qs.select_related("household").annotate(n_donors=Count("donations__donor", distinct=True))


def _public(need: Need, *, with_ledger: bool = False, projector: Projector | None = None) -> PublicNeed | None:
    where = (projector or Projector()).project(need.household, show_surname=need.show_surname,
                                               show_village=need.show_village)
    if where is None:
        return None
    out = PublicNeed(
        pk=need.pk, kind=need.get_kind_display(), story=need.story, goal=need.goal, received=need.received,
        disbursed=need.disbursed, status=need.get_status_display(), met=need.status == Need.Status.MET,
        published_at=need.published_at,
        where=where,
        donors=getattr(need, "n_donors", 0),
    )
    if with_ledger:
        out.ledger = ledger(need=need)
    return out


def public_needs(region: str = "", limit: int = 60) -> list[PublicNeed]:
    projector = Projector()  # needs of the same village or township share their counts
    out = (_public(n, projector=projector) for n in public_needs_qs(region).order_by("status", "-published_at")[:limit])
    return [n for n in out if n is not None]


def public_need(pk: int) -> PublicNeed | None:
    need = public_needs_qs().filter(pk=pk).first()
    return _public(need, with_ledger=True) if need else None


def ledger(*, need: Need | None = None, project: WelfareProject | None = None) -> list[LedgerLine]:
    target = {"need": need} if need is not None else {"project": project}
    lines = [
        LedgerLine(d.received_on, "donation", d.amount, d.donor.public_name, d.reference)
        for d in Donation.objects.filter(**target).select_related("donor")
    ] + [
        LedgerLine(d.paid_on, "disbursement", d.amount, d.purpose, d.evidence, d.confirmed_at is not None)
        for d in Disbursement.objects.filter(**target)
    ]
    return sorted(lines, key=lambda line: (line.on, line.kind), reverse=True)


def public_projects() -> QuerySet[WelfareProject]:
    return WelfareProject.objects.filter(status__in=(WelfareProject.Status.PUBLISHED, WelfareProject.Status.CLOSED)
                                         ).select_related("region", "taken_by")


@dataclass
class PairingRow:
    pairing: Pairing
    commitments: list[tuple[Commitment, Decimal]]


def public_pairings(region: str = "") -> list[PairingRow]:
    qs = Pairing.objects.filter(published=True).select_related("enterprise", "region", "region__parent")
    if region:
        qs = qs.filter(region__code__range=subtree_bounds(region))
    rows = []
    achieved = dict(QuarterReport.objects.values("commitment_id").annotate(s=Sum("achieved"))
                    .values_list("commitment_id", "s"))
    for p in qs[:300]:
        rows.append(PairingRow(p, [(c, achieved.get(c.pk) or Decimal(0)) for c in p.commitments.order_by("-year", "kind")]))
    return rows


def totals() -> dict[str, Any]:
    """Headline figures of the welfare platform for the portal (public needs and projects only)."""
    public = Q(status__in=Need.PUBLIC_STATUSES, consent_withdrawn_at__isnull=True)
    n = Need.objects.filter(public).aggregate(
        published=Count("id"), met=Count("id", filter=Q(status=Need.Status.MET)),
        households=Count("household", distinct=True), received=Sum("received"), disbursed=Sum("disbursed"))
    p = public_projects().aggregate(projects=Count("id"), received=Sum("received"), disbursed=Sum("disbursed"))
    return {
        "needs_published": n["published"], "needs_met": n["met"],
        "households": suppress(n["households"]),
        "raised": (n["received"] or 0) + (p["received"] or 0),
        "disbursed": (n["disbursed"] or 0) + (p["disbursed"] or 0),
        "projects": p["projects"],
        "pairings": Pairing.objects.filter(published=True).count(),
        "donors": Donor.objects.filter(donations__isnull=False).distinct().count(),
        "alliance": Donor.objects.filter(alliance_member=True).order_by("display_name"),
    }

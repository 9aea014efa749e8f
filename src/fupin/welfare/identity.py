"""What a public need may say about its household (the *public projection*), chosen so that nobody can single the
family out by joining the need with the other public pages — above all the 公示 notices, which list households of
a village with the head's surname and the household number.

The projection is a region and, with consent, a surname. It is the most specific one (village, then township, then
county) that the household agreed to and for which

- at least ``K`` registered households of that region share what is shown (the surname, or nothing), and
- if the household is on a current public notice of that region, at least ``K`` notice entries of the region are
  consistent with what is shown, so the notice cannot narrow the family down to fewer than ``K`` either.

It is computed when the page is drawn, so a notice posted after the publication is taken into account at once.
Household numbers, names, ID numbers, phone numbers, sizes and ages are never part of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from fupin.core.masking import COMPOUND_SURNAMES
from fupin.core.tree import ancestors, level_of, subtree_bounds
from fupin.lifecycle.selectors import current_notices
from fupin.regions.models import Level, Region
from fupin.registry.models import Household, Member
from fupin.registry.statuses import REGISTERED_STATUSES

K = 5  # the smallest group a family may be hidden in; also the threshold of small counts on public pages


def surname_of(name: str) -> str:
    if not name:
        return ""
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]


@dataclass(frozen=True)
class Projection:
    region: Region
    surname: str  # "" when the surname is not shown

    @property
    def label(self) -> str:
        return f"{self.region.name}·{self.surname}姓家庭" if self.surname else f"{self.region.name}·一户家庭"


def _heads(code: str) -> Q:
    lo, hi = subtree_bounds(code)
    return Q(household__village__code__range=(lo, hi), relation="01", is_active=True,
             household__status__in=REGISTERED_STATUSES)


def project(household: Household, *, show_surname: bool, show_village: bool) -> Projection:
    head = Member.objects.filter(household=household, relation="01", is_active=True).values_list("name", flat=True).first()
    surname = surname_of(head or "")
    codes = [c for c in [*ancestors(household.village_id), household.village_id] if c]
    wanted = [Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY] if show_village else [Level.TOWNSHIP, Level.COUNTY]
    candidates = [c for level in wanted for c in codes if level_of(c) == level]
    for code in candidates:
        registered = Member.objects.filter(_heads(code))
        if registered.count() < K:
            continue
        notices = list(current_notices(region=code))
        entries: list[str] = []  # masked head names of the region's notice entries
        on_notice = False
        for notice in notices:
            for case in notice.cases.all():
                entries.append(case.household_id)  # type: ignore[arg-type]
                on_notice = on_notice or case.household_id == household.pk
        entry_surnames = [surname_of(n) for n in Member.objects.filter(
            household_id__in=entries, relation="01", is_active=True).values_list("name", flat=True)] if entries else []
        if show_surname and surname and registered.filter(name__startswith=surname).count() >= K and (
                not on_notice or sum(1 for s in entry_surnames if s == surname) >= K):
            return Projection(Region.objects.get(code=code), surname)
        if not on_notice or len(entries) >= K:
            return Projection(Region.objects.get(code=code), "")
    county = next((c for c in codes if level_of(c) == Level.COUNTY), codes[0])
    return Projection(Region.objects.get(code=county), "")

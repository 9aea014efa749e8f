"""What a public need may say about its household (the *public projection*), chosen so that nobody can single the
family out by joining the need with the other public pages — above all the 公示 notices, which list households of
a village with the head's surname and the household number.

The projection is a region and, with consent, a surname. It is the most specific one (village, then township, then
county) that the household agreed to and for which

- at least ``K`` registered households of that region share what is shown (the surname, or nothing), and
- the current public notices of that region list either none or at least ``K`` households consistent with what
  is shown, so that joining the notice narrows the family down to no fewer than ``K`` (and never points at one
  other family either).

When no projection qualifies the need is not shown at all (publication is refused; a need already published
disappears from the portal while the notice runs).

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


def _notice_heads(code: str) -> list[str]:
    """The surnames of the heads listed on the current public notices of the region (what anyone can read)."""
    ids = [c.household_id for n in current_notices(region=code).prefetch_related("cases") for c in n.cases.all()]
    if not ids:
        return []
    names = dict(Member.objects.filter(household_id__in=ids, relation="01", is_active=True)
                 .values_list("household_id", "name"))
    return [surname_of(names.get(i, "")) for i in ids]


class Projector:
    """Projections of several households at once (a page of needs): what a region's registered households and
    current notices say is read once per region and shown text, not once per need."""

    def __init__(self) -> None:
        self._registered: dict[tuple[str, str], int] = {}
        self._listed: dict[str, list[str]] = {}
        self._regions: dict[str, Region] = {}

    def registered(self, code: str, shown: str) -> int:
        key = (code, shown)
        if key not in self._registered:
            heads = Member.objects.filter(_heads(code))
            self._registered[key] = heads.filter(name__startswith=shown).count() if shown else heads.count()
        return self._registered[key]

    def listed(self, code: str) -> list[str]:
        if code not in self._listed:
            self._listed[code] = _notice_heads(code)
        return self._listed[code]

    def region(self, code: str) -> Region:
        if code not in self._regions:
            self._regions[code] = Region.objects.get(code=code)
        return self._regions[code]

    def project(self, household: Household, *, show_surname: bool, show_village: bool) -> Projection | None:
        """The most specific projection the household agreed to that hides it among at least ``K`` registered
        households and that matches either none or at least ``K`` entries of the current public notices (so that
        the notices neither single the family out nor point wrongly at another family). None when there is none:
        the need is then not shown."""
        head = Member.objects.filter(household=household, relation="01", is_active=True).values_list(
            "name", flat=True).first()
        surname = surname_of(head or "")
        codes = [*ancestors(household.village_id), household.village_id]
        wanted = [Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY] if show_village else [Level.TOWNSHIP, Level.COUNTY]
        for level in wanted:
            code = next((c for c in codes if level_of(c) == level), None)
            if code is None:
                continue
            listed = self.listed(code)
            options = [surname, ""] if show_surname and surname else [""]
            for shown in options:
                on_notices = sum(1 for s in listed if s == shown) if shown else len(listed)
                if (on_notices == 0 or on_notices >= K) and self.registered(code, shown) >= K:
                    return Projection(self.region(code), shown)
        return None


def project(household: Household, *, show_surname: bool, show_village: bool) -> Projection | None:
    """The projection of one household (``Projector.project``)."""
    return Projector().project(household, show_surname=show_surname, show_village=show_village)

"""Errors planted in the synthetic demo registry, so that the demo county shows findings of the kinds the generator
never makes (a son recorded as female, a placeholder ID number, a child older than its parent, a short phone number,
one phone for several households, a child labourer, 低保 and 特困 at once). The generator's own data, dated as of
2020, already gives findings of other kinds (schooling not updated since, households without measures, …).
Only households of the demo (source ``demo``) in ``area`` are touched; seeded, so the same households each time."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from fupin.core.tree import subtree_bounds
from fupin.registry.models import Household, Member

PLANTS: dict[str, Callable[[list[Household], random.Random], int]] = {}


def plant(code: str) -> Callable[[Callable[[list[Household], random.Random], int]], Callable[..., int]]:
    def wrap(fn: Callable[[list[Household], random.Random], int]) -> Callable[..., int]:
        PLANTS[code] = fn
        return fn
    return wrap


def _members(households: list[Household], **filters: object) -> list[Member]:
    return list(Member.objects.filter(household__in=households, is_active=True, **filters).order_by("id"))


@plant("P01_ID_PLACEHOLDER")
def _placeholder_ids(hs: list[Household], rng: random.Random) -> int:
    n = 0
    for i, m in enumerate(_members(hs, relation="01")):
        Member.objects.filter(pk=m.pk).update(id_number=f"{m.id_number[:6]}19000101{i % 1000:03d}X"[:18])
        n += 1
    return n


@plant("P05_RELATION_SEX")
def _son_female(hs: list[Household], rng: random.Random) -> int:
    return Member.objects.filter(pk__in=[m.pk for m in _members(hs, relation="03", sex="1")]).update(sex="2")


@plant("P11_CHILD_OLDER_THAN_PARENT")
def _child_older(hs: list[Household], rng: random.Random) -> int:
    n = 0
    for h in hs:
        head = Member.objects.filter(household=h, relation="01", is_active=True).first()
        child = Member.objects.filter(household=h, relation__in=["03", "04"], is_active=True).first()
        if head and child:
            Member.objects.filter(pk=child.pk).update(birth_date=head.birth_date - dt.timedelta(days=400))
            n += 1
    return n


@plant("C11_PHONE_FORMAT")
def _short_phone(hs: list[Household], rng: random.Random) -> int:
    return Household.objects.filter(pk__in=[h.pk for h in hs]).update(phone="1381234")


@plant("C13_PHONE_SHARED")
def _shared_phone(hs: list[Household], rng: random.Random) -> int:
    return Household.objects.filter(pk__in=[h.pk for h in hs]).update(phone=f"139{rng.randint(0, 99_999_999):08d}")


@plant("L01_CHILD_LABOUR")
def _child_labour(hs: list[Household], rng: random.Random) -> int:
    young = [m.pk for m in _members(hs) if (dt.date.today() - m.birth_date).days < 15 * 365]
    return Member.objects.filter(pk__in=young).update(labour_skill="01")


@plant("B04_DIBAO_AND_TEKUN")
def _both_benefits(hs: list[Household], rng: random.Random) -> int:
    return Member.objects.filter(pk__in=[m.pk for m in _members(hs, relation="01")]).update(
        receives_dibao=True, receives_tekun=True)


@transaction.atomic
def plant_errors(*, area: str = "533301", per_rule: int = 8, seed: int = 14) -> dict[str, int]:
    """Plant ``per_rule`` households' worth of each kind of error among the demo households of ``area``."""
    rng = random.Random(seed)
    ids = list(Household.objects.filter(village__code__range=subtree_bounds(area), source="demo")
               .order_by("id").values_list("id", flat=True))
    if not ids:
        return {}
    chosen = rng.sample(ids, min(len(ids), per_rule * len(PLANTS)))
    out: dict[str, int] = {}
    for i, (code, fn) in enumerate(PLANTS.items()):
        group = list(Household.objects.filter(pk__in=chosen[i * per_rule:(i + 1) * per_rule]))
        out[code] = fn(group, rng)
    Household.objects.filter(pk__in=chosen).update(updated_at=timezone.now())
    return out

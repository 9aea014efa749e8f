"""Dossier history (R2.2): snapshots of the whole dossier, dated, with the differences between them.

A snapshot is plain JSON — ``{"household": {...}, "members": [...], "incomes": [...]}`` with model field
names (foreign keys by their ``*_id`` column) and values as JSON scalars (decimals and dates as strings) —
so that the bulk importer can build the same structure without the ORM (a test checks they agree).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model

from fupin.registry.models import Household, HouseholdVersion, Income, Member

# Derived columns (latest income) are not part of the dossier; they follow from the incomes.
HOUSEHOLD_SKIP = {"id", "created_at", "updated_at", "latest_income_year", "latest_per_capita"}
MEMBER_SKIP = {"id", "household"}
INCOME_SKIP = {"id", "household", "net_total"}


def json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return f"{v:.2f}" if v == v.quantize(Decimal("0.01")) else str(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return v


def _fields(obj: Model, skip: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip or getattr(f, "generated", False):
            continue
        out[f.attname] = json_value(getattr(obj, f.attname))
    return out


def snapshot(household: Household) -> dict[str, Any]:
    members = Member.objects.filter(household=household, is_active=True).order_by("id")
    incomes = Income.objects.filter(household=household).order_by("year")
    return {
        "household": _fields(household, HOUSEHOLD_SKIP),
        "members": [_fields(m, MEMBER_SKIP) for m in members],
        "incomes": [_fields(i, INCOME_SKIP) for i in incomes],
    }


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed, as ``{"path", "old", "new"}`` items; members are matched by ID number, incomes by year."""
    if before is None:
        return []
    changes: list[dict[str, Any]] = []
    for key, new in after["household"].items():
        old = before["household"].get(key)
        if old != new:
            changes.append({"path": f"household.{key}", "old": old, "new": new})
    for section, key in (("members", "id_number"), ("incomes", "year")):
        old_rows = {r[key]: r for r in before.get(section, [])}
        new_rows = {r[key]: r for r in after.get(section, [])}
        for k in old_rows.keys() - new_rows.keys():
            changes.append({"path": f"{section}.{k}", "old": "present", "new": None})
        for k in new_rows.keys() - old_rows.keys():
            changes.append({"path": f"{section}.{k}", "old": None, "new": "added"})
        for k in old_rows.keys() & new_rows.keys():
            for field, new in new_rows[k].items():
                if field == "id":
                    continue
                old = old_rows[k].get(field)
                if old != new:
                    changes.append({"path": f"{section}.{k}.{field}", "old": old, "new": new})
    return changes


def record_version(
    household: Household, *, kind: str, actor: Any = None, reason: str = "", valid_from: dt.date | None = None
) -> HouseholdVersion:
    """Add the version after a change. Called by every registry service after it writes."""
    previous = HouseholdVersion.objects.filter(household=household).order_by("-valid_from", "-id").first()
    after = snapshot(household)
    return HouseholdVersion.objects.create(
        household=household,
        valid_from=valid_from or dt.date.today(),
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        username=getattr(actor, "username", "") or "",
        reason=reason[:300],
        snapshot=after,
        changes=diff(previous.snapshot if previous else None, after),
    )


def ensure_baseline(household: Household, *, actor: Any = None) -> None:
    """Before the first change of a household that has no version yet (entered before history was kept),
    record the dossier as it stands, valid from the day it was created, so the change has something to
    be compared with and earlier dates still show the dossier."""
    if HouseholdVersion.objects.filter(household=household).exists():
        return
    created = household.created_at.date() if household.created_at else dt.date.today()
    HouseholdVersion.objects.create(
        household=household,
        valid_from=created,
        kind=HouseholdVersion.Kind.CREATE,
        actor=None,
        username=getattr(actor, "username", "") or "",
        reason="建档基线（此前未记录历史） / baseline: the dossier as it stood before its first recorded change",
        snapshot=snapshot(household),
        changes=[],
    )


def as_of(household: Household, date: dt.date) -> HouseholdVersion | None:
    """The dossier as it was on ``date``: the last version valid on or before that day."""
    return (
        HouseholdVersion.objects.filter(household=household, valid_from__lte=date)
        .order_by("-valid_from", "-id")
        .first()
    )


def timeline(household: Household) -> list[HouseholdVersion]:
    return list(HouseholdVersion.objects.filter(household=household).order_by("-valid_from", "-id"))

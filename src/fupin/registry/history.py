"""Dossier history (R2.2): snapshots of the whole dossier, dated, with the differences between them.

A snapshot is plain JSON — ``{"household": {...}, "members": [...], "incomes": [...]}`` with model field
names (foreign keys by their ``*_id`` column) and values as JSON scalars (decimals and dates as strings) —
so that the bulk importer can build the same structure without the ORM (a test checks they agree).

Services store each version's snapshot as JSON. A bulk import stores the dossiers it wrote once, as the
rows of three Parquet tables per block of households (``HistoryChunk``); its versions point to their block
and ``HouseholdVersion.snapshot`` rebuilds the same JSON structure from it (``chunk_snapshot``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Model
from django.utils import timezone

from fupin.registry.models import HistoryChunk, Household, HouseholdVersion, Income, Member

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


def _attnames(model: type[Model], skip: set[str]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in skip and not getattr(f, "generated", False)]


# The fields of a snapshot, in model order.
HOUSEHOLD_FIELDS = _attnames(Household, HOUSEHOLD_SKIP)
MEMBER_FIELDS = _attnames(Member, MEMBER_SKIP)
INCOME_FIELDS = _attnames(Income, INCOME_SKIP)
CHUNK_HOUSEHOLDS = 2000


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
    versions = timeline(household)
    previous = versions[0] if versions else None
    after = snapshot(household)
    return HouseholdVersion.objects.create(
        household=household,
        valid_from=valid_from or timezone.localdate(),  # the platform's day (Beijing), as the baseline's
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        username=getattr(actor, "username", "") or "",
        reason=reason[:300],
        stored_snapshot=after,
        changes=diff(previous.snapshot if previous else None, after),
    )


def ensure_baseline(household: Household, *, actor: Any = None) -> None:
    """Before the first change of a household that has no version yet (entered before history was kept),
    record the dossier as it stands, valid from the day it was created, so the change has something to
    be compared with and earlier dates still show the dossier."""
    if HouseholdVersion.objects.filter(household=household).exists() or registered_by_import(household):
        return
    # the creation day where the platform is (not in UTC): a change on the same local day must win
    created = timezone.localdate(household.created_at) if household.created_at else timezone.localdate()
    HouseholdVersion.objects.create(
        household=household,
        valid_from=created,
        kind=HouseholdVersion.Kind.CREATE,
        actor=None,
        username=getattr(actor, "username", "") or "",
        reason="建档基线（此前未记录历史） / baseline: the dossier as it stood before its first recorded change",
        stored_snapshot=snapshot(household),
        changes=[],
    )


def registered_by_import(household: Household) -> HouseholdVersion | None:
    """The first version of a household registered by a bulk import: its import block, as an unsaved
    version (no row is written per household). The block must be recorded no earlier than the household
    was created, so that a block never speaks for a later household that happens to reuse a deleted id."""
    if household.pk is None or household.created_at is None:
        return None
    chunk = (
        HistoryChunk.objects.defer("households", "members", "incomes")
        .filter(first_household__lte=household.pk, last_household__gte=household.pk,
                recorded_at__gte=household.created_at)
        .order_by("-id")
        .first()
    )
    if chunk is None:
        return None
    version = HouseholdVersion(
        household=household, valid_from=chunk.valid_from, kind=HouseholdVersion.Kind.IMPORT,
        actor_id=chunk.actor_id, username=chunk.username, reason=chunk.reason, chunk_id=chunk.pk, changes=[],
    )
    version.recorded_at = chunk.recorded_at
    return version


def _order(v: HouseholdVersion) -> tuple[dt.date, int]:
    return v.valid_from, v.pk or 0  # a registration by import comes before every stored version of its day


def as_of(household: Household, date: dt.date) -> HouseholdVersion | None:
    """The dossier as it was on ``date``: the last version valid on or before that day."""
    stored = (
        HouseholdVersion.objects.filter(household=household, valid_from__lte=date)
        .order_by("-valid_from", "-id")
        .first()
    )
    imported = registered_by_import(household)
    candidates = [v for v in (stored, imported) if v is not None and v.valid_from <= date]
    return max(candidates, key=_order) if candidates else None


def timeline(household: Household) -> list[HouseholdVersion]:
    """Every version of the dossier, newest first."""
    versions = list(HouseholdVersion.objects.filter(household=household).order_by("-valid_from", "-id"))
    imported = registered_by_import(household)
    if imported is not None:
        versions = sorted([*versions, imported], key=_order, reverse=True)
    return versions


# ---------------------------------------------------------------------------------------------------- import chunks


def _parquet(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf, compression="zstd", statistics=False)
    return buf.getvalue()


def chunk_blocks(
    households: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, **fields: Any
) -> list[HistoryChunk]:
    """Unsaved ``HistoryChunk``s (with ``fields``) for the dossiers of ``households`` (column ``id`` and the
    snapshot's household fields), ``members`` (``id``, ``household_id`` and the member fields; active ones)
    and ``incomes`` (``household_id`` and the income fields), values as in a snapshot (decimals and dates as
    text), in blocks of ``CHUNK_HOUSEHOLDS`` households in the order given. ``household_ids`` is set on each
    block (not a field) to the ids it holds."""
    h = households.select("id", *HOUSEHOLD_FIELDS)
    block_of = households.select(pl.col("id").alias("household_id"),
                                 (pl.int_range(pl.len(), dtype=pl.Int64) // CHUNK_HOUSEHOLDS).alias("_block"))
    m_rows = _rows_by_block(members, block_of)
    i_rows = _rows_by_block(incomes, block_of)
    m_cols = members.select("id", "household_id", *MEMBER_FIELDS)
    i_cols = incomes.select("household_id", *INCOME_FIELDS)
    chunks = []
    for key, start in enumerate(range(0, h.height, CHUNK_HOUSEHOLDS)):
        hp = h.slice(start, CHUNK_HOUSEHOLDS)
        mp = m_cols.select(pl.all().gather(m_rows.get(key, EMPTY_ROWS)))
        ip = i_cols.select(pl.all().gather(i_rows.get(key, EMPTY_ROWS)))
        chunk = HistoryChunk(households=_parquet(hp), members=_parquet(mp), incomes=_parquet(ip), **fields)
        chunk.household_ids = hp["id"]  # type: ignore[attr-defined]
        chunks.append(chunk)
    return chunks


EMPTY_ROWS = pl.Series("_i", [], dtype=pl.UInt32)


def _rows_by_block(frame: pl.DataFrame, block_of: pl.DataFrame) -> dict[int, pl.Series]:
    """The positions of ``frame``'s rows (of the households of ``block_of``) per block, in the frame's order: a
    join of the keys only, so that a block's rows are gathered when it is written, never all copied at once."""
    keys = (
        frame.select("household_id").with_row_index("_i")
        .join(block_of, on="household_id", how="inner")
        .sort("_block", "_i")
    )
    return {int(k[0]): part["_i"] for k, part in keys.partition_by("_block", as_dict=True, include_key=False).items()}


def chunk_snapshot(chunk_id: int, household_id: int) -> dict[str, Any]:
    """The snapshot of one household kept in an import chunk (``HistoryChunk.snapshot_of``)."""
    return HistoryChunk.objects.get(pk=chunk_id).snapshot_of(household_id)

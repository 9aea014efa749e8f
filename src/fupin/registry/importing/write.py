"""Stage 5, writing: new households, their members and incomes appended with COPY (ids reserved under the table
lock), changed ones merged by id, and the history of the import kept once as Parquet blocks. Runs inside the
caller's transaction (``registry.services.import_registry``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
from django.db import connection

from fupin.core.bulk import copy_csv, copy_frame, copy_rows, frame_csv, is_postgres, upsert_frame
from fupin.core.bulkload import BulkAppend
from fupin.registry import history
from fupin.registry.importing import Laps, Progress, aligned, where
from fupin.registry.importing.checks import (
    HOUSEHOLD_COLUMNS,
    INCOME_CONTENT,
    MEMBER_CONTENT,
    Plan,
    snapshots,
)
from fupin.registry.importing.existing import IN_CHUNK
from fupin.registry.models import (
    INCOME_FIELDS,
    HistoryChunk,
    Household,
    HouseholdVersion,
    Income,
    Member,
    Source,
)
from fupin.registry.template import cents_text


def _lock_and_reserve(table: str, n: int) -> int:
    """First id of a block of ``n`` new ids. Writers to the table wait for our commit (PostgreSQL lock;
    SQLite transactions are already exclusive), so explicit ids cannot collide."""
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cur.fetchone()[0]) + 1


def _reset_sequences(tables: Sequence[str]) -> None:
    if not is_postgres():
        return
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))", [table]
            )


def _json_list(col: str) -> pl.Expr:
    return pl.concat_str([
        pl.lit("["),
        pl.col(col).list.eval(pl.concat_str([pl.lit('"'), pl.element(), pl.lit('"')])).list.join(", "),
        pl.lit("]"),
    ])


def _ids_of(values: pl.Series) -> list[int]:
    return [int(v) for v in values.to_list()]


def _execute_ids(sql: str, ids: list[int]) -> None:
    """``sql`` with ``{in}`` for a list of ids (array on PostgreSQL, chunks on SQLite)."""
    if not ids:
        return
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(sql.replace("{in}", "= ANY(%s)"), [ids])
        else:
            for i in range(0, len(ids), IN_CHUNK):
                chunk = ids[i : i + IN_CHUNK]
                cur.execute(sql.replace("{in}", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)


LATEST_INCOME = ("latest_income_year", "latest_per_capita")


def latest_income(incomes: pl.DataFrame) -> pl.DataFrame:
    """Per household, the latest year's per-capita net income, computed in integer cents and rounded half away
    from zero — exactly what services.refresh_latest_income computes in SQL (a test checks they agree)."""
    def cents(col: str) -> pl.Expr:
        return pl.col(col).fill_null("0.00").str.replace(".", "", literal=True).cast(pl.Int64)

    net = pl.sum_horizontal([cents(f) for f in INCOME_FIELDS]) - cents("business_expense")
    size = pl.col("household_size").cast(pl.Int64)
    per_capita = net.sign() * ((2 * net.abs() + size) // (2 * size))
    text = pl.when(per_capita < 0).then(pl.lit("-") + cents_text(-per_capita)).otherwise(cents_text(per_capita))
    # the latest year's row of each household (years are unique per household), gathered alone
    latest = (
        incomes.select("household_id", "year", pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"))
        .group_by("household_id").agg(pl.col("_i").sort_by("year").last())["_i"].sort()
    )
    return (
        incomes.select(pl.all().gather(latest))
        .select("household_id", pl.col("year").alias("latest_income_year"), text.alias("latest_per_capita"))
    )


def write(plan: Plan, *, actor: Any, progress: Progress, laps: Laps | None = None) -> tuple[int, int]:
    """Write new and changed households, their members and incomes, and their history.
    Runs inside the caller's transaction. Returns (members, incomes) written.

    New households and their members and incomes are appended with COPY (their ids are reserved under the
    table lock, so nothing can conflict); changed households are merged by id. The history of the import is
    kept once, as Parquet blocks (``HistoryChunk``): a block of registered households is their first version,
    and each updated household gets one small version row pointing to its block."""
    lap = laps or Laps({})
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    # The plan's rows are handed over: the plan keeps none of them, so that each frame below replaces its
    # source in memory instead of adding to it (issue 22 item 6).
    file_members, file_incomes = plan.members, plan.incomes
    hh = where(plan.households, pl.col("is_new") | pl.col("changed"))
    plan.households, plan.members, plan.incomes = (
        plan.households.clear(), plan.members.clear(), plan.incomes.clear())
    if hh.height == 0:
        return 0, 0
    first = _lock_and_reserve(Household._meta.db_table, 0)
    hh = hh.with_columns(
        id=pl.when(pl.col("is_new")).then(pl.lit(first) + pl.col("is_new").cast(pl.Int64).cum_sum() - 1).otherwise(pl.col("id")).cast(pl.Int64),
        source=pl.col("source").fill_null(Source.IMPORT),
    )
    ids = hh.select(pl.col("number").alias("household"), pl.col("id").alias("household_id"),
                    pl.col("is_new").alias("_new"))
    # the rows of the households written (those of unchanged households are left out), with their ids
    members = where(file_members.with_columns(aligned(file_members, ids, "household")),
                    pl.col("household_id").is_not_null())
    del file_members
    incomes = where(file_incomes.with_columns(aligned(file_incomes, ids.drop("_new"), "household")),
                    pl.col("household_id").is_not_null())
    del file_incomes
    # Members of changed households keep their row (matched by ID number); new people get new ids.
    old = plan.old_members.select(pl.col("household_id"), pl.col("id_number"), pl.col("id").alias("_old_id"))
    members = members.with_columns(aligned(members, old, ["household_id", "id_number"]))
    first_member = _lock_and_reserve(Member._meta.db_table, 0)
    members = members.with_columns(
        id=pl.coalesce("_old_id", pl.lit(first_member) + pl.col("_old_id").is_null().cast(pl.Int64).cum_sum() - 1).cast(pl.Int64),
        is_active=pl.lit(True),
    ).drop("_old_id")
    changed_ids = _ids_of(hh.filter(~pl.col("is_new"))["id"])
    # Large appends on PostgreSQL: foreign keys checked set-based instead of per row, and when the file adds a
    # large share of the rows, secondary indexes built again after the load (fupin.core.bulkload).
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {Income._meta.db_table} IN EXCLUSIVE MODE")
    bulk = BulkAppend({
        Member._meta.db_table: int(members["_new"].sum()),
        Household._meta.db_table: int(hh["is_new"].sum()),
        Income._meta.db_table: incomes.height,
    })
    bulk.begin(locked=list(bulk.rows))
    lap("write.bulk_begin")
    gone = plan.old_members.filter(pl.col("household_id").is_in(changed_ids)).join(
        members.select("household_id", "id_number"), on=["household_id", "id_number"], how="anti"
    )
    # A worker thread prepares the households' rows and builds the history blocks (polars
    # releases the GIL) while the database loads the members; foreign keys are checked at commit, so the
    # members may be written before their households.
    pg = is_postgres()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    username = getattr(actor, "username", "") or ""
    worker = ThreadPoolExecutor(max_workers=1)
    households = worker.submit(_household_rows, hh, incomes, now, pg)
    blocks = worker.submit(_history_blocks, hh, members, incomes, valid_from=today, actor_id=actor_id,
                           username=username)
    worker.shutdown(wait=False)
    lap("write.prepare")

    # Members: those who left are kept, inactive; members of changed households merged by id (updated in
    # place, new people inserted); members of new households appended.
    t = Member._meta.db_table
    _execute_ids(f"UPDATE {t} SET is_active = {'FALSE' if pg else '0'} WHERE id {{in}}", _ids_of(gone["id"]))
    m_cols = ["id", "household_id", *MEMBER_CONTENT, "is_active"]
    upsert_frame(t, where(members, ~pl.col("_new")).select(m_cols), ["id"], [c for c in m_cols if c != "id"])
    with bulk.appending():
        _append(t, where(members, pl.col("_new")).select(m_cols), None)  # encoded in parts while loading
    lap("write.members")
    progress("写入 / writing", 0.7)

    # Households: new ones appended, changed ones merged by id.
    new_rows, new_csv, changed_rows = households.result()
    with bulk.appending():
        _append(Household._meta.db_table, new_rows, new_csv)
    update_cols = [c for c in HOUSEHOLD_COLUMNS if c != "number"] + ["cadre_id", "updated_at", *LATEST_INCOME]
    upsert_frame(Household._meta.db_table, changed_rows, ["id"], update_cols)
    lap("write.households")
    progress("写入 / writing", 0.8)

    # Incomes of changed households are replaced; inserted for all written households.
    _execute_ids(f"DELETE FROM {Income._meta.db_table} WHERE household_id {{in}}", changed_ids)
    with bulk.appending():
        # encoded in parts while loading, not beforehand: the COPY data of every income row at once would be
        # the largest single object of a large import (issue 22 item 6)
        _append(Income._meta.db_table, incomes.select("household_id", *INCOME_CONTENT), None)
    lap("write.incomes")
    bulk.finish()
    lap("write.indexes_and_keys")
    progress("写入 / writing", 0.9)

    # History: the written dossiers once, in Parquet blocks (built meanwhile by the worker thread). A block of
    # registered households is their first version; each updated household gets a version row.
    chunks = blocks.result()
    lap("write.history_blocks")
    _write_chunks(chunks, now)
    updated = [c for c in chunks if c.first_household is None]
    if updated:
        chunk_of = pl.concat([
            pl.DataFrame({"id": c.household_ids, "chunk_id": pl.Series([c.pk] * len(c.household_ids), dtype=pl.Int64)})  # type: ignore[attr-defined]
            for c in updated
        ])
        changes = _changes(plan, hh, members, incomes, changed_ids)
        versions = chunk_of.select(
            pl.col("id").alias("household_id"),
            pl.lit(today).alias("valid_from"),
            pl.lit(now).alias("recorded_at"),
            pl.lit(HouseholdVersion.Kind.IMPORT.value).alias("kind"),
            pl.lit(actor_id, dtype=pl.Int64).alias("actor_id"),
            pl.lit(username).alias("username"),
            pl.lit(UPDATED_REASON).alias("reason"),
            pl.col("chunk_id"),
            pl.col("id").replace_strict(changes, default="[]", return_dtype=pl.Utf8).alias("changes"),
        )
        copy_frame(HouseholdVersion._meta.db_table, versions)
    lap("write.versions")
    _reset_sequences([Household._meta.db_table, Member._meta.db_table, Income._meta.db_table,
                      HouseholdVersion._meta.db_table])
    return members.height, incomes.height


def _encoded(frame: pl.DataFrame, pg: bool) -> tuple[pl.DataFrame, bytes | None]:
    """The frame, with its COPY data on PostgreSQL (encoded by polars, in whichever thread calls this)."""
    return frame, frame_csv(frame) if pg and frame.height else None


def _append(table: str, frame: pl.DataFrame, data: bytes | None) -> None:
    """Append rows: the data encoded beforehand when there is some (PostgreSQL), else the frame (encoded in
    parts by a worker thread while the earlier parts load)."""
    if data is not None:
        copy_csv(table, frame.columns, data)
    else:
        copy_frame(table, frame)


def _household_rows(
    hh: pl.DataFrame, incomes: pl.DataFrame, now: dt.datetime, pg: bool
) -> tuple[pl.DataFrame, bytes | None, pl.DataFrame]:
    """The table rows of the new households (with their COPY data) and of the changed ones."""
    h_cols = ["id", *HOUSEHOLD_COLUMNS, "cadre_id", "source"]
    rows = hh.select(*h_cols, "is_new").with_columns(
        other_causes=_json_list("other_causes"), created_at=pl.lit(now), updated_at=pl.lit(now)
    )
    rows = rows.with_columns(aligned(rows, latest_income(incomes), "id", "household_id"))
    new, data = _encoded(where(rows, pl.col("is_new")).drop("is_new"), pg)
    return new, data, where(rows, ~pl.col("is_new")).drop("is_new")


def _write_chunks(chunks: list[HistoryChunk], now: dt.datetime) -> None:
    """Append the blocks with COPY (ids reserved under the table lock, set on the objects)."""
    if not chunks:
        return
    table = HistoryChunk._meta.db_table
    first = _lock_and_reserve(table, len(chunks))
    columns = ["id", "recorded_at", "valid_from", "actor_id", "username", "reason", "first_household",
               "last_household", "households", "members", "incomes"]
    for n, chunk in enumerate(chunks):
        chunk.pk, chunk.recorded_at = first + n, now
    copy_rows(table, columns, ([getattr(c, name) for name in columns] for c in chunks), binary=True)
    _reset_sequences([table])


REGISTERED_REASON = "导入登记 / registered by import"
UPDATED_REASON = "导入更新 / updated by import"


def _history_blocks(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, **fields: Any
) -> list[HistoryChunk]:
    """History blocks of the registered households (contiguous new ids: each block records its id range) and,
    separately, of the updated ones (their versions point to them)."""
    registered = where(hh, pl.col("is_new"))
    chunks = history.chunk_blocks(registered, members, incomes, reason=REGISTERED_REASON, **fields)
    for chunk in chunks:
        ids = chunk.household_ids  # type: ignore[attr-defined]
        chunk.first_household, chunk.last_household = int(ids.min()), int(ids.max())
        if chunk.last_household - chunk.first_household + 1 != len(ids):  # pragma: no cover - ids are reserved together
            raise ValueError("the ids of registered households are not contiguous")
    updated = where(hh, ~pl.col("is_new"))
    if updated.height:
        chunks += history.chunk_blocks(updated, members, incomes, reason=UPDATED_REASON, **fields)
    return chunks


def _changes(
    plan: Plan, hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, changed_ids: list[int]
) -> dict[int, str]:
    """The diff against the dossier before the import, for updated households (few, so per household)."""
    if not changed_ids:
        return {}
    old = plan.old_households.filter(pl.col("id").is_in(changed_ids))
    before = snapshots(
        old, plan.old_members.filter(pl.col("household_id").is_in(changed_ids)).with_columns(is_active=pl.lit(True)),
        plan.old_incomes.filter(pl.col("household_id").is_in(changed_ids)),
    )
    after = dict(snapshots(
        hh.filter(pl.col("id").is_in(changed_ids)), members.filter(pl.col("household_id").is_in(changed_ids)),
        incomes.filter(pl.col("household_id").is_in(changed_ids)),
    ).iter_rows())
    return {
        hid: json.dumps(history.diff(json.loads(doc), json.loads(after[hid])), ensure_ascii=False)
        for hid, doc in before.iter_rows()
    }


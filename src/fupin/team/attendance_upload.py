"""The attendance list of a training (学员名单; the e-commerce courses of the commerce app are trainings too) as
an .xlsx or CSV sheet, read with the shared upload kit and checked as a whole before anything is written:
villages inside the uploader's region, ID numbers well formed (check digit, birth date) and not twice in the list
or already on the training; a trainee whose ID number is a registered member's is linked to that member, one
whose ID number is a team member's (``registry.Cadre``) to the team member. One bad row: nothing is written,
the marked workbook comes back."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection

from fupin.core.bulk import copy_frame, is_postgres
from fupin.core.bulkload import BulkAppend
from fupin.core.scoping import Scope
from fupin.core.uploads import ROW, Checked, Column, Conflict, Kind, read_upload
from fupin.regions.models import Level, Region
from fupin.registry import idnumber
from fupin.registry.importing.existing import select_in
from fupin.registry.models import Cadre, Member
from fupin.team.models import Attendance, TraineeLevel, Training

COLUMNS = (
    Column("name", "姓名", Kind.TEXT, aliases=("name",), required=True),
    Column("id_number", "身份证号", Kind.IDENTIFIER, aliases=("公民身份号码", "ID number")),
    Column("village", "村代码", Kind.IDENTIFIER, aliases=("行政村代码", "village code"), required=True),
    Column("level", "层级", Kind.CODE, aliases=("level",), default="培训"),
    Column("outcome", "培训成效", Kind.TEXT, aliases=("成效", "outcome")),
    Column("certificate", "证书编号", Kind.IDENTIFIER, aliases=("结业证书编号", "certificate")),
)
HEADER = {c.name: c.header for c in COLUMNS}
LEVELS = {"培训": TraineeLevel.TRAINED, "从业": TraineeLevel.PRACTITIONER, "高级人才": TraineeLevel.SENIOR,
          **{v: v for v in TraineeLevel.values}}


def check(content: bytes, filename: str, *, training: Training, scope: Scope) -> Checked:
    table = read_upload(content, filename, COLUMNS)
    conflicts = list(table.conflicts)
    sheet = table.sheet
    f = table.frame

    def flag(frame: pl.DataFrame, mask: pl.Expr, column: str, message: str) -> None:
        bad = frame.filter(mask)
        conflicts.extend(Conflict(sheet, r, HEADER[column], "" if v is None else str(v), message)
                         for r, v in bad.select(ROW, column).iter_rows())

    if f.height == 0:
        conflicts.append(Conflict(sheet, 0, "", "", "名单中没有学员 / the list has no trainees"))
        return Checked(table, conflicts, f)
    for c in COLUMNS:
        if c.required:
            flag(f, pl.col(c.name).is_null(), c.name, "请填写 / this is required")
    flag(f, pl.col("name").str.len_chars() > 50, "name", "至多50字 / at most 50 characters")
    flag(f, pl.col("outcome").str.len_chars() > 100, "outcome", "至多100字 / at most 100 characters")
    flag(f, pl.col("certificate").str.len_chars() > 40, "certificate", "至多40字 / at most 40 characters")
    f = f.with_columns(pl.col("level").fill_null("培训").replace_strict(LEVELS, default=None).alias("_level"))
    flag(f, pl.col("_level").is_null(), "level", "层级应为 培训、从业 或 高级人才 / trained, practitioner or senior")
    # Look-ups by many keys go through ``select_in`` (one array on PostgreSQL): lists of a million rows.
    villages = select_in(f"SELECT code FROM {Region._meta.db_table} WHERE level = {int(Level.VILLAGE)} AND code {{in}}",
                         f["village"].drop_nulls().unique(), {"code": pl.Utf8})["code"]
    known = pl.col("village").is_in(villages.implode())
    flag(f, pl.col("village").is_not_null() & ~known, "village", "不是行政村代码 / not a village code")
    if scope.prefix:
        flag(f, known & ~pl.col("village").str.starts_with(scope.prefix), "village",
             "该村不在您的管辖范围 / this village is outside your scope")
    ids = f["id_number"].fill_null("")
    checked = idnumber.check_many(ids)
    f = f.with_columns(idnumber.normalize_many(ids).alias("_id"), checked["valid"].alias("_valid"))
    given = pl.col("id_number").is_not_null()
    flag(f, given & ~pl.col("_valid"), "id_number", "身份证号无效 / not a valid ID number")
    flag(f, given & pl.col("_id").is_duplicated(), "id_number", "名单中重复 / twice in the list")
    on_list = set(Attendance.objects.filter(training=training).exclude(id_number="")
                  .values_list("id_number", flat=True))
    flag(f, given & pl.col("_id").is_in(list(on_list)), "id_number", "已在本次培训名单中 / already on this training")
    if any(c.is_error for c in conflicts):
        return Checked(table, conflicts, f.clear())
    wanted = f.filter(given)["_id"]
    members = select_in(f"SELECT id_number AS _id, id AS _member FROM {Member._meta.db_table} WHERE is_active "
                        "AND id_number {in}", wanted, {"_id": pl.Utf8, "_member": pl.Int64}).unique("_id")
    cadres = select_in(f"SELECT id_number AS _id, id AS _cadre FROM {Cadre._meta.db_table} WHERE id_number {{in}}",
                       wanted, {"_id": pl.Utf8, "_cadre": pl.Int64}).unique("_id")
    return Checked(table, conflicts, f.join(members, on="_id", how="left").join(cadres, on="_id", how="left"))


def write(checked: Checked, *, training: Training) -> Any:
    frame = checked.rows.select(
        pl.lit(training.pk, dtype=pl.Int64).alias("training_id"), pl.col("village").alias("village_id"),
        pl.col("name"), pl.when(pl.col("id_number").is_not_null()).then(pl.col("_id")).otherwise(pl.lit(""))
        .alias("id_number"), pl.col("_member").alias("member_id"), pl.col("_level").alias("level"),
        pl.col("outcome").fill_null("").alias("outcome"), pl.col("_cadre").alias("cadre_id"),
        pl.col("certificate").fill_null("").alias("certificate"))
    # Large lists (a province's yearly training records) load as the registry import does: foreign keys checked
    # set-based after the COPY instead of per row, secondary indexes rebuilt when the list is a large share.
    table = Attendance._meta.db_table
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    bulk = BulkAppend({table: frame.height})
    bulk.begin(locked=[table])
    with bulk.appending():
        written = copy_frame(table, frame)
    bulk.finish()
    return written

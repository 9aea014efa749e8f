"""Stage 4, checks: the rules across rows, sheets and the database (unique numbers, villages in the actor's
region, one head per household, ID numbers valid and not active elsewhere, a household number never reused for
another household), then which households are new, changed or unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from fupin.core import uploads
from fupin.core.scoping import Scope, scope_of
from fupin.core.uploads import ROW, Table
from fupin.regions.models import Level, Region
from fupin.registry import history, idnumber
from fupin.registry.importing import Laps, Progress, aligned, existing
from fupin.registry.importing.existing import select_in
from fupin.registry.importing.parse import Errors, parse_sheet
from fupin.registry.template import CADRE_FIELD, HOUSEHOLDS, INCOMES, MEMBERS, Sheet
from fupin.registry.validation import ELSEWHERE

HOUSEHOLD_SNAPSHOT = history.HOUSEHOLD_FIELDS
MEMBER_SNAPSHOT = history.MEMBER_FIELDS
INCOME_SNAPSHOT = history.INCOME_FIELDS
HOUSEHOLD_CONTENT = [c.field for c in HOUSEHOLDS.columns]  # compared with the database (the cadre's ID number too)
HOUSEHOLD_COLUMNS = [f for f in HOUSEHOLD_CONTENT if f != CADRE_FIELD]  # written to registry_household (+ cadre_id)
MEMBER_CONTENT = [c.field for c in MEMBERS.columns if c.field != "household"]
INCOME_CONTENT = [c.field for c in INCOMES.columns if c.field != "household"]


def _documents(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame,
    h_fields: list[str], m_fields: list[str], i_fields: list[str], member_order: str,
) -> pl.DataFrame:
    """One JSON document per household (``id``, ``doc``): ``{"household", "members", "incomes"}``, built
    by polars. With the snapshot field lists this is exactly ``history.snapshot``'s structure."""
    h = hh.select("id", pl.struct(h_fields).struct.json_encode().alias("h"))
    m = (
        members.sort("household_id", member_order)
        .group_by("household_id", maintain_order=True)
        .agg(pl.struct(m_fields).struct.json_encode().str.join(",").alias("m"))
    )
    i = (
        incomes.sort("household_id", "year")
        .group_by("household_id", maintain_order=True)
        .agg(pl.struct(i_fields).struct.json_encode().str.join(",").alias("i"))
    )
    return (
        h.join(m, left_on="id", right_on="household_id", how="left")
        .join(i, left_on="id", right_on="household_id", how="left")
        .select(
            "id",
            pl.concat_str([
                pl.lit('{"household": '), pl.col("h"), pl.lit(', "members": ['), pl.col("m").fill_null(""),
                pl.lit('], "incomes": ['), pl.col("i").fill_null(""), pl.lit("]}"),
            ]).alias("doc"),
        )
    )


def unchanged_ids(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame,
    old_hh: pl.DataFrame, old_members: pl.DataFrame, old_incomes: pl.DataFrame,
) -> pl.Series:
    """Ids of the households whose file content equals the database exactly (the same values in every column
    the template carries; the same members, matched by ID number, and incomes, by year): joins on all
    columns, no per-household documents. Members and income years are unique per household in both."""
    def joinable(frame: pl.DataFrame, key: str, columns: list[str]) -> pl.DataFrame:
        lists = [c for c in columns if frame.schema[c] == pl.List(pl.Utf8)]
        return frame.select(key, *columns).with_columns([pl.col(c).list.join("\x1f") for c in lists])

    def same_rows(new: pl.DataFrame, old: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """Per household: rows in the file, rows in the database, rows equal in both."""
        new, old = joinable(new, "household_id", columns), joinable(old, "household_id", columns)
        counts = [
            new.group_by("household_id").agg(pl.len().alias("_new")),
            old.group_by("household_id").agg(pl.len().alias("_old")),
            new.join(old, on=["household_id", *columns], how="inner", nulls_equal=True)
            .group_by("household_id").agg(pl.len().alias("_same")),
        ]
        out = hh.select(pl.col("id").alias("household_id"))
        for c in counts:
            out = out.join(c, on="household_id", how="left")
        return out.fill_null(0).filter((pl.col("_new") == pl.col("_old")) & (pl.col("_same") == pl.col("_new")))

    same_hh = joinable(hh, "id", HOUSEHOLD_CONTENT).join(
        joinable(old_hh, "id", HOUSEHOLD_CONTENT), on=["id", *HOUSEHOLD_CONTENT], how="inner", nulls_equal=True
    )["id"]
    same_m = same_rows(members, old_members, MEMBER_CONTENT)["household_id"]
    same_i = same_rows(incomes, old_incomes, INCOME_CONTENT)["household_id"]
    return same_hh.filter(same_hh.is_in(same_m.implode()) & same_hh.is_in(same_i.implode()))


def snapshots(hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame) -> pl.DataFrame:
    """History snapshots (as ``history.snapshot`` would give after the write), members in id order."""
    return _documents(hh, members, incomes, HOUSEHOLD_SNAPSHOT, MEMBER_SNAPSHOT, INCOME_SNAPSHOT, "id")




@dataclass
class Plan:
    households: pl.DataFrame  # typed file rows with id, is_new, changed, cadre_id, source
    members: pl.DataFrame  # typed with household_id and final id
    incomes: pl.DataFrame
    old_households: pl.DataFrame
    old_members: pl.DataFrame
    old_incomes: pl.DataFrame


def check_ids(members: pl.DataFrame, errs: Errors) -> pl.DataFrame:
    """ID numbers of resident ID cards: vectorized check, then sex and birth date against the number."""
    sheet = MEMBERS.name
    col = MEMBERS.column
    ids = idnumber.normalize_many(members["id_number"])
    checked = idnumber.check_many(ids.fill_null(""))
    members = members.with_columns(
        id_number=ids,
        _valid=checked["valid"],
        _sex=checked["sex"],
        _birth=checked["birth_date"].dt.strftime("%Y-%m-%d"),
    )
    is_card = pl.col("id_type") == "1"
    bad = members.filter(is_card & ~pl.col("_valid") & pl.col("id_number").is_not_null())
    if bad.height:
        # Few rows: give each the precise reason (shape, check digit, birth date) from the single check.
        messages = []
        for number in bad["id_number"].to_list():
            try:
                idnumber.check_one(number)
                messages.append("身份证号码无效 / invalid resident ID number")
            except idnumber.IdNumberError as exc:
                messages.append(str(exc))
        errs.frames.append(bad.select(
            pl.lit(sheet).alias("sheet"), pl.col(ROW).alias("row"), pl.lit(col("id_number").header).alias("column"),
            pl.col("id_number").fill_null("").alias("value"), pl.Series("message", messages, dtype=pl.Utf8),
        ))
    ok = is_card & pl.col("_valid")
    errs.add(members, ok & pl.col("sex").is_not_null() & (pl.col("sex") != pl.col("_sex")), sheet, col("sex").header,
             pl.format("性别与身份证号码不符（应为{}） / sex disagrees with the ID number",
                       pl.col("_sex").replace_strict({"1": "男", "2": "女"}, default="")))
    errs.add(members, ok & pl.col("birth_date").is_not_null() & (pl.col("birth_date") != pl.col("_birth")), sheet,
             col("birth_date").header,
             pl.format("出生日期与身份证号码不符（应为 {}） / birth date disagrees with the ID number ({})",
                       pl.col("_birth"), pl.col("_birth")))
    for f in ("sex", "birth_date"):
        errs.add(members, ~is_card & pl.col(f).is_null(), sheet, col(f).header,
                 "非身份证时必填 / required when the ID is not a resident ID card")
    return members.with_columns(
        sex=pl.coalesce("sex", pl.when(ok).then(pl.col("_sex"))),
        birth_date=pl.coalesce("birth_date", pl.when(ok).then(pl.col("_birth"))),
    ).drop("_valid", "_sex", "_birth")


PARSE_ROWS = 100_000  # rows of a sheet parsed at a time: the working columns of a large sheet are never all there


def parse_in_slices(tables: Mapping[str, Table], spec: Sheet, errs: Errors) -> pl.DataFrame:
    """``parse_sheet`` over slices of ``PARSE_ROWS`` rows (every check is row by row), the typed slices joined:
    the same frame and errors as one pass, with a slice of the sheet's text and its working columns in memory
    (read from the disk slice by slice when the tables are spilled) instead of the whole sheet's."""
    parts = [parse_sheet(part, spec, errs) for part in uploads.table_slices(tables, spec.name, PARSE_ROWS)]
    return parts[0] if len(parts) == 1 else pl.concat(parts, rechunk=False)


def validate(
    tables: Mapping[str, Table], *, actor: Any, progress: Progress, laps: Laps | None = None, cells_only: bool = False
) -> tuple[Plan | None, Errors]:
    """Every rule, over the whole file; a plan only when nothing is wrong. ``cells_only``: the rows' keys cannot be
    trusted (an identifier refused by the reader), so only each cell is checked, not rules across rows."""
    lap = laps or Laps({})
    errs = Errors()
    hh = parse_in_slices(tables, HOUSEHOLDS, errs)
    members = parse_in_slices(tables, MEMBERS, errs)
    incomes = parse_in_slices(tables, INCOMES, errs)
    lap("validate.parse")
    if cells_only:
        return None, errs
    progress("校验 / validating", 0.3)
    H, M, INC = HOUSEHOLDS.name, MEMBERS.name, INCOMES.name
    hcol, mcol, icol = HOUSEHOLDS.column, MEMBERS.column, INCOMES.column

    # Households: unique numbers, loaded villages inside the actor's region, years in order.
    errs.add(hh, pl.col("number").is_duplicated() & pl.col("number").is_not_null(), H, hcol("number").header,
             pl.format("户编号 {} 在文件中重复 / household number {} appears more than once", pl.col("number"), pl.col("number")))
    villages = [v for v in hh["village_id"].drop_nulls().unique().to_list() if v.isdigit() and len(v) == 12]
    loaded = set(select_in("SELECT code FROM regions_region WHERE level = %s AND code {in}".replace("%s", str(int(Level.VILLAGE))),
                            villages, {"code": pl.Utf8})["code"].to_list())
    scope: Scope = scope_of(actor)
    in_scope = pl.lit(False) if scope.prefix is None else pl.col("village_id").str.starts_with(scope.prefix)
    village_ok = pl.col("village_id").is_in(list(loaded))
    errs.add(hh, pl.col("village_id").is_not_null() & ~village_ok, H, hcol("village_id").header,
             pl.format("“{}”不是已加载的行政村代码 / not the code of a loaded village", pl.col("village_id")))
    errs.add(hh, village_ok & ~in_scope, H, hcol("village_id").header,
             pl.format("行政村 {} 不在您的管辖范围内 / village {} is outside your region", pl.col("village_id"), pl.col("village_id")))
    errs.add(hh, pl.col("exit_year") < pl.col("identified_year"), H, hcol("exit_year").header,
             "脱贫年度不能早于识别年度 / exit year cannot be before the year identified")

    # Existing dossiers: update only inside the actor's region.
    numbers = hh["number"].drop_nulls().unique().to_list()
    lap("validate.households")
    old_hh, old_members, old_incomes = existing.existing_state(numbers)
    lap("validate.existing")
    outside = old_hh.filter(~pl.col("village_id").str.starts_with(scope.prefix) if scope.prefix is not None else pl.lit(True))
    errs.add(hh, pl.col("number").is_in(outside["number"].to_list()), H, hcol("number").header,
             pl.format("户编号 {} 已登记在您的管辖范围以外 / household {} is registered outside your region",
                       pl.col("number"), pl.col("number")))
    reused_numbers(hh, members, old_hh.filter(~pl.col("number").is_in(outside["number"].implode())), old_members, errs)
    hh = responsible_cadres(hh, errs)
    file_numbers = pl.Series("n", numbers, dtype=pl.Utf8)

    # Members: belong to a household of the file; ID numbers valid, unique in the file and not active elsewhere.
    errs.add(members, pl.col("household").is_not_null() & ~pl.col("household").is_in(file_numbers.implode()), M,
             mcol("household").header,
             pl.format("户编号 {} 不在“户”表中 / household {} is not in the 户 sheet", pl.col("household"), pl.col("household")))
    members = check_ids(members, errs)
    lap("validate.idnumbers")
    counts = members.select("id_number").drop_nulls().group_by("id_number").len()  # one hash pass for both uses
    repeated = counts.filter(pl.col("len") > 1)["id_number"]
    if len(repeated):
        dup_rows = (
            members.filter(pl.col("id_number").is_in(repeated.implode()))
            .group_by("id_number").agg(pl.col(ROW).cast(pl.Utf8).str.join(",").alias("_rows"))
        )
        d = members.join(dup_rows, on="id_number", how="inner")
        errs.add(d, pl.lit(True), M, mcol("id_number").header,
                 pl.format("证件号码在文件中重复（第 {} 行） / the same ID number appears more than once (rows {})",
                           pl.col("_rows"), pl.col("_rows")))
    holders = existing.holders(counts["id_number"])
    lap("validate.holders")
    if holders.height:
        # A person may move between two households of the same file; elsewhere they must leave first.
        h2 = members.join(holders, on="id_number", how="inner")
        errs.add(h2, (pl.col("holder") != pl.col("household")) & ~pl.col("holder").is_in(file_numbers.implode()), M,
                 mcol("id_number").header, ELSEWHERE)  # never where: that would be a nationwide lookup

    # Exactly one head (与户主关系 = 户主) per household.
    heads = members.group_by("household").agg((pl.col("relation") == "01").sum().alias("_heads"))
    h3 = hh.with_columns(aligned(hh, heads, "number", "household")).with_columns(pl.col("_heads").fill_null(0))
    errs.add(h3, pl.col("number").is_not_null() & (pl.col("_heads") == 0), H, hcol("number").header,
             "该户在“家庭成员”表中没有户主（与户主关系=户主） / the household has no head (与户主关系 = 户主) in 家庭成员")
    m3 = members.with_columns(aligned(members, heads, "household"))
    errs.add(m3, (pl.col("relation") == "01") & (pl.col("_heads") > 1), M, mcol("relation").header,
             pl.format("该户有 {} 名户主，应只有一名 / {} heads in the household, exactly one is needed",
                       pl.col("_heads"), pl.col("_heads")))

    # Incomes: of a household in the file, one row per year; size defaults to the members in the file.
    errs.add(incomes, pl.col("household").is_not_null() & ~pl.col("household").is_in(file_numbers.implode()), INC,
             icol("household").header,
             pl.format("户编号 {} 不在“户”表中 / household {} is not in the 户 sheet", pl.col("household"), pl.col("household")))
    errs.add(incomes, pl.struct("household", "year").is_duplicated() & pl.col("year").is_not_null(), INC,
             icol("year").header, pl.format("户 {} 的 {} 年收入重复 / the same household and year appears more than once",
                                            pl.col("household"), pl.col("year")))
    sizes = members.group_by("household").agg(pl.len().cast(pl.Int64).alias("_size"))
    incomes = incomes.with_columns(aligned(incomes, sizes, "household")).with_columns(
        household_size=pl.coalesce("household_size", "_size")
    ).drop("_size")
    progress("校验 / validating", 0.5)
    if errs.frames:
        lap("validate.rules")
        return None, errs
    lap("validate.rules")
    result = plan(hh, members, incomes, old_hh, old_members, old_incomes)
    lap("validate.diff")
    return result, errs


def plan(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame,
    old_hh: pl.DataFrame, old_members: pl.DataFrame, old_incomes: pl.DataFrame,
) -> Plan:
    """Which households are new, changed or unchanged (by comparing content keys), with ids."""
    hh = hh.with_columns(aligned(hh, old_hh.select(pl.col("number"), pl.col("id"), pl.col("cadre_id"), pl.col("source"),
                                                   pl.col(CADRE_FIELD).alias("_old_cadre")), "number"))
    if "_cadre" in hh.columns:  # a cadre given in the file replaces the registered one; a blank cell keeps it
        hh = hh.with_columns(cadre_id=pl.coalesce("_cadre", "cadre_id"),
                             **{CADRE_FIELD: pl.coalesce(CADRE_FIELD, "_old_cadre")})
    hh = hh.with_columns(is_new=pl.col("id").is_null())
    ids = hh.select(pl.col("number").alias("household"), pl.col("id").alias("household_id"))
    members = members.with_columns(aligned(members, ids, "household"))
    incomes = incomes.with_columns(aligned(incomes, ids, "household"))
    existing = hh.filter(~pl.col("is_new"))
    if existing.height:
        same = unchanged_ids(existing, members.filter(pl.col("household_id").is_not_null()),
                             incomes.filter(pl.col("household_id").is_not_null()), old_hh, old_members, old_incomes)
        hh = hh.with_columns(changed=~pl.col("is_new") & ~pl.col("id").is_in(same.implode()))
    else:
        hh = hh.with_columns(changed=pl.lit(False))
    return Plan(hh, members, incomes, old_hh, old_members, old_incomes)



def responsible_cadres(hh: pl.DataFrame, errs: Errors) -> pl.DataFrame:
    """The column 帮扶责任人身份证号 resolved to team members (``registry.Cadre``, issue 16): a number that is no team
    member's, or a member who serves neither the household's village nor a region above it, is refused."""
    header = HOUSEHOLDS.column(CADRE_FIELD).header
    hh = hh.with_columns(idnumber.normalize_many(hh[CADRE_FIELD].cast(pl.Utf8)).alias(CADRE_FIELD))
    found = select_in(
        f"SELECT id_number AS {CADRE_FIELD}, id AS _cadre, region_id AS _cadre_region FROM registry_cadre "
        "WHERE id_number {in}", hh[CADRE_FIELD].drop_nulls().unique(),
        {CADRE_FIELD: pl.Utf8, "_cadre": pl.Int64, "_cadre_region": pl.Utf8}).unique(CADRE_FIELD)
    hh = hh.with_columns(aligned(hh, found, CADRE_FIELD))
    given = pl.col(CADRE_FIELD).is_not_null()
    errs.add(hh, given & pl.col("_cadre").is_null(), HOUSEHOLDS.name, header,
             pl.format("没有身份证号为 {} 的帮扶干部 / no team member has the ID number {}", pl.col(CADRE_FIELD),
                       pl.col(CADRE_FIELD)), value=pl.col(CADRE_FIELD))
    errs.add(hh, pl.col("_cadre").is_not_null() & pl.col("village_id").is_not_null()
             & ~pl.col("village_id").str.starts_with(pl.col("_cadre_region")), HOUSEHOLDS.name, header,
             "该帮扶干部不在本村或其上级区域任职 / this team member serves neither the village nor a region above it",
             value=pl.col(CADRE_FIELD))
    return hh


def reused_numbers(hh: pl.DataFrame, members: pl.DataFrame, old_hh: pl.DataFrame, old_members: pl.DataFrame,
                   errs: Errors) -> None:
    """A household number of the database given to another household is not an update (issue 22): the file's
    household is refused when its village differs from the registered one, or when fewer than half of the
    registered active members are among its members. A real move of a household is its own, audited action."""
    if old_hh.height == 0:
        return
    reg = old_hh.select("number", pl.col("id").alias("_id"), pl.col("village_id").alias("_old_village"))
    people = old_members.group_by("household_id").agg(pl.col("id_number").alias("_old_ids"))
    given = members.group_by("household").agg(pl.col("id_number").drop_nulls().alias("_new_ids"))
    cmp = (
        hh.select(ROW, "number", "village_id")
        .join(reg, on="number", how="inner")
        .join(people, left_on="_id", right_on="household_id", how="left")
        .join(given, left_on="number", right_on="household", how="left")
        .with_columns(
            _old_n=pl.col("_old_ids").list.len().fill_null(0),
            _kept=pl.col("_old_ids").list.set_intersection(pl.col("_new_ids").fill_null([])).list.len().fill_null(0),
        )
    )
    moved = pl.col("village_id").is_not_null() & (pl.col("village_id") != pl.col("_old_village"))
    others = (pl.col("_old_n") > 0) & (2 * pl.col("_kept") < pl.col("_old_n"))
    bad = cmp.filter(moved | others)
    if bad.height == 0:
        return
    codes = set(bad["_old_village"].to_list()) | set(bad["village_id"].drop_nulls().to_list())
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    bad = bad.with_columns(
        _old_name=pl.col("_old_village").replace_strict(names, default=pl.col("_old_village")),
        _new_name=pl.col("village_id").replace_strict(names, default=pl.col("village_id")),
    )
    errs.add(bad, moved, HOUSEHOLDS.name, HOUSEHOLDS.column("number").header, pl.format(
        "户编号 {} 已登记为{}（{}）的另一户，本行写的是{}（{}）：户编号不能用于另一户，也不能借导入迁户；确需迁户，"
        "请县级管理员在该户档案页点“迁往他村”办理 / household number {} is registered in village {} ({}); row {} gives "
        "village {} ({}): a number cannot be reused for another household, and an import does not move a household; "
        "to move it, a county administrator uses “Transfer to another village” on the household's dossier page",
        "number", "_old_name", "_old_village", "_new_name", "village_id",
        "number", "_old_village", "_old_name", ROW, "village_id", "_new_name"), value=pl.col("number"))
    errs.add(bad, ~moved & others, HOUSEHOLDS.name, HOUSEHOLDS.column("number").header, pl.format(
        "户编号 {} 已登记的 {} 名在册成员中只有 {} 人在本文件中：这是另一户，户编号不能重复使用 / household number {} is "
        "registered with {} active members of whom only {} are in this file (row {}): another household cannot reuse it",
        "number", "_old_n", "_kept", "number", "_old_n", "_kept", ROW), value=pl.col("number"))

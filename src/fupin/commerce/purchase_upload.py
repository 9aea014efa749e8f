"""The monthly purchase upload of a shop (an .xlsx or CSV sheet, one row per purchase), read with the shared upload
kit (``core.uploads``) and checked set-based with polars: every row is validated before anything is written, and
one bad row means nothing is written and the clerk gets the marked error workbook back.

Figures are exact: quantities are read as thousandths and prices as cents (integers), so the amount check —
quantity × unit price to the cent, half up, as ``models.purchase_amount`` — is the same integer arithmetic for a
million rows as for one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import connection
from django.utils import timezone

from fupin.commerce.models import Purchase, Shop, ShopHousehold
from fupin.core.bulk import copy_frame, copy_rows, is_postgres
from fupin.core.bulkload import BulkAppend
from fupin.core.tree import subtree_bounds
from fupin.core.uploads import ROW, Checked, Column, Conflict, Kind, read_upload
from fupin.registry.models import Household
from fupin.registry.statuses import REGISTERED_STATUSES

SHEET = "收购记录"
COLUMNS = (
    Column("number", "户编号", Kind.IDENTIFIER, aliases=("household number", "household"), required=True),
    Column("product", "产品", Kind.TEXT, aliases=("product",), required=True),
    Column("purchased_on", "收购日期", Kind.DATE, aliases=("日期", "date"), required=True),
    Column("quantity", "数量", Kind.DECIMAL, aliases=("quantity",), required=True),
    Column("unit", "单位", Kind.TEXT, aliases=("unit",), required=True),
    Column("unit_price", "单价（元）", Kind.DECIMAL, aliases=("单价", "收购价", "unit price"), required=True),
    Column("protective_price", "保护价（元）", Kind.DECIMAL, aliases=("保护价", "protective price"), required=True),
    Column("amount", "金额（元）", Kind.DECIMAL, aliases=("金额", "amount")),
)
HEADER = {c.name: c.header for c in COLUMNS}
MAX_QUANTITY_MILLI = 1_000_000 * 1000
MAX_PRICE_CENTS = 100_000 * 100


def _scaled(name: str, places: int) -> tuple[pl.Expr, pl.Expr]:
    """(the value as an integer of 10^-places units, True where the text has more decimals than that)."""
    parts = pl.col(name).str.extract_groups(r"^(\d+)(?:\.(\d*))?$")
    whole, frac = parts.struct.field("1"), parts.struct.field("2").fill_null("")
    too_fine = frac.str.strip_chars_end("0").str.len_chars() > places
    units = (whole.cast(pl.Int64, strict=False) * 10**places
             + frac.str.slice(0, places).str.pad_end(places, "0").cast(pl.Int64, strict=False))
    return units, too_fine


def check(content: bytes, filename: str, *, shop: Shop, month: str, today: dt.date | None = None) -> Checked:
    """Read and validate the upload for ``shop`` and ``month`` (YYYY-MM). No write."""
    today = today or timezone.localdate()
    table = read_upload(content, filename, COLUMNS, sheet=None)
    conflicts = list(table.conflicts)
    f = table.frame
    sheet = table.sheet

    def flag(mask: pl.Expr, column: str, message: str, frame: pl.DataFrame | None = None) -> None:
        bad = (f if frame is None else frame).filter(mask)
        conflicts.extend(Conflict(sheet, r, HEADER[column], "" if v is None else str(v), message)
                         for r, v in bad.select(ROW, column).iter_rows())

    if f.height == 0:
        conflicts.append(Conflict(sheet, 0, "", "", "文件中没有收购记录 / the file has no purchases"))
        return Checked(table, conflicts, f)
    qty, qty_fine = _scaled("quantity", 3)
    price, price_fine = _scaled("unit_price", 2)
    prot, prot_fine = _scaled("protective_price", 2)
    amount, amount_fine = _scaled("amount", 2)
    f = f.with_columns(qty.alias("_q"), qty_fine.alias("_qf"), price.alias("_p"), price_fine.alias("_pf"),
                       prot.alias("_v"), prot_fine.alias("_vf"), amount.alias("_a"), amount_fine.alias("_af"),
                       pl.col("purchased_on").str.to_date("%Y-%m-%d", strict=False).alias("_d"))
    number_ok = pl.col("number").is_not_null()
    for c in COLUMNS:
        if c.required:
            flag(pl.col(c.name).is_null(), c.name, "请填写 / this is required")
    flag(pl.col("quantity").is_not_null() & pl.col("_q").is_null(), "quantity", "应为正数 / a positive number")
    flag(pl.col("_qf").fill_null(False), "quantity", "至多3位小数 / at most 3 decimals")
    flag((pl.col("_q") <= 0) | (pl.col("_q") > MAX_QUANTITY_MILLI), "quantity",
         "应大于0且不超过1000000 / above 0, at most 1000000")
    for col, key, fine in (("unit_price", "_p", "_pf"), ("protective_price", "_v", "_vf")):
        flag(pl.col(col).is_not_null() & pl.col(key).is_null(), col, "应为正数 / a positive number")
        flag(pl.col(fine).fill_null(False), col, "至多2位小数 / at most 2 decimals")
        flag((pl.col(key) <= 0) | (pl.col(key) > MAX_PRICE_CENTS), col, "应大于0且不超过100000 / above 0, at most 100000")
    flag(pl.col("_p") < pl.col("_v"), "unit_price", "收购价低于保护价 / the price is below the protective price")
    flag(pl.col("amount").is_not_null() & (pl.col("_a").is_null() | pl.col("_af").fill_null(False)), "amount",
         "应为至多2位小数的正数 / a positive number with at most 2 decimals")
    f = f.with_columns(((pl.col("_q") * pl.col("_p") + 500) // 1000).alias("_c"))
    wrong = pl.col("_a").is_not_null() & pl.col("_c").is_not_null() & (pl.col("_a") != pl.col("_c"))
    for r, given, cents in f.filter(wrong).select(ROW, "amount", "_c").iter_rows():
        conflicts.append(Conflict(sheet, r, HEADER["amount"], given,
                                  f"金额应为 {cents // 100}.{cents % 100:02d}（数量×单价） / the amount should be "
                                  f"{cents // 100}.{cents % 100:02d} (quantity × price)"))
    flag(pl.col("product").str.len_chars() > 100, "product", "至多100字 / at most 100 characters")
    flag(pl.col("unit").str.len_chars() > 10, "unit", "至多10字 / at most 10 characters")
    year, mon = (int(x) for x in month.split("-"))
    first = dt.date(year, mon, 1)
    after = dt.date(year + mon // 12, mon % 12 + 1, 1)
    flag((pl.col("_d") < first) | (pl.col("_d") >= after), "purchased_on",
         f"不在所报月份 {month} / not in the month {month}")
    flag(pl.col("_d") > today, "purchased_on", "日期不能晚于今天 / the date cannot be in the future")

    # Households: the numbers once, joined in the database; then the links of the shop, joined in polars.
    numbers = f.filter(number_ok).select(pl.col("number").unique())
    found = _households(numbers["number"].to_list(), shop.region_id[:6])
    f = f.join(found, on="number", how="left")
    flag(number_ok & pl.col("_h").is_null(), "number",
         "本县没有该建档立卡户 / no registered household with this number in the shop's county")
    links = pl.DataFrame(list(ShopHousehold.objects.filter(shop=shop).values_list("household_id", "started_on",
                                                                                   "ended_on")),
                         schema={"_h": pl.Int64, "_s": pl.Date, "_e": pl.Date}, orient="row")
    dated = f.filter(pl.col("_h").is_not_null() & pl.col("_d").is_not_null()).select(ROW, "_h", "_d")
    covered = (dated.join(links, on="_h", how="inner")
               .filter((pl.col("_s") <= pl.col("_d")) & (pl.col("_e").is_null() | (pl.col("_e") > pl.col("_d"))))
               .select(ROW).unique())
    unlinked = dated.join(covered, on=ROW, how="anti")
    flag(pl.lit(True), "number", "该户在收购日未与本店联结 / the household was not linked to the shop on that day",
         frame=unlinked.join(f.select(ROW, "number"), on=ROW))
    if any(c.is_error for c in conflicts):
        return Checked(table, conflicts, f.clear())
    return Checked(table, conflicts, f)


def _households(numbers: list[str], county: str) -> pl.DataFrame:
    """number → household id for registered households of the county: one join against a temporary table."""
    schema = {"number": pl.Utf8, "_h": pl.Int64}
    if not numbers:
        return pl.DataFrame(schema=schema)
    statuses = ", ".join(f"'{s}'" for s in REGISTERED_STATUSES)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS commerce_upload_numbers")
        cur.execute("CREATE TEMP TABLE commerce_upload_numbers (number VARCHAR(40) PRIMARY KEY)")
        copy_rows("commerce_upload_numbers", ["number"], ((n,) for n in numbers))
        if is_postgres():
            cur.execute("ANALYZE commerce_upload_numbers")
        cur.execute(
            f"SELECT h.number, h.id FROM commerce_upload_numbers n JOIN {Household._meta.db_table} h "
            f"ON h.number = n.number WHERE h.village_id >= %s AND h.village_id <= %s AND h.status IN ({statuses})",
            list(subtree_bounds(county)),
        )
        rows = cur.fetchall()
        cur.execute("DROP TABLE commerce_upload_numbers")
    return pl.DataFrame(rows, schema=schema, orient="row")


def _money(cents: pl.Expr) -> pl.Expr:
    return pl.format("{}.{}", cents // 100, (cents % 100).cast(pl.Utf8).str.pad_start(2, "0"))


def write(checked: Checked, *, shop: Shop, upload: str, actor_id: int | None) -> int:
    """Append the checked rows with one COPY (PostgreSQL) or executemany (SQLite); the caller's transaction."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    frame = checked.rows.select(
        pl.lit(shop.pk, dtype=pl.Int64).alias("shop_id"),
        pl.col("_h").alias("household_id"),
        pl.col("product"),
        pl.col("_d").dt.strftime("%Y-%m-%d").alias("purchased_on"),
        pl.format("{}.{}", pl.col("_q") // 1000, (pl.col("_q") % 1000).cast(pl.Utf8).str.pad_start(3, "0"))
        .alias("quantity"),
        pl.col("unit"),
        _money(pl.col("_p")).alias("unit_price"),
        _money(pl.col("_v")).alias("protective_price"),
        _money(pl.col("_c")).alias("amount"),
        pl.lit(upload).alias("upload"),
        pl.lit(actor_id, dtype=pl.Int64).alias("created_by_id"),
        pl.lit(str(now)).alias("created_at"),
    )
    # On PostgreSQL the per-row foreign-key triggers are replaced by set-based checks (and a large share of new
    # rows rebuilds the secondary indexes after the load), as the registry import does (core.bulkload).
    bulk = BulkAppend({Purchase._meta.db_table: frame.height})
    bulk.begin()
    with bulk.appending():
        n = copy_frame(Purchase._meta.db_table, frame)
    bulk.finish()
    return n


def template_rows() -> list[list[Any]]:
    return [[c.header for c in COLUMNS]]

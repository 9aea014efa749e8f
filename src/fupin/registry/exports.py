"""Exports of the registry, masked for the user and audited: the household list (the same scoped queryset as the
page) and the registry of a subtree in the collection-form template (``exporter``). More rows (households) than
``FUPIN_EXPORT_BACKGROUND_ROWS``: written by the background worker (``household_source``, ``registry_file``;
core.exports) while the user watches its progress page."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

from fupin.core.codes import label
from fupin.core.exports import (
    XLSX,
    audited_export,
    background_rows,
    export_source,
    export_writer,
    start_export,
)
from fupin.core.masking import Masker
from fupin.core.scoping import scope_of
from fupin.core.tree import subtree_bounds
from fupin.registry import exporter
from fupin.registry.selectors import HouseholdFilter, households, visible_households

HEADER = ["户编号", "行政村代码", "行政村", "户主", "家庭人口", "状态", "主要致贫原因", "识别年度", "脱贫年度",
          "人均纯收入(元)", "收入年度"]
MAX_ROWS = 1_000_000


def household_export(user: Any, f: HouseholdFilter, fmt: str) -> HttpResponseBase:
    """The household list as CSV or XLSX, masked for the user, audited once."""
    masker = Masker(user)
    return audited_export(
        actor=user, what="registry.household", fmt=fmt, filename="households", header=HEADER,
        source=household_source, params={"where": f.__dict__}, count=min(households(user, f).count(), MAX_ROWS),
        region_code=f.region or scope_of(user).prefix or "",
        summary=f"household export ({'clear' if masker.clear else 'masked'})",
        detail={"filter": f.__dict__, "clear": masker.clear},
    )


@export_source
def household_source(user: Any, where: dict[str, str]) -> Iterator[list[Any]]:
    return household_rows(user, HouseholdFilter(**where), Masker(user))


def household_rows(user: Any, f: HouseholdFilter, masker: Masker) -> Iterator[list[Any]]:
    qs = households(user, f)
    h: Any
    for h in qs.select_related("village")[:MAX_ROWS].iterator(chunk_size=2000):  # one query, not one per row
        yield [
            h.number, h.village.full_code, h.village.name, masker.name(h.head_name or ""), h.size or 0,
            label("household_status", h.status), label("poverty_cause", h.main_cause), h.identified_year,
            h.exit_year or None, h.per_capita, h.income_year or None,  # numbers (empty: no cell), never text
        ]


# --- the registry in the collection-form template (R2.4) ------------------------------------------------------------


def registry_export(user: Any, region: str, fmt: str) -> HttpResponseBase:
    """The registry of the subtree ``region`` (the user's whole region when empty) as one workbook of three sheets
    or, ``fmt`` "csv", a zip of three CSV files. A subtree of more households than ``FUPIN_EXPORT_BACKGROUND_ROWS``
    is written by the background worker and downloaded from its progress page (audited then); a smaller one is
    answered at once (audited by ``exporter``). Raises PermissionDenied outside the user's region and ValueError
    for a workbook over Excel's row limit."""
    scope = scope_of(user)
    narrowed = scope.narrow(region) if region else scope
    if narrowed.prefix is None:
        raise PermissionDenied("该地区不在您的管辖范围内 / this region is outside your region")
    kind = "zip" if fmt == "csv" else "xlsx"
    name = f"registry-{narrowed.prefix or 'all'}"
    n = visible_households(user).filter(village__code__range=subtree_bounds(narrowed.prefix)).count()
    if n > background_rows():
        clear = Masker(user).clear
        job = start_export(
            actor=user, what="registry.household", fmt=kind, filename=name, header=[], source=registry_file,
            params={"region": narrowed.prefix, "fmt": kind}, region_code=narrowed.prefix,
            summary=f"registry export {kind} ({'clear' if clear else 'masked'}): {n} households",
            detail={"households": n, "clear": clear})
        return HttpResponseRedirect(reverse("export_job", args=[job.token]))
    buf = io.BytesIO()
    registry_file(user, buf, None, region=narrowed.prefix, fmt=kind, audit=True)
    response = HttpResponse(buf.getvalue(), content_type="application/zip" if kind == "zip" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@export_writer
def registry_file(user: Any, target: Path | io.BytesIO, progress: Callable[[int], None] | None, *, region: str,
                  fmt: str, audit: bool = False) -> int:
    """Write the registry of ``region`` for ``user`` to ``target``: a workbook ("xlsx") or a zip of the three CSV
    files ("zip"). Returns the rows written (households, members and incomes)."""
    if fmt == "zip":
        with tempfile.TemporaryDirectory() as tmp:
            result, _data = exporter.export_registry(actor=user, region=region, output=Path(tmp), fmt="csv",
                                                     audit=audit, progress=progress)
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in result.paths:
                    zf.write(path, arcname=path.name)
    else:
        result, data = exporter.export_registry(actor=user, region=region, fmt="xlsx", audit=audit, progress=progress,
                                                output=target if isinstance(target, Path) else None)
        if data is not None:
            target.write(data)  # type: ignore[union-attr]
    return result.households + result.members + result.incomes

"""Export of the household list: the same scoped queryset as the page, masked for the user, audited. More rows than
``FUPIN_EXPORT_BACKGROUND_ROWS``: written by the background worker from ``household_source`` (core.exports)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http.response import HttpResponseBase

from fupin.core.codes import label
from fupin.core.exports import audited_export, export_source
from fupin.core.masking import Masker
from fupin.core.scoping import scope_of
from fupin.registry.selectors import HouseholdFilter, households

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

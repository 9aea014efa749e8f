"""Keyset ("seek") paging of large village lists: instead of ``OFFSET n`` over all villages sorted, each page
continues after the last row of the previous one (``?after=KEY``) or before the first row of the next one
(``?before=KEY``), so that a page reads about ``size`` rows through an index whatever its depth.

The keyed sorts and their documented orders (``-`` reverses each part in place; the parts keep their order):

- ``code``: by division code (the region's primary key).
- ``name``: by name, then code.
- ``fiber_date``: two parts — first the villages with a fiber date, by ``(fiber_date, code)`` through the index
  ``conn_status_fiber_village`` on ``(fiber_date, village_id)``; then the villages without one (no status row, or
  no fiber) by code. ``-fiber_date``: the dated villages newest first (``fiber_date`` then code descending), then
  the villages without a date by code descending.

A key is the row's code, followed for ``name`` and ``fiber_date`` by ``~`` and the row's value (empty for a
village without a fiber date): ``533301205201``, ``533301205201~2018-03-04``, ``533301205201~``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from fupin.core.tree import is_code
from fupin.regions.models import Region

KEYSET_SORTS = ("code", "name", "fiber_date")
FIBER = "connectivity_status__fiber_date"
STATUS_CODE = "connectivity_status__village_id"


@dataclass(frozen=True)
class Part:
    """One run of the order: the rows of ``qs`` ordered by ``fields`` (ascending unless ``desc``)."""

    qs: QuerySet[Region]
    fields: tuple[str, ...]
    desc: bool

    def ordered(self, reverse: bool = False) -> QuerySet[Region]:
        down = self.desc != reverse
        return self.qs.order_by(*(f"-{f}" if down else f for f in self.fields))

    def beyond(self, values: tuple[Any, ...], reverse: bool = False) -> QuerySet[Region]:
        """The rows of this part strictly after ``values`` (before them when ``reverse``) in its order."""
        down = self.desc != reverse
        op = "lt" if down else "gt"
        cond = Q()
        for i in range(len(self.fields) - 1, -1, -1):  # (a, b) > (x, y)  ⇔  a > x  or  (a = x and b > y)
            step = Q(**{f"{self.fields[i]}__{op}": values[i]})
            cond = step if i == len(self.fields) - 1 else step | (Q(**{self.fields[i]: values[i]}) & cond)
        # The first field bounded on its own as well, so that the index scan starts at the key.
        first = Q(**{f"{self.fields[0]}__{op}e": values[0]})
        return self.ordered(reverse).filter(first, cond)


def parts(qs: QuerySet[Region], sort: str) -> list[Part]:
    key = sort.lstrip("-")
    desc = sort.startswith("-")
    if key == "fiber_date":
        return [Part(qs.filter(**{f"{FIBER}__isnull": False}), (FIBER, STATUS_CODE), desc),
                Part(qs.filter(Q(connectivity_status__isnull=True) | Q(**{f"{FIBER}__isnull": True})), ("code",),
                     desc)]
    if key == "name":
        return [Part(qs, ("name", "code"), desc)]
    return [Part(qs, ("code",), desc)]


def encode(v: Region, sort: str) -> str:
    key = sort.lstrip("-")
    if key == "fiber_date":
        s = getattr(v, "connectivity_status", None)
        date = s.fiber_date if s is not None else None
        return f"{v.code}~{date.isoformat() if date else ''}"
    if key == "name":
        return f"{v.code}~{v.name}"
    return v.code


def decode(text: str, sort: str) -> tuple[int, tuple[Any, ...]] | None:
    """(part, values) of a key; None when it is not one of ``sort``."""
    key = sort.lstrip("-")
    code, sep, value = text.partition("~")
    if not is_code(code):
        return None
    if key == "fiber_date":
        if not sep:
            return None
        if not value:
            return 1, (code,)
        try:
            return 0, (dt.date.fromisoformat(value), code)
        except ValueError:
            return None
    if key == "name":
        return (0, (value, code)) if sep else None
    return (0, (code,)) if not sep else None


@dataclass
class KeysetPage:
    """A page of a keyset-paged list; iterable like a ``Page``. ``paginator`` only gives the (estimated) count."""

    rows: list[Region]
    sort: str
    paginator: Any
    has_next_rows: bool
    has_previous_rows: bool
    keyset: bool = field(default=True)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def has_next(self) -> bool:
        return self.has_next_rows

    def has_previous(self) -> bool:
        return self.has_previous_rows

    @property
    def next_key(self) -> str:
        return encode(self.rows[-1], self.sort) if self.rows and self.has_next_rows else ""

    @property
    def previous_key(self) -> str:
        return encode(self.rows[0], self.sort) if self.rows and self.has_previous_rows else ""


def _fetch(ps: list[Part], start: tuple[int, tuple[Any, ...]] | None, limit: int, reverse: bool) -> list[Region]:
    """Up to ``limit`` rows after ``start`` (before it when ``reverse``, nearest first), across the parts."""
    order = list(range(len(ps)))
    if reverse:
        order.reverse()
    out: list[Region] = []
    for i in order:
        if start is not None and (i < start[0] if not reverse else i > start[0]):
            continue  # a part wholly before the key
        qs = ps[i].beyond(start[1], reverse) if start is not None and i == start[0] else ps[i].ordered(reverse)
        out += list(qs[: limit - len(out)])
        if len(out) >= limit:
            break
    return out


def get_page(qs: QuerySet[Region], sort: str, size: int, *, after: str = "", before: str = "",
             paginator: Any = None) -> KeysetPage:
    """The page after the key ``after``, before the key ``before``, or the first page."""
    ps = parts(qs, sort)
    if before and (key := decode(before, sort)) is not None:
        rows = _fetch(ps, key, size + 1, reverse=True)
        more = len(rows) > size
        rows = rows[:size]
        rows.reverse()
        return KeysetPage(rows, sort, paginator, has_next_rows=True, has_previous_rows=more)
    key = decode(after, sort) if after else None
    rows = _fetch(ps, key, size + 1, reverse=False)
    return KeysetPage(rows[:size], sort, paginator, has_next_rows=len(rows) > size, has_previous_rows=key is not None)

"""Paging, for pages (``paginate``: 20, 50 or 100 rows) and for the API (``Page[T]``: every list of /api/v1).

API lists answer one shape, ``Page[T]`` (count, page, page_size, next_after, results), and take ``PageQuery``
(``page``, ``page_size`` at most ``MAX_PAGE_SIZE``; beyond it, or beyond ``MAX_PAGE``, the answer is 422). Large
lists also take ``after``: keyset ("seek") paging continues after the key the previous page gave in ``next_after``,
reading about ``page_size`` rows through an index whatever the depth (``seek_page``; the village lists use
``connectivity.keyset``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Schema

PAGE_SIZES = (20, 50, 100)


def paginate(request: HttpRequest, qs: Any, default_size: int = 20) -> DjangoPage:
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    return Paginator(qs, size).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for k in keys:
        params.pop(k, None)
    return params.urlencode()


# --- API lists -------------------------------------------------------------------------------------------

MAX_PAGE_SIZE = 1000  # the one cap of every API list; larger pulls page on with ``after``
MAX_PAGE = 1_000_000  # keeps ``page * page_size`` a 64-bit offset

T = TypeVar("T")


class Page(Schema, Generic[T]):
    """One page of an API list. On keyset lists ``next_after`` is set while more rows follow; a page reached
    with ``after`` has ``page`` 0 (it has no number)."""

    count: int | None = Field(description="rows in all; null on the pages reached with `after` of lists that count "
                                          "only on their first page (a count over a province costs more than a page)")
    page: int
    page_size: int
    next_after: str | None = None
    results: list[T]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number (offset paging)")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"rows per page, at most {MAX_PAGE_SIZE}")


def offset_page(qs: Any, q: PageQuery, convert: Callable[[Any], Any] = lambda r: r, *,
                count: int | None = None) -> dict[str, Any]:
    """Page ``q.page`` of ``qs`` (a queryset or a list) by offset; a page past the end is empty."""
    start = (q.page - 1) * q.page_size
    rows = [convert(r) for r in qs[start: start + q.page_size]]
    total = count if count is not None else (qs.count() if hasattr(qs, "count") and not isinstance(qs, list)
                                              else len(qs))
    return {"count": total, "page": q.page, "page_size": q.page_size, "next_after": None, "results": rows}


def seek_page(qs: Any, q: PageQuery, *, field: str, after: str | int | None,
              convert: Callable[[Any], Any] = lambda r: r, key: Callable[[Any], Any] | None = None,
              count_after: bool = True) -> dict[str, Any]:
    """Keyset page: the ``q.page_size`` rows of ``qs`` after ``after`` in the order of ``field`` (unique,
    ascending). Without ``after`` it is page ``q.page`` by offset, so the first page is the same either way.
    ``count_after=False``: pages reached with ``after`` carry ``count`` null (lists pulled page by page over a
    province, where counting costs far more than the page: 0.4 s against 5 ms for a million persons)."""
    if after in (None, ""):
        start = (q.page - 1) * q.page_size
        raw = list(qs.order_by(field)[start: start + q.page_size + 1])
    else:
        raw = list(qs.order_by(field).filter(**{f"{field}__gt": after})[: q.page_size + 1])
    more = len(raw) > q.page_size
    raw = raw[: q.page_size]
    last = raw[-1] if raw else None
    next_after = None
    if more and last is not None:
        next_after = str(key(last) if key else (last[field] if isinstance(last, dict) else getattr(last, field)))
    count = qs.count() if count_after or after in (None, "") else None
    return {"count": count, "page": q.page if after in (None, "") else 0, "page_size": q.page_size,
            "next_after": next_after, "results": [convert(r) for r in raw]}

"""Paging of large village lists: below ``EXACT_BELOW`` rows (by the planner's estimate) the count is exact; above,
on PostgreSQL, the page shows the planner's estimate ("约 N") instead of counting hundreds of thousands of rows."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from fupin.core.sql import is_postgres, row_estimate

EXACT_BELOW = 50_000


def estimate(qs: Any) -> int | None:
    """The planner's row estimate for ``qs`` (PostgreSQL; None elsewhere)."""
    if not is_postgres():
        return None
    sql, params = qs.order_by().query.sql_with_params()
    return row_estimate(sql, params)


class EstimatedPaginator(Paginator):
    """A paginator whose ``count`` is the planner's estimate when that is at least ``exact_below``."""

    estimated = False
    exact_below = EXACT_BELOW

    @cached_property
    def count(self) -> int:
        guess = estimate(self.object_list)
        if guess is not None and guess >= self.exact_below:
            self.estimated = True
            return guess
        return super().count

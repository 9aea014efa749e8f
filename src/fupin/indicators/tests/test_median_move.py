"""``compute.move``: a median moved from its state after values were added and removed equals the median of the new
values sorted, and so does the new state (count, lower middle, values below and at or below it) — many ties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.indicators.compute import move

values = st.lists(st.integers(min_value=-5, max_value=12), min_size=1, max_size=60)


def _state(xs: list[int]) -> tuple[int, int, int, int]:
    s = sorted(xs)
    lower = s[(len(s) - 1) // 2]
    return len(s), lower, sum(1 for x in s if x < lower), sum(1 for x in s if x <= lower)


@settings(max_examples=400, deadline=None)
@given(old=values, added=st.lists(st.integers(min_value=-8, max_value=15), max_size=12), data=st.data())
def test_moved_median_and_state_equal_the_sorted_values(old, added, data):
    gone = data.draw(st.sets(st.integers(min_value=0, max_value=len(old) - 1), max_size=12))
    removed = [old[i] for i in gone]
    new = [x for i, x in enumerate(old) if i not in gone] + added
    if not new:
        return
    n0, pivot, below0, at_most0 = _state(old)
    changes = [(x, 1) for x in added] + [(x, -1) for x in removed]
    n = n0 + sum(s for _x, s in changes)
    below = below0 + sum(s for x, s in changes if x < pivot)
    at_most = at_most0 + sum(s for x, s in changes if x <= pivot)
    def fetch(up: bool, limit: int) -> list[int]:
        side = sorted(x for x in new if x > pivot) if up else sorted((x for x in new if x < pivot), reverse=True)
        return side[:limit]

    moved = move(fetch, pivot, n, below, at_most)
    s = sorted(new)
    assert moved.median == (Decimal(s[(len(s) - 1) // 2] + s[len(s) // 2]) / 200).quantize(Decimal("0.0001"))
    assert (moved.state.count, moved.state.lower, moved.state.below, moved.state.at_most) == _state(new)

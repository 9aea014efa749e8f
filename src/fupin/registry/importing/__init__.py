"""Import of the household registry from the collection form (R2.4), one module per stage:

``read`` (files → text tables, through the upload kit ``fupin.core.uploads``) → ``parse`` (typed values, a
conflict for every bad cell) → ``existing`` (the dossiers of the file's households as they are in the database)
→ ``checks`` (rules across rows, sheets and the database; new, changed or unchanged) → ``write`` (COPY /
INSERT … SELECT in one transaction). ``registry.services.import_registry`` runs them.

Set-based from end to end: every check is a polars expression or join over the whole file, existing dossiers
are read with one query per table, and the write is a few statements. A single error means nothing is written
and an error report (the input with bad cells in red and a 错误说明 column, importable again once fixed) is
produced. Re-importing the same file changes nothing ("unchanged").
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import polars as pl

Progress = Callable[[str, float], None]
TRACE = "FUPIN_IMPORT_TRACE"  # set (to 1): each phase's seconds and memory (current and peak RSS) on stderr


def _memory() -> tuple[float, float]:
    """(current, peak since the last reset) resident memory of this process in MiB (Linux; zeros elsewhere)."""
    found = {"VmRSS": 0.0, "VmHWM": 0.0}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in found:
                    found[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found["VmRSS"], found["VmHWM"]


def trace(phase: str, seconds: float) -> None:
    """With ``FUPIN_IMPORT_TRACE`` set: the phase's time, the memory at its end and its peak on stderr. The
    peak is reset for the next phase (``/proc/self/clear_refs``), so the process's own VmHWM no longer gives the
    import's peak: the largest phase peak printed is it."""
    if not os.environ.get(TRACE):
        return
    rss, peak = _memory()
    print(f"import phase {phase:<28} {seconds:7.1f} s  rss {rss:6.0f} MiB  peak {peak:6.0f} MiB", file=sys.stderr)
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


class Laps:
    """Seconds spent in each phase (``read``, ``validate.*``, ``write.*``), kept in ``ImportSummary.timings``
    for the benchmark's profile."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        trace(phase, now - self.last)
        self.last = now


def aligned(frame: pl.DataFrame, other: pl.DataFrame, left_on: str | list[str],
            right_on: str | list[str] | None = None) -> list[pl.Series]:
    """The columns of ``other`` (at most one row per key) for each row of ``frame``, in ``frame``'s order (null
    where no row matches), for ``frame.with_columns(...)``: a join of the keys only, so that the many columns of
    a file's rows are not copied as a join of the whole frame would copy them."""
    lefts = [left_on] if isinstance(left_on, str) else left_on
    rights = lefts if right_on is None else [right_on] if isinstance(right_on, str) else right_on
    keys = [f"\x00key{n}" for n in range(len(lefts))]
    out = frame.select([pl.col(c).alias(k) for c, k in zip(lefts, keys, strict=True)]).join(
        other.rename(dict(zip(rights, keys, strict=True))), on=keys, how="left", maintain_order="left")
    if out.height != frame.height:  # pragma: no cover - the callers' keys are unique
        raise ValueError("aligned: the keys of the other frame are not unique")
    return out.drop(keys).get_columns()


def where(frame: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """``frame.filter(condition)``, without copying the frame when every row passes (a first load's rows)."""
    keep = frame.select(condition.fill_null(False).alias("keep"))["keep"]
    return frame if keep.all() else frame.filter(keep)

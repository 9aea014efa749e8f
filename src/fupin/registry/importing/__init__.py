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

import time
from collections.abc import Callable

Progress = Callable[[str, float], None]


class Laps:
    """Seconds spent in each phase (``read``, ``validate.*``, ``write.*``), kept in ``ImportSummary.timings``
    for the benchmark's profile."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now

"""Policy gates on lifecycle steps that other apps own the rules of. The data-quality app keeps the elimination
conditions and their parameters per province (quality.gates) and registers them here in its AppConfig.ready, so the
lifecycle asks every registered gate without importing an app above it (the import contracts in pyproject.toml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

EliminationGate = Callable[..., list[str]]
_elimination: list[EliminationGate] = []


def register_elimination_gate(gate: EliminationGate) -> None:
    """``gate(household, *, method, as_of)`` returns the unmet conditions ("中文 / English" each)."""
    if gate not in _elimination:
        _elimination.append(gate)


def elimination_problems(household: Any, *, method: str, as_of: dt.date) -> list[str]:
    return [problem for gate in _elimination for problem in gate(household, method=method, as_of=as_of)]


InclusionGate = Callable[..., list[str]]
_inclusion: list[InclusionGate] = []


def register_inclusion_gate(gate: InclusionGate) -> None:
    """``gate(household, *, kind, year)`` returns why the household's income makes its inclusion (identification,
    new poverty, monitoring object) implausible ("中文 / English" each); the application then needs a stated
    reason (issue 14 item 3)."""
    if gate not in _inclusion:
        _inclusion.append(gate)


def inclusion_doubts(household: Any, *, kind: str, year: int) -> list[str]:
    return [doubt for gate in _inclusion for doubt in gate(household, kind=kind, year=year)]

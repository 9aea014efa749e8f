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

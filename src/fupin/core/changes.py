"""Writers say what they changed, explicitly, in their service: ``mark_changed(codes, households=...)``.

The apps that derive figures from the registry and its ledgers (the indicators) subscribe in their
``AppConfig.ready``; core knows no app, so the lowest services may call this without importing the apps above
them. A call is synchronous and runs in the writer's transaction: no signals, no thread-local state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

Listener = Callable[..., int]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """``listener(codes, at, *, households)`` is called for every mark; returns how many regions it recorded."""
    if listener not in _listeners:
        _listeners.append(listener)


def mark_changed(codes: Iterable[str | None], at: dt.datetime | None = None, *, households: Iterable[int] = ()) -> int:
    """Record that the inputs of these regions (a village, a larger region for all its villages, "" for every
    village) — or of these households — changed; see indicators.changes for what the indicators do with it."""
    codes, households = list(codes), list(households)
    recorded = 0
    for listener in _listeners:
        recorded = max(recorded, listener(codes, at, households=households))
    return recorded

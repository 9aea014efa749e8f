"""What apps above the registry add to its actions without the registry importing them (the import contracts in
pyproject.toml): each registers a function here in its AppConfig.ready, as quality does for lifecycle.gates.

- **Transfer hooks** (``register_transfer_hook``): called inside the transaction of ``services.transfer_household``
  with ``(household_id, old_village, new_village)``, so that copies of a household's village kept by other apps
  (early-warning alerts, department doubts) move with it.
- **Warning providers** (``register_warning_provider``): ``provider(household_ids)`` → household id → warnings
  (dicts with at least ``name``, ``name_en``, ``severity``, ``record``, ``evidence``). The import's report and the
  household and member forms list them; they never block a write (issue 14 item 4). Data quality registers its
  warning rules (``quality.services.warnings_for``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)

TransferHook = Callable[[int, str, str], None]
WarningProvider = Callable[[list[int]], dict[int, list[dict[str, Any]]]]
_transfer: list[TransferHook] = []
_warnings: list[WarningProvider] = []


def register_transfer_hook(hook: TransferHook) -> None:
    if hook not in _transfer:
        _transfer.append(hook)


def household_transferred(household_id: int, old_village: str, new_village: str) -> None:
    for hook in _transfer:
        hook(household_id, old_village, new_village)


def register_warning_provider(provider: WarningProvider) -> None:
    if provider not in _warnings:
        _warnings.append(provider)


def has_warning_providers() -> bool:
    return bool(_warnings)


def warnings_for(household_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The warnings of every registered provider for these households (empty without providers). A provider
    that fails is logged and skipped: warnings inform, they must never make a saved record look unsaved."""
    ids = sorted(set(household_ids))
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for provider in _warnings:
        try:
            found = provider(ids)
        except Exception:
            logger.exception("warning provider %r failed", provider)
            continue
        for hid, items in found.items():
            out.setdefault(hid, []).extend(items)
    return out

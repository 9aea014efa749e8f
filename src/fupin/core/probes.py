"""Lookups that reveal whether a person or household is registered anywhere (write validation: "this
person is already a member of another household", "this household number is in use"). Such answers are
needed to keep one person in one household, but repeated they would be a nationwide search. Every such
answer is audited and limited per user and hour (``FUPIN_PROBE_LIMIT``, default 20) through the cache."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache

from fupin.core import audit
from fupin.core.models import AuditEvent

WINDOW_SECONDS = 3600


def limit() -> int:
    return int(getattr(settings, "FUPIN_PROBE_LIMIT", 20))


def _key(actor: Any) -> str:
    return f"fupin:probe:{getattr(actor, 'pk', None) or 'anon'}"


def exhausted(actor: Any) -> bool:
    """True when the user has had ``limit()`` such answers in the last hour: stop answering."""
    return int(cache.get(_key(actor), 0)) >= limit()


def note(actor: Any, *, kind: str, summary: str, region_code: str = "") -> None:
    """Record one answer that revealed a registration elsewhere (audited with what was asked)."""
    key = _key(actor)
    if cache.add(key, 1, WINDOW_SECONDS) is False:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
    audit.record_even_if_rolled_back(actor=actor, action=AuditEvent.Action.READ_PERSONAL, object_type=f"probe.{kind}",
                 region_code=region_code, summary=summary[:300], detail={"kind": kind})

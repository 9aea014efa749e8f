"""Parsing of request parameters that Python would accept but the database cannot hold: ``'²'.isdigit()`` is
True and ``int('²')`` fails; integers beyond 64 bits overflow SQLite and PostgreSQL. Used by views that read
ids and numbers from query strings and forms."""

from __future__ import annotations

from collections.abc import Iterable

MAX_INT = 2**63 - 1


def small_int(text: object, default: int | None = None) -> int | None:
    """An integer of ASCII digits (optionally signed) that fits in 64 bits, else ``default``."""
    s = str(text or "").strip()
    body = s[1:] if s[:1] in "+-" else s
    if not body or not body.isascii() or not body.isdigit() or len(body) > 19:
        return default
    value = int(s)
    return value if -MAX_INT <= value <= MAX_INT else default


def ids(values: Iterable[object]) -> list[int]:
    """Positive 64-bit ids from form values; anything else is dropped."""
    out = []
    for v in values:
        n = small_int(v)
        if n is not None and n > 0:
            out.append(n)
    return out

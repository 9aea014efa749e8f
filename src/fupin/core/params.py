"""Parsing of request parameters that Python would accept but the database cannot hold: ``'²'.isdigit()`` is
True and ``int('²')`` fails; integers beyond 64 bits overflow SQLite and PostgreSQL. Used by views that read
ids and numbers from query strings and forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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


# Characters never accepted in stored text: C0 controls (NUL breaks Excel exports and PostgreSQL refuses it) and
# the bidirectional controls (U+202E shows "txt.exe" as "exe.txt" and hides what a value really is). Line
# breaks and tabs are allowed in multi-line text only.
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
_MULTILINE_OK = {"\n", "\r", "\t"}


def bad_characters(text: str, *, multiline: bool = False) -> bool:
    for ch in text:
        if ch in _BIDI or ord(ch) == 0x7F:
            return True
        if ord(ch) < 0x20 and not (multiline and ch in _MULTILINE_OK):
            return True
    return False


def model_text_errors(data: Mapping[str, Any], model: Any) -> dict[str, str]:
    """Bilingual errors of the text values of ``data`` against ``model``'s fields: longer than the column
    (SQLite does not enforce varchar lengths), control or bidi characters, and negative numbers in decimal
    fields (areas, amounts)."""
    from decimal import Decimal

    from django.db import models

    errors: dict[str, str] = {}
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name, value in data.items():
        f = fields.get(name)
        if f is None:
            continue
        if isinstance(value, str):
            if f.max_length and len(value) > f.max_length:
                errors[name] = f"最多 {f.max_length} 个字符 / at most {f.max_length} characters"
            elif bad_characters(value, multiline=isinstance(f, models.TextField)):
                errors[name] = "含有控制字符或方向控制字符 / contains control or direction-control characters"
        elif isinstance(f, models.DecimalField) and isinstance(value, (int, float, Decimal)) and value < 0:
            errors[name] = "不能为负数 / cannot be negative"
    return errors

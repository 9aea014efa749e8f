"""One way to turn a refusal into the text a page or a bulk result shows."""

from __future__ import annotations

import decimal
import re

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError
from django.utils.translation import get_language

# Input that passed the form or schema but cannot be stored: integers beyond 64 bits, decimals beyond the
# column's digits, a code the database refuses. A request error (4xx), never a server error.
BAD_INPUT = (OverflowError, decimal.InvalidOperation, DataError)
OUT_OF_RANGE = "数值超出允许范围 / a number is out of the allowed range"
CONFLICT = "输入值不在代码表中或与已有数据冲突 / a value is not in its code list or conflicts with stored data"


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def in_language(text: object, language: str | None = None) -> str:
    """A bilingual text written "中文 / English" (services' refusals, seeded titles, catalogue names) in the
    reader's language (the active one unless ``language`` is given): the Chinese part, or the English part for
    English. A text that is not of that shape (no " / ", several, or no Chinese before it) is returned whole."""
    value = str(text or "")
    parts = value.split(" / ")
    if len(parts) != 2 or not _CJK.search(parts[0]) or not parts[1][:1].isascii():
        return value
    lang = language if language is not None else (get_language() or "")
    return parts[1] if lang.startswith("en") else parts[0]


def error_text(exc: Exception) -> str:
    """The messages of a ``ValidationError`` (bilingual, as services raise them; each in the reader's language)
    joined with "; ", or the text of any other refusal (``PermissionDenied`` …)."""
    if isinstance(exc, ValidationError):
        return "; ".join(in_language(m) for m in exc.messages)
    return in_language(str(exc))


def bad_input_text(exc: Exception) -> str:
    """The refusal of input the database could not store, bilingual (the API answers it so; pages show it with
    ``in_language``)."""
    return CONFLICT if isinstance(exc, IntegrityError) else OUT_OF_RANGE

"""One way to turn a refusal into the text a page or a bulk result shows."""

from __future__ import annotations

import decimal

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError

# Input that passed the form or schema but cannot be stored: integers beyond 64 bits, decimals beyond the
# column's digits, a code the database refuses. A request error (4xx), never a server error.
BAD_INPUT = (OverflowError, decimal.InvalidOperation, DataError)
OUT_OF_RANGE = "数值超出允许范围 / a number is out of the allowed range"
CONFLICT = "输入值不在代码表中或与已有数据冲突 / a value is not in its code list or conflicts with stored data"


def error_text(exc: Exception) -> str:
    """The messages of a ``ValidationError`` (bilingual, as services raise them) joined with "; ", or the text of
    any other refusal (``PermissionDenied`` …)."""
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def bad_input_text(exc: Exception) -> str:
    return CONFLICT if isinstance(exc, IntegrityError) else OUT_OF_RANGE

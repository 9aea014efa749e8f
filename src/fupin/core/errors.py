"""One way to turn a refusal into the text a page or a bulk result shows."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_text(exc: Exception) -> str:
    """The messages of a ``ValidationError`` (bilingual, as services raise them) joined with "; ", or the text of
    any other refusal (``PermissionDenied`` …)."""
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)

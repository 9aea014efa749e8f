"""Numbers as a Chinese reader expects them: ``{{ rate|percent }}`` (0.026 → 2.60%), ``{{ n|grouped }}`` and
``{{ amount|grouped:2 }}`` (1234567.5 → 1,234,567.50), whatever the locale's own grouping setting."""

from django import template

from fupin.core.errors import in_language as _in_language
from fupin.core.evidence import _number
from fupin.core.evidence import grouped as _grouped

register = template.Library()


@register.filter
def percent(rate: object, places: int = 2) -> str:
    number = _number(rate)
    if number is None:
        return "" if rate in (None, "") else str(rate)
    return f"{_grouped(number * 100, int(places))}%"


@register.filter
def grouped(value: object, places: int = 0) -> str:
    if _number(value) is None:
        return "" if value in (None, "") else str(value)
    return _grouped(value, int(places))


@register.filter
def in_language(text: object) -> str:
    """A bilingual text written "中文 / English" in the reader's language (``core.errors.in_language``)."""
    return _in_language(text)

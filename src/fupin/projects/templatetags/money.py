"""Amounts in yuan with thousands separators, whatever the locale's grouping (zh-hans has none in Django)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any, places: int = 2) -> str:
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{d:,.{int(places)}f}"

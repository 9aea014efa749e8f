"""Template tags of rural e-commerce for other apps' pages (the registry's dossier shows what demonstration shops
paid a household without importing commerce)."""

from __future__ import annotations

from typing import Any

from django import template

from fupin.commerce.selectors import household_income_by_year

register = template.Library()


@register.inclusion_tag("commerce/_dossier_income.html")
def household_shop_income(household: Any) -> dict[str, Any]:
    """Purchases of demonstration shops from the household, per year (nothing when there are none)."""
    return {"shop_income": household_income_by_year(household.pk)}

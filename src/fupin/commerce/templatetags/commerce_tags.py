"""Template tags of rural e-commerce for other apps' pages (the registry's dossier shows what demonstration shops
paid a household, lets the clerk confirm it into the year's business income, and lists the 代购/代缴 services of the
stations, without the registry importing commerce)."""

from __future__ import annotations

from typing import Any

from django import template

from fupin.commerce.selectors import household_income_by_year, household_services
from fupin.core.permissions import can_write_registry
from fupin.core.scoping import scope_of

register = template.Library()


@register.inclusion_tag("commerce/_dossier_income.html", takes_context=True)
def household_shop_income(context: template.Context, household: Any) -> dict[str, Any]:
    """Purchases of demonstration shops from the household, per year, with the confirmation button for a user who
    may write the dossier; and the stations' services (nothing when there are none)."""
    user = getattr(context.get("request"), "user", None)
    can_confirm = bool(user is not None and can_write_registry(user) and scope_of(user).contains(household.village_id))
    return {"shop_income": household_income_by_year(household.pk), "services": household_services(household.pk),
            "household": household, "can_confirm": can_confirm, "csrf_token": context.get("csrf_token"),
            "has_income_years": set(household.incomes.values_list("year", flat=True))}

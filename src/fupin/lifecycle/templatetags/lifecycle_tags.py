"""Template tags of the lifecycle for other apps' pages (the registry's dossier shows a household's measures
without importing the lifecycle)."""

from __future__ import annotations

from typing import Any

from django import template

from fupin.lifecycle.selectors import labelled_measures

register = template.Library()


@register.inclusion_tag("lifecycle/household_measures.html")
def household_measures(household: Any) -> dict[str, Any]:
    """The household's assistance measures as they are now, with a link to its lifecycle page."""
    return {"household": household, "measures": labelled_measures(household)}

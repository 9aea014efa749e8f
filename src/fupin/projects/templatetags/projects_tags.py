"""Template tags of projects for other apps' pages, which show projects without importing this app: the projects
that reached a household (the registry's dossier) and the project and fund-use notices (the lifecycle's public
notices page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet

from fupin.projects import selectors
from fupin.projects.models import ProjectNotice

register = template.Library()


@register.inclusion_tag("projects/_household_projects.html", takes_context=True)
def household_projects(context: Any, household: Any) -> dict[str, Any]:
    """The projects that reached the household, scoped to the reader."""
    user = context["request"].user
    return {"household_projects": selectors.projects_of_household(user, household.pk)}


@register.simple_tag
def current_project_notices(region: str = "") -> QuerySet[ProjectNotice]:
    """Project and fund-use notices running today (public; they hold no personal data)."""
    return selectors.current_notices(region=region)[:200]

"""Context for every page (settings.TEMPLATES)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fupin.core.scoping import scope_of
from fupin.registry.selectors import has_synthetic_data


def platform(request: HttpRequest) -> dict[str, Any]:
    """What every page's template needs: the platform's name, the user's scope, the synthetic-data banner."""
    user = getattr(request, "user", None)
    return {
        "platform_name": settings.PLATFORM_NAME,
        "user_scope": scope_of(user),
        "synthetic_data": has_synthetic_data(),
    }


def pending(request: HttpRequest) -> dict[str, Any]:
    """``pending_work``: what waits for the user (``workbench.pending_counts``: "cases", "alerts", "doubts", "imports",
    "findings", …, "total", "overdue"), for the top bar's badge on every page. Lazy: counted only when a template reads
    it. Not named ``pending``: views use that name for their own lists (the commerce home's shops awaiting approval)."""
    from django.utils.functional import SimpleLazyObject

    from fupin.home.workbench import pending_counts

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"pending_work": {}}
    return {"pending_work": SimpleLazyObject(lambda: pending_counts(user))}

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

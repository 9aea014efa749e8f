from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fupin.core.scoping import scope_of


def platform(request: HttpRequest) -> dict[str, Any]:
    from fupin.registry.selectors import has_synthetic_data

    user = getattr(request, "user", None)
    return {
        "platform_name": settings.PLATFORM_NAME,
        "user_scope": scope_of(user),
        "synthetic_data": has_synthetic_data(),
    }

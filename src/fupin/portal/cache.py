"""Cached public pages: Django's cache framework, keyed by the portal generation (``models.Generation``), the
language and the full path. Bumping the generation (a period frozen, an item published or withdrawn) invalidates
every cached page in every worker process at once; entries also expire after ``TIMEOUT`` seconds."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from fupin.portal.models import Generation

TIMEOUT = 300


def generation() -> int:
    value = Generation.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:
        Generation.objects.get_or_create(pk=1)
        return 1
    return int(value)


def bump() -> None:
    """Every cached public page is stale from now on."""
    if not Generation.objects.filter(pk=1).update(value=F("value") + 1):
        Generation.objects.get_or_create(pk=1, defaults={"value": 2})


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a public GET page for visitors without login (a signed-in user gets it drawn, with the link to the
    workbench). Only 200 responses are kept."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = f"portal:{generation()}:{get_language()}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Portal-Cache"] = "hit"
            response["Cache-Control"] = "public, max-age=60"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), TIMEOUT)
            response["X-Portal-Cache"] = "miss"
            response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper

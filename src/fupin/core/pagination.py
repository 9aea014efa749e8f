from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZES = (20, 50, 100)


def paginate(request: HttpRequest, qs: Any, default_size: int = 20) -> Page:
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    return Paginator(qs, size).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for k in keys:
        params.pop(k, None)
    return params.urlencode()

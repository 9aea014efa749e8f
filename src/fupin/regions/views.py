"""The region picker's next level (htmx): the widget re-rendered for the code just picked."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fupin.core.params import small_int
from fupin.core.scoping import scope_of
from fupin.core.tree import is_code
from fupin.regions.selectors import picker_levels


@login_required
def picker(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("name", "region")
    if not name.isidentifier():
        name = "region"
    deepest = min(5, max(1, small_int(request.GET.get("deepest"), 5) or 5))
    code = request.GET.get("pick", "")
    scope = scope_of(request.user)
    value = code if code and is_code(code) and scope.contains(code) else (scope.prefix or "")
    levels = picker_levels(request.user, value, deepest)
    return render(request, "regions/_picker.html", {"name": name, "value": value, "deepest": deepest,
                                                    "levels": levels})

"""The main pages of every demo role, for the page-timing benchmark (``fupin page_tour``, ``make bench-pages``)
and the screenshots (``tools/screenshots.py``, ``make screenshots``): the workbench, every navigation entry the
role sees (``core.navigation``), and one detail page of each kind inside the role's scope (a household's portrait,
an alert, a doubt, a finding, a case, a region's drill-down)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from fupin.core.navigation import main_pages
from fupin.core.scoping import scope_of, scoped

DEMO_USERS = ("demo_admin", "demo_analyst", "demo_exchange", "demo_county", "demo_township", "demo_clerk",
              "demo_finance", "demo_finance_county", "demo_lead", "demo_commerce", "demo_shop", "demo_cadre", "demo_donor", "demo_editor")


@dataclass(frozen=True)
class Page:
    name: str  # a short name for file names and the report
    path: str


def _first(model_path: str, user: Any, url_name: str, order: str = "pk") -> Page | None:
    from django.apps import apps

    model = apps.get_model(model_path)
    pk = scoped(model.objects.all(), user).order_by(order).values_list("pk", flat=True).first()
    if pk is None:
        return None
    return Page(url_name, reverse(url_name, args=[pk]))


def _details(user: Any) -> Iterator[Page | None]:
    scope = scope_of(user)
    if scope.prefix is None:
        return
    yield _first("registry.Household", user, "household")
    yield _first("monitoring.Alert", user, "monitoring_alert")
    yield _first("exchange.Doubt", user, "exchange_doubt")
    yield _first("quality.Finding", user, "quality_finding")
    yield _first("lifecycle.Case", user, "lifecycle_case")
    if scope.prefix:
        yield Page("region", reverse("region", args=[scope.prefix]))


def pages_for(user: Any) -> list[Page]:
    """Every main page of ``user``: the workbench, the navigation entries, one detail page of each kind."""
    pages = [Page("home", reverse("home"))]
    for name in main_pages(user, has_region=scope_of(user).prefix is not None):
        try:
            pages.append(Page(name, reverse(name)))
        except NoReverseMatch:
            continue
    pages.extend(p for p in _details(user) if p is not None)
    return pages


@dataclass
class Timing:
    user: str
    page: Page
    status: int
    median_ms: float
    max_ms: float


def time_pages(usernames: tuple[str, ...] = DEMO_USERS, repeat: int = 3,
               progress: Callable[[Timing], None] | None = None) -> list[Timing]:
    """GET every main page of every user ``repeat`` times in this process (Django's test client: no network, the
    whole request/response cycle with middleware, templates and queries); the median and the slowest."""
    users = get_user_model().objects.filter(username__in=usernames)
    result = []
    for user in sorted(users, key=lambda u: usernames.index(u.username)):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for page in pages_for(user):
            times, status = [], 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                response = client.get(page.path)
                times.append((time.perf_counter() - t0) * 1000)
                status = response.status_code
            timing = Timing(user.username, page, status, statistics.median(times), max(times))
            result.append(timing)
            if progress:
                progress(timing)
    return result


def time_login(username: str = "demo_clerk", password: str = "fupin-demo-2026", repeat: int = 3) -> float:
    """The median time of a login form post (the password hash dominates)."""
    times = []
    for _ in range(repeat):
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(reverse("login"))
        t0 = time.perf_counter()
        client.post(reverse("login"), {"username": username, "password": password})
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)

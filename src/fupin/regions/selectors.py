"""Reads of the division tree, always scoped to the user's subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fupin.core.scoping import get_scoped_or_404, scope_of, scoped
from fupin.core.tree import ancestors as tree_ancestors
from fupin.core.tree import is_code, subtree_bounds
from fupin.regions.models import Region


def visible_regions(user: Any) -> QuerySet[Region]:
    return scoped(Region.objects.all(), user)


def region_for(user: Any, code: str) -> Region:
    """A region the user may open; 404 outside the user's subtree."""
    return get_scoped_or_404(Region.objects.all(), user, code=code)


def top_regions(user: Any) -> QuerySet[Region]:
    """What the region browser shows first: the provinces for nationwide users, else the user's own node."""
    scope = scope_of(user)
    if scope.is_nation:
        return Region.objects.filter(level=1)
    return visible_regions(user).filter(code=scope.prefix)


def children(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region).order_by("code")


def ancestors(region: Region) -> list[Region]:
    by_code = Region.objects.in_bulk(region.ancestor_codes)
    return [by_code[c] for c in region.ancestor_codes if c in by_code]


def subtree(code: str) -> QuerySet[Region]:
    """Every node at or below ``code`` — one indexed range scan."""
    return Region.objects.filter(code__range=subtree_bounds(code))


def search(user: Any, text: str, limit: int = 20) -> QuerySet[Region]:
    text = text.strip()
    qs = visible_regions(user)
    if is_code(text):
        return qs.filter(code__range=subtree_bounds(text)).order_by("code")[:limit]
    return qs.filter(name__contains=text).order_by("level", "code")[:limit]


def picker_levels(user: Any, code: str, deepest: int = 5) -> list[dict[str, Any]]:
    """The cascading region picker's selects for ``code`` inside the user's scope: one per level from the user's
    own node (the provinces for a nationwide user) down to the children of ``code`` (not below level
    ``deepest``), each with its options and the chosen one. A code outside the scope, or not a code, is the
    user's own node."""
    scope = scope_of(user)
    if scope.prefix is None:
        return []
    root = scope.prefix
    if not code or not is_code(code) or not scope.contains(code) or len(code) < len(root):
        code = root
    parents = [root, *[c for c in [*tree_ancestors(code), code] if len(c) > len(root)]]
    names = dict(Region.objects.filter(code__in=[p for p in parents if p]).values_list("code", "name"))
    levels = []
    for i, parent in enumerate(parents):
        kids = Region.objects.filter(level=1) if parent == "" else Region.objects.filter(parent_id=parent)
        kids = kids.filter(level__lte=deepest)
        options = list(kids.order_by("code").values_list("code", "name"))
        if not options:
            break
        levels.append({"parent": parent, "parent_name": names.get(parent, ""), "options": options,
                       "chosen": parents[i + 1] if i + 1 < len(parents) else ""})
    return levels

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from fupin.core.exports import audited_export
from fupin.core.scoping import scope_of
from fupin.regions import selectors
from fupin.regions.models import Region
from fupin.registry.selectors import counts_by_child


def _rows(request: HttpRequest, region: Region | None, children: list[Region]) -> list[dict]:
    counts = counts_by_child(request.user, region)
    return [
        {"region": c, "households": counts.get(c.code, {}).get("households", 0),
         "persons": counts.get(c.code, {}).get("persons", 0)}
        for c in children
    ]


@login_required
def browser(request: HttpRequest, code: str | None = None) -> HttpResponseBase:
    """The division tree: breadcrumbs, the node and its children with counts, inside the user's scope."""
    scope = scope_of(request.user)
    region = selectors.region_for(request.user, code) if code else None
    if region is None and not scope.is_nation:
        region = selectors.region_for(request.user, scope.prefix or "")
    children = list(selectors.children(region)) if region else list(selectors.top_regions(request.user))
    rows = _rows(request, region, children)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = ["区划代码 code", "名称 name", "级别 level", "下级 children", "行政村 villages", "户数 households",
                  "人数 persons", "标志 flags"]
        data = ((r["region"].full_code, r["region"].name, r["region"].get_level_display(), r["region"].child_count,
                 r["region"].village_count, r["households"], r["persons"], "; ".join(r["region"].flags)) for r in rows)
        return audited_export(actor=request.user, what="regions.region", fmt=fmt,
                              filename=f"regions-{region.code if region else 'all'}", header=header, rows=data,
                              region_code=region.code if region else scope.prefix or "", summary="region list export")
    crumbs = selectors.ancestors(region) if region else []
    q = request.GET.get("q", "").strip()
    found = list(selectors.search(request.user, q)) if q else []
    return render(request, "regions/browser.html", {
        "region": region,
        "crumbs": [(c, scope.contains(c.code)) for c in crumbs],
        "rows": rows,
        "q": q,
        "found": found,
    })

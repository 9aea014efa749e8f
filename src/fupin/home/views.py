"""Site pages above the apps: the home page (the workbench: what waits for the user, then the registry of the
user's region at a glance) and the division
tree browser with household counts (regions and registry together, so neither app imports the other)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from fupin.core.codes import label
from fupin.core.exports import audited_export
from fupin.core.scoping import scope_of
from fupin.home.workbench import workbench
from fupin.regions import selectors as region_selectors
from fupin.regions.models import Level, Region
from fupin.regions.selectors import top_regions
from fupin.registry.selectors import counts_by_child, status_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    region = Region.objects.filter(code=scope.prefix).first() if scope.prefix else None
    summary = status_summary(request.user, region)
    for row in summary:
        row["label"] = label("household_status", row["status"])
    by_child = counts_by_child(request.user, region)
    children = (
        list(Region.objects.filter(parent=region).order_by("code")) if region else list(top_regions(request.user))
    )
    chart = [
        {"code": c.code, "name": c.name, "households": by_child.get(c.code, {}).get("households", 0),
         "persons": by_child.get(c.code, {}).get("persons", 0)}
        for c in children
    ]
    chart = [c for c in chart if c["households"]] or chart[:0]
    return render(request, "home/home.html", {
        "cards": workbench(request.user),
        # a donor or a shop operator sees its own records, no region: no registry overview ("nationwide", 0 households)
        "own_records": scope.prefix is None,
        "region": region,
        "is_village": bool(region and region.level == Level.VILLAGE),
        "summary": summary,
        "total_households": sum(r["households"] for r in summary),
        "total_persons": sum(r["persons"] or 0 for r in summary),
        "chart_data": chart,
        "chart_rows": chart,
    })


def _rows(request: HttpRequest, region: Region | None, children: list[Region]) -> list[dict]:
    counts = counts_by_child(request.user, region)
    return [
        {"region": c, "households": counts.get(c.code, {}).get("households", 0),
         "persons": counts.get(c.code, {}).get("persons", 0)}
        for c in children
    ]


@login_required
def region_browser(request: HttpRequest, code: str | None = None) -> HttpResponseBase:
    """The division tree: breadcrumbs, the node and its children with counts, inside the user's scope."""
    scope = scope_of(request.user)
    region = region_selectors.region_for(request.user, code) if code else None
    if region is None and not scope.is_nation:
        region = region_selectors.region_for(request.user, scope.prefix or "")
    children = list(region_selectors.children(region)) if region else list(region_selectors.top_regions(request.user))
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
    crumbs = region_selectors.ancestors(region) if region else []
    q = request.GET.get("q", "").strip()
    found = list(region_selectors.search(request.user, q)) if q else []
    return render(request, "home/region_browser.html", {
        "region": region,
        "crumbs": [(c, scope.contains(c.code)) for c in crumbs],
        "rows": rows,
        "q": q,
        "found": found,
    })

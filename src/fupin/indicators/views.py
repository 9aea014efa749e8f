"""Pages of the indicator system under /indicators/: dashboard, rankings, assessment, reports. Thin: reads go
through ``selectors``, ``dashboard`` and ``assessment``; writes through ``services.save_scheme`` and
``services.start_report``; every page is limited to the user's subtree by ``core.scoping.narrow_or_404``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import Rank
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fupin.core.exports import audited_export, audited_file, export_source
from fupin.core.pagination import paginate, query_without
from fupin.core.scoping import get_scoped_or_404, narrow_or_404, scoped
from fupin.core.tree import level_of
from fupin.indicators import assessment, dashboard, definitions, reports, selectors, services
from fupin.indicators.forms import ReportForm, SchemeForm
from fupin.indicators.models import AssessmentScheme, IndicatorValue, Period, Report
from fupin.regions.models import Level, Region
from fupin.regions.selectors import ancestors

SORTS = ("rank", "-rank", "code")


def _region_param(request: HttpRequest, name: str = "region") -> str:
    """The region asked for, else the user's home region; anything outside the user's subtree is a 404."""
    code = request.GET.get(name)
    if code is None:
        return selectors.home_region(request.user)
    code = code.strip()
    narrow_or_404(request.user, code, node=True)
    return code


def _period_param(request: HttpRequest) -> Period | None:
    code = request.GET.get("period")
    return selectors.period_or_404(code) if code else selectors.latest_period()


def _levels_below(code: str) -> list[tuple[int, str]]:
    return [(int(v), str(label)) for v, label in Level.choices if v > level_of(code)]


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    code = _region_param(request)
    period = _period_param(request)
    if period is None:
        region = selectors.region_or_404(request.user, code)
        return render(request, "indicators/dashboard.html", {"board": None, "region": region,
                                                             "trail": ancestors(region) if region else []})
    board = dashboard.build(request.user, period, code, request.GET.get("indicator", ""))
    return render(request, "indicators/dashboard.html", {
        "board": board, "region": board.region, "trail": board.trail, "period": period,
        "periods": selectors.periods()[:60], "chart_data": board.chart_data(),
        "indicators": [i for i in definitions.INDICATORS.values()],
        "household_link": board.is_village,
    })


@login_required
def ranking_page(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    within = _region_param(request, "within")
    period = _period_param(request)
    codes = list(definitions.INDICATORS)
    indicator = request.GET.get("indicator") or (codes[0] if codes else "")
    if indicator and indicator not in definitions.INDICATORS:
        raise Http404
    levels = _levels_below(within)
    try:
        level = int(request.GET.get("level", ""))
    except ValueError:
        level = levels[0][0] if levels else 0
    if levels and level not in [lv for lv, _n in levels]:
        level = levels[0][0]
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in SORTS else "rank"
    context: dict[str, Any] = {
        "within": within, "within_region": selectors.region_or_404(user, within), "period": period,
        "periods": selectors.periods()[:60], "indicators": list(definitions.INDICATORS.values()),
        "indicator": definitions.INDICATORS.get(indicator), "levels": levels, "level": level, "sort": sort,
        "sort_query": query_without(request, "page", "sort"), "query": query_without(request, "page"),
        "export_query": query_without(request, "page", "format"),
    }
    if period is None or not indicator or not levels:
        return render(request, "indicators/ranking.html", {**context, "page": None})
    ind = definitions.INDICATORS[indicator]
    qs = _ranked(user, period, indicator, level, within, sort)
    if request.GET.get("format") == "xlsx":
        return audited_export(
            actor=user, what="indicators.indicatorvalue", fmt="xlsx", filename=f"ranking-{indicator}-{period.code}",
            header=[_("rank"), _("division code"), _("region"), f"{ind.name}（{ind.unit_label}）", _("numerator"),
                    _("denominator"), _("areas reporting")],
            source=ranking_rows, params={"period": period.code, "indicator": indicator, "level": level,
                                         "within": within, "sort": sort},
            count=selectors.ranking(user, period, indicator=indicator, level=level, within=within).count(),
            title=f"{period.code}", region_code=within, notes=[period.data_note],
            summary=f"ranking export {indicator} {period.code} level {level}")
    page = paginate(request, qs, 50)
    names = Region.objects.in_bulk([v.region_code for v in page.object_list])
    for v in page.object_list:
        region = names.get(v.region_code)
        v.name = region.name if region else v.region_code
    return render(request, "indicators/ranking.html", {**context, "page": page})


def _ranked(user: Any, period: Period, indicator: str, level: int, within: str, sort: str) -> Any:
    """The values of one indicator at one level below ``within``, ranked best first, in the order asked for."""
    ind = definitions.INDICATORS[indicator]
    best_first = F("value").asc(nulls_last=True) if ind.direction < 0 else F("value").desc(nulls_last=True)
    qs = selectors.ranking(user, period, indicator=indicator, level=level, within=within).annotate(
        rank=Window(Rank(), order_by=best_first))
    if sort == "-rank":
        worst_first = F("value").desc(nulls_first=True) if ind.direction < 0 else F("value").asc(nulls_first=True)
        qs = qs.order_by(worst_first, "-region_code")
    elif sort == "code":
        qs = qs.order_by("region_code")
    return qs


@export_source
def ranking_rows(user: Any, period: str, indicator: str, level: int, within: str, sort: str) -> Any:
    """The export rows of a ranking (the background worker's as well as the page's)."""
    return _ranking_rows(_ranked(user, selectors.period_or_404(period), indicator, level, within, sort))


def _ranking_rows(qs: Any) -> Any:
    """Export rows in chunks, with one query for the names of each chunk."""
    chunk: list[IndicatorValue] = []
    for v in qs.iterator(chunk_size=2000):
        chunk.append(v)
        if len(chunk) == 2000:
            yield from _named(chunk)
            chunk = []
    yield from _named(chunk)


def _named(chunk: list[IndicatorValue]) -> Any:
    names = Region.objects.in_bulk([v.region_code for v in chunk])
    for v in chunk:
        r = names.get(v.region_code)
        yield (getattr(v, "rank", None), v.region_code, r.name if r else "", _("no data") if v.no_data else v.value,
               v.numerator, v.denominator, v.reporting_rate)


@login_required
def assessment_page(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    schemes = list(AssessmentScheme.objects.all())
    scheme = None
    if request.GET.get("scheme"):
        scheme = next((s for s in schemes if str(s.pk) == request.GET["scheme"]), None)
        if scheme is None:
            raise Http404
    elif schemes:
        scheme = schemes[0]
    within = _region_param(request, "within")
    result = assessment.assess(user, scheme, within=within) if scheme else None
    if result is not None and request.GET.get("format") == "xlsx":
        header = [_("rank"), _("division code"), _("region"), _("score"),
                  *[f"{ind.name if ind else code} ×{w}" for code, ind, w in result.indicators]]
        return audited_export(
            actor=user, what="indicators.assessmentscheme", obj=scheme, fmt="xlsx",
            filename=f"assessment-{scheme.pk if scheme else ''}", header=header,
            rows=((r.rank, r.code, r.name, r.total, *[r.scores[c] for c, _w in result.weights]) for r in result.rows),
            title=str(scheme.year if scheme else ""), region_code=within,
            notes=[result.period.data_note] if result.period else [],
            summary=f"assessment export {scheme.pk if scheme else ''}")
    page = Paginator(result.rows if result else [], 50).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.cells = result.cells(row) if result else []
    return render(request, "indicators/assessment.html", {
        "schemes": schemes, "scheme": scheme, "result": result,
        "level_label": Level(scheme.level).label if scheme and scheme.level in Level.values else "", "page": page, "within": within,
        "within_region": selectors.region_or_404(user, within), "can_edit": assessment.can_edit_schemes(user),
        "query": query_without(request, "page"), "export_query": query_without(request, "page", "format"),
    })


@login_required
def scheme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    if not assessment.can_edit_schemes(user):
        raise PermissionDenied
    scheme = AssessmentScheme.objects.filter(pk=pk).first() if pk else None
    if pk and scheme is None:
        raise Http404
    form = SchemeForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_scheme(actor=user, scheme=scheme, name=form.cleaned_data["name"],
                                           year=form.cleaned_data["year"], level=form.cleaned_data["level"],
                                           weights=form.weights())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Assessment scheme saved."))
            return redirect(f"{reverse('indicators_assessment')}?scheme={saved.pk}")
    return render(request, "indicators/scheme_form.html", {"form": form, "scheme": scheme})


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    home = selectors.home_region(user)
    latest = selectors.latest_period()
    form = ReportForm(request.POST or None, initial={"region": home, "period": latest.code if latest else None})
    if request.method == "POST" and form.is_valid():
        report = services.start_report(actor=user, kind=form.cleaned_data["kind"], period=form.cleaned_data["period"],
                                      region_code=form.cleaned_data["region"], scheme=form.cleaned_data["scheme"])
        return redirect("indicators_report", pk=report.pk)
    page = paginate(request, scoped(Report.objects.select_related("period", "scheme", "created_by"), user), 20)
    names = Region.objects.in_bulk([r.region_code for r in page.object_list if r.region_code])
    for r in page.object_list:
        r.region_name = names[r.region_code].name if r.region_code in names else _("the nation")
    return render(request, "indicators/reports.html", {"form": form, "page": page,
                                                       "query": query_without(request, "page")})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_scoped_or_404(Report.objects.select_related("period", "scheme"), request.user, pk=pk)
    region = Region.objects.filter(code=report.region_code).first() if report.region_code else None
    context = {"report": report, "region": region,
               "running": report.status in (Report.Status.QUEUED, Report.Status.RUNNING)}
    if request.headers.get("HX-Request"):
        return render(request, "indicators/_report_progress.html", context)
    return render(request, "indicators/report.html", context)


@login_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = get_scoped_or_404(Report.objects.select_related("period"), request.user, pk=pk)
    path = report.pdf_path if fmt == "pdf" else report.xlsx_path
    if report.status != Report.Status.DONE or not path or not Path(path).exists():
        raise Http404
    return audited_file(
        actor=request.user, what="indicators.report", obj=report, region_code=report.region_code,
        filename=f"{report.kind}-{report.period_id}-{report.region_code or 'CN'}.{fmt}", content=Path(path),
        content_type="application/pdf" if fmt == "pdf" else reports.XLSX, summary=f"report {report.pk} {fmt}")

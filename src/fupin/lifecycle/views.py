"""Pages of the lifecycle under /lifecycle/: thin, reading through selectors and writing through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core.codes import choices, label
from fupin.core.scoping import scope_of
from fupin.lifecycle import evaluation, selectors, services
from fupin.lifecycle.models import Kind, Notice, Stage
from fupin.regions.models import Region


def _error_text(exc: Exception) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_for(request.user, pk)
    if request.method == "POST":
        try:
            services.add_measure(actor=request.user, household=h, data=request.POST.dict())
            messages.success(request, _("Measure recorded."))
            return redirect("lifecycle_household", pk=h.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
    measures = list(selectors.measures_of(h))
    for m in measures:
        m.type_label = label("measure_type", m.type)  # type: ignore[attr-defined]
        m.source_label = label("fund_source", m.fund_source)  # type: ignore[attr-defined]
    cases = list(selectors.cases_of(h))
    for c in cases:
        c.stage_label = Stage(c.stage).label  # type: ignore[attr-defined]
    try:
        year = int(request.GET.get("year") or 2020)
        result: Any = evaluation.evaluate_one(h, year)
    except (ValueError, evaluation.NoPovertyLine):
        result = None
    return render(request, "lifecycle/household.html", {
        "h": h, "status_label": label("household_status", h.status), "measures": measures, "cases": cases,
        "monitoring": selectors.monitoring_of(h), "evaluation": result,
        "measure_types": choices("measure_type"), "fund_sources": choices("fund_source"),
    })


@login_required
def work_queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in services.STEP_FUNCTIONS:
            raise PermissionDenied
        ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
        results = services.bulk_decide(actor=user, step=step, case_ids=ids, approve=request.POST.get("approve") == "1",
                                       reason=request.POST.get("reason", ""))
        done = sum(r.ok for r in results)
        messages.success(request, _("%(done)d of %(total)d decided.") % {"done": done, "total": len(results)})
        for r in results:
            if not r.ok:
                messages.error(request, f"#{r.case_id}: {r.message}")
        return redirect("lifecycle_queue")
    items = selectors.queue(user)
    for item in items:
        item.case.kind_label = Kind(item.case.kind).label  # type: ignore[attr-defined]
    return render(request, "lifecycle/queue.html", {"items": items})


@login_required
@require_POST
def start_notice(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
    cases = [selectors.case_for(request.user, pk) for pk in ids]
    try:
        notice = services.start_notice(actor=request.user, cases=cases)
        messages.success(request, _("Public notice posted until %(date)s.") % {"date": notice.ends_on})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    return redirect("lifecycle_queue")


@login_required
def exit_evaluation(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    code = request.GET.get("region") or scope.prefix or "53"
    if not scope.contains(code) and not scope.is_nation:
        code = scope.prefix or ""
    region = Region.objects.filter(code=code).first()
    try:
        year = int(request.GET.get("year") or 2020)
        area = evaluation.area_exit(region, year) if region else None
        villages = evaluation.village_exits(code, year) if region and len(code) >= 6 else []
    except (ValueError, evaluation.NoPovertyLine) as exc:
        messages.error(request, str(exc))
        year, area, villages = 2020, None, []
    return render(request, "lifecycle/exit_evaluation.html",
                  {"region": region, "year": year, "area": area, "villages": villages})


def public_notices(request: HttpRequest) -> HttpResponse:
    """Public (no login): current notices with masked names and no ID numbers; printable."""
    region = request.GET.get("region", "")
    region = region if region.isdigit() else ""
    notices = list(selectors.current_notices(region=region)[:200])
    for n in notices:
        n.entries = selectors.notice_entries(n)  # type: ignore[attr-defined]
        n.kind_label = Kind(n.kind).label  # type: ignore[attr-defined]
    return render(request, "lifecycle/public_notices.html", {"notices": notices, "region": region})


def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("village", "village__parent"), pk=pk)
    notice.entries = selectors.notice_entries(notice)  # type: ignore[attr-defined]
    notice.kind_label = Kind(notice.kind).label  # type: ignore[attr-defined]
    return render(request, "lifecycle/public_notices.html", {"notices": [notice], "region": "", "single": True})

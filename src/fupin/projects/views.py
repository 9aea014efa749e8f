"""Pages under /projects/: the project library and a project's procedure, fund lines and the year's money tree,
spending against allocations, alerts, the action plans' task ledger (工作台账) with the dispatch list, and targets.
Thin: forms parse, selectors read (scoped), services write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core.errors import error_text
from fupin.core.exports import audited_export
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.core.params import small_int
from fupin.core.scoping import narrow_or_404
from fupin.projects import selectors, services
from fupin.projects.forms import (
    AllocationForm,
    DisbursementForm,
    FundLineForm,
    MeetingForm,
    ProjectForm,
    ReportForm,
    TargetForm,
    UploadForm,
)
from fupin.projects.models import ProjectType, Stage

DISPATCH_ROWS = 200  # the most urgent rows of each alert or dispatch list; the counts say how many there are


def _can(user: Any, roles: tuple[Any, ...]) -> bool:
    return bool(user.is_superuser or user.has_role(*roles))


def _year(request: HttpRequest, default: int | None = None) -> int | None:
    text = request.GET.get("year", "")
    year = small_int(text)
    return year if year is not None and 2000 <= year <= 2100 else default


def _attempt(request: HttpRequest, fn: Callable[[], Any], success: str) -> bool:
    try:
        fn()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, success)
    return True


# ---------------------------------------------------------------- the project library

@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.projects(user, year=_year(request), stage=request.GET.get("stage", ""),
                            type=request.GET.get("type", ""),
                            region=narrow_or_404(user, request.GET.get("region", "")).prefix or "",
                            q=request.GET.get("q", "").strip())
    page = paginate(request, qs, 20)
    alerts = selectors.alerts(user)
    return render(request, "projects/list.html", {
        "page": page, "projects": page.object_list, "params": request.GET, "query": query_without(request, "page"),
        "stages": Stage.choices, "types": ProjectType.choices, "alert_counts": {k: len(v) for k, v in alerts.items()},
        "can_register": _can(user, services.PROJECT_ROLES),
    })


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _can(user, services.PROJECT_ROLES):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, initial={"year": timezone.localdate().year,
                                                      "region_code": user.region_id or ""})
    if request.method == "POST" and form.is_valid():
        try:
            p = services.register_project(actor=user, **form.cleaned_data)
            messages.success(request, _("Project entered into the library."))
            return redirect("projects_detail", pk=p.pk)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
    return render(request, "projects/form.html", {"form": form, "title": _("New project"), "multipart": False})


STEP_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "approve": (lambda u, p, d: services.approve(actor=u, project_id=p, note=d.get("note", "")), gettext_lazy("Approved.")),
    "reject": (lambda u, p, d: services.approve(actor=u, project_id=p, approve=False, note=d.get("note", "")),
               gettext_lazy("Rejected.")),
    "notice": (lambda u, p, d: services.start_notice(actor=u, project_id=p, days=int(d.get("days") or 7)),
               gettext_lazy("Public notice posted.")),
    "implement": (lambda u, p, d: services.start_implementation(actor=u, project_id=p, note=d.get("note", "")),
                  gettext_lazy("Implementation started.")),
    "accept": (lambda u, p, d: services.accept(actor=u, project_id=p, note=d.get("note", ""),
                                               accepted_on=_date(d.get("accepted_on", ""))), gettext_lazy("Accepted.")),
    "evaluate": (lambda u, p, d: services.evaluate(actor=u, project_id=p, rating=d.get("rating", ""),
                                                   note=d.get("note", "")), gettext_lazy("Performance review recorded.")),
    "fund_notice": (lambda u, p, d: services.publish_fund_notice(actor=u, project_id=p), gettext_lazy("Fund-use notice posted.")),
}


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    p = selectors.project(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in STEP_ACTIONS:
            fn, done = STEP_ACTIONS[action]
            _attempt(request, lambda: fn(user, p.pk, request.POST), str(done))
        elif action == "beneficiary":
            h = selectors.household_by_number(user, request.POST.get("household", ""))
            if h is None:
                messages.error(request, _("No household with this number in your region."))
            else:
                _attempt(request, lambda: services.add_beneficiary(
                    actor=user, project_id=p.pk, household_id=h.pk, benefit=request.POST.get("benefit", ""),
                    amount=request.POST.get("amount") or 0), _("Beneficiary recorded."))
        elif action == "village":
            _attempt(request, lambda: services.add_village(actor=user, project_id=p.pk,
                                                           village_code=request.POST.get("village", "").strip(),
                                                           benefit=request.POST.get("benefit", "")),
                     _("Village recorded."))
        else:
            raise PermissionDenied
        return redirect("projects_detail", pk=p.pk)
    masker = Masker(user)
    rows = list(selectors.beneficiaries(user, p)[:500])
    from fupin.registry.models import Member

    heads = dict(Member.objects.filter(household_id__in=[b.household_id for b in rows], relation="01",
                                       is_active=True).values_list("household_id", "name"))
    for b in rows:
        b.head = masker.name(heads.get(b.household_id, ""))  # type: ignore[attr-defined]
    if rows:
        masker.reveal(obj=p, summary=f"project {p.code} beneficiaries", detail={"households": len(rows)})
    return render(request, "projects/detail.html", {
        "p": p, "beneficiaries": rows, "villages": p.villages.select_related("village"),
        "steps": p.steps.all(), "allocations": p.allocations.select_related("source"),
        "disbursements": selectors.disbursements(user, project_id=p.pk)[:100], "notices": p.notices.all(),
        "can_project": _can(user, services.PROJECT_ROLES), "can_approve": _can(user, services.APPROVAL_ROLES),
        "can_accept": _can(user, services.ACCEPTANCE_ROLES), "can_evaluate": _can(user, services.EVALUATION_ROLES),
        "today": timezone.localdate(),
    })


# ---------------------------------------------------------------- funds

@login_required
def funds(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    years = selectors.years(user)
    year = _year(request, years[0] if years else timezone.localdate().year)
    can_fund = _can(user, services.FUND_ROLES)
    line_form = FundLineForm(request.POST if request.POST.get("action") == "line" else None,
                             initial={"year": year, "region_code": user.region_id or ""})
    alloc_form = AllocationForm(request.POST if request.POST.get("action") == "allocate" else None,
                                initial={"allocated_on": timezone.localdate()})
    if request.method == "POST":
        if not can_fund:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "line" and line_form.is_valid():
            d = line_form.cleaned_data
            if _attempt(request, lambda: services.create_fund_line(
                    actor=user, code=d["code"], name=d["name"], year=d["year"], level=d["level"], source=d["source"],
                    region_code=d["region_code"], own_amount=d["own_amount"], parent_id=d["parent"],
                    document=d["document"]), _("Fund line created.")):
                return redirect(f"{request.path}?year={d['year']}")
        elif action == "allocate" and alloc_form.is_valid():
            d = alloc_form.cleaned_data
            project = selectors.project_by_code(user, d["project"]) if d["project"] else None
            if d["project"] and project is None:
                messages.error(request, _("No project with this number in your region."))
            elif _attempt(request, lambda: services.allocate(
                    actor=user, source_id=d["source"], to_line_id=d["to_line"],
                    project_id=project.pk if project else None, amount=d["amount"],
                    allocated_on=d["allocated_on"], document=d["document"]), _("Allocated.")):
                return redirect(f"{request.path}?year={year}")
        elif action == "upload":
            return _upload(request, "allocations")
    return render(request, "projects/funds.html", {
        "year": year, "years": years, "lines": selectors.fund_lines(user, year=year),
        "tree": selectors.money_tree(user, year=year) if year else [], "can_fund": can_fund,
        "line_form": line_form, "alloc_form": alloc_form, "upload_form": UploadForm(),
    })


def _upload(request: HttpRequest, kind: str) -> HttpResponse:
    """The allocation or disbursement upload: all or nothing; refused files come back as a marked workbook."""
    from fupin.projects import uploads

    user: Any = request.user
    form = UploadForm(request.POST, request.FILES)
    target = "projects_funds" if kind == "allocations" else "projects_spending"
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect(target)
    f = form.cleaned_data["file"]
    fn = uploads.upload_allocations if kind == "allocations" else uploads.upload_disbursements
    try:
        summary = fn(actor=user, content=f.read(), filename=f.name)
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
        return redirect(target)
    if summary.ok:
        messages.success(request, _("%(n)s rows imported.") % {"n": summary.created})
        return redirect(target)
    request.session[f"projects_upload_{kind}"] = summary.error_report.name if summary.error_report else ""
    messages.error(request, _("Nothing was imported: %(n)s rows have errors. Download the marked workbook.")
                   % {"n": len({c.row for c in summary.errors})})
    return redirect(reverse(target) + f"?report={kind}")


@login_required
def upload_report(request: HttpRequest, kind: str) -> HttpResponseBase:
    from fupin.projects import uploads

    name = request.session.get(f"projects_upload_{kind}")
    path = uploads.report_path(name) if name else None
    if path is None or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{kind}-errors.xlsx")


# ---------------------------------------------------------------- spending

@login_required
def spending(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    by = request.GET.get("by", "region")
    by = by if by in ("region", "line", "project") else "region"
    year = _year(request)
    region = narrow_or_404(user, request.GET.get("region", "")).prefix or ""
    rows = selectors.spent_vs_allocated(user, by=by, year=year, region=region)
    can_fund = _can(user, services.FUND_ROLES)
    form = DisbursementForm(request.POST if request.POST.get("action") == "pay" else None,
                            initial={"paid_on": timezone.localdate()})
    if request.method == "POST":
        if not can_fund:
            raise PermissionDenied
        if request.POST.get("action") == "upload":
            return _upload(request, "disbursements")
        if form.is_valid():
            d = form.cleaned_data
            project = selectors.project_by_code(user, d["project"])
            line = selectors.line_by_code(user, d["line"]) or (
                selectors.fund_lines(user).filter(code=d["line"]).first())
            if project is None or line is None:
                messages.error(request, _("No project or fund line with this number in your region."))
            elif _attempt(request, lambda: services.record_disbursement(
                    actor=user, project_id=project.pk, line_id=line.pk, voucher=d["voucher"], paid_on=d["paid_on"],
                    amount=d["amount"], payee=d["payee"]), _("Disbursement recorded.")):
                return redirect("projects_spending")
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return audited_export(actor=user, what="projects.spending", fmt=fmt, filename=f"spending-{by}",
                              header=[_("code"), _("name"), _("allocated"), _("spent"), _("share %")],
                              rows=[(r.key, r.label, r.allocated, r.spent, r.share) for r in rows],
                              region_code=region, summary=f"spent vs allocated by {by} export")
    total_a = sum((r.allocated for r in rows), Decimal(0))
    total_s = sum((r.spent for r in rows), Decimal(0))
    return render(request, "projects/spending.html", {
        "rows": rows, "by": by, "year": year, "region": region, "params": request.GET, "can_fund": can_fund,
        "form": form, "upload_form": UploadForm(), "total_allocated": total_a, "total_spent": total_s,
        "query": query_without(request, "format"), "report": request.GET.get("report", ""),
    })


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    days = selectors.idle_days()
    text = request.GET.get("days", "")
    asked = small_int(text)
    if asked is not None and 1 <= asked <= 3650:
        days = asked
    a = selectors.alerts(user, days=days)
    return render(request, "projects/alerts.html", {
        "a": {k: v[:DISPATCH_ROWS] for k, v in a.items()}, "counts": {k: len(v) for k, v in a.items()},
        "rows": DISPATCH_ROWS, "days": days})


# ---------------------------------------------------------------- plans and tasks

@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    plans = list(selectors.plans(user).order_by("level", "code"))
    on = timezone.localdate()
    for pl in plans:
        qs = pl.tasks.all()
        pl.total = qs.count()  # type: ignore[attr-defined]
        pl.done = qs.filter(done_on__isnull=False).count()  # type: ignore[attr-defined]
        pl.overdue = qs.filter(done_on__isnull=True, deadline__lt=on).count()  # type: ignore[attr-defined]
    return render(request, "projects/plans.html", {"plans": plans, "counts": selectors.task_counts(user)})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    plan = selectors.plan(user, pk)
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    can_meet = _can(user, services.PLAN_ROLES)
    if request.method == "POST":
        if not can_meet:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            decisions = []
            for line in d["decisions"].splitlines():
                parts = [x.strip() for x in line.split("|")]
                if not parts[0]:
                    continue
                parts += [""] * (4 - len(parts))
                decisions.append({"text": parts[0], "lead_units": parts[1], "co_units": parts[2],
                                  "deadline": _date(parts[3])})
            if _attempt(request, lambda: services.hold_meeting(
                    actor=user, plan_id=plan.pk, held_on=d["held_on"], title=d["title"], minutes=d["minutes"],
                    decisions=decisions), _("Meeting recorded; its decisions are tasks now.")):
                return redirect("projects_plan", pk=plan.pk)
    state = request.GET.get("state", "")
    return render(request, "projects/plan.html", {
        "plan": plan, "tasks": selectors.tasks(user, plan_id=plan.pk, state=state), "state": state,
        "meetings": selectors.meetings(user, plan.pk), "form": form, "can_meet": can_meet,
        "today": timezone.localdate(),
    })


@login_required
def dispatch(request: HttpRequest) -> HttpResponse:
    """The dispatch list (调度清单): overdue and at-risk tasks of every plan the user sees."""
    user: Any = request.user
    unit = request.GET.get("unit", "").strip()
    overdue = selectors.tasks(user, state="overdue", unit=unit)
    at_risk = selectors.tasks(user, state="at_risk", unit=unit)
    return render(request, "projects/dispatch.html", {
        "overdue": overdue[:DISPATCH_ROWS], "at_risk": at_risk[:DISPATCH_ROWS], "overdue_count": overdue.count(),
        "at_risk_count": at_risk.count(), "rows": DISPATCH_ROWS, "unit": unit, "today": timezone.localdate(),
    })


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = selectors.task(user, pk)
    form = ReportForm(request.POST or None, request.FILES or None)
    org = (getattr(user, "organisation", "") or "").strip()
    can_report = task.done_on is None and (user.is_superuser or user.has_role(*services.REPORT_ROLES)) and (
        org in task.lead_units or user.is_superuser or user.has_role("sysadmin"))
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            if _attempt(request, lambda: services.report_progress(
                    actor=user, task_id=task.pk, period=d["period"], text=d["text"], progress=d["progress"],
                    figures=d["figures"], attachment=d["attachment"]), _("Progress reported.")):
                return redirect("projects_task", pk=task.pk)
    return render(request, "projects/task.html", {
        "task": task, "reports": task.reports.all(), "form": form, "can_report": can_report,
        "targets": task.targets.all(), "today": timezone.localdate(),
    })


@login_required
def report_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    user: Any = request.user
    from fupin.projects.models import ProgressReport

    report = (ProgressReport.objects.select_related("task__plan")
              .filter(pk=pk, task__plan__in=selectors.plans(user)).first())
    if report is None or not report.attachment:
        raise Http404
    import mimetypes
    from pathlib import Path

    from fupin.core.exports import audited_file

    filename = (report.attachment.name or "attachment").rsplit("/", 1)[-1]
    path = Path(report.attachment.path)
    if not path.is_file():
        raise Http404
    # who read which report's attachment is recorded, as for every file fupin hands out
    return audited_file(actor=user, what="projects.progressreport", filename=filename, content=path,
                        content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
                        region_code=report.task.plan.region_id or "", obj=report,
                        summary=f"progress report attachment {report.pk} of task {report.task.number}")


# ---------------------------------------------------------------- targets

@login_required
def targets(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    can_edit = _can(user, services.TARGET_ROLES)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = TargetForm(request.POST)
        tid = request.POST.get("target", "")
        if form.is_valid() and small_int(tid) is not None:
            d = form.cleaned_data
            reason = d.pop("reason")
            _attempt(request, lambda: services.update_target(actor=user, target_id=int(tid), reason=reason, **d),
                     _("Target changed; the previous value is kept in its history."))
        else:
            messages.error(request, _("Please correct the target's fields."))
        return redirect("projects_targets")
    return render(request, "projects/targets.html", {"targets": selectors.targets(), "can_edit": can_edit})
